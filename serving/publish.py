"""Atomic publish of the ``marts`` schema to the serving database (SPEC section 6).

BI tools read the serving file at any time, also while a run writes. DuckDB
locks a file for the one process that opens it read-write, so readers can never
share the working warehouse with the pipeline. Instead the marts are copied
into a *new* file next to the serving database, that file is closed, and
``os.replace`` swaps it in: on POSIX a rename is atomic, so a reader that opens
the path gets either the old file or the new one, and a reader that already
has the old file open keeps reading the old inode until it reconnects.

The new file is written in an older storage version (default ``v1.4.0``)
because BI clients embed their own, often 1.x, DuckDB, which cannot read
DuckDB 2.0's default format.

This module never imports dagster: it is called from the publish asset and
can be called from a script or a test alike.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.warehouse import checked_size

MARTS_SCHEMA = "marts"
_VERSION_PATTERN = re.compile(r"v\d+\.\d+\.\d+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class PublishResult:
    """What was published: the serving path and the row count of every mart."""

    serving_path: Path
    storage_version: str
    row_counts: dict[str, int] = field(default_factory=dict)

    @property
    def tables(self) -> list[str]:
        return sorted(self.row_counts)


def _quote(identifier: str) -> str:
    if not _IDENTIFIER.fullmatch(identifier):
        raise ValueError(f"unexpected table name in schema {MARTS_SCHEMA}: {identifier!r}")
    return f'"{identifier}"'


def _checked_version(storage_version: str) -> str:
    """The version goes into an ATTACH statement: accept only 'vX.Y.Z'."""
    if not _VERSION_PATTERN.fullmatch(storage_version):
        raise ValueError(
            f"REVOPS_SERVING_STORAGE_VERSION must look like 'v1.4.0', got {storage_version!r}"
        )
    return storage_version


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable: a crash right after must not resurrect the old file."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_marts(
    warehouse: Path | str,
    serving: Path | str,
    *,
    storage_version: str = "v1.4.0",
    memory_limit: str | None = None,
    threads: int | None = None,
) -> PublishResult:
    """Copy every table and view of schema ``marts`` from ``warehouse`` to ``serving``, atomically.

    The warehouse is attached read-only from an in-memory connection, so publish
    needs no write lock on it. Views are materialized as tables: the serving
    file must stand on its own. Raises when the warehouse has no marts, leaving
    the existing serving file untouched (an empty publish would blank every
    dashboard).
    """
    warehouse = Path(warehouse)
    serving = Path(serving)
    storage_version = _checked_version(storage_version)
    serving.parent.mkdir(parents=True, exist_ok=True)
    tmp = serving.with_name(f".{serving.name}.{os.getpid()}.publishing")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)

    row_counts: dict[str, int] = {}
    con = duckdb.connect()
    try:
        if memory_limit:
            con.execute(f"set memory_limit = '{checked_size(memory_limit)}'")
        if threads:
            con.execute(f"set threads = {int(threads)}")
        con.execute(f"attach '{_sql_path(warehouse)}' as wh (read_only)")
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'wh' and table_schema = ? order by table_name",
                [MARTS_SCHEMA],
            ).fetchall()
        ]
        if not tables:
            raise RuntimeError(
                f"warehouse {warehouse} has no tables in schema {MARTS_SCHEMA!r}: "
                "nothing to publish"
            )
        con.execute(f"attach '{_sql_path(tmp)}' as pub (storage_version '{storage_version}')")
        con.execute(f"create schema pub.{MARTS_SCHEMA}")
        for table in tables:
            name = _quote(table)
            con.execute(
                f"create table pub.{MARTS_SCHEMA}.{name} as select * from wh.{MARTS_SCHEMA}.{name}"
            )
            (count,) = con.execute(f"select count(*) from pub.{MARTS_SCHEMA}.{name}").fetchall()[0]
            row_counts[table] = int(count)
        con.execute("checkpoint pub")
        con.execute("detach pub")
        con.execute("detach wh")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        raise
    con.close()

    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, serving)
    _fsync_dir(serving.parent)
    return PublishResult(
        serving_path=serving, storage_version=storage_version, row_counts=row_counts
    )


def _sql_path(path: Path) -> str:
    """Paths go into ATTACH as string literals: escape single quotes."""
    return str(path).replace("'", "''")


def storage_version_of(path: Path | str) -> int:
    """The storage version number in a DuckDB file header (bytes 12-19 after the magic ``DUCK``).

    DuckDB 1.x clients read versions 64-67; DuckDB 2.0's own default writes 999.
    Used by tests and by `revops run` to show what BI clients can open.
    """
    with open(path, "rb") as handle:
        header = handle.read(20)
    if header[8:12] != b"DUCK":
        raise ValueError(f"{path} is not a DuckDB database file")
    return int.from_bytes(header[12:20], "little")
