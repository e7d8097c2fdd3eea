"""The raw Parquet lake (ingest/lake.py) that Spark reads: the raw tables, one file per landing
file and raw table, written atomically and brought back to the raw tables by the next run."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import duckdb
import pytest
from ingest_helpers import T0, rows
from test_ga4 import event, jsonl

from ingest import lake as lake_module
from ingest.lake import SCHEMA_FILE, lake_file_name, sync_lake
from ingest.runner import ingest_source

ADS_HEADER = "Day,Campaign ID,Campaign,Currency code,Cost,Impr.,Clicks,Conversions\n"


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    return tmp_path / "lake"


def _ingest(con, landing: Path, source: str, lake: Path):
    return ingest_source(con, landing, source, lake_dir=lake)


def _lake_rows(con: duckdb.DuckDBPyConnection, folder: Path) -> list[tuple]:
    files = sorted(str(p) for p in folder.glob("*.parquet"))
    return sorted(
        con.execute("select * from read_parquet(?, union_by_name = true)", [files]).fetchall(),
        key=repr,
    )


def _raw_rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return sorted(con.execute(f"select * from raw.{table}").fetchall(), key=repr)


def assert_lake_equals_raw(con: duckdb.DuckDBPyConnection, lake: Path, table: str) -> None:
    assert _lake_rows(con, lake / table) == _raw_rows(con, table)


def test_one_parquet_file_per_landing_file_and_raw_table(write, con, landing, lake):
    write("web/events_20261103_000000000000.jsonl", jsonl(event(1), event(2)), mtime=T0)
    write("web/events_20261103_000000000001.jsonl", jsonl(event(3)) + '{"event_da', mtime=T0)
    _ingest(con, landing, "ga4", lake)
    names = sorted(p.name for p in (lake / "ga4__events").glob("*.parquet"))
    assert names == sorted(
        [
            SCHEMA_FILE,
            lake_file_name("web/events_20261103_000000000000.jsonl"),
            lake_file_name("web/events_20261103_000000000001.jsonl"),
        ]
    )
    for table in ("ga4__events", "ingest_log", "rejected_rows"):
        assert_lake_equals_raw(con, lake, table)
    # the bookkeeping too: every landing file's log rows, and its rejected rows
    assert len(list((lake / "ingest_log").glob("*.parquet"))) == 3
    assert len(list((lake / "rejected_rows").glob("*.parquet"))) == 2


def test_every_raw_table_exists_with_its_columns_even_when_empty(con, landing, lake):
    _ingest(con, landing, "hubspot", lake)
    schema = lake / "hubspot__contacts" / SCHEMA_FILE
    assert schema.is_file()
    described = con.execute("describe select * from read_parquet(?)", [str(schema)]).fetchall()
    columns = [r[0] for r in described]
    assert columns == [r[0] for r in con.execute("describe raw.hubspot__contacts").fetchall()]
    assert rows(con, "select count(*) from read_parquet(?)", [str(schema)]) == [(0,)]


def test_unchanged_lake_is_not_rewritten_and_a_redelivery_replaces_its_file(
    write, con, landing, lake
):
    write("web/events_20261103.jsonl", jsonl(event(1), event(2)), mtime=T0)
    _ingest(con, landing, "ga4", lake)
    again = sync_lake(con, lake, ["ga4__events", "ingest_log", "rejected_rows"])
    assert again.files_written == 0 and again.files_removed == 0
    # a later delivery of the same day (another path) supersedes the first one: its file goes
    write(
        "web/late/events_20261103.jsonl.gz",
        gzip.compress(jsonl(event(1), event(2), event(3)).encode()),
        mtime=T0 + 3 * 86400,
    )
    _ingest(con, landing, "ga4", lake)
    names = {p.name for p in (lake / "ga4__events").glob("*.parquet")}
    assert names == {SCHEMA_FILE, lake_file_name("web/late/events_20261103.jsonl.gz")}
    assert_lake_equals_raw(con, lake, "ga4__events")


def test_a_changed_file_replaces_its_rows(write, con, landing, lake):
    row = "2026-11-03,1,Brand,USD,{cost},100,10,1\n"
    write("google_ads/a.csv", ADS_HEADER + row.format(cost="1.00"), mtime=T0)
    _ingest(con, landing, "google_ads", lake)
    write("google_ads/a.csv", ADS_HEADER + row.format(cost="2.50"), mtime=T0 + 60)
    _ingest(con, landing, "google_ads", lake)
    assert_lake_equals_raw(con, lake, "google_ads__campaign_stats")
    assert len(list((lake / "google_ads__campaign_stats").glob("*.parquet"))) == 2


def test_a_kill_while_writing_leaves_no_half_file_and_the_next_run_finishes(
    write, con, landing, lake, monkeypatch
):
    for day in ("20261103", "20261104", "20261105"):
        write(f"web/events_{day}.jsonl", jsonl(event(1), event(2)), mtime=T0)
    real_replace = os.replace
    calls = {"n": 0}

    def dying_replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("killed")  # the temporary file is written, not renamed
        real_replace(src, dst)

    monkeypatch.setattr(lake_module.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        _ingest(con, landing, "ga4", lake)
    monkeypatch.setattr(lake_module.os, "replace", real_replace)
    folder = lake / "ga4__events"
    # what Spark would read: only whole files (hidden temporary names are skipped by Spark)
    visible = [p for p in folder.glob("*.parquet")]
    for path in visible:
        con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchall()
    # the next run (nothing new in the landing zone) finishes the lake
    result = _ingest(con, landing, "ga4", lake)
    assert result.files_unchanged == 3
    assert not list(folder.glob(".*"))
    assert_lake_equals_raw(con, lake, "ga4__events")
