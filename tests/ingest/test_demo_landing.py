"""Ingest over the demo generator's landing zone, normal and with planted defects.

Each planted defect in ground_truth/summary.json must land where the ingest rules
(docs/data-quality.md) say; every loaded file reconciles; a rerun changes nothing; a new file is the
only thing a second run reads.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from ingest_helpers import raw_fingerprint, rows

import ingest.loader
from ingest.landing import list_files
from ingest.runner import ingest_all
from revops.sources import SOURCE_NAMES as SOURCES

pytestmark = pytest.mark.slow

REVOPS = str(Path(sys.executable).with_name("revops"))


def _generate(out: Path, *extra: str) -> tuple[Path, dict]:
    landing = out / "landing"
    subprocess.run(
        [REVOPS, "generate", "--out", str(landing), "--scale", "0.05", "--days", "60", *extra],
        check=True,
        capture_output=True,
    )
    return landing, json.loads((out / "ground_truth" / "summary.json").read_text())


@pytest.fixture(scope="module")
def defects_zone(tmp_path_factory):
    base = tmp_path_factory.mktemp("demo_defects")
    landing, summary = _generate(base, "--defects")
    con = duckdb.connect(str(base / "warehouse.duckdb"))
    results = ingest_all(con, landing)
    yield con, landing, summary, results
    con.close()


@pytest.fixture(scope="module")
def normal_zone(tmp_path_factory):
    base = tmp_path_factory.mktemp("demo_normal")
    landing, summary = _generate(base)
    con = duckdb.connect(str(base / "warehouse.duckdb"))
    results = ingest_all(con, landing)
    yield con, landing, summary, results
    con.close()


def _log(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    return {
        r[0]: r[1:]
        for r in rows(
            con,
            "select file_path, status, rows_read, rows_loaded, rows_rejected, error, extra_columns "
            "from raw.ingest_log",
        )
    }


def test_demo_normal_output_loads_without_failures_or_rejects(normal_zone):
    con, landing, _, results = normal_zone
    assert {s: r.failures for s, r in results.items() if r.failures} == {}
    assert rows(con, "select count(*) from raw.rejected_rows") == [(0,)]
    every_file = {f.rel_path for s in SOURCES for f in list_files(landing, s)}
    assert set(_log(con)) == every_file
    # every source the demo wrote loads rows (it writes one CRM: Salesforce or HubSpot)
    assert all(r.rows_loaded > 0 for r in results.values() if r.files_seen)


def test_demo_every_file_logged_and_reconciled(defects_zone):
    con, landing, _, _ = defects_zone
    log = _log(con)
    assert set(log) == {f.rel_path for s in SOURCES for f in list_files(landing, s)}
    rejected = dict(rows(con, "select file_path, count(*) from raw.rejected_rows group by 1"))
    for path, (status, read, loaded, rejected_n, *_) in log.items():
        if status == "loaded":
            assert read == loaded + rejected_n, path
            assert rejected.get(path, 0) == rejected_n, path


def test_demo_only_planted_files_fail_and_only_planted_rows_are_rejected(defects_zone):
    con, _, summary, _ = defects_zone
    failed = {p for p, (status, *_) in _log(con).items() if status == "failed"}
    assert failed == {d["file"] for d in summary["defects"] if d["expect"] == "failed"}
    got = set(rows(con, "select file_path, row_number from raw.rejected_rows"))
    planted = {
        (d["file"], d["row_number"]) for d in summary["defects"] if d["expect"] == "rejected"
    }
    assert got == planted


def _check_defect(con: duckdb.DuckDBPyConnection, log: dict[str, tuple], d: dict) -> None:
    status, _read, _loaded, _rejected, error, extra = log[d["file"]]
    if d["expect"] == "rejected":
        assert status == "loaded"
        [(reason,)] = rows(
            con,
            "select reason from raw.rejected_rows where file_path = ? and row_number = ?",
            [d["file"], d["row_number"]],
        )
        assert (f'column "{d["column"]}"' if d["column"] else "JSON") in reason
    elif d["expect"] == "failed":
        assert status == "failed" and d["file"] in error
        if d["column"]:
            assert d["column"] in error
    elif d["expect"] == "skipped_duplicate":
        assert status == "skipped_duplicate"
    elif d["expect"] == "replaced":
        assert status == "loaded"
        key = Path(d["file"]).name.split(".", 1)[0]
        holders = rows(
            con,
            "select distinct _source_file from raw.ga4__events where _delivery_key = ?",
            [key],
        )
        assert holders and d["file"] not in {h for (h,) in holders}
    elif d["expect"] == "extra_column":
        assert status == "loaded" and d["column"] in (extra or "").split(",")
    else:
        pytest.fail(f"unknown expectation {d['expect']!r}")


def test_demo_each_planted_defect_lands_where_spec_says(defects_zone):
    con, _, summary, _ = defects_zone
    assert summary["defects"], "the --defects landing zone lists no defects"
    log = _log(con)
    problems = []
    for d in summary["defects"]:
        try:
            _check_defect(con, log, d)
        except (AssertionError, ValueError, KeyError) as exc:
            problems.append((d, log.get(d["file"]), repr(exc)))
    assert problems == []


def test_demo_rerun_changes_nothing(defects_zone, monkeypatch):
    con, landing, _, _ = defects_zone
    before = raw_fingerprint(con)
    opened: list[Path] = []
    monkeypatch.setattr(ingest.loader, "sha256_of", lambda path: opened.append(path) or "x")
    results = ingest_all(con, landing)
    assert raw_fingerprint(con) == before
    assert opened == [] and sum(r.files_loaded + r.files_failed for r in results.values()) == 0


def test_demo_second_run_reads_only_the_new_file(defects_zone, monkeypatch):
    con, landing, _, _ = defects_zone
    newest = list_files(landing, "ga4")[-1]
    new = landing / "web" / "events_20991231.jsonl"
    shutil.copyfile(newest.path, new)  # a new day's file (content of another day is fine here)
    opened: list[str] = []
    original = ingest.loader.sha256_of
    monkeypatch.setattr(
        ingest.loader, "sha256_of", lambda path: opened.append(path.name) or original(path)
    )
    results = ingest_all(con, landing)
    assert opened == [new.name]
    assert results["ga4"].files_loaded + results["ga4"].files_skipped == 1
