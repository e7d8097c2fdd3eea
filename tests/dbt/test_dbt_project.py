"""dbt build on a tiny raw schema (raw_fixture.sql): every rule of docs/definitions.md that
the fixture exercises, the checks of docs/data-quality.md, and incremental runs equal to a
full refresh."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from dbt_helpers import execute_sql_file
from dbt_runner import MARTS, mart_rows, query, ran_sql, run_dbt

NEW_GA4_DAY = Path(__file__).with_name("new_ga4_day.sql")

EXPECTED_WARNINGS = {
    "warn_malformed_emails",  # carol@example
    "warn_leads_sharing_email",  # bob@example.com on two leads
    "ad_spend_currency_has_rate",  # JPY
}


def test_build_passes_with_only_the_planted_warnings(built_fixture_warehouse):
    _, run = built_fixture_warehouse
    assert run.returncode == 0, run.output[-4000:]
    warned = {uid.split(".")[2] for uid, status in run.statuses().items() if status == "warn"}
    assert warned == EXPECTED_WARNINGS
    failed = [uid for uid, status in run.statuses().items() if status in ("fail", "error")]
    assert failed == []


def test_every_mart_is_built_in_schema_marts(built_fixture_warehouse):
    warehouse, _ = built_fixture_warehouse
    tables = {
        name
        for (name,) in query(
            warehouse,
            "select table_name from information_schema.tables where table_schema = 'marts'",
        )
    }
    assert set(MARTS) <= tables


def test_overlapping_ad_exports_keep_the_newest_file(built_fixture_warehouse):
    warehouse, _ = built_fixture_warehouse
    rows = query(
        warehouse,
        """
        select date_day::varchar, spend, source_file, campaign_key, channel
        from marts.fct_ad_spend_daily
        where platform = 'google_ads' and campaign_id = '111'
        order by date_day
        """,
    )
    assert [(r[0], float(r[1]), r[2]) for r in rows] == [
        ("2026-03-08", 100.0, "google_ads/a.csv"),  # only the older export has this day
        ("2026-03-09", 95.5, "google_ads/b.csv"),  # both have it: the newer file wins
        ("2026-03-10", 80.25, "google_ads/b.csv"),
    ]
    assert {(r[3], r[4]) for r in rows} == {("brand search us", "Paid Search")}


def test_spend_in_a_currency_without_rate_is_left_out(built_fixture_warehouse):
    warehouse, _ = built_fixture_warehouse
    ((spend, in_currency),) = query(
        warehouse,
        "select spend, spend_in_currency from marts.fct_ad_spend_daily where currency = 'JPY'",
    )
    assert spend is None and float(in_currency) == 1000.0


def test_leads_get_source_lifecycle_and_no_raw_email(built_fixture_warehouse):
    warehouse, _ = built_fixture_warehouse
    rows = query(
        warehouse,
        """
        select lead_id, channel, campaign_key, source_kind, is_mql, is_sql, is_won,
               won_amount, outcome, sla_status, email_sha256
        from marts.dim_leads order by lead_id
        """,
    )
    by_id = {r[0]: r[1:] for r in rows}
    # L4 is deleted in the newest snapshot, L9 only exists in an older one: both are gone.
    assert set(by_id) == {
        "00Q000000000001",
        "00Q000000000002",
        "00Q000000000003",
        "00Q000000000005",
        "00Q000000000006",
    }
    ann = by_id["00Q000000000001"]
    assert ann[:9] == (
        "Paid Search",
        "brand search us",
        "lead_utm",
        True,
        True,
        True,
        12000,
        "converted",
        "met",
    )
    assert ann[9] == hashlib.sha256(b"ann@example.com").hexdigest()
    assert by_id["00Q000000000002"][:3] == ("Organic Search", None, "web_session")
    assert by_id["00Q000000000002"][7:9] == ("disqualified", "breached")
    assert by_id["00Q000000000003"][:3] == ("Email", None, "lead_source")
    assert by_id["00Q000000000005"][:3] == ("Paid Social", None, "web_session")  # email stitch
    assert by_id["00Q000000000005"][7:9] == ("untouched", "pending")
    assert by_id["00Q000000000006"][:3] == ("Other", None, "none")
    assert by_id["00Q000000000006"][7:9] == ("working", "breached")


def test_no_mart_exposes_a_raw_email(built_fixture_warehouse):
    warehouse, _ = built_fixture_warehouse
    columns = query(
        warehouse,
        """
        select table_name, column_name from information_schema.columns
        where table_schema = 'marts' and data_type = 'VARCHAR'
        """,
    )
    for table, column in columns:
        assert "email" not in column or column == "email_sha256", (table, column)
        (hits,) = query(
            warehouse, f"select count(*) from marts.{table} where \"{column}\" like '%@%'"
        )[0]
        assert hits == 0, (table, column)


def test_grouped_marts_use_none_for_no_campaign(built_fixture_warehouse):
    warehouse, _ = built_fixture_warehouse
    for table in ("mart_funnel_daily", "mart_campaign_performance"):
        ((nulls, nones),) = query(
            warehouse,
            f"select count(*) filter (where campaign_key is null), "
            f"count(*) filter (where campaign_key = '(none)') from marts.{table}",
        )
        assert nulls == 0 and nones > 0


def _add_a_new_ga4_day(warehouse: Path) -> None:
    """One new day (2026-03-11) plus a late event for 2026-03-09, inside the lookback."""
    execute_sql_file(warehouse, NEW_GA4_DAY)


def test_incremental_run_after_a_new_day_equals_a_full_refresh(built_fixture_warehouse, tmp_path):
    built, _ = built_fixture_warehouse
    incremental = tmp_path / "incremental.duckdb"
    full = tmp_path / "full.duckdb"
    for copy in (incremental, full):
        shutil.copy(built, copy)
        _add_a_new_ga4_day(copy)

    # Models only: the tests are what the first build already ran; here the data is compared.
    inc_run = run_dbt(["run"], incremental, tmp_path / "inc")
    assert inc_run.returncode == 0, inc_run.output[-4000:]
    compiled = ran_sql(tmp_path / "inc", "intermediate/web/int_ga4__sessions.sql")
    assert "delete from" in compiled.lower(), "int_ga4__sessions did not run incrementally"

    full_run = run_dbt(["run", "--full-refresh"], full, tmp_path / "full")
    assert full_run.returncode == 0, full_run.output[-4000:]

    for mart in MARTS:
        assert mart_rows(incremental, mart) == mart_rows(full, mart), mart
    ((new_sessions,),) = query(
        incremental, "select count(*) from marts.fct_sessions where date_day = '2026-03-11'"
    )
    assert new_sessions == 1


def test_incremental_run_leaves_days_before_the_lookback_alone(built_fixture_warehouse, tmp_path):
    """A day older than ga4_lookback_days before the newest built day is not rebuilt."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_fixture_warehouse[0], warehouse)
    _add_a_new_ga4_day(warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        # A marker on an old day: a rebuild of that day would overwrite it.
        con.execute(
            "update intermediate.int_ga4__sessions set events = 999 where date_day = '2026-03-01'"
        )
    finally:
        con.close()
    run = run_dbt(["run", "-s", "int_ga4__sessions"], warehouse, tmp_path / "run")
    assert run.returncode == 0, run.output[-4000:]
    ((marker,),) = query(
        warehouse,
        "select max(events) from intermediate.int_ga4__sessions where date_day = '2026-03-01'",
    )
    assert marker == 999


@pytest.mark.parametrize("command", [["docs", "generate"]], ids=["docs_generate"])
def test_dbt_docs_generate_works(built_fixture_warehouse, tmp_path, command):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_fixture_warehouse[0], warehouse)
    run = run_dbt(command, warehouse, tmp_path / "docs")
    assert run.returncode == 0, run.output[-4000:]
    assert (tmp_path / "docs" / "target" / "catalog.json").exists()


