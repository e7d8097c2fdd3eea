"""The marts Spark built, read with DuckDB (SPEC 9): publish and tests see them as DuckDB's.

Spark keeps each table of schema ``marts`` as a folder of Parquet files in its warehouse dir
(``<spark dir>/warehouse/marts.db/<mart>/part-*.parquet``; an incremental mart partitioned by
day has ``date_day=YYYY-MM-DD/`` folders, its partition column last). :func:`attach_spark_marts`
attaches an in-memory catalog whose schema ``marts`` has one view per mart, with the columns in
the order and with the types of the mart's contract (its yml in dbt_project/models/marts, the
types DuckDB builds), so publish copies them exactly as it copies the DuckDB warehouse's marts.
Spark writes its timestamps as instants (UTC, the session time zone): they are read back as
UTC wall time, as DuckDB's naive timestamps hold it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
MARTS_MODELS = REPO_ROOT / "dbt_project" / "models" / "marts"
MARTS_SCHEMA = "marts"
#: How Spark names the folder of a partition whose value is NULL.
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?")


@dataclass(frozen=True)
class Contract:
    name: str
    columns: list[tuple[str, str]]  # (name, DuckDB type), in the contract's order


def mart_contracts(models_dir: Path = MARTS_MODELS) -> dict[str, Contract]:
    """Every mart's enforced contract, from the yml files of the marts folder."""
    contracts: dict[str, Contract] = {}
    for path in sorted(models_dir.rglob("*.yml")):
        document = yaml.safe_load(path.read_text()) or {}
        for model in document.get("models") or []:
            columns = [
                (str(column["name"]), str(column["data_type"]))
                for column in model.get("columns") or []
                if column.get("data_type")
            ]
            if columns:
                contracts[model["name"]] = Contract(model["name"], columns)
    return contracts


def _ident(name: str) -> str:
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"unexpected name in a Spark mart: {name!r}")
    return f'"{name}"'


def _type(data_type: str) -> str:
    if not _TYPE.fullmatch(data_type.strip()):
        raise ValueError(f"unexpected contract type: {data_type!r}")
    return data_type.strip()


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def parquet_files(table_dir: Path) -> list[Path]:
    """The table's data files; Spark's hidden, `_temporary` and `_SUCCESS` entries are not."""
    return sorted(
        path
        for path in table_dir.rglob("*.parquet")
        if not any(part.startswith((".", "_")) for part in path.relative_to(table_dir).parts)
    )


def mart_select(con: duckdb.DuckDBPyConnection, table_dir: Path, contract: Contract) -> str:
    """A DuckDB query of one Spark mart with the contract's columns, order and types."""
    files = parquet_files(table_dir)
    if not files:
        nulls = ", ".join(f"cast(null as {_type(t)}) as {_ident(n)}" for n, t in contract.columns)
        return f"select {nulls} where false"
    source = (
        f"read_parquet([{', '.join(_literal(str(f)) for f in files)}], "
        "hive_partitioning = true, hive_types_autocast = false, union_by_name = true)"
    )
    found = {
        name: data_type
        for name, data_type, *_ in con.execute(f"describe select * from {source}").fetchall()
    }
    partitioned = {
        part.split("=", 1)[0]
        for f in files
        for part in f.relative_to(table_dir).parts[:-1]
        if "=" in part
    }
    expressions = []
    for name, data_type in contract.columns:
        if name not in found:
            raise ValueError(f"Spark mart {table_dir.name} has no column {name!r}")
        column = _ident(name)
        if name in partitioned:
            column = f"nullif({column}, {_literal(HIVE_NULL)})"
        elif found[name].upper().startswith("TIMESTAMP WITH TIME ZONE"):
            column = f"timezone('UTC', {column})"
        expressions.append(f"cast({column} as {_type(data_type)}) as {_ident(name)}")
    return f"select {', '.join(expressions)} from {source}"


