"""One pipeline stage in this (fresh) interpreter, for benchmarks/bench_pipeline.py.

    .venv/bin/python benchmarks/_stages.py {floor,ingest,checks,publish,defs,prepare,stock}

Paths come from the environment the pipeline uses (REVOPS_LANDING_DIR,
REVOPS_WAREHOUSE, REVOPS_SERVING, REVOPS_DUCKDB_*). The stage prints its own
figures as the last line of stdout: ``BENCH_JSON {...}``. Wall time and peak RSS
of the process are measured from outside by the caller; the figures here are
the in-process seconds (without interpreter start and imports) and counts.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path

# bench_pipeline.py --commit points this at an archived commit; else this checkout.
REPO = Path(os.environ.get("REVOPS_BENCH_CODE") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def _emit(figures: dict) -> None:
    print("BENCH_JSON " + json.dumps(figures, default=str), flush=True)


def floor() -> dict:
    """DuckDB alone reading every landing file once (bench_ingest.scan_sql per file)."""
    import duckdb
    from bench_ingest import scan_sql

    from ingest.landing import list_files
    from revops.settings import Settings
    from revops.sources import SOURCE_NAMES as SOURCES

    settings = Settings.from_env()
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{settings.duckdb_memory_limit}'")
    con.execute(f"set threads = {int(settings.duckdb_threads)}")
    per_source = {}
    for source in SOURCES:
        files = list_files(settings.landing_dir, source)
        start = time.perf_counter()
        lines = 0
        nbytes = 0
        for file in files:
            nbytes += file.path.stat().st_size
            with contextlib.suppress(duckdb.Error):  # a broken file fails ingest too
                lines += con.execute(scan_sql(file.path, source)).fetchall()[0][0]
        per_source[source] = {
            "files": len(files),
            "bytes": nbytes,
            "lines": lines,
            "seconds": round(time.perf_counter() - start, 3),
        }
    return {
        "seconds": round(sum(s["seconds"] for s in per_source.values()), 3),
        "files": sum(s["files"] for s in per_source.values()),
        "bytes": sum(s["bytes"] for s in per_source.values()),
        "sources": per_source,
    }


def ingest() -> dict:
    """ingest_source per source into a fresh warehouse: seconds and rows/s per source."""
    from ingest.runner import ingest_source
    from revops.settings import Settings
    from revops.sources import SOURCE_NAMES as SOURCES
    from revops.warehouse import connect

    settings = Settings.from_env()
    con = connect(settings.warehouse, settings=settings)
    per_source = {}
    try:
        for source in SOURCES:
            start = time.perf_counter()
            result = ingest_source(con, settings.landing_dir, source)
            seconds = time.perf_counter() - start
            per_source[source] = {
                "files": result.files_seen,
                "files_loaded": result.files_loaded,
                "files_failed": result.files_failed,
                "rows_read": result.rows_read,
                "rows_loaded": result.rows_loaded,
                "seconds": round(seconds, 3),
                "rows_per_s": round(result.rows_read / seconds) if seconds else None,
            }
    finally:
        con.close()
    rows = sum(s["rows_read"] for s in per_source.values())
    seconds = sum(s["seconds"] for s in per_source.values())
    return {
        "seconds": round(seconds, 3),
        "rows_read": rows,
        "rows_per_s": round(rows / seconds) if seconds else None,
        "sources": per_source,
    }


def checks() -> dict:
    """The GX suites of quality/suites.py, without Dagster: query, then validate, per suite."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    start = time.perf_counter()
    import great_expectations  # noqa: F401  (its import is a cost of its own: seconds)

    gx_import = time.perf_counter() - start

    from orchestration.resources import RevopsSettings
    from quality.gx import validate
    from quality.suites import check_config, suites

    revops = RevopsSettings()
    per_suite = {}
    with revops.connect(read_only=True) as con:
        config = check_config(con, revops.lead_mql_date_field)
        for suite in suites():
            t0 = time.perf_counter()
            frame = con.execute(suite.query(config)).df()
            t1 = time.perf_counter()
            outcomes = validate(frame, suite.expectations(config), suite.name)
            t2 = time.perf_counter()
            per_suite[suite.name] = {
                "asset": "/".join(suite.asset),
                "rows": len(frame),
                "query_s": round(t1 - t0, 3),
                "validate_s": round(t2 - t1, 3),
                "failed_expectations": sum(1 for o in outcomes if not o["success"]),
            }
    return {
        "gx_import_s": round(gx_import, 3),
        "seconds": round(sum(s["query_s"] + s["validate_s"] for s in per_suite.values()), 3),
        "suites": per_suite,
    }


