"""The rules that let a run with nothing new skip dbt, the mart checks and publish.

Only a *published, complete* build counts as current; a blocked or partial build, a new
file, a re-delivery or a code change makes the next run build again.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.build_state import (
    BuildState,
    code_fingerprint,
    current_state,
    last_published,
    mark_published,
    record_build,
    source_fingerprints,
)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(
        "create table raw.ingest_log (source varchar, status varchar, rows_loaded bigint, "
        "finished_at timestamp)"
    )
    return con


def _log(con: duckdb.DuckDBPyConnection, source: str, status: str, rows: int, at: str) -> None:
    con.execute("insert into raw.ingest_log values (?, ?, ?, ?)", [source, status, rows, at])


def test_no_ingest_log_means_no_sources() -> None:
    assert source_fingerprints(duckdb.connect()) == {}


def test_a_loaded_file_changes_its_source_only(con: duckdb.DuckDBPyConnection) -> None:
    _log(con, "ga4", "loaded", 100, "2026-11-01 06:00:00")
    _log(con, "salesforce", "loaded", 50, "2026-11-01 06:01:00")
    before = current_state(con, "code")
    _log(con, "ga4", "skipped_duplicate", 0, "2026-11-02 06:00:00")
    _log(con, "ga4", "failed", 0, "2026-11-02 06:00:01")
    assert current_state(con, "code") == before, "files that loaded nothing change nothing"
    _log(con, "ga4", "loaded", 7, "2026-11-02 06:00:02")
    after = current_state(con, "code")
    assert after.changed_sources(before) == ["ga4"]
    assert BuildState("code", {}).changed_sources(None) == []
    assert after.changed_sources(None) == ["ga4", "salesforce"]


def test_only_a_published_complete_build_is_current(con: duckdb.DuckDBPyConnection) -> None:
    _log(con, "ga4", "loaded", 100, "2026-11-01 06:00:00")
    state = current_state(con, "code-1")
    assert last_published(con) is None

    record_build(con, "run-blocked", state, complete=True)  # a blocking check stopped publish
    assert last_published(con) is None

    record_build(con, "run-partial", state, complete=False)  # a per-source job
    assert mark_published(con, "run-partial")
    assert last_published(con) is None, "a partial build does not make every mart current"

    record_build(con, "run-good", state, complete=True)
    assert mark_published(con, "run-good")
    published = last_published(con)
    assert published is not None
    assert (published.run_id, published.state) == ("run-good", state)
    assert not mark_published(con, "run-never-built")

    assert current_state(con, "code-2") != published.state, "a code change is not current"


def test_code_fingerprint_follows_content_and_settings(tmp_path: Path) -> None:
    model = tmp_path / "models" / "m.sql"
    model.parent.mkdir()
    model.write_text("select 1")
    files = [(tmp_path, [model])]
    first = code_fingerprint(files, {"lead_mql_date_field": "MQL_Date__c"})
    assert code_fingerprint(files, {"lead_mql_date_field": "MQL_Date__c"}) == first
    assert code_fingerprint(files, {"lead_mql_date_field": "Other__c"}) != first
    model.write_text("select 2")
    assert code_fingerprint(files, {"lead_mql_date_field": "MQL_Date__c"}) != first
