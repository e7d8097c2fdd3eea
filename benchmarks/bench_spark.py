"""dbt build on Spark against dbt build on DuckDB, per scale (benchmarks/README.md, "Spark").

For each scale: the demo landing zone (generated, or reused from ``--workdir``), ingest into a
fresh warehouse with the raw Parquet lake (the ingest is timed with and without the lake),
then ``dbt build`` of the whole project:

- duckdb: dbt-duckdb from ``.venv-dbt`` on the warehouse's raw tables (what `make bench` times);
- duckdb on the lake: the same, with every raw table a view over the lake's Parquet files
  (``read_parquet``), in a copy of the warehouse: is the lake good enough for DuckDB too?
- spark: dbt-spark's session method from ``.venv-spark`` on a local Spark (``local[*]``)
  reading the lake as external tables, the metastore and tables in a fresh Spark folder.

Spark's start-up is measured apart: ``dbt run-operation revops.spark_session_ready`` in the same
project and Spark folder starts the JVM, the Spark session and the Hive metastore and runs one
query, which is what every dbt invocation on Spark pays before its first model. dbt's own time
per node comes from run_results.json. Nothing is asserted; the JSON goes to
benchmarks/results/spark_<UTC time>.json.

    .venv/bin/python benchmarks/bench_spark.py --scales 1 10 --workdir /tmp/revops_bench_spark
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from revops.engine import dbt_environment, spark_dbt_executable  # noqa: E402
from revops.settings import Settings  # noqa: E402

PROJECT = REPO / "dbt_project"
DUCKDB_DBT = REPO / ".venv-dbt" / "bin" / "dbt"


def _settings(work: Path, engine: str, warehouse: Path) -> Settings:
    base = Settings.from_env()
    return Settings(
        landing_dir=work / "landing",
        warehouse=warehouse,
        serving=work / "serving.duckdb",
        serving_storage_version=base.serving_storage_version,
        duckdb_memory_limit=base.duckdb_memory_limit,
        duckdb_threads=base.duckdb_threads,
        engine=engine,
        lake_path=work / "lake",
        spark_path=work / "spark",
    )


def _dbt(executable: str, args: list[str], settings: Settings, run_dir: Path) -> dict:
    env = {**os.environ, **dbt_environment(settings), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    command = [executable, *args, "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)]
    if args[0] != "run-operation":
        command += ["--target-path", str(run_dir / "target")]
    command += ["--log-path", str(run_dir / "logs")]
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    (run_dir).mkdir(parents=True, exist_ok=True)
    (run_dir / "output.log").write_text(completed.stdout + completed.stderr)
    results_file = run_dir / "target" / "run_results.json"
    nodes = {}
    if results_file.exists():
        for result in json.loads(results_file.read_text())["results"]:
            nodes[result["unique_id"]] = round(result.get("execution_time") or 0.0, 3)
    return {
        "command": " ".join(args),
        "returncode": completed.returncode,
        "wall_s": round(wall, 2),
        "nodes": len(nodes),
        "node_seconds_sum": round(sum(nodes.values()), 2),
        "slowest": sorted(nodes.items(), key=lambda kv: -kv[1])[:5],
    }


def _ingest(settings: Settings, lake: bool) -> float:
    from ingest.runner import ingest_all
    from revops.warehouse import connect

    started = time.perf_counter()
    con = connect(settings.warehouse, settings=settings)
    try:
        # lake_dir None: no lake unless REVOPS_ENGINE=spark is set for this process.
        ingest_all(con, settings.landing_dir, lake_dir=settings.lake_dir if lake else None)
    finally:
        con.close()
    return round(time.perf_counter() - started, 2)


def _lake_views_copy(warehouse: Path, lake: Path, target: Path) -> None:
    """A copy of the warehouse whose raw tables are views over the lake."""
    import duckdb

    shutil.copyfile(warehouse, target)
    con = duckdb.connect(str(target))
    try:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'raw' and table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        for name in tables:
            folder = lake / name
            if not folder.is_dir():
                continue
            con.execute(f'drop table raw."{name}"')
            con.execute(
                f"create view raw.\"{name}\" as select * from read_parquet('{folder}/*.parquet', "
                "union_by_name = true)"
            )
        con.execute("checkpoint")
    finally:
        con.close()


def bench_scale(scale: float, workdir: Path, generate: bool, duckdb_on_lake: bool = True) -> dict:
    work = workdir / f"scale_{scale:g}"
    landing = work / "landing"
    figures: dict = {"scale": scale}
    if generate or not landing.is_dir():
        shutil.rmtree(landing, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run(
            [str(REPO / ".venv/bin/revops"), "generate", "--out", str(landing)]
            + ["--scale", str(scale), "--force"],
            check=True,
            capture_output=True,
        )
        figures["generate_s"] = round(time.perf_counter() - started, 2)
    for stale in ("warehouse.duckdb", "plain.duckdb", "lake_views.duckdb"):
        (work / stale).unlink(missing_ok=True)
    for stale in ("lake", "spark", "runs"):
        shutil.rmtree(work / stale, ignore_errors=True)

    plain = _settings(work, "duckdb", work / "plain.duckdb")
    figures["ingest_s"] = _ingest(plain, lake=False)
    spark = _settings(work, "spark", work / "warehouse.duckdb")
    figures["ingest_with_lake_s"] = _ingest(spark, lake=True)

    runs = work / "runs"
    figures["duckdb_build"] = _dbt(str(DUCKDB_DBT), ["build"], plain, runs / "duckdb")
    if duckdb_on_lake:
        _lake_views_copy(spark.warehouse, spark.lake_dir, work / "lake_views.duckdb")
        on_lake = _settings(work, "duckdb", work / "lake_views.duckdb")
        figures["duckdb_on_lake_build"] = _dbt(str(DUCKDB_DBT), ["build"], on_lake, runs / "lake")
    startup = [
        _dbt(
            spark_dbt_executable(),
            ["run-operation", "revops.spark_session_ready"],
            spark,
            runs / f"spark_startup_{i}",
        )
        for i in range(2)
    ]
    figures["spark_startup"] = startup
    figures["spark_build"] = _dbt(spark_dbt_executable(), ["build"], spark, runs / "spark")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/revops_bench_spark"))
    parser.add_argument("--generate", action="store_true", help="generate anew even if present")
    parser.add_argument(
        "--no-duckdb-lake", action="store_true", help="skip dbt-duckdb reading the lake's views"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    results = []
    for scale in args.scales:
        figures = bench_scale(scale, args.workdir, args.generate, not args.no_duckdb_lake)
        results.append(figures)
        print(json.dumps(figures, indent=2), flush=True)
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"spark_{stamp}.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
