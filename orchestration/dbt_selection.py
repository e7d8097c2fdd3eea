"""Which dbt nodes a build can leave as they are: those none of the changed sources reaches.

Each source arrives on its own rhythm: GA4 and the ad platforms every day, Salesforce as a
weekly full snapshot. On a day without a CRM snapshot, the CRM staging models, the
intermediates built only from them, the seeds and their tests would be rebuilt from
exactly the inputs they were last built from. A build with the same code and a subset of
the sources changed therefore runs only:

- every node downstream of a changed source (models, tests, and tests that also read an
  unchanged model), and
- every mart with its tests, whatever it reads: publish copies all marts and depends on
  each, so each is built in every run that publishes (a mart is one cheap ``select``).

Everything else keeps its table. Whether a build may be narrowed at all (same code, no
other code built since the last publish) is decided in :mod:`orchestration.build_state`;
this module only walks the manifest. It never imports dagster or dbt.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

#: An fqn part that dbt's selector grammar reads literally (no wildcard, space or comma).
_PLAIN = re.compile(r"^[A-Za-z0-9_]+$")

#: Node types ``dbt build`` runs (unit tests are excluded from production builds anyway).
BUILT_TYPES = frozenset({"model", "seed", "snapshot", "test"})


def source_names(manifest: Mapping[str, Any]) -> set[str]:
    return {str(s["source_name"]) for s in manifest.get("sources", {}).values()}


def nodes_to_build(
    manifest: Mapping[str, Any],
    changed_sources: Iterable[str],
    always: Callable[[Mapping[str, Any]], bool],
) -> set[str]:
    """Unique ids of the built nodes that a change to ``changed_sources`` reaches, plus the
    nodes for which ``always(node)`` holds and every test of those."""
    changed = set(changed_sources)
    nodes: Mapping[str, Mapping[str, Any]] = manifest["nodes"]
    child_map: Mapping[str, list[str]] = manifest["child_map"]
    start = [uid for uid, s in manifest.get("sources", {}).items() if s["source_name"] in changed]
    reached: set[str] = set()
    queue = deque(start)
    while queue:
        for child in child_map.get(queue.popleft(), []):
            if child not in reached:
                reached.add(child)
                queue.append(child)
    reached |= {uid for uid, node in nodes.items() if always(node)}
    tests_of_reached = {
        uid
        for uid, node in nodes.items()
        if node["resource_type"] == "test"
        and any(parent in reached for parent in node.get("depends_on", {}).get("nodes", []))
    }
    built = {uid for uid, node in nodes.items() if node["resource_type"] in BUILT_TYPES}
    return (reached | tests_of_reached) & built


def exclusion_selectors(manifest: Mapping[str, Any], keep: set[str]) -> list[str] | None:
    """``--exclude`` values (``fqn:`` selectors) for every built node not in ``keep``.

    None when a node's fqn holds a character dbt would read as selector syntax: the
    caller then builds everything rather than risk excluding the wrong nodes.
    """
    selectors = []
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] not in BUILT_TYPES or uid in keep:
            continue
        if not all(_PLAIN.match(part) for part in node["fqn"]):
            return None
        selectors.append("fqn:" + ".".join(node["fqn"]))
    return sorted(selectors)