def attach_spark_marts(
    con: duckdb.DuckDBPyConnection,
    marts_dir: Path,
    alias: str = "wh",
    contracts: dict[str, Contract] | None = None,
    schema: str = MARTS_SCHEMA,
) -> list[str]:
    """Attach an in-memory catalog ``alias`` with a view ``<alias>.<schema>.<mart>`` per mart
    Spark built in ``marts_dir`` (``<spark dir>/warehouse/marts.db``); returns their names.

    ``schema="main"`` with ``alias="marts"`` lets queries written for the DuckDB warehouse
    (``select ... from marts.dim_leads``, the GX suites) read Spark's marts unchanged on a
    connection to a warehouse that has no schema ``marts``."""
    contracts = mart_contracts() if contracts is None else contracts
    con.execute(f"attach ':memory:' as {_ident(alias)}")
    if schema != "main":
        con.execute(f"create schema {_ident(alias)}.{_ident(schema)}")
    built = []
    for name, contract in sorted(contracts.items()):
        table_dir = Path(marts_dir) / name
        if not table_dir.is_dir():
            continue
        select = mart_select(con, table_dir, contract)
        con.execute(f"create view {_ident(alias)}.{_ident(schema)}.{_ident(name)} as {select}")
        built.append(name)
    return built


def table_select(con: duckdb.DuckDBPyConnection, table_dir: Path) -> str | None:
    """A DuckDB query of any Spark table (no contract): its Parquet columns, Spark's
    timestamps as UTC wall time; None when Spark wrote no file (an empty partitioned table)."""
    files = parquet_files(table_dir)
    if not files:
        return None
    source = (
        f"read_parquet([{', '.join(_literal(str(f)) for f in files)}], "
        "hive_partitioning = true, union_by_name = true)"
    )
    columns = [
        f"timezone('UTC', {_ident(name)}) as {_ident(name)}"
        if data_type.upper().startswith("TIMESTAMP WITH TIME ZONE")
        else _ident(name)
        for name, data_type, *_ in con.execute(f"describe select * from {source}").fetchall()
    ]
    return f"select {', '.join(columns)} from {source}"


def attach_spark_schema(con: duckdb.DuckDBPyConnection, schema_dir: Path, alias: str) -> list[str]:
    """Attach an in-memory catalog ``alias`` with a view per table of one Spark schema folder
    (``<spark dir>/warehouse/audit.db``: the failing rows dbt stored), so ``audit.<test>`` as
    dbt-spark names the relation reads it on a DuckDB connection; returns the table names."""
    con.execute(f"attach ':memory:' as {_ident(alias)}")
    built = []
    for table_dir in sorted(Path(schema_dir).iterdir()) if Path(schema_dir).is_dir() else []:
        if not table_dir.is_dir() or not _IDENTIFIER.fullmatch(table_dir.name):
            continue
        select = table_select(con, table_dir)
        if select is not None:
            con.execute(f"create view {_ident(alias)}.main.{_ident(table_dir.name)} as {select}")
            built.append(table_dir.name)
    return built


def connect_with_spark_tables(
    warehouse: Path, spark_warehouse_dir: Path, read_only: bool = True
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that reads like the warehouse of a DuckDB build when Spark built
    the models: the warehouse file (raw tables, ingest_log) attached and in use, Spark's marts
    as ``marts.<mart>`` (with their contracts' types) and its stored failing rows as
    ``audit.<test>``. For the checks that query the marts after dbt (the GX suites, the failing
    rows shown with a failed check). ``spark_warehouse_dir`` is ``<spark dir>/warehouse``."""
    con = duckdb.connect()
    try:
        mode = " (read_only)" if read_only else ""
        con.execute(f"attach {_literal(str(warehouse))} as warehouse{mode}")
        con.execute("use warehouse")
        attach_spark_marts(con, Path(spark_warehouse_dir) / "marts.db", "marts", schema="main")
        attach_spark_schema(con, Path(spark_warehouse_dir) / "audit.db", "audit")
    except BaseException:
        con.close()
        raise
    return con
