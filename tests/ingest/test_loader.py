"""Loader rules (docs/data-quality.md#ingest-rules), on hand-made files of several sources."""

from __future__ import annotations

import os
from datetime import date

import duckdb
import pytest
from ingest_helpers import T0, log_rows, raw_fingerprint, rows

import ingest.loader
from ingest.runner import ingest_all, ingest_source
from revops.sources import SOURCE_NAMES as SOURCES

GOOGLE = (
    "Report\nAll time\nDay,Campaign,Cost,Impr.,Clicks\n2026-11-03,A,1,10,1\n2026-11-04,A,2,20,x\n"
)
META = (
    "Reporting starts,Reporting ends,Campaign name,Campaign ID,Amount spent (USD),Impressions\n"
    "2026-11-03,2026-11-03,M,1,5,50\n"
)
LEAD = "Id,IsDeleted,CreatedDate\n00Q1,false,2026-03-04T10:22:13.000Z\n00Q2,false,bad\n"
GA4 = '{"event_date":"20261103","event_timestamp":1,"event_name":"x"}\n{"event_date":\n'


@pytest.fixture
def zone(write):
    write("google_ads/day1.csv", GOOGLE, mtime=T0)
    write("meta_ads/day1.csv", META, mtime=T0)
    write("web/events_20261103.jsonl", GA4, mtime=T0)
    write("salesforce/2026-11-05/Lead.csv", LEAD, mtime=T0)
    return write


@pytest.fixture
def hashed(monkeypatch):
    """The paths the loader opened to hash, in order."""
    seen: list[str] = []
    original = ingest.loader.sha256_of

    def spy(path):
        seen.append(path.name)
        return original(path)

    monkeypatch.setattr(ingest.loader, "sha256_of", spy)
    return seen


def test_rows_read_equals_loaded_plus_rejected_for_every_file(zone, con, landing):
    ingest_all(con, landing)
    log = rows(
        con,
        "select file_path, rows_read, rows_loaded, rows_rejected from raw.ingest_log "
        "where status = 'loaded'",
    )
    assert len(log) == 4
    assert all(read == loaded + rejected for _, read, loaded, rejected in log)
    per_file = dict(rows(con, "select file_path, count(*) from raw.rejected_rows group by 1"))
    assert per_file == {
        "google_ads/day1.csv": 1,
        "web/events_20261103.jsonl": 1,
        "salesforce/2026-11-05/Lead.csv": 1,
    }


def test_rerun_changes_nothing_and_reads_nothing(zone, con, landing, hashed):
    ingest_all(con, landing)
    before = raw_fingerprint(con)
    hashed.clear()
    results = ingest_all(con, landing)
    assert raw_fingerprint(con) == before
    assert hashed == []
    assert all(r.files_unchanged == r.files_seen for r in results.values())


def test_second_run_reads_only_the_new_file(zone, con, landing, hashed):
    ingest_all(con, landing)
    hashed.clear()
    zone("google_ads/day2.csv", GOOGLE.replace("2026-11-04", "2026-11-05"), mtime=T0 + 86400)
    results = ingest_all(con, landing)
    assert hashed == ["day2.csv"]
    assert results["google_ads"].files_loaded == 1
    assert sum(r.files_loaded for r in results.values()) == 1


def test_same_content_under_another_name_is_skipped(zone, con, landing):
    ingest_all(con, landing)
    zone("google_ads/day1 (copy).csv", GOOGLE, mtime=T0 + 60)
    result = ingest_source(con, landing, "google_ads")
    assert (result.files_skipped, result.files_loaded) == (1, 0)
    assert log_rows(con)[-1][1] == "skipped_duplicate"
    assert "same content as google_ads/day1.csv" in log_rows(con)[-1][5]
    assert rows(con, "select count(*) from raw.google_ads__campaign_stats") == [(1,)]


def test_touched_file_with_same_content_is_not_loaded_twice(zone, con, landing):
    ingest_all(con, landing)
    os.utime(landing / "google_ads/day1.csv", (T0 + 60, T0 + 60))
    result = ingest_source(con, landing, "google_ads")
    assert result.files_skipped == 1
    assert rows(con, "select count(*) from raw.google_ads__campaign_stats") == [(1,)]


