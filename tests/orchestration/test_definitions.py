"""The Definitions load, and the graph is the one docs/ARCHITECTURE.md describes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
from dbt_runner import MARTS

from orchestration.assets.ingest import ingest_asset_keys
from orchestration.assets.publish import PUBLISH_KEY
from orchestration.translator import describe_test, domain_for, group_for, owners_for
from revops.sources import SOURCES


def _graph(definitions: dg.Definitions) -> dg.AssetGraph:  # type: ignore[name-defined]
    return definitions.resolve_asset_graph()


def test_definitions_every_asset_has_group_and_owner(definitions: dg.Definitions) -> None:
    graph = _graph(definitions)
    missing = [
        key.to_user_string()
        for key in graph.get_all_asset_keys()
        if graph.get(key).is_materializable
        and (
            not graph.get(key).group_name
            or graph.get(key).group_name == "default"
            or not graph.get(key).owners
        )
    ]
    assert missing == []


def test_definitions_groups_follow_dbt_folders(definitions: dg.Definitions) -> None:
    graph = _graph(definitions)
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {"ingest", "staging", "marts", "serving"} <= groups
    for key in ingest_asset_keys():
        assert graph.get(key).group_name == "ingest"


def test_ingest_keys_equal_dbt_source_keys(dbt_target: Path) -> None:
    from orchestration.assets.dbt import get_dbt_project

    manifest = json.loads(get_dbt_project().manifest_path.read_text())
    # `ingest.ingest_log` is ingest's bookkeeping (every ingest step writes it): no landing source.
    source_keys = {
        dg.AssetKey([s["source_name"], s["name"]])
        for s in manifest["sources"].values()
        if s["source_name"] != "ingest"
    }
    assert source_keys == set(ingest_asset_keys())


def test_ingest_assets_are_one_step_per_source(definitions: dg.Definitions) -> None:
    graph = _graph(definitions)
    for source, tables in ((s.name, s.tables) for s in SOURCES):
        nodes = {graph.get(dg.AssetKey([source, t])).assets_def.node_def.name for t in tables}
        assert nodes == {f"ingest_{source}"}


def test_dbt_models_depend_on_ingest_assets(definitions: dg.Definitions) -> None:
    graph = _graph(definitions)
    lead_children = {
        k.to_user_string() for k in graph.get(dg.AssetKey(["salesforce", "lead"])).child_keys
    }
    assert any(name.startswith("stg_salesforce__") for name in lead_children)


def test_marts_have_checks_and_publish_depends_on_them(definitions: dg.Definitions) -> None:
    graph = _graph(definitions)
    marts = [k for k in graph.get_all_asset_keys() if graph.get(k).group_name == "marts"]
    assert marts, "no marts in the dbt manifest yet"
    checked = {ck.asset_key for ck in graph.asset_check_keys}
    assert [m.to_user_string() for m in marts if m not in checked] == []
    assert set(graph.get(PUBLISH_KEY).parent_keys) == set(marts)


@pytest.mark.parametrize("mart", MARTS)
def test_spec_mart_is_in_graph_with_checks(definitions: dg.Definitions, mart: str) -> None:
    graph = _graph(definitions)
    key = dg.AssetKey([mart])
    assert graph.has(key), f"{mart} is not in the asset graph"
    assert graph.get(key).group_name == "marts"
    assert any(ck.asset_key == key for ck in graph.asset_check_keys)


def test_gx_suites_guard_handoff_tables_and_raw_leads(definitions: dg.Definitions) -> None:
    graph = _graph(definitions)
    names = {(ck.asset_key.to_user_string(), ck.name) for ck in graph.asset_check_keys}
    assert ("salesforce/lead", "gx_raw_leads_handoff_rules") in names
    for mart, check in (
        ("dim_leads", "gx_dim_leads_handoff_rules"),
        ("mart_mql_handoff", "gx_mql_handoff_rules"),
    ):
        if graph.has(dg.AssetKey([mart])):
            assert (mart, check) in names


def test_every_check_has_a_description(definitions: dg.Definitions) -> None:
    graph = _graph(definitions)
    undescribed = []
    for check_key in graph.asset_check_keys:
        spec = graph.get_check_spec(check_key)
        if not (spec.description and len(spec.description) > 20):
            undescribed.append(check_key.to_user_string())
    assert undescribed == []


def test_blocking_checks_include_gx_handoff_suites(definitions: dg.Definitions) -> None:
    graph = _graph(definitions)
    blocking = {ck.name for ck in graph.asset_check_keys if graph.get_check_spec(ck).blocking}
    assert "gx_raw_leads_handoff_rules" in blocking
    warnings = {ck.name for ck in graph.asset_check_keys if not graph.get_check_spec(ck).blocking}
    assert "no_failed_files" in warnings


def test_jobs_schedule_and_sensors(definitions: dg.Definitions) -> None:
    assert definitions.resolve_job_def("all")
    for source in (s.name for s in SOURCES):
        job = definitions.resolve_job_def(f"{source}_job")
        assert job
        assert definitions.resolve_sensor_def(f"{source}_landing_sensor")
    assert definitions.resolve_schedule_def("daily_all").cron_schedule == "0 6 * * *"


def test_source_job_selects_source_downstream_only(definitions: dg.Definitions) -> None:
    job = definitions.resolve_job_def("google_ads_job")
    keys = {k.to_user_string() for k in job.asset_layer.selected_asset_keys}
    assert "google_ads/campaign_stats" in keys
    assert "salesforce/lead" not in keys
    assert PUBLISH_KEY.to_user_string() in keys


def test_definitions_load_in_a_fresh_interpreter(
    dbt_target: Path, record_property: pytest.RecordProperty
) -> None:
    """A fresh interpreter imports and builds the Definitions (what a code server does),
    without importing dbt-core: dbt runs from .venv-dbt as a subprocess (DECISIONLOG.md).

    The seconds are recorded for the report, never asserted: benchmarks/ measures speed."""
    code = (
        "import sys, time; t = time.perf_counter(); import orchestration.definitions as d; "
        "t1 = time.perf_counter(); d.defs(); t2 = time.perf_counter(); "
        "print(f'{t1 - t:.2f} {t2 - t:.2f} {\"dbt.version\" in sys.modules}')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    import_s, total_s = float(out[-3]), float(out[-2])
    assert out[-1] == "False", "dbt-core was imported: reinstall with `make install`"
    record_property("definitions_import_seconds", import_s)
    record_property("definitions_load_seconds", total_s)
    print(f"definitions: import {import_s:.2f} s, import + build {total_s:.2f} s")


@pytest.mark.parametrize(
    ("props", "group"),
    [
        (
            {"resource_type": "model", "fqn": ["revops", "staging", "ga4", "stg_ga4__events"]},
            "staging",
        ),
        ({"resource_type": "model", "fqn": ["revops", "marts", "sales", "dim_leads"]}, "marts"),
        ({"resource_type": "model", "fqn": ["revops", "intermediate", "x"]}, "intermediate"),
        ({"resource_type": "seed", "fqn": ["revops", "channel_rules"]}, "seeds"),
    ],
    ids=["staging_subfolder", "marts_subfolder", "intermediate", "seed"],
)
def test_group_for_is_top_dbt_folder(props: dict, group: str) -> None:
    assert group_for(props) == group


def test_owners_for_prefers_dbt_meta_then_the_domain_team() -> None:
    assert owners_for({"meta": {"dagster": {"owners": ["ann@example.com"]}}}) == ["ann@example.com"]
    assert owners_for({"meta": {"owner": "team:sales-ops"}}) == ["team:sales-ops"]
    assert owners_for({"meta": {}}) == ["team:platform"]
    marts_sales = {"meta": {}, "fqn": ["revops", "marts", "sales", "dim_leads"]}
    assert owners_for(marts_sales) == ["team:sales"]
    # dagster-dbt hands get_owners the dbt group itself: its owner is named too.
    funnel = {"name": "funnel", "owner": {"name": "Finance", "email": "finance@example.com"}}
    assert owners_for({"meta": {}, "group": funnel}) == ["team:finance", "finance@example.com"]


@pytest.mark.parametrize(
    ("fqn", "meta", "domain"),
    [
        (["revops", "staging", "google_ads", "stg_google_ads__campaign_stats"], {}, "marketing"),
        (["revops", "staging", "ga4", "stg_ga4__events"], {}, "web"),
        (["revops", "staging", "salesforce", "stg_salesforce__lead"], {}, "sales"),
        (["revops", "staging", "ingest", "stg_salesforce__snapshot_files"], {}, "platform"),
        (["revops", "intermediate", "ad_spend", "int_ad_spend__unioned"], {}, "marketing"),
        (["revops", "intermediate", "finance", "int_fx_rates__to_reporting"], {}, "finance"),
        (["revops", "marts", "funnel", "mart_funnel_daily"], {}, "finance"),
        (["revops", "marts", "funnel", "mart_funnel_daily"], {"group": "x"}, "finance"),
        (["revops", "marts", "sales", "mart_mql_handoff"], {}, "sales"),
        (["revops", "fx_rates"], {}, "platform"),
        (["revops", "fx_rates"], {"domain": "finance"}, "finance"),
        (["revops", "marts", "sales", "x"], {"dagster": {"domain": "web"}}, "web"),
    ],
)
def test_domain_for_is_meta_else_the_deepest_folder_that_names_one(
    fqn: list[str], meta: dict, domain: str
) -> None:
    assert domain_for({"fqn": fqn, "meta": meta}) == domain


@pytest.mark.parametrize(
    ("group", "domain"),
    [
        ("marketing", "marketing"),
        ("sales", "sales"),
        ("funnel", "finance"),
        ("platform", "platform"),
    ],
)
def test_a_dbt_group_gives_the_domain_before_the_folder(group: str, domain: str) -> None:
    staging = ["revops", "staging", "google_ads", "stg_google_ads__campaign_stats"]
    assert domain_for({"fqn": staging, "meta": {}, "config": {"group": group}}) == domain
    assert domain_for({"fqn": staging, "meta": {}, "group": group}) == domain
    # A group that names no domain falls back to the folders.
    assert domain_for({"fqn": staging, "meta": {}, "group": "analytics"}) == "marketing"


def test_a_landing_source_folder_takes_the_domain_of_the_registry() -> None:
    for source in SOURCES:
        props = {"fqn": ["revops", "staging", source.name, f"stg_{source.name}__x"], "meta": {}}
        assert domain_for(props) == source.domain


def test_ingest_assets_say_their_source_and_belong_to_its_domain(
    definitions: dg.Definitions,
) -> None:
    graph = _graph(definitions)
    for source in SOURCES:
        for table in source.tables:
            node = graph.get(dg.AssetKey([source.name, table]))
            assert node.description.startswith(f"{source.name} / {table}: ")
            assert source.name in node.kinds
            assert node.owners == [f"team:{source.domain}"]
            assert node.tags["domain"] == source.domain
            check = graph.get_check_spec(dg.AssetCheckKey(node.key, "no_failed_files"))
            assert check.description.startswith(f"{source.name} / {table}: ")
    labels = [
        graph.get(k).description.split(":")[0]
        for k in ingest_asset_keys()
        if k.path[-1] == "campaign_stats"
    ]
    assert len(labels) == len(set(labels)) >= 3


def test_every_asset_has_a_domain_owner_and_tag(definitions: dg.Definitions) -> None:
    graph = _graph(definitions)
    domains = {"marketing", "sales", "web", "finance", "platform"}
    wrong = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if not node.is_materializable:
            continue
        domain = node.tags.get("domain")
        if domain not in domains or node.owners[:1] != [f"team:{domain}"]:
            wrong[key.to_user_string()] = (domain, node.owners)
    assert wrong == {}
    assert graph.get(PUBLISH_KEY).tags["domain"] == "platform"
    assert graph.get(dg.AssetKey(["dim_leads"])).tags["domain"] == "sales"
    assert graph.get(dg.AssetKey(["mart_funnel_daily"])).owners[0] == "team:finance"


def test_describe_test_says_whether_it_blocks() -> None:
    unique = {
        "test_metadata": {"name": "unique", "kwargs": {"column_name": "lead_id"}},
        "config": {},
    }
    assert "lead_id" in describe_test(unique, "dim_leads")
    assert "Blocking" in describe_test(unique, "dim_leads")
    warn = {"description": "Leads share an email.", "config": {"severity": "warn"}}
    assert describe_test(warn, "dim_leads").startswith("Leads share an email.")
    assert "Warning" in describe_test(warn, "dim_leads")


def test_dbt_problems_skip_tests_reported_as_checks() -> None:
    from orchestration.assets.dbt import dbt_problems

    run_results = {
        "results": [
            {"unique_id": "model.revops.dim_leads", "status": "error", "message": "Binder Error"},
            {"unique_id": "test.revops.unique_x", "status": "fail", "message": "Got 2 results"},
            {"unique_id": "test.revops.orphan", "status": "fail", "message": "Got 1 result"},
            {"unique_id": "model.revops.ok", "status": "success", "message": "OK"},
        ]
    }
    problems = dbt_problems(run_results, {"test.revops.unique_x"})
    assert [p.split(" ")[0] for p in problems] == ["model.revops.dim_leads", "test.revops.orphan"]
