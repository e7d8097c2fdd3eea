"""What `revops run` prints while it runs: a line per step, progress, errors whole.

The ingest step runs for real (in-process, a test instance) on a small Google Ads landing
zone with the `revops run` printer attached, once as on a pipe and once as on a terminal.
"""

from __future__ import annotations

import io
import logging
import os
import time
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.assets.dbt import NodeProgress, with_failing_rows
from orchestration.assets.ingest import (
    PROGRESS_PATTERN,
    FileProgress,
    build_ingest_asset,
    failures_text,
)
from orchestration.resources import RevopsSettings
from orchestration.run import ProgressPrinter, indent, progress_logger

HEADER = "Campaign,Campaign ID,Day,Impr.,Clicks,Cost,Conversions"
NO_DAY_FIX = (
    "the report is not segmented by day: in Google Ads open the report, choose Segment -> "
    "Time -> Day, and download it again"
)


def _report(day: str, header: str = HEADER) -> str:
    row = "Brand - Search,20431001,{day},100,10,12.50,1.00"
    if "Day" not in header:
        row = "Brand - Search,20431001,100,10,12.50,1.00"
    return f'Campaign report\n"{day}"\n{header}\n{row.format(day=day)}\n'


@pytest.fixture
def google_ads_landing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    landing = tmp_path / "landing"
    folder = landing / "google_ads"
    folder.mkdir(parents=True)
    for index, day in enumerate(("2026-11-01", "2026-11-02")):
        (folder / f"Campaign report {day}.csv").write_text(_report(day))
        os.utime(folder / f"Campaign report {day}.csv", (time.time() - 900 + index,) * 2)
    no_day = folder / "Campaign report 2026-11-03.csv"
    no_day.write_text(_report("2026-11-03", HEADER.replace("Day,", "")))
    monkeypatch.setenv("REVOPS_LANDING_DIR", str(landing))
    monkeypatch.setenv("REVOPS_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("REVOPS_SERVING", str(tmp_path / "serving.duckdb"))
    return landing


def _run_ingest(printer: ProgressPrinter) -> dg.ExecuteInProcessResult:
    defs = dg.Definitions(
        assets=[build_ingest_asset("google_ads")],
        resources={"revops": RevopsSettings()},
        jobs=[dg.define_asset_job("google_ads_only", selection=dg.AssetSelection.all())],
        loggers={"revops_progress": progress_logger(printer)},
    )
    with dg.instance_for_test() as instance:
        try:
            return defs.resolve_job_def("google_ads_only").execute_in_process(
                instance=instance, run_config={"loggers": {"revops_progress": {}}}
            )
        finally:
            printer.close()


def test_not_a_terminal_one_line_per_step_with_files_read(google_ads_landing: Path) -> None:
    out = io.StringIO()
    printer = ProgressPrinter(out)
    assert not printer.live  # a StringIO is no terminal
    result = _run_ingest(printer)
    assert result.success
    lines = out.getvalue().splitlines()
    assert lines[0] == "      warning: check no_failed_files on google_ads/campaign_stats failed"
    assert len(lines) == 2, lines
    assert lines[1].startswith("  ok  ingest_google_ads (")
    assert lines[1].endswith(" s, 1 asset(s), 3/3 files read)")
    # The check's result says which file failed and how to fix it: whole, plain text.
    evaluation = result.get_asset_check_evaluations()[0]
    assert not evaluation.passed
    assert evaluation.description == (
        "1 file(s) could not be loaded:\ngoogle_ads/Campaign report 2026-11-03.csv: missing "
        "required column(s) Day; columns found: Campaign, Campaign ID, Impr., Clicks, Cost, "
        f"Conversions; {NO_DAY_FIX}"
    )
    assert "|" not in evaluation.description
    assert evaluation.metadata["errors"].value == evaluation.description.split("\n", 1)[1]


def test_on_a_terminal_a_bar_counts_the_files(
    google_ads_landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich treats the stream as a terminal
    out = io.StringIO()
    printer = ProgressPrinter(out)
    assert printer.live
    assert _run_ingest(printer).success
    text = out.getvalue()
    assert "files read" in text
    assert "3/3" in text
    assert "  ok  ingest_google_ads (" in text


def test_plain_overrides_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert not ProgressPrinter(io.StringIO(), live=False).live


def test_file_progress_numbers_each_outcome_once() -> None:
    seen: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    log = logging.getLogger("test_file_progress")
    log.setLevel(logging.DEBUG)
    log.handlers = [Capture()]
    progress = FileProgress(log, ["a/1.csv", "a/2.csv", "a/3.csv"])
    progress.info("%s: loaded %d of %d rows", "a/1.csv", 4, 4)
    progress.warning("failed: %s", "a/2.csv: the file is empty (0 bytes)")
    progress.info("a: 3 files seen")  # not a file's outcome: left as it is
    progress.info("%s: skipped_duplicate: %s", "a/3.csv", "unchanged content")
    assert seen == [
        "[1/3 files read] a/1.csv: loaded 4 of 4 rows",
        "[2/3 files read] failed: a/2.csv: the file is empty (0 bytes)",
        "a: 3 files seen",
        "[3/3 files read] a/3.csv: skipped_duplicate: unchanged content",
    ]
    assert all(PROGRESS_PATTERN.match(line) for line in seen if line.startswith("["))


def test_node_progress_counts_finished_nodes_of_the_selected_ones() -> None:
    logged: list[str] = []

    class Log:
        def debug(self, message: str) -> None:
            logged.append(message)

    progress = NodeProgress(Log(), every_seconds=0)

    def event(name: str, **data: Any) -> dict[str, Any]:
        return {"info": {"name": name}, "data": data}

    progress.observe(event("ConcurrencyLine", node_count=3))
    node = {"unique_id": "model.revops.dim_leads"}
    progress.observe(event("LogStartLine", index=1, total=3, node_info=node))
    progress.observe(event("LogModelResult", index=1, total=3, status="success", node_info=node))
    test = {"unique_id": "test.revops.unique_dim_leads_lead_id"}
    progress.observe(event("LogTestResult", index=2, total=3, status="fail", node_info=test))
    progress.observe(event("LogNodeNoOpResult", index=3, total=4, node_info={"unique_id": "x"}))
    progress.observe(event("SkippingDetails", index=4, total=4, node_info={"unique_id": "y"}))
    progress.finish()
    assert logged == [
        "[1/3 dbt nodes] model.revops.dim_leads success",
        "[2/3 dbt nodes] test.revops.unique_dim_leads_lead_id fail",
        "[3/4 dbt nodes] x",
        "[4/4 dbt nodes] y",
    ]
    assert (progress.done, progress.total) == (4, 4)


def test_failing_dbt_test_names_its_rows_in_the_check_metadata() -> None:
    con = duckdb.connect()
    con.execute("create schema audit")
    con.execute(
        "create table audit.unique_dim_leads_lead_id as "
        "select 'L' || i::varchar as lead_id, 2 as n_records from range(12) t(i)"
    )
    manifest = {
        "nodes": {
            "test.revops.unique_dim_leads_lead_id.abc": {
                "relation_name": "audit.unique_dim_leads_lead_id"
            }
        }
    }
    result = dg.AssetCheckResult(
        asset_key="dim_leads",
        check_name="unique_dim_leads_lead_id",
        passed=False,
        metadata={
            "unique_id": "test.revops.unique_dim_leads_lead_id.abc",
            "dagster_dbt/failed_row_count": 12,
        },
    )
    enriched = with_failing_rows(con, manifest, result)
    assert enriched.metadata["failing_rows"].value == 12
    keys = enriched.metadata["failing_keys"].value.split("; ")
    assert len(keys) == 10
    assert keys[0] == "lead_id L0"
    assert enriched.description.startswith("12 failing row(s); first 10: lead_id L0; lead_id L1")
    assert enriched.metadata["failing_rows_table"].value == "audit.unique_dim_leads_lead_id"


def test_failures_and_multiline_details_print_whole() -> None:
    failures = [("g/a.csv", "g/a.csv: missing Day; " + "x" * 500), ("g/b.csv", "empty")]
    assert failures_text(failures) == f"g/a.csv: missing Day; {'x' * 500}\ng/b.csv: empty"
    assert indent("first\nsecond\n\nthird", "  ") == "first\n  second\n\n  third"


def test_a_unique_test_names_the_tested_column_not_unique_field() -> None:
    con = duckdb.connect()
    con.execute("create schema audit")
    con.execute(
        "create table audit.unique_stg_lead as "
        "select '00Q1' as unique_field, 2 as n_records union all select '00Q2', 3"
    )
    uid = "test.revops.unique_stg_lead.x"
    manifest = {
        "nodes": {
            uid: {
                "relation_name": "audit.unique_stg_lead",
                "test_metadata": {"name": "unique", "kwargs": {"column_name": "lead_id"}},
            }
        }
    }
    result = dg.AssetCheckResult(
        asset_key="stg_lead",
        check_name="unique_stg_lead",
        passed=False,
        metadata={"unique_id": uid, "dagster_dbt/failed_row_count": 2},
    )
    enriched = with_failing_rows(con, manifest, result)
    assert enriched.metadata["failing_keys"].value == (
        "lead_id 00Q1, n_records 2; lead_id 00Q2, n_records 3"
    )
