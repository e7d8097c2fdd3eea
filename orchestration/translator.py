"""The one naming policy between dbt and Dagster.

Groups are the dbt folder (``staging``, ``intermediate``, ``marts``, ``seeds``),
so the asset graph reads like the dbt project. Source keys are
``[source_name, table_name]``, exactly the keys of the ingest assets, so raw
tables and models form one lineage graph. Descriptions are dbt's own (a RevOps
reader sees the grain, not the SQL); column descriptions travel in the
column-schema metadata that dagster-dbt adds by itself.

Every model and seed belongs to a business domain (marketing, sales, web, finance,
platform), shown as the tag ``domain`` and owned by ``team:<domain>`` (plus the email of
its dbt group's owner, when the group has one). The domain is, in this order:
``meta.domain``; the model's dbt group (set per folder in ``dbt_project.yml``; the group
``funnel``, owned by finance, is the finance domain); else its deepest folder that names
one: a landing source's folder (``staging/google_ads``) takes the source's domain from the
registry (:mod:`revops.sources`), a topic folder (``marts/sales``, ``intermediate/ad_spend``)
the domain in :data:`FOLDER_DOMAINS`; else ``platform``. Owners set in
``meta.dagster.owners`` or ``meta.owner`` win over the domain's team.

dbt tests become asset checks; a test's description comes from its yml
``description`` or ``meta.description``, else it is written from the test's
kind and column, and always says whether a failure blocks publishing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from orchestration.assets.ingest import domain_tags, owner_of
from revops.sources import BY_NAME

DBT_GROUPS = ("staging", "intermediate", "marts")

DOMAINS = ("marketing", "sales", "web", "finance", "platform")
#: dbt groups (models/groups.yml) whose name is not their domain's.
GROUP_DOMAINS = {"funnel": "finance"}
#: The domain of a dbt folder that is not a landing source's.
FOLDER_DOMAINS = {
    "ad_spend": "marketing",
    "marketing": "marketing",
    "funnel": "finance",
    "crm": "sales",
    "sales": "sales",
    "web": "web",
    "finance": "finance",
    "ingest": "platform",
}
#: Shared plumbing and reference data no single team owns.
PLATFORM = "platform"


def group_for(props: Mapping[str, Any]) -> str:
    """The top dbt folder of a node: ``models/marts/funnel/x.sql`` -> ``marts``."""
    resource_type = props.get("resource_type")
    if resource_type == "seed":
        return "seeds"
    if resource_type == "snapshot":
        return "snapshots"
    fqn: Sequence[str] = props.get("fqn") or []
    # fqn = [project, folder, ..., name]; a model at the root of models/ has no folder.
    folder = fqn[1] if len(fqn) > 2 else ""
    return folder if folder else "marts"


def _meta(props: Mapping[str, Any]) -> Mapping[str, Any]:
    return props.get("meta") or props.get("config", {}).get("meta") or {}


def _group(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """The node's dbt group: dagster-dbt passes ``get_owners`` the group itself (name and
    owner), the other methods only its name."""
    group = props.get("group") or props.get("config", {}).get("group")
    if isinstance(group, Mapping):
        return group
    return {"name": group} if group else {}


def domain_for(props: Mapping[str, Any]) -> str:
    """The business domain of a dbt node: ``meta.domain``, its dbt group, its folders, else
    platform."""
    meta = _meta(props)
    explicit = meta.get("domain") or (meta.get("dagster") or {}).get("domain")
    if explicit:
        return str(explicit)
    group = str(_group(props).get("name") or "")
    if GROUP_DOMAINS.get(group, group) in DOMAINS:
        return GROUP_DOMAINS.get(group, group)
    fqn: Sequence[str] = props.get("fqn") or []
    for folder in reversed(fqn[1:-1]):
        if folder in BY_NAME:
            return BY_NAME[folder].domain
        if folder in FOLDER_DOMAINS:
            return FOLDER_DOMAINS[folder]
    return PLATFORM


def owners_for(props: Mapping[str, Any]) -> list[str]:
    meta = _meta(props)
    dagster_meta = meta.get("dagster") or {}
    owners = dagster_meta.get("owners") or meta.get("owners") or meta.get("owner")
    if isinstance(owners, str):
        owners = [owners]
    if owners:
        return list(owners)
    email = (_group(props).get("owner") or {}).get("email")
    return [owner_of(domain_for(props)), *([email] if email else [])]


_TEST_TEXT = {
    "unique": "every value of `{column}` in {model} appears once; a duplicate would count the "
    "same record twice in the funnel",
    "not_null": "`{column}` is filled on every row of {model}; an empty key or date drops the "
    "row from joins and counts",
    "accepted_values": "`{column}` of {model} only holds the agreed values; an unknown value "
    "falls out of every dashboard filter",
    "relationships": "every `{column}` of {model} points at an existing record; a dangling "
    "reference loses the row in joins (for example a lead whose opportunity is missing)",
}


def describe_test(props: Mapping[str, Any], model: str) -> str:
    """A sentence for a RevOps reader: what the test protects, and what a failure means."""
    severity = str(props.get("config", {}).get("severity") or "error").lower()
    consequence = (
        "Blocking: when it fails, the marts are not published and BI keeps the last good data."
        if severity == "error"
        else "Warning: shown here, the run still publishes."
    )
    own = props.get("description") or (props.get("meta") or {}).get("description")
    if own:
        return f"{own}\n\n{consequence}"
    test_metadata = props.get("test_metadata") or {}
    kind = test_metadata.get("name") or ""
    column = (test_metadata.get("kwargs") or {}).get("column_name") or props.get("column_name")
    template = _TEST_TEXT.get(kind)
    if template and column:
        text = template.format(column=column, model=model)
        return f"{text[0].upper()}{text[1:]}.\n\n{consequence}"
    return f"dbt test `{props.get('name')}` on {model}.\n\n{consequence}"


class RevopsDbtTranslator(DagsterDbtTranslator):
    """Group = dbt folder, domain owners and tags, source keys = ingest keys, readable
    descriptions."""

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props.get("resource_type") == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return group_for(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        return owners_for(dbt_resource_props)

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        return {
            **super().get_tags(dbt_resource_props),
            **domain_tags(domain_for(dbt_resource_props)),
        }

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        return dbt_resource_props.get("description") or (
            f"dbt {dbt_resource_props['resource_type']} `{dbt_resource_props['name']}`"
        )

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: Any,
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        props = self.get_resource_props(manifest, unique_id)
        return dg.AssetCheckSpec(
            name=spec.name,
            asset=spec.asset_key,
            description=describe_test(props, asset_spec.key.to_user_string()),
            additional_deps=spec.additional_deps,
            metadata=spec.metadata,
            blocking=spec.blocking,
        )
