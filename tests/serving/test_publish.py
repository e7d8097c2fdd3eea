"""Publishing the marts: atomic for concurrent readers, readable by DuckDB 1.x clients."""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from serving.publish import publish_marts, storage_version_of

MARTS = ("dim_leads", "mart_funnel_daily", "mart_mql_handoff")
ROWS = 20_000


def _build_warehouse(path: Path, generation: int) -> None:
    """Every mart holds ROWS rows stamped with ``generation``: a reader can spot a mix."""
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    for mart in MARTS:
        con.execute(
            f"create or replace table marts.{mart} as "
            f"select range as id, {generation} as generation, repeat('x', 50) as pad "
            f"from range({ROWS})"
        )
    con.close()


def _reader(serving: str, stop_at: float, queue: mp.Queue) -> None:
    """Open read-only again and again and read every mart; report what each read saw."""
    reads, errors, generations = 0, [], set()
    while time.time() < stop_at:
        try:
            con = duckdb.connect(serving, read_only=True)
            seen = []
            for mart in MARTS:
                count, low, high = con.execute(
                    f"select count(*), min(generation), max(generation) from marts.{mart}"
                ).fetchall()[0]
                if count != ROWS or low != high:
                    errors.append(f"{mart}: {count} rows, generations {low}-{high}")
                seen.append(low)
            con.close()
            if len(set(seen)) != 1:
                errors.append(f"marts from different publishes in one read: {seen}")
            generations.update(seen)
            reads += 1
        except Exception as exc:  # noqa: BLE001 - every failure is evidence
            errors.append(f"{type(exc).__name__}: {exc}")
    queue.put((reads, errors, sorted(generations)))


def _held_reader(serving: str, seconds: float, queue: mp.Queue) -> None:
    """Keep ONE read-only connection open across publishes and keep reading it."""
    con = duckdb.connect(serving, read_only=True)
    errors, reads = [], 0
    stop_at = time.time() + seconds
    first = con.execute("select min(generation) from marts.dim_leads").fetchall()[0][0]
    while time.time() < stop_at:
        try:
            for mart in MARTS:
                count, low = con.execute(
                    f"select count(*), min(generation) from marts.{mart}"
                ).fetchall()[0]
                if count != ROWS or low != first:
                    errors.append(f"{mart}: {count} rows, generation {low} (opened {first})")
            reads += 1
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{type(exc).__name__}: {exc}")
    con.close()
    queue.put((reads, errors, [first]))


def test_publish_copies_every_mart_in_storage_version(tmp_path: Path) -> None:
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving.duckdb"
    _build_warehouse(warehouse, 1)
    result = publish_marts(warehouse, serving, storage_version="v1.4.0")
    assert result.tables == sorted(MARTS)
    assert all(count == ROWS for count in result.row_counts.values())
    # DuckDB 1.x reads storage versions 64-67; 2.0's own default is 999.
    assert storage_version_of(serving) <= 67
    con = duckdb.connect(str(serving), read_only=True)
    tags = con.execute(
        "select tags from duckdb_databases() where database_name = 'serving'"
    ).fetchall()[0][0]
    con.close()
    assert tags.get("storage_version", "").startswith("v1.4.0")
    assert not list(tmp_path.glob(".*publishing*")), "temporary file left behind"


@pytest.mark.parametrize(
    "reader", [_reader, _held_reader], ids=["reopening_reader", "held_connection"]
)
def test_publish_is_atomic_for_a_reader_in_another_process(tmp_path: Path, reader) -> None:
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving.duckdb"
    _build_warehouse(warehouse, 0)
    publish_marts(warehouse, serving)

    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    seconds = 8.0
    args = (
        (str(serving), time.time() + seconds, queue)
        if reader is _reader
        else (str(serving), seconds, queue)
    )
    process = ctx.Process(target=reader, args=args)
    process.start()
    publishes = 0
    deadline = time.time() + seconds - 1
    while time.time() < deadline:
        publishes += 1
        _build_warehouse(warehouse, publishes)
        publish_marts(warehouse, serving)
    reads, errors, generations = queue.get(timeout=60)
    process.join(timeout=30)

    assert publishes >= 3
    assert reads > 0
    assert errors == []
    if reader is _reader:
        assert len(generations) > 1, "the reader never saw a new publish"