def test_changed_file_replaces_its_earlier_rows(zone, con, landing):
    ingest_all(con, landing)
    zone("google_ads/day1.csv", GOOGLE.replace(",x\n", ",2\n"), mtime=T0 + 60)
    result = ingest_source(con, landing, "google_ads")
    assert result.files_loaded == 1
    assert rows(con, "select day, clicks from raw.google_ads__campaign_stats order by 1") == [
        (date(2026, 11, 3), 1),
        (date(2026, 11, 4), 2),
    ]


def test_missing_column_fails_only_that_file(zone, con, landing):
    ingest_all(con, landing)
    zone(
        "google_ads/broken.csv",
        "Report\nAll time\nDay,Campaign,Impr.\n2026-11-05,A,1\n",
        mtime=T0 + 60,
    )
    zone("google_ads/day3.csv", GOOGLE.replace("2026-11-0", "2026-12-0"), mtime=T0 + 120)
    zone("meta_ads/day2.csv", META.replace("2026-11-03", "2026-11-04"), mtime=T0 + 60)
    results = ingest_all(con, landing)
    [(path, error)] = results["google_ads"].failures
    assert path == "google_ads/broken.csv"
    assert error == (
        "google_ads/broken.csv: missing required column(s) Cost; "
        "columns found: Day, Campaign, Impr."
    )
    assert results["google_ads"].files_loaded == 1 and results["meta_ads"].files_loaded == 1
    assert rows(con, "select count(*) from raw.google_ads__campaign_stats") == [(2,)]


class Killed(BaseException):
    """Stands for the process dying: nothing in the loader catches it."""


def _count(con, table: str) -> int:
    exists = rows(
        con,
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = ?",
        [table],
    )[0][0]
    return rows(con, f"select count(*) from raw.{table}")[0][0] if exists else 0


def test_kill_mid_file_leaves_nothing_of_it(zone, con, landing, monkeypatch):
    def killed_before_log_row(*args, **kwargs):
        raise Killed("killed after the inserts, before the log row and the commit")

    monkeypatch.setattr(ingest.loader, "write_logs", killed_before_log_row)
    with pytest.raises(Killed):
        ingest_source(con, landing, "google_ads")
    assert _count(con, "google_ads__campaign_stats") == 0
    assert _count(con, "rejected_rows") == 0
    assert _count(con, "ingest_log") == 0
    monkeypatch.undo()
    result = ingest_source(con, landing, "google_ads")  # the next run finishes the work
    assert (result.files_loaded, result.rows_loaded, result.rows_rejected) == (1, 1, 1)


def test_error_mid_file_is_recorded_as_failed_with_nothing_loaded(zone, con, landing, monkeypatch):
    original = ingest.loader.write_logs

    def fail_loaded(con_, entries):
        if any(entry.outcome.status == "loaded" for entry in entries):
            raise duckdb.IOException("disk full")
        original(con_, entries)

    monkeypatch.setattr(ingest.loader, "write_logs", fail_loaded)
    result = ingest_source(con, landing, "google_ads")
    assert result.files_failed == 1 and "disk full" in result.failures[0][1]
    assert _count(con, "google_ads__campaign_stats") == 0
    assert rows(con, "select status from raw.ingest_log") == [("failed",)]


def test_unknown_source_is_a_programming_error(con, landing):
    with pytest.raises(ValueError, match="unknown source"):
        ingest_source(con, landing, "tiktok_ads")
    assert SOURCES == ("google_ads", "meta_ads", "linkedin_ads", "ga4", "salesforce", "hubspot")


def test_empty_landing_zone_is_fine(con, landing):
    results = ingest_all(con, landing)
    assert all(r.files_seen == 0 and r.failures == [] for r in results.values())


def test_result_reports_newest_data_date_and_tables(zone, con, landing):
    results = ingest_all(con, landing)
    assert str(results["google_ads"].newest_data_date) == "2026-11-03"  # the 11-04 row was rejected
    assert results["ga4"].tables == ["ga4__events"]
    assert str(results["salesforce"].newest_data_date) == "2026-11-05"


# Batches: several files share one staging pass and one transaction, yet each
# keeps its own log row, rejected rows, row numbers and failure.


