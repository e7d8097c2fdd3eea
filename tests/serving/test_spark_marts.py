"""Publish from Spark's marts (serving/spark_marts.py) without Spark: Parquet laid out as Spark
writes a table (part files, a day-partitioned folder with Spark's NULL partition, _SUCCESS and
hidden .crc files, timestamps as UTC instants) is read with the contract's order and types."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from serving.publish import publish_marts
from serving.spark_marts import HIVE_NULL, Contract, attach_spark_marts

CONTRACTS = {
    "fct_days": Contract(
        "fct_days",
        [
            ("date_day", "date"),
            ("campaign_key", "varchar"),
            ("spend", "decimal(18,2)"),
            ("started_at", "timestamp"),
        ],
    ),
    "dim_small": Contract("dim_small", [("id", "varchar"), ("n", "bigint")]),
    "mart_empty": Contract("mart_empty", [("id", "varchar"), ("rate", "double")]),
}


def _write(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"copy ({sql}) to '{path}' (format parquet)")


@pytest.fixture
def spark_marts(tmp_path: Path) -> Path:
    marts = tmp_path / "spark" / "warehouse" / "marts.db"
    con = duckdb.connect()
    con.execute("set TimeZone = 'America/New_York'")  # instants must not depend on it
    # partitioned by day, partition column last and only in the folder names
    for day, key in (("2026-01-01", "a"), (HIVE_NULL, "b")):
        _write(
            con,
            f"select '{key}' as campaign_key, cast(1.5 as decimal(18,2)) as spend, "
            "timestamptz '2026-01-01 23:30:00+00' as started_at",
            marts / "fct_days" / f"date_day={day}" / "part-00000-x.c000.snappy.parquet",
        )
    _write(con, "select 'x' as id, 7::bigint as n", marts / "dim_small" / "part-00000.parquet")
    (marts / "dim_small" / "_SUCCESS").write_text("")
    (marts / "dim_small" / ".part-00000.parquet.crc").write_text("not parquet")
    (marts / "mart_empty").mkdir(parents=True)
    (marts / "fct_days" / "_temporary").mkdir()
    return marts


def test_spark_marts_read_with_contract_order_and_types(spark_marts: Path):
    con = duckdb.connect()
    assert attach_spark_marts(con, spark_marts, contracts=CONTRACTS) == [
        "dim_small",
        "fct_days",
        "mart_empty",
    ]
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = 'wh' and table_name = 'fct_days' order by ordinal_position"
    ).fetchall()
    assert columns == [
        ("date_day", "DATE"),
        ("campaign_key", "VARCHAR"),
        ("spend", "DECIMAL(18,2)"),
        ("started_at", "TIMESTAMP"),
    ]
    assert con.execute("select * from wh.marts.fct_days order by campaign_key").fetchall() == [
        (dt.date(2026, 1, 1), "a", Decimal("1.50"), dt.datetime(2026, 1, 1, 23, 30)),
        (None, "b", Decimal("1.50"), dt.datetime(2026, 1, 1, 23, 30)),
    ]
    assert con.execute("select * from wh.marts.mart_empty").fetchall() == []


def test_publish_from_spark_marts(spark_marts: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr("serving.spark_marts.mart_contracts", lambda: CONTRACTS)
    serving = tmp_path / "serving.duckdb"
    result = publish_marts(tmp_path / "unused.duckdb", serving, spark_marts_dir=spark_marts)
    assert result.row_counts == {"dim_small": 1, "fct_days": 2, "mart_empty": 0}
    con = duckdb.connect(str(serving), read_only=True)
    assert con.execute("select * from marts.dim_small").fetchall() == [("x", 7)]
