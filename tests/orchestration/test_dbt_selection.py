"""Which dbt nodes a build with some sources changed leaves as they are.

The walk runs on a small hand-made manifest (so each rule is visible) and on the
project's own manifest (so the rules hold for the models BI depends on).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from orchestration.dbt_selection import exclusion_selectors, nodes_to_build, source_names


def _node(uid: str, parents: list[str], folder: str = "staging") -> dict[str, Any]:
    kind, _, name = uid.split(".")
    return {
        "resource_type": kind,
        "fqn": ["p", folder, name] if kind != "seed" else ["p", name],
        "depends_on": {"nodes": parents},
    }


def _manifest() -> dict[str, Any]:
    nodes = {
        "model.p.stg_web": _node("model.p.stg_web", ["source.p.web.events"]),
        "model.p.stg_crm": _node("model.p.stg_crm", ["source.p.crm.lead"]),
        "model.p.int_crm_only": _node("model.p.int_crm_only", ["model.p.stg_crm"], "intermediate"),
        "model.p.int_both": _node(
            "model.p.int_both", ["model.p.stg_web", "model.p.stg_crm"], "intermediate"
        ),
        "model.p.mart_crm": _node("model.p.mart_crm", ["model.p.int_crm_only"], "marts"),
        "seed.p.rules": _node("seed.p.rules", []),
        "test.p.not_null_stg_crm": _node("test.p.not_null_stg_crm", ["model.p.stg_crm"]),
        "test.p.rel_both_crm": _node(
            "test.p.rel_both_crm", ["model.p.int_both", "model.p.int_crm_only"]
        ),
        "test.p.unique_mart_crm": _node("test.p.unique_mart_crm", ["model.p.mart_crm"], "marts"),
    }
    children: dict[str, list[str]] = {uid: [] for uid in nodes}
    children |= {"source.p.web.events": [], "source.p.crm.lead": []}
    for uid, node in nodes.items():
        for parent in node["depends_on"]["nodes"]:
            children[parent].append(uid)
    return {
        "nodes": nodes,
        "sources": {
            "source.p.web.events": {"source_name": "web"},
            "source.p.crm.lead": {"source_name": "crm"},
        },
        "child_map": children,
    }


def _is_mart(node: dict[str, Any]) -> bool:
    return node["resource_type"] == "model" and node["fqn"][1] == "marts"


def test_a_web_only_day_builds_what_web_reaches_and_every_mart() -> None:
    manifest = _manifest()
    keep = nodes_to_build(manifest, ["web"], always=_is_mart)
    assert keep == {
        "model.p.stg_web",
        "model.p.int_both",
        # a test that also reads an unchanged model runs: its other parent changed
        "test.p.rel_both_crm",
        # publish copies every mart: each is rebuilt, with its tests
        "model.p.mart_crm",
        "test.p.unique_mart_crm",
    }
    assert exclusion_selectors(manifest, keep) == [
        "fqn:p.intermediate.int_crm_only",
        "fqn:p.rules",
        "fqn:p.staging.not_null_stg_crm",
        "fqn:p.staging.stg_crm",
    ]


def test_every_source_changed_builds_everything() -> None:
    manifest = _manifest()
    keep = nodes_to_build(manifest, source_names(manifest), always=_is_mart)
    assert exclusion_selectors(manifest, keep) == ["fqn:p.rules"], "only the seed is untouched"


def test_a_name_dbt_would_read_as_selector_syntax_gives_up_narrowing() -> None:
    manifest = _manifest()
    manifest["nodes"]["model.p.stg_crm"]["fqn"] = ["p", "staging", "stg_*crm"]
    assert exclusion_selectors(manifest, set()) is None


def test_the_projects_crm_models_are_left_alone_on_a_day_without_crm_data(
    dbt_target: Path,
) -> None:
    from orchestration.assets.dbt import _is_mart as is_project_mart
    from orchestration.assets.dbt import get_dbt_project

    manifest = json.loads(get_dbt_project().manifest_path.read_text(encoding="utf-8"))
    sources = source_names(manifest)
    assert {"ga4", "google_ads", "meta_ads", "linkedin_ads", "salesforce"} <= sources
    keep = nodes_to_build(manifest, sources - {"salesforce"}, always=is_project_mart)
    names = {uid.split(".")[-1] for uid in keep if uid.startswith(("model.", "seed."))}
    marts = {"dim_leads", "fct_opportunities", "fct_opportunity_stage_history", "fct_sessions"}
    assert marts | {"int_ga4__sessions", "int_leads__stitched", "stg_ga4__events"} <= names
    assert not names & {"stg_salesforce__lead", "stg_salesforce__opportunity", "channel_rules"}
    everything = nodes_to_build(manifest, sources, always=is_project_mart)
    assert keep < everything
    assert {uid.split(".")[0] for uid in everything} <= {"model", "seed", "test", "snapshot"}


def test_dbt_runs_exactly_the_nodes_kept(dbt_target: Path, tmp_path: Path) -> None:
    """The arguments the dbt step passes select, in dbt itself, exactly ``nodes_to_build``:
    also the tests with one parent left alone (dbt's default would drop those)."""
    import os
    import subprocess

    from orchestration.assets.dbt import _is_mart as is_project_mart
    from orchestration.assets.dbt import dbt_build_args, get_dbt_project
    from orchestration.dbt_cli import dbt_executable

    project = get_dbt_project()
    manifest = json.loads(project.manifest_path.read_text(encoding="utf-8"))
    keep = nodes_to_build(manifest, source_names(manifest) - {"salesforce"}, always=is_project_mart)
    excluded = exclusion_selectors(manifest, keep)
    assert excluded
    args = dbt_build_args(excluded)
    assert args[0] == "build"
    listed = subprocess.run(
        [
            dbt_executable(),
            "ls",
            *args[1:],
            "--select",
            "fqn:*",
            "--output",
            "json",
            "--output-keys",
            "unique_id",
            "--quiet",
            "--project-dir",
            str(project.project_dir),
            "--profiles-dir",
            str(project.project_dir),
            "--target-path",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=project.project_dir,
        env={**os.environ, "REVOPS_WAREHOUSE": str(tmp_path / "warehouse.duckdb")},
    ).stdout
    selected = {json.loads(line)["unique_id"] for line in listed.splitlines() if line.strip()}
    assert selected == keep
    two_parents = {uid for uid in keep if len(manifest["nodes"][uid]["depends_on"]["nodes"]) > 1}
    assert "test.revops.assert_spend_reconciles_to_raw_ad_rows" in two_parents
