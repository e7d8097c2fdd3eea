"""The raw lake: every raw table as Parquet files that Spark reads (SPEC 9, docs/ARCHITECTURE.md).

Layout: ``<lake>/<raw table>/<key>.parquet``, one file per landing file and raw table (``key``
is a hash of the landing path, so a file delivered again replaces its own Parquet file), and
``<lake>/<raw table>/schema.parquet``, no rows, the table's current columns: a table nothing
was delivered for exists empty, and a column a newer file added (a Salesforce custom field) is
known even where older files lack it (Spark reads the folder with mergeSchema).
The bookkeeping tables follow the same rule by ``file_path``: ``ingest_log/<key>.parquet``
holds every log row of one landing file, ``rejected_rows/<key>.parquet`` its rejected rows.

The loader's transactions stay where they are (one DuckDB transaction per batch decides and
records what is loaded, SPEC 5); the lake is brought to exactly what the raw tables hold after
each source's load, and only where a landing file's rows changed (a file's version is its row
count and newest load time, kept in ``lake.files``). A file is written under a hidden temporary
name (Spark skips names starting with ``.``), flushed to disk and renamed, so a kill leaves the
old file or the new one, never half of one; the temporary files a killed run left are removed.
A kill between a rename and its record only means the next sync writes that file again.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.loader import RAW
from ingest.sql import ident

LAKE_STATE = "lake"
STATE_DDL = (
    f"create schema if not exists {LAKE_STATE}",
    f"""create table if not exists {LAKE_STATE}.files (
        table_name VARCHAR, file_key VARCHAR, rows BIGINT, version VARCHAR,
        primary key (table_name, file_key))""",
)
SCHEMA_FILE = "schema.parquet"
#: The landing-file column of a table, and the column whose newest value changes when the
#: file's rows are written again.
BOOKKEEPING = {
    "ingest_log": ("file_path", "finished_at"),
    "rejected_rows": ("file_path", "rejected_at"),
}
LINEAGE = ("_source_file", "_loaded_at")


@dataclass
class LakeSync:
    """What one sync did."""

    files_written: int = 0
    files_removed: int = 0
    tables: int = 0


def lake_file_name(landing_path: str) -> str:
    """The Parquet file of one landing file (its path relative to the landing zone)."""
    return hashlib.sha256(landing_path.encode("utf-8")).hexdigest()[:32] + ".parquet"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = ?",
        [RAW],
    ).fetchall():
        found.setdefault(table, set()).add(column)
    return found


def _copy(con: duckdb.DuckDBPyConnection, select: str, target: Path) -> None:
    """COPY a query to ``target`` atomically: hidden temporary file, fsync, rename."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    con.execute(f"copy ({select}) to {_sql_text(str(tmp))} (format parquet)")
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, target)


def sync_lake(
    con: duckdb.DuckDBPyConnection,
    lake_dir: Path,
    tables: list[str] | None = None,
    log: logging.Logger | None = None,
) -> LakeSync:
    """Bring ``lake_dir`` to what raw.<table> holds, for ``tables`` (default: every raw table
    with a landing-file column). Idempotent: an up-to-date lake costs one grouped query per table.
    """
    log = log or logging.getLogger(__name__)
    for ddl in STATE_DDL:
        con.execute(ddl)
    columns = _columns(con)
    wanted = sorted(columns) if tables is None else [t for t in tables if t in columns]
    result = LakeSync()
    for table in wanted:
        have = columns[table]
        if table in BOOKKEEPING:
            key, version = BOOKKEEPING[table]
        elif set(LINEAGE) <= have:
            key, version = LINEAGE
        else:
            continue  # not a landing-file table
        result.tables += 1
        folder = Path(lake_dir) / table
        folder.mkdir(parents=True, exist_ok=True)
        for leftover in folder.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)
        relation = f"{RAW}.{ident(table)}"
        _copy(con, f"select * from {relation} limit 0", folder / SCHEMA_FILE)
        current = {
            path: (rows, str(newest))
            for path, rows, newest in con.execute(
                f"select {ident(key)}, count(*), max({ident(version)}) from {relation} "
                f"where {ident(key)} is not null group by all"
            ).fetchall()
        }
        recorded = {
            file_key: (rows, version_value)
            for file_key, rows, version_value in con.execute(
                f"select file_key, rows, version from {LAKE_STATE}.files where table_name = ?",
                [table],
            ).fetchall()
        }
        for path, state in sorted(current.items()):
            target = folder / lake_file_name(path)
            if recorded.get(path) == state and target.exists():
                continue
            _copy(
                con,
                f"select * from {relation} where {ident(key)} = {_sql_text(path)}",
                target,
            )
            con.execute(
                f"insert or replace into {LAKE_STATE}.files values (?, ?, ?, ?)",
                [table, path, state[0], state[1]],
            )
            result.files_written += 1
        for path in sorted(set(recorded) - set(current)):
            con.execute(
                f"delete from {LAKE_STATE}.files where table_name = ? and file_key = ?",
                [table, path],
            )
        # Every other Parquet file goes: rows raw no longer has (a superseded GA4 delivery),
        # also one whose record a killed run never wrote.
        keep = {SCHEMA_FILE, *(lake_file_name(path) for path in current)}
        for stale in folder.glob("*.parquet"):
            if stale.name not in keep:
                stale.unlink(missing_ok=True)
                result.files_removed += 1
    log.info(
        "raw lake %s: %d tables, %d files written, %d removed",
        lake_dir,
        result.tables,
        result.files_written,
        result.files_removed,
    )
    return result