def publish() -> dict:
    from revops.settings import Settings
    from serving.publish import publish_marts

    settings = Settings.from_env()
    start = time.perf_counter()
    result = publish_marts(
        settings.warehouse,
        settings.serving,
        storage_version=settings.serving_storage_version,
        memory_limit=settings.duckdb_memory_limit,
        threads=settings.duckdb_threads,
        # The stage measures a publish from scratch; a run's publish reuses the serving file.
        reuse_serving=False,
    )
    return {
        "seconds": round(time.perf_counter() - start, 3),
        "tables": len(result.row_counts),
        "rows": sum(result.row_counts.values()),
        "serving_bytes": result.serving_path.stat().st_size,
    }


def defs() -> dict:
    """What a code server pays: import the module, then build the one Definitions."""
    start = time.perf_counter()
    import dagster  # noqa: F401

    t_dagster = time.perf_counter()
    import orchestration.definitions as definitions

    t_import = time.perf_counter()
    built = definitions.build_definitions()
    t_build = time.perf_counter()
    graph = built.resolve_asset_graph()
    return {
        "import_dagster_s": round(t_dagster - start, 3),
        "import_definitions_s": round(t_import - start, 3),
        "build_definitions_s": round(t_build - t_import, 3),
        "seconds": round(t_build - start, 3),
        "assets": len(list(graph.get_all_asset_keys())),
        "great_expectations_imported": "great_expectations" in sys.modules,
    }


def prepare() -> dict:
    """`dbt parse` into REVOPS_DBT_TARGET_PATH, as `revops run` does when the manifest is stale."""
    from orchestration.assets.dbt import prepare_dbt_manifest

    start = time.perf_counter()
    path = prepare_dbt_manifest(force=True)
    return {"seconds": round(time.perf_counter() - start, 3), "manifest": str(path)}


def stock() -> dict:
    """The stock floor: a minimal Dagster + dbt job, nothing of this project.

    ``REVOPS_BENCH_STOCK_DIR`` holds ``stock_defs.py`` (one ``@dbt_assets`` over a one-model
    dbt project, written by bench_pipeline.py); its ``stock_job`` runs in this process against
    the instance in ``DAGSTER_HOME`` (Dagster's sqlite storage), as `revops run` runs its job.
    """
    start = time.perf_counter()
    import dagster as dg

    t_dagster = time.perf_counter()
    sys.path.insert(0, os.environ["REVOPS_BENCH_STOCK_DIR"])
    import stock_defs  # type: ignore[import-not-found]

    job = stock_defs.defs.resolve_job_def("stock_job")
    t_defs = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        t_instance = time.perf_counter()
        result = job.execute_in_process(instance=instance, raise_on_error=False)
        t_run = time.perf_counter()
    return {
        "ok": result.success,
        "import_dagster_s": round(t_dagster - start, 3),
        "load_definitions_s": round(t_defs - t_dagster, 3),
        "open_instance_s": round(t_instance - t_defs, 3),
        "execute_s": round(t_run - t_instance, 3),
        "seconds": round(t_run - start, 3),
        "materializations": len(result.get_asset_materialization_events()),
    }


STAGES = {f.__name__: f for f in (floor, ingest, checks, publish, defs, prepare, stock)}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in STAGES:
        raise SystemExit(f"usage: {sys.argv[0]} {{{','.join(STAGES)}}}")
    figures = STAGES[sys.argv[1]]()
    _emit(figures)
    raise SystemExit(0 if figures.get("ok", True) else 1)