def test_failed_publish_leaves_the_serving_file_in_place(tmp_path: Path) -> None:
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving.duckdb"
    _build_warehouse(warehouse, 1)
    publish_marts(warehouse, serving)
    before = serving.read_bytes()
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(RuntimeError, match="nothing to publish"):
        publish_marts(empty, serving)
    assert serving.read_bytes() == before
    assert not list(tmp_path.glob(".*publishing*"))


@pytest.mark.skipif(
    not os.environ.get("REVOPS_TEST_DUCKDB1_PYTHON"),
    reason="set REVOPS_TEST_DUCKDB1_PYTHON to a python with duckdb 1.x to test a real 1.x client",
)
def test_duckdb_1x_client_reads_the_serving_file(tmp_path: Path) -> None:
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving.duckdb"
    _build_warehouse(warehouse, 1)
    publish_marts(warehouse, serving)
    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
        "n = c.execute('select count(*) from marts.dim_leads').fetchall()[0][0]; "
        "print(duckdb.__version__, n)"
    )
    out = subprocess.run(
        [os.environ["REVOPS_TEST_DUCKDB1_PYTHON"], "-c", code, str(serving)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out[0].startswith("1.")
    assert int(out[1]) == ROWS


def _same_rows(serving: Path, warehouse: Path, table: str) -> bool:
    con = duckdb.connect(str(serving), read_only=True)
    con.execute(f"attach '{warehouse}' as wh (read_only)")
    try:
        missing, extra = con.execute(
            f"select (select count(*) from (from wh.marts.{table} except all from marts.{table})),"
            f" (select count(*) from (from marts.{table} except all from wh.marts.{table}))"
        ).fetchall()[0]
    finally:
        con.close()
    return missing == 0 and extra == 0


def test_republish_replaces_only_changed_days_and_ends_equal(tmp_path: Path) -> None:
    """The second publish starts from the serving file: an equal mart is kept, a daily
    mart gets only its changed days (a NULL day included) replaced, a mart whose columns
    changed is copied, a mart gone from the warehouse is dropped; all end equal."""
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_daily as select range % 30 as id, "
        "date '2026-01-01' + (range // 100)::int as date_day, range * 1.5 as amount "
        "from range(3000)"
    )
    con.execute("insert into marts.fct_daily values (1, null, 2.0), (1, null, 2.0)")
    con.execute("create table marts.dim_static as select range as id from range(500)")
    con.execute("create table marts.dim_reshaped as select range as id from range(10)")
    con.execute("create table marts.dim_dropped as select 1 as id")
    con.close()
    publish_marts(warehouse, serving)

    con = duckdb.connect(str(warehouse))
    con.execute("update marts.fct_daily set amount = amount + 1 where date_day = '2026-01-05'")
    con.execute("delete from marts.fct_daily where date_day = '2026-01-07'")
    con.execute("insert into marts.fct_daily values (7, date '2026-02-01', 1.0)")
    con.execute("delete from marts.fct_daily where date_day is null")
    con.execute("insert into marts.fct_daily values (1, null, 2.0)")  # a NULL day, once now
    con.execute(
        "create or replace table marts.dim_reshaped as select range as id, 'x' as label "
        "from range(10)"
    )
    con.execute("drop table marts.dim_dropped")
    con.close()
    result = publish_marts(warehouse, serving)

    assert result.changes == {
        "dim_reshaped": "copied",
        "dim_static": "unchanged",
        # 2026-01-05 changed, 2026-01-07 gone, 2026-02-01 new, the NULL day changed
        "fct_daily": "4 day(s) replaced",
    }
    assert result.tables == ["dim_reshaped", "dim_static", "fct_daily"]
    for table in result.tables:
        assert _same_rows(serving, warehouse, table), table
    assert storage_version_of(serving) <= 67
    assert not list(tmp_path.glob(".*publishing*"))


def test_a_serving_file_in_another_storage_version_is_rewritten_whole(tmp_path: Path) -> None:
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving.duckdb"
    _build_warehouse(warehouse, 1)
    publish_marts(warehouse, serving, storage_version="v2.0.0")
    assert storage_version_of(serving) > 67
    result = publish_marts(warehouse, serving, storage_version="v1.4.0")
    assert set(result.changes.values()) == {"copied"}
    assert storage_version_of(serving) <= 67
    assert all(_same_rows(serving, warehouse, mart) for mart in MARTS)
