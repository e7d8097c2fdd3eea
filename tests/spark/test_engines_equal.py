"""`REVOPS_ENGINE=spark revops run` publishes what `revops run` publishes on DuckDB (SPEC 9).

Each company's landing zone is run through `revops run` twice over, once per engine, each in a
folder of its own: on DuckDB (dbt-duckdb builds in the warehouse file) and on Spark (ingest
also writes the raw Parquet lake, dbt-spark's session method builds from it on a local Spark,
the checks read Spark's tables, and publish reads the marts' Parquet files). Every published
mart must be equal: the same columns and types, the same rows, money (decimals) to the cent and
timestamps exactly; doubles (rates, medians) to 1e-9 relative, since two engines sum and
interpolate in a different order. The reports' numbers too.

The demo company is run the way a daily schedule meets it: first without its newest GA4 day,
then that day arrives and the next run builds what it reaches incrementally (delete+insert on
DuckDB, insert_overwrite of partitions on Spark). The --defects company (planted ingest faults,
bad rows, failed files) is run on Spark by a process that is killed (SIGKILL of its process
group, JVM included) while dbt builds; the next run recovers and publishes.

Spark takes a few minutes per build of these small companies here (2 cores; about 15 s of each
dbt invocation is starting the JVM, Spark and the Hive metastore), so these tests run only in
`make test-spark` (marker `spark`), never in `make test`.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from revops_runner import REVOPS, interrupt_run, revops_env

from revops.engine import spark_dbt_executable

pytestmark = [pytest.mark.spark, pytest.mark.slow]

SCALE = 0.1
DAYS = 60
SEED = 42
DEFECTS_SEED = 7
REL_TOL = 1e-9
ENGINES = ("duckdb", "spark")
#: Seconds into dbt's build on Spark at which the run is killed: past the JVM start and the
#: raw lake's tables, while models are being written.
KILL_AFTER = 45.0


def _spark_available() -> str | None:
    executable = spark_dbt_executable()
    if not Path(executable).exists() and shutil.which(executable) is None:
        return f"no dbt-spark ({executable}): make install-spark"
    if shutil.which("java") is None:
        return "no java on PATH (Spark needs Java 17)"
    return None


@pytest.fixture(scope="module", autouse=True)
def _needs_spark() -> None:
    reason = _spark_available()
    if reason:
        pytest.fail(f"make test-spark needs Spark: {reason}")


def _generate(landing: Path, seed: int, defects: bool) -> None:
    args = ["generate", "--out", str(landing), "--seed", str(seed)]
    args += ["--scale", str(SCALE), "--days", str(DAYS)] + (["--defects"] if defects else [])
    generated = subprocess.run([REVOPS, *args], capture_output=True, text=True, timeout=600)
    assert generated.returncode == 0, generated.stderr[-3000:]


def _env(root: Path, landing: Path, engine: str) -> dict[str, str]:
    return {**revops_env(root, landing), "REVOPS_ENGINE": engine, "SPARK_LOCAL_IP": "127.0.0.1"}


def _run(env: dict[str, str]) -> str:
    """`revops run`; it must exit 0 (warnings allowed); returns what it printed."""
    run = subprocess.run([REVOPS, "run", "--plain"], env=env, capture_output=True, text=True)
    output = run.stdout + run.stderr
    assert run.returncode == 0, (env["REVOPS_ENGINE"], output[-5000:])
    assert "(published, read it read-only)" in run.stdout, output[-5000:]
    return run.stdout


def _newest_ga4_day(landing: Path) -> list[Path]:
    files = sorted(landing.rglob("events_*"))
    day = max(f.name[len("events_") :][:8] for f in files)
    return [f for f in files if f.name[len("events_") :].startswith(day)]


@pytest.fixture(scope="module")
def demo_company(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The demo company on both engines: a run without the newest GA4 day, then one with it."""
    root = tmp_path_factory.mktemp("spark_demo")
    landing = root / "landing"
    _generate(landing, SEED, defects=False)
    newest = _newest_ga4_day(landing)
    held_back = root / "held_back"
    held_back.mkdir()
    for path in newest:
        shutil.move(path, held_back / path.name)
    envs = {engine: _env(root / engine, landing, engine) for engine in ("duckdb", "spark")}
    first = {engine: _run(env) for engine, env in envs.items()}
    for path in newest:
        shutil.move(held_back / path.name, path)
    second = {engine: _run(env) for engine, env in envs.items()}
    return {"root": root, "first": first, "second": second}


