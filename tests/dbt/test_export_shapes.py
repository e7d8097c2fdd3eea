"""Real companies' exports and configurable check severity, on variants of
the tiny raw schema: some sources never delivered, a CRM snapshot without some objects, a Lead
export without fields the marts use, GA4 exports from before mid-2023, and the var
check_severity flipping a check between blocking and warning."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from dbt_helpers import create_raw_fixture
from dbt_runner import MARTS, DbtRun, query, run_dbt
from raw_variants import (
    LEAD_EXPORT_WITHOUT_FIELDS,
    SNAPSHOT_WITHOUT_SOME_OBJECTS,
    apply_sql,
    never_delivered,
)

ALL_SOURCES = ("google_ads", "meta_ads", "linkedin_ads", "ga4", "salesforce")
# A company runs one CRM: the warning lists it once, and its freshness check is the CRM's.
LISTED_AS = {"salesforce": "salesforce or hubspot"}
FRESHNESS_CHECK = {"salesforce": "crm_freshness"}
SUBSETS = {
    "crm_only": ("salesforce",),
    "ads_only": ("google_ads", "meta_ads", "linkedin_ads"),
    "web_only": ("ga4",),
    "nothing_yet": (),
}


def _build_variant(
    root: Path, sql: str, extra_args: list[str] | None = None
) -> tuple[Path, DbtRun]:
    root.mkdir(parents=True, exist_ok=True)
    warehouse = root / "warehouse.duckdb"
    create_raw_fixture(warehouse)
    apply_sql(warehouse, sql)
    return warehouse, run_dbt(["build", *(extra_args or [])], warehouse, root)


def _by_status(run: DbtRun, *statuses: str) -> set[str]:
    return {uid.split(".")[2] for uid, status in run.statuses().items() if status in statuses}


@pytest.fixture(scope="module")
def subset_builds(tmp_path_factory):
    """Each subset of sources, built once per module (only when a test asks for it)."""
    built: dict[str, tuple[Path, DbtRun]] = {}

    def build(name: str) -> tuple[Path, DbtRun]:
        if name not in built:
            missing = [s for s in ALL_SOURCES if s not in SUBSETS[name]]
            built[name] = _build_variant(tmp_path_factory.mktemp(name), never_delivered(*missing))
        return built[name]

    return build


@pytest.mark.parametrize("subset", sorted(SUBSETS))
def test_any_subset_of_sources_builds_green(subset_builds, subset):
    warehouse, run = subset_builds(subset)
    assert run.returncode == 0, run.output[-4000:]
    assert _by_status(run, "fail", "error") == set()
    missing = {s for s in ALL_SOURCES if s not in SUBSETS[subset]}
    assert "warn_sources_never_delivered" in _by_status(run, "warn")
    listed = query(warehouse, "select source, problem from audit.warn_sources_never_delivered")
    assert {source for source, _ in listed} == {LISTED_AS.get(s, s) for s in missing}
    assert {problem for _, problem in listed} == {"never delivered"}
    # The freshness warning of a source without data says so instead of failing.
    for source in missing:
        check = FRESHNESS_CHECK.get(source, f"{source}_freshness")
        ((problem,),) = query(warehouse, f"select problem from audit.{check}")
        assert problem == "never delivered"
    tables = {
        name
        for (name,) in query(
            warehouse,
            "select table_name from information_schema.tables where table_schema = 'marts'",
        )
    }
    assert set(MARTS) <= tables


def test_crm_only_builds_marts_with_zero_spend(subset_builds):
    warehouse, run = subset_builds("crm_only")
    assert run.returncode == 0, run.output[-4000:]
    assert query(warehouse, "select count(*) from marts.fct_ad_spend_daily") == [(0,)]
    assert query(warehouse, "select count(*) from marts.fct_sessions") == [(0,)]
    ((spend, sessions, leads),) = query(
        warehouse, "select sum(spend), sum(sessions), sum(leads) from marts.mart_funnel_daily"
    )
    assert (float(spend), sessions, leads) == (0.0, 0, 5)
    ((spend, roas, leads),) = query(
        warehouse,
        "select sum(spend), max(roas), sum(leads) from marts.mart_campaign_performance",
    )
    assert (float(spend), roas, leads) == (0.0, None, 5)  # a rate over zero spend is NULL
    assert query(warehouse, "select count(*) from marts.dim_leads") == [(5,)]


def test_ads_only_builds_marts_without_leads(subset_builds):
    warehouse, run = subset_builds("ads_only")
    assert run.returncode == 0, run.output[-4000:]
    assert query(warehouse, "select count(*) from marts.dim_leads") == [(0,)]
    assert query(warehouse, "select count(*) from marts.mart_mql_handoff") == [(0,)]
    ((spend, leads),) = query(
        warehouse, "select sum(spend), sum(leads) from marts.mart_funnel_daily"
    )
    assert float(spend) > 0 and leads == 0


@pytest.fixture(scope="module")
def snapshot_without_objects(tmp_path_factory) -> tuple[Path, DbtRun]:
    return _build_variant(tmp_path_factory.mktemp("objects"), SNAPSHOT_WITHOUT_SOME_OBJECTS)


def test_absent_objects_come_from_the_newest_snapshot_that_has_them(snapshot_without_objects):
    warehouse, run = snapshot_without_objects
    assert run.returncode == 0, run.output[-4000:]
    assert _by_status(run, "fail", "error") == set()
    # L3 is missing from the newest Lead.csv: hard-deleted. The newest snapshot has no Task.csv,
    # so L1's first sales touch still comes from the 2026-03-10 tasks (not "deleted").
    leads = dict(query(warehouse, "select lead_id, first_sales_touch_at from marts.dim_leads"))
    assert "00Q000000000003" not in leads
    assert str(leads["00Q000000000001"]) == "2026-03-08 14:00:00"
    assert query(
        warehouse,
        "select sla_status from marts.mart_mql_handoff where lead_id = '00Q000000000001'",
    ) == [("met",)]
    # Campaign.csv is absent too: the deal's CRM campaign still names its campaign_key.
    assert query(
        warehouse,
        "select campaign_key from marts.fct_opportunities where opportunity_id = '006000000000002'",
    ) == [("trade show berlin",)]
    # OpportunityHistory.csv is present (with one record of an unknown deal): it replaces the
    # older history whole, so no stage visit is left.
    assert query(warehouse, "select count(*) from marts.fct_opportunity_stage_history") == [(0,)]
    assert query(warehouse, "select as_of_at::varchar from intermediate.int_crm__as_of") == [
        ("2026-03-12 00:00:00",)
    ]


def test_absent_objects_and_orphan_history_are_named_by_warnings(snapshot_without_objects):
    warehouse, run = snapshot_without_objects
    warned = _by_status(run, "warn")
    assert {
        "warn_crm_objects_absent_from_newest_snapshot",
        "warn_stage_history_without_opportunity",
    } <= warned
    absent = query(
        warehouse,
        "select snapshot_id, object_name, consequence "
        "from audit.warn_crm_objects_absent_from_newest_snapshot order by object_name",
    )
    assert [row[1] for row in absent] == [
        "account",
        "campaign",
        "campaign_member",
        "contact",
        "task",
        "user",
    ]
    assert {(row[0], row[2]) for row in absent} == {
        ("2026-03-12", "records taken from snapshot 2026-03-10")
    }
    assert query(
        warehouse,
        "select opportunity_history_id, opportunity_id, _source_file, _row_number "
        "from audit.warn_stage_history_without_opportunity",
    ) == [("008000000000099", "006000000000099", "salesforce/2026-03-12/OpportunityHistory.csv", 1)]


def test_back_dated_close_is_a_warning_and_stays_in_the_marts(snapshot_without_objects):
    warehouse, run = snapshot_without_objects
    assert "opportunity_close_not_before_creation" in _by_status(run, "warn")
    assert query(
        warehouse,
        "select days_to_close from marts.fct_opportunities "
        "where opportunity_id = '006000000000002'",
    ) == [(-2,)]
    ((first_column, opportunity_id),) = query(
        warehouse,
        "select column_name, "
        "(select opportunity_id from audit.opportunity_close_not_before_creation) "
        "from information_schema.columns where table_schema = 'audit' "
        "and table_name = 'opportunity_close_not_before_creation' and ordinal_position = 1",
    )
    assert (first_column, opportunity_id) == ("opportunity_id", "006000000000002")


@pytest.fixture(scope="module")
def lead_export_without_fields(tmp_path_factory) -> tuple[Path, DbtRun]:
    # The disqualified-reason var names a field this org's export never had at all.
    return _build_variant(
        tmp_path_factory.mktemp("fields"),
        LEAD_EXPORT_WITHOUT_FIELDS,
        ["--vars", "{lead_disqualified_reason_field: Reject_Reason__c}"],
    )


def test_missing_lead_fields_leave_fields_empty_and_the_run_green(lead_export_without_fields):
    warehouse, run = lead_export_without_fields
    assert run.returncode == 0, run.output[-4000:]
    assert _by_status(run, "fail", "error") == set()
    rows = query(
        warehouse,
        "select count(*), count(created_at), count(email_sha256), count(*) filter (where is_mql), "
        "count(disqualified_reason) from marts.dim_leads",
    )
    assert rows == [(5, 0, 0, 0, 0)]
    assert query(warehouse, "select count(*) from marts.mart_mql_handoff") == [(0,)]
    # Counted as leads of their campaigns, left out of what is dated by creation.
    assert query(warehouse, "select sum(leads) from marts.mart_funnel_daily") == [(0,)]
    assert query(warehouse, "select sum(leads) from marts.mart_campaign_performance") == [(5,)]


def test_missing_lead_fields_are_named_with_file_and_var(lead_export_without_fields):
    warehouse, run = lead_export_without_fields
    assert "warn_configured_field_missing" in _by_status(run, "warn")
    rows = query(
        warehouse,
        "select file_path, field_name, dbt_var from audit.warn_configured_field_missing",
    )
    assert set(rows) == {
        ("salesforce/2026-03-12/Lead.csv", "MQL_Date__c", "lead_mql_date_field"),
        ("salesforce/2026-03-12/Lead.csv", "Reject_Reason__c", "lead_disqualified_reason_field"),
        ("salesforce/2026-03-12/Lead.csv", "Email", None),
        ("salesforce/2026-03-12/Lead.csv", "CreatedDate", None),
    }


def test_ga4_pre_2023_session_source_comes_from_event_params(built_fixture_warehouse):
    warehouse, _ = built_fixture_warehouse
    rows = query(
        warehouse,
        "select user_pseudo_id, source_kind, source, medium, campaign_key, channel "
        "from marts.fct_sessions where user_pseudo_id in ('u8', 'u9', 'u10') order by 1",
    )
    assert rows == [
        # params name no campaign: '(organic)' is GA4's placeholder
        ("u10", "utm", "google", "organic", None, "Organic Search"),
        # the first event with params wins (session_start had none; a later page_view is ignored)
        ("u8", "utm", "newsletter", "email", "march digest", "Email"),
        # no collected_traffic_source and no params: the referrer
        ("u9", "referrer", "bing", "organic", None, "Organic Search"),
    ]


# -- severity is configuration ------------------------------------------------------------

ORDER_CHECKS = ["lead_mql_not_before_creation", "opportunity_close_not_before_creation"]


@pytest.fixture(scope="module")
def out_of_order_marts(built_fixture_warehouse, tmp_path_factory) -> Path:
    """The built fixture with one MQL before its lead's creation and one deal closed before its
    creation (edited in the marts, where the two checks read)."""
    warehouse = tmp_path_factory.mktemp("severity") / "warehouse.duckdb"
    shutil.copy(built_fixture_warehouse[0], warehouse)
    apply_sql(
        warehouse,
        """
        update marts.dim_leads set mql_at = timestamp '2026-02-27 00:00'
        where lead_id = '00Q000000000002';
        update marts.fct_opportunities set close_date = date '2026-03-01'
        where opportunity_id = '006000000000002';
        """,
    )
    return warehouse


def _test_checks(warehouse: Path, work_dir: Path, check_severity: str | None) -> DbtRun:
    args = ["test", "-s", *ORDER_CHECKS]
    if check_severity is not None:
        args += ["--vars", f"{{check_severity: {check_severity}}}"]
    return run_dbt(args, warehouse, work_dir)


def _check_statuses(run: DbtRun) -> dict[str, str]:
    return {uid.split(".")[2]: status for uid, status in run.statuses().items()}


def test_check_severity_var_flips_checks_between_error_and_warn(out_of_order_marts, tmp_path):
    default = _test_checks(out_of_order_marts, tmp_path / "default", None)
    assert _check_statuses(default) == {
        "lead_mql_not_before_creation": "fail",  # handoff order: blocking by default
        "opportunity_close_not_before_creation": "warn",  # back-dated close: warn by default
    }
    assert default.returncode == 1

    flipped = _test_checks(
        out_of_order_marts,
        tmp_path / "flipped",
        "{lead_mql_not_before_creation: warn, opportunity_close_not_before_creation: error}",
    )
    assert _check_statuses(flipped) == {
        "lead_mql_not_before_creation": "warn",
        "opportunity_close_not_before_creation": "fail",
    }
    # The manifest (what Dagster reads to make a check blocking) follows the var.
    manifest = json.loads((tmp_path / "flipped" / "target" / "manifest.json").read_text())
    severities = {
        node["name"]: node["config"]["severity"]
        for node in manifest["nodes"].values()
        if node["name"] in ORDER_CHECKS
    }
    assert severities == {
        "lead_mql_not_before_creation": "warn",
        "opportunity_close_not_before_creation": "error",
    }

    back = _test_checks(out_of_order_marts, tmp_path / "back", "{}")
    assert _check_statuses(back) == _check_statuses(default)


def test_check_severity_thresholds_block_only_above_n_rows_or_a_share(out_of_order_marts, tmp_path):
    # One failing row each: 1 lead of 5, 1 opportunity of 3 (33 %).
    tolerant = _test_checks(
        out_of_order_marts,
        tmp_path / "tolerant",
        "{lead_mql_not_before_creation: {severity: error, error_if: '>1'}, "
        "opportunity_close_not_before_creation: {severity: error, threshold: '50%'}}",
    )
    assert set(_check_statuses(tolerant).values()) == {"warn"}
    assert tolerant.returncode == 0

    strict = _test_checks(
        out_of_order_marts,
        tmp_path / "strict",
        "{lead_mql_not_before_creation: {severity: error, threshold: 0}, "
        "opportunity_close_not_before_creation: {severity: error, error_if: '>10%'}}",
    )
    assert set(_check_statuses(strict).values()) == {"fail"}


def test_failing_rows_are_stored_with_their_keys_first(out_of_order_marts, tmp_path):
    run = _test_checks(out_of_order_marts, tmp_path / "stored", None)
    relations = {r["unique_id"].split(".")[2]: r.get("relation_name") for r in run.results}
    assert relations["lead_mql_not_before_creation"].endswith(
        '"audit"."lead_mql_not_before_creation"'
    )
    rows = query(out_of_order_marts, "select * from audit.lead_mql_not_before_creation")
    assert [row[0] for row in rows] == ["00Q000000000002"]  # lead_id first


def test_duplicate_header_names_are_a_warning_naming_the_file(tmp_path):
    """Ingest notes a header that names a column twice; a warning lists the file."""
    warehouse, run = _build_variant(
        tmp_path,
        """
        update raw.ingest_log
        set parse_notes = 'duplicate header "Cost": the first is used, the other is in _extra'
        where file_path = (select min(file_path) from raw.ingest_log where status = 'loaded');
        """,
    )
    assert run.returncode == 0, run.output[-4000:]
    assert "warn_duplicate_header_names" in _by_status(run, "warn")
    ((named,),) = query(warehouse, "select file_path from audit.warn_duplicate_header_names")
    ((first,),) = query(
        warehouse, "select min(file_path) from raw.ingest_log where status = 'loaded'"
    )
    assert named == first
