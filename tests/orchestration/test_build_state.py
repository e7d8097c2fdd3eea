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
    record_attempt,
    record_build,
    source_fingerprints,
    sources_to_rebuild,
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


def _publish(con: duckdb.DuckDBPyConnection, run_id: str, code: str) -> BuildState:
    state = current_state(con, code)
    record_attempt(con, run_id, code)
    record_build(con, run_id, state, complete=True)
    assert mark_published(con, run_id)
    return state


def test_a_build_is_narrowed_only_to_sources_changed_under_the_same_code(
    con: duckdb.DuckDBPyConnection,
) -> None:
    _log(con, "ga4", "loaded", 100, "2026-11-01 06:00:00")
    _log(con, "salesforce", "loaded", 50, "2026-11-01 06:01:00")
    assert sources_to_rebuild(con, current_state(con, "code-1"), None) == [], "nothing published"
    _publish(con, "run-1", "code-1")
    _log(con, "ga4", "loaded", 7, "2026-11-02 06:00:00")
    now = current_state(con, "code-1")
    assert sources_to_rebuild(con, now, last_published(con)) == ["ga4"]
    assert sources_to_rebuild(con, current_state(con, "code-2"), last_published(con)) == [], (
        "other code: build everything"
    )
    # An experiment with other code was attempted (it may have rewritten any table), then
    # the code went back: the tables it left cannot be trusted.
    record_attempt(con, "run-2", "code-2")
    assert sources_to_rebuild(con, now, last_published(con)) == []
    # A full build under code-1 is published again: narrowing is allowed from there on.
    _publish(con, "run-3", "code-1")
    _log(con, "salesforce", "loaded", 60, "2026-11-08 06:00:00")
    assert sources_to_rebuild(con, current_state(con, "code-1"), last_published(con)) == [
        "salesforce"
    ]


def test_a_warehouse_without_recorded_attempts_is_built_whole(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """A warehouse built before attempts were recorded: its history is unknown."""
    _log(con, "ga4", "loaded", 100, "2026-11-01 06:00:00")
    record_build(con, "run-1", current_state(con, "code-1"), complete=True)
    assert mark_published(con, "run-1")
    _log(con, "ga4", "loaded", 7, "2026-11-02 06:00:00")
    assert sources_to_rebuild(con, current_state(con, "code-1"), last_published(con)) == []


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
