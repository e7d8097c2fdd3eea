"""GX suites report the failing rule in RevOps words, with its count and sample rows."""

from __future__ import annotations

import os

import pandas as pd

from orchestration.checks import check_result
from quality.gx import validate
from quality.suites import CHANNELS, CheckConfig, raw_leads_expectations, suites

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def _raw_leads_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["L1", "L2", "L2", "L3"],
            "isdeleted": [False, False, False, False],
            "ownerid": ["005A", "005A", "005A", None],
            "created_date": pd.to_datetime(["2026-03-01"] * 4).date,
            "mql_at": pd.to_datetime(["2026-03-02", None, None, "2026-03-03"]),
            "mql_date": pd.to_datetime(["2026-03-02", None, None, "2026-03-03"]).date,
            "converteddate": pd.to_datetime(["2026-03-01", None, None, None]).date,
            "is_live_mql": [True, False, False, True],
        }
    )


def test_raw_leads_suite_names_each_planted_defect() -> None:
    frame = _raw_leads_frame()
    config = CheckConfig(lead_mql_date_field="MQL_Date__c", channels=CHANNELS)
    suite = next(s for s in suites() if s.name == "gx_raw_leads_handoff_rules")
    outcomes = validate(frame, raw_leads_expectations(config), suite.name)
    result = check_result(suite, frame, outcomes)

    assert not result.passed
    text = result.metadata["failing_expectation_names"].value
    assert "duplicate lead" in text
    assert "MQL without owner" in text
    assert "SQL dated before its MQL" in text
    assert "expect_column_values_to_be_unique(id)" in text
    assert result.metadata["failing_rows"].value == 4  # 2 duplicates + 1 owner + 1 order
    assert "L2" in result.metadata["failing_rows_sample"].value


def test_raw_leads_suite_passes_on_clean_leads() -> None:
    frame = _raw_leads_frame().drop_duplicates("id")
    frame = frame.assign(ownerid="005A", converteddate=None)
    config = CheckConfig(lead_mql_date_field="MQL_Date__c", channels=CHANNELS)
    suite = next(s for s in suites() if s.name == "gx_raw_leads_handoff_rules")
    result = check_result(suite, frame, validate(frame, raw_leads_expectations(config), suite.name))
    assert result.passed
    assert result.metadata["failed_expectations"].value == 0


def test_check_on_a_source_never_loaded_says_so_instead_of_crashing(tmp_path) -> None:
    """A fresh warehouse with no Salesforce export yet: no row breaks a rule, so the raw-leads
    check passes (as on an empty table) and says in words that there was nothing to check,
    instead of a DuckDB catalog error, or a "Failed" in the UI for a check that read nothing."""
    import dagster as dg
    import duckdb

    from orchestration.checks import build_gx_check
    from orchestration.resources import RevopsSettings

    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    suite = next(s for s in suites() if s.name == "gx_raw_leads_handoff_rules")
    check = build_gx_check(suite)
    result = check(
        dg.build_asset_check_context(),
        RevopsSettings(warehouse=str(warehouse)),
    )
    assert result.passed
    assert result.description.startswith("Nothing to check yet: salesforce/lead has not been")
    assert result.metadata["rows_checked"].value == 0
    assert "salesforce__lead" in result.metadata["error"].value


def test_check_severity_var_makes_a_gx_suite_a_warning_and_back() -> None:
    """The dbt var check_severity sets the GX suites' severity too: the check's blocking flag,
    the severity of its results and the sentence a reader sees."""
    import dagster as dg

    from orchestration.checks import build_checks

    key = dg.AssetKey(["salesforce", "lead"])

    def spec(check_severity: dict) -> dg.AssetCheckSpec:
        (checks,) = build_checks([key], check_severity)
        return next(iter(checks.check_specs))

    assert spec({}).blocking
    warned = spec({"gx_raw_leads_handoff_rules": "warn"})
    assert not warned.blocking
    assert "Warning (set by the dbt var check_severity)" in (warned.description or "")
    assert spec({"gx_raw_leads_handoff_rules": {"severity": "error"}}).blocking
    # A name that is no check of ours changes nothing.
    assert spec({"no_such_check": "warn"}).blocking