@pytest.fixture(scope="module")
def defects_company(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The --defects company on DuckDB, and on Spark after a killed run."""
    root = tmp_path_factory.mktemp("spark_defects")
    landing = root / "landing"
    _generate(landing, DEFECTS_SEED, defects=True)
    duckdb_output = _run(_env(root / "duckdb", landing, "duckdb"))
    spark = _env(root / "spark", landing, "spark")
    killed = interrupt_run(spark, "dbt_build", KILL_AFTER, "kill")
    rerun = _run(spark)
    return {"root": root, "duckdb": duckdb_output, "killed": killed, "rerun": rerun}


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[tuple[str, str]]]:
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = 'marts' order by table_name, ordinal_position",
        [catalog],
    ).fetchall():
        tables.setdefault(table, []).append((column, data_type))
    return tables


def _same_value(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(
            a, b, rel_tol=REL_TOL, abs_tol=REL_TOL
        )
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a == b  # money: to the cent, exactly
    return a == b


def _sorted_rows(
    con: duckdb.DuckDBPyConnection, relation: str, columns: list[tuple[str, str]]
) -> list[tuple]:
    """Every row, ordered by every column; doubles ordered by their value to 9 decimals so
    that rows differing in a last binary digit sort alike."""
    keys = [
        f'round("{name}", 9)' if data_type in ("DOUBLE", "FLOAT") else f'"{name}"'
        for name, data_type in columns
    ]
    order = ", ".join(f"{key} asc nulls first" for key in keys)
    return con.execute(f"select * from {relation} order by {order}").fetchall()


def assert_same_marts(duckdb_serving: Path, spark_serving: Path) -> dict[str, int]:
    con = duckdb.connect()
    try:
        con.execute(f"attach '{duckdb_serving}' as d (read_only)")
        con.execute(f"attach '{spark_serving}' as s (read_only)")
        duck_tables, spark_tables = _tables(con, "d"), _tables(con, "s")
        assert sorted(spark_tables) == sorted(duck_tables)
        counts = {}
        for table, columns in duck_tables.items():
            assert spark_tables[table] == columns, f"{table}: columns or types differ"
            duck_rows = _sorted_rows(con, f"d.marts.{table}", columns)
            spark_rows = _sorted_rows(con, f"s.marts.{table}", columns)
            assert len(spark_rows) == len(duck_rows), f"{table}: row counts differ"
            for duck_row, spark_row in zip(duck_rows, spark_rows, strict=True):
                different = [
                    (name, d, s)
                    for (name, _), d, s in zip(columns, duck_row, spark_row, strict=True)
                    if not _same_value(d, s)
                ]
                assert not different, f"{table}: {different} in {duck_row}"
            counts[table] = len(duck_rows)
        return counts
    finally:
        con.close()


def test_demo_company_publishes_equal_marts_on_spark_and_duckdb(demo_company) -> None:
    root = Path(str(demo_company["root"]))
    counts = assert_same_marts(
        root / "duckdb" / "serving.duckdb", root / "spark" / "serving.duckdb"
    )
    # Not vacuous: the funnel has rows in every core mart.
    for mart in ("fct_sessions", "fct_ad_spend_daily", "dim_leads", "mart_funnel_daily"):
        assert counts[mart] > 0, mart
    # Both engines ran every check, and every check passed.
    for engine in ("duckdb", "spark"):
        for output in (demo_company["first"][engine], demo_company["second"][engine]):
            assert "0 blocking failure(s)" in output, (engine, output[-3000:])


def test_the_new_day_is_built_incrementally_with_insert_overwrite_on_spark(demo_company) -> None:
    second = demo_company["second"]["spark"]
    assert "changed since the last publish: ga4" in second, second[-3000:]
    target = Path(str(demo_company["root"])) / "spark" / "warehouse.duckdb.spark" / "dbt" / "target"
    compiled = (target / "run/revops/models/marts/marketing/fct_sessions.sql").read_text()
    assert "insert overwrite table" in compiled.lower()


def test_reports_show_the_same_numbers(demo_company) -> None:
    from serving.report import write_report

    root = Path(str(demo_company["root"]))
    # Each run wrote its report beside its serving database.
    assert (root / "duckdb" / "report.html").is_file()
    assert (root / "spark" / "report.html").is_file()
    duck = write_report(root / "duckdb" / "serving.duckdb", root / "report_duckdb.html")
    spark = write_report(root / "spark" / "serving.duckdb", root / "report_spark.html")
    assert duck.as_of == spark.as_of
    assert duck.charts == spark.charts
    assert duck.headline.keys() == spark.headline.keys()
    for key, value in duck.headline.items():
        other = spark.headline[key]
        assert (value is None and other is None) or math.isclose(value, other, rel_tol=REL_TOL)


def test_a_killed_spark_run_recovers_and_publishes_the_defects_company_equal(
    defects_company,
) -> None:
    root = Path(str(defects_company["root"]))
    assert "serving:" not in defects_company["killed"]  # killed before it published
    assert "recovered from interrupted run" in defects_company["rerun"]
    counts = assert_same_marts(
        root / "duckdb" / "serving.duckdb", root / "spark" / "serving.duckdb"
    )
    assert counts["dim_leads"] > 0
    # The planted bad rows were rejected on both engines' runs alike (one ingest each).
    for engine in ("duckdb", "spark"):
        con = duckdb.connect(str(root / engine / "warehouse.duckdb"), read_only=True)
        try:
            rejected = con.execute("select count(*) from raw.rejected_rows").fetchone()[0]
        finally:
            con.close()
        assert rejected > 0, engine