def _google(day: str, clicks: str = "1") -> str:
    return f"Report\nAll time\nDay,Campaign,Cost,Impr.,Clicks\n{day},A,1,10,{clicks}\n"


def test_kill_mid_batch_leaves_no_file_of_the_batch(write, con, landing, monkeypatch):
    for n in range(3):
        write(f"google_ads/day{n}.csv", _google(f"2026-11-0{n + 1}"), mtime=T0 + n)

    def killed(*args, **kwargs):
        raise Killed("killed after the batch's inserts, before its log rows and commit")

    monkeypatch.setattr(ingest.loader, "write_logs", killed)
    with pytest.raises(Killed):
        ingest_source(con, landing, "google_ads")
    assert _count(con, "google_ads__campaign_stats") == 0
    assert _count(con, "ingest_log") == 0
    monkeypatch.undo()
    result = ingest_source(con, landing, "google_ads")
    assert (result.files_loaded, result.rows_loaded) == (3, 3)
    assert rows(con, "select count(distinct _source_file) from raw.google_ads__campaign_stats") == [
        (3,)
    ]


def test_each_file_of_a_batch_keeps_its_own_figures_and_row_numbers(write, con, landing):
    # blank and total rows do not count; row numbers restart in every file
    write("google_ads/a.csv", _google("2026-11-01") + "\n2026-11-02,A,1,10,x\n", mtime=T0)
    write(
        "google_ads/b.csv",
        _google("2026-11-03", "y") + "2026-11-04,A,1,10,2\nTotal: Account,,2,20,3\n",
        mtime=T0 + 1,
    )
    write("google_ads/c.csv", _google("2026-11-05"), mtime=T0 + 2)
    ingest_source(con, landing, "google_ads")
    assert rows(
        con,
        "select file_path, rows_read, rows_loaded, rows_rejected from raw.ingest_log order by 1",
    ) == [
        ("google_ads/a.csv", 2, 1, 1),
        ("google_ads/b.csv", 2, 1, 1),
        ("google_ads/c.csv", 1, 1, 0),
    ]
    assert rows(
        con, "select file_path, row_number, raw_line from raw.rejected_rows order by 1"
    ) == [
        ("google_ads/a.csv", 2, "2026-11-02,A,1,10,x"),
        ("google_ads/b.csv", 1, "2026-11-03,A,1,10,y"),
    ]
    assert rows(
        con,
        "select _source_file, _row_number, day from raw.google_ads__campaign_stats order by 3",
    ) == [
        ("google_ads/a.csv", 1, date(2026, 11, 1)),
        ("google_ads/b.csv", 2, date(2026, 11, 4)),
        ("google_ads/c.csv", 1, date(2026, 11, 5)),
    ]


def test_unreadable_file_in_a_batch_fails_alone(write, con, landing):
    good = '{"event_date":"20261103","event_timestamp":1,"event_name":"x"}\n'
    write("web/events_20261101.jsonl", good + "\n" + good + "{broken\n", mtime=T0)
    write("web/events_20261102.jsonl.gz", b"\x1f\x8b\x08\x00garbage", mtime=T0 + 1)
    write("web/events_20261103.jsonl", good * 3, mtime=T0 + 2)
    result = ingest_source(con, landing, "ga4")
    assert (result.files_loaded, result.files_failed) == (2, 1)
    assert "could not be read" in dict(result.failures)["web/events_20261102.jsonl.gz"]
    assert rows(
        con,
        "select file_path, status, rows_read, rows_loaded, rows_rejected from raw.ingest_log "
        "order by 1",
    ) == [
        ("web/events_20261101.jsonl", "loaded", 3, 2, 1),
        ("web/events_20261102.jsonl.gz", "failed", 0, 0, 0),
        ("web/events_20261103.jsonl", "loaded", 3, 3, 0),
    ]
    # line numbers count the blank line
    assert rows(con, "select file_path, row_number from raw.rejected_rows") == [
        ("web/events_20261101.jsonl", 4)
    ]
    assert rows(
        con,
        "select _source_file, list(_row_number order by _row_number) from raw.ga4__events "
        "group by 1 order by 1",
    ) == [("web/events_20261101.jsonl", [1, 3]), ("web/events_20261103.jsonl", [1, 2, 3])]