MART_COLUMNS = {
    "fct_ad_spend_daily": "date_day, platform, account_name, campaign_id, campaign_name, "
    "campaign_key, channel, currency, impressions, clicks, spend, platform_conversions",
    "fct_sessions": "session_key, user_pseudo_id, session_started_at, date_day, landing_page, "
    "source, medium, campaign_key, channel, gclid, page_views, is_engaged, submitted_lead_form",
    "dim_leads": "lead_id, created_at, email_sha256, company, country, owner_id, status, source, "
    "medium, campaign_key, channel, mql_at, first_sales_touch_at, sql_at, opportunity_id, "
    "disqualified_reason, is_mql, is_sql, is_won, won_amount",
    "fct_opportunities": "opportunity_id, account_id, created_at, close_date, stage_name, "
    "is_closed, is_won, amount, won_amount, lead_id, channel, campaign_key, days_to_close",
    "fct_opportunity_stage_history": "opportunity_id, stage_name, stage_order, entered_at, "
    "exited_at, days_in_stage",
    "mart_mql_handoff": "lead_id, mql_at, owner_id, channel, campaign_key, first_sales_touch_at, "
    "response_hours, sla_hours, sla_status, outcome, disqualified_reason, opportunity_id, "
    "is_won, won_amount",
    "mart_funnel_daily": "date_day, channel, campaign_key, spend, impressions, clicks, sessions, "
    "leads, mqls, sqls, won_deals, won_revenue, pipeline_created",
    "mart_campaign_performance": "campaign_key, channel, spend, impressions, clicks, sessions, "
    "leads, mqls, sqls, won_deals, won_revenue, ctr, cpc, cpl, cost_per_mql, cost_per_sql, cac, "
    "roas, lead_to_mql_rate, mql_to_sql_rate, sql_to_won_rate, sla_met_rate, "
    "disqualified_no_budget_share, disqualified_no_interest_share",
}


@pytest.mark.parametrize("mart", sorted(MART_COLUMNS))
def test_mart_has_every_column_spec_names(built_fixture_warehouse, mart):
    warehouse, _ = built_fixture_warehouse
    present = {
        name
        for (name,) in query(
            warehouse,
            "select column_name from information_schema.columns "
            f"where table_schema = 'marts' and table_name = '{mart}'",
        )
    }
    assert {c.strip() for c in MART_COLUMNS[mart].split(",")} - present == set()


def test_money_columns_are_decimal_18_2(built_fixture_warehouse):
    warehouse, _ = built_fixture_warehouse
    types = dict(
        (f"{t}.{c}", d)
        for t, c, d in query(
            warehouse,
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and column_name in "
            "('spend', 'amount', 'won_amount', 'won_revenue', 'pipeline_created')",
        )
    )
    assert types and set(types.values()) == {"DECIMAL(18,2)"}, types
