"""A new weekly CRM snapshot is added to the pipeline history incrementally.

intermediate.int_crm__opportunity_snapshots keeps one row per opportunity per CRM snapshot in
raw and is incremental by snapshot: when the next weekly export arrives, a build adds that
snapshot's rows and leaves the older snapshots' rows as they are (they are never recomputed),
and the marts equal those of a full-refresh build.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest
from dbt_runner import mart_rows, query, ran_sql, run_dbt
from e2e_helpers import generate, ingest_all

pytestmark = pytest.mark.slow

TABLE = "intermediate.int_crm__opportunity_snapshots"
MODELS = ["--select", "+mart_pipeline_by_snapshot"]
# Written into the older snapshots' rows after the first build: a row that still carries it
# after the second build was not rebuilt.
MARK = " [built before]"


def _by_snapshot(warehouse) -> dict[str, tuple]:
    """snapshot_key -> (rows, min(loaded_at), max(loaded_at), marked rows)."""
    rows = query(
        warehouse,
        f"""
        select snapshot_key, count(*), min(loaded_at), max(loaded_at),
               count(*) filter (where stage_name like '%{MARK}')
        from {TABLE} group by snapshot_key
        """,
    )
    return {r[0]: tuple(r[1:]) for r in rows}


def _execute(warehouse, sql: str) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(sql)
    finally:
        con.close()


def test_a_new_weekly_snapshot_adds_its_rows_and_leaves_the_older_ones(tmp_path):
    generate(tmp_path, seed=3, scale=0.1, days=45)
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    crm = landing / "salesforce"
    folders = sorted(p.name for p in crm.iterdir())
    assert len(folders) >= 3
    newest = folders[-1]
    held_back = tmp_path / "held_back"
    held_back.mkdir()
    shutil.move(crm / newest, held_back / newest)  # a move keeps the files' mtimes

    ingest_all(landing, warehouse)
    for args, work in ((["seed"], "dbt_seed"), (["run", *MODELS], "dbt_first")):
        run = run_dbt(args, warehouse, tmp_path / work)
        assert run.returncode == 0, run.output[-4000:]
    _execute(warehouse, f"update {TABLE} set stage_name = stage_name || '{MARK}'")
    before = _by_snapshot(warehouse)
    assert sorted(k.split("/", 1)[1] for k in before) == folders[:-1]
    assert all(rows == marked > 0 for rows, _lo, _hi, marked in before.values())

    shutil.move(held_back / newest, crm / newest)
    ingest_all(landing, warehouse, sources=("salesforce",))
    second = run_dbt(["run", *MODELS], warehouse, tmp_path / "dbt_incremental")
    assert second.returncode == 0, second.output[-4000:]
    compiled = ran_sql(
        tmp_path / "dbt_incremental", "intermediate/crm/int_crm__opportunity_snapshots.sql"
    )
    assert "delete from" in compiled.lower(), "the second build did not run incrementally"

    after = _by_snapshot(warehouse)
    new_key = f"salesforce/{newest}"
    # The older snapshots: the same rows, the same loaded_at, every row still marked.
    assert {k: v for k, v in after.items() if k != new_key} == before
    # The new snapshot: one row per opportunity of its export that is not deleted.
    ((live,),) = query(
        warehouse,
        "select count(*) from raw.salesforce__opportunity "
        f"where _snapshot_id = '{newest}' and not coalesce(isdeleted, false)",
    )
    rows, loaded_from, _loaded_to, marked = after[new_key]
    assert rows == live > 0 and marked == 0
    assert loaded_from > max(v[2] for v in before.values())

    # Without the mark, the marts equal a full-refresh build's (which rebuilds every snapshot).
    _execute(warehouse, f"update {TABLE} set stage_name = replace(stage_name, '{MARK}', '')")
    rerun = run_dbt(["run", "--select", "mart_pipeline_by_snapshot"], warehouse, tmp_path / "m")
    assert rerun.returncode == 0, rerun.output[-4000:]
    full = tmp_path / "full.duckdb"
    shutil.copy(warehouse, full)
    refresh = run_dbt(["run", "--full-refresh", *MODELS], full, tmp_path / "dbt_full")
    assert refresh.returncode == 0, refresh.output[-4000:]
    assert query(warehouse, f"select * from {TABLE} order by all") == query(
        full, f"select * from {TABLE} order by all"
    )
    assert mart_rows(warehouse, "mart_pipeline_by_snapshot") == mart_rows(
        full, "mart_pipeline_by_snapshot"
    )
    snapshots = {r[0] for r in mart_rows(warehouse, "mart_pipeline_by_snapshot")}
    assert len(snapshots) == len(folders)
