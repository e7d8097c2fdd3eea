"""The one shared loader (SPEC section 5): nothing lost, nothing twice.

A parser turns one file into a staged temp table of typed rows, each with
``_row_number``, ``_reason`` (NULL for a good row) and ``_raw_line``. The
loader then, in ONE transaction per file, replaces what an earlier version of
the same file (or delivery) loaded, inserts the good rows with their lineage,
the rejected rows with their reasons, and the ``raw.ingest_log`` row. A run
killed anywhere leaves the file wholly loaded or not at all; without its log
row the next run simply loads it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

from ingest.errors import FileError, Superseded
from ingest.landing import LandingFile, sha256_of, utcnow
from ingest.sql import ident

RAW = "raw"

BOOKKEEPING_DDL = (
    f"create schema if not exists {RAW}",
    f"""create table if not exists {RAW}.ingest_log (
        file_path VARCHAR, file_size BIGINT, file_sha256 VARCHAR, source VARCHAR,
        rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, status VARCHAR,
        error VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
        file_modified_at TIMESTAMP, extra_columns VARCHAR, newest_data_date DATE)""",
    f"""create table if not exists {RAW}.rejected_rows (
        file_path VARCHAR, row_number BIGINT, raw_line VARCHAR, reason VARCHAR,
        source VARCHAR, file_sha256 VARCHAR, rejected_at TIMESTAMP)""",
)

LINEAGE_DDL = """_source_file VARCHAR, _file_sha256 VARCHAR, _row_number BIGINT,
    _loaded_at TIMESTAMP, _file_modified_at TIMESTAMP"""


def ensure_bookkeeping(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in BOOKKEEPING_DDL:
        con.execute(ddl)


@dataclass
class Staged:
    """What a parser hands the loader: a temp table of typed rows for one raw table."""

    table: str  # raw table, without schema
    stage: str  # temp table: data columns + _row_number, _reason, _raw_line[, _extra]
    columns: list[str]  # data columns to insert (already in the raw table)
    has_extra: bool = True
    constants: dict[str, Any] = field(default_factory=dict)  # e.g. _delivery_key, _snapshot_id
    replace_where: dict[str, Any] = field(default_factory=dict)  # rows this file supersedes
    extra_columns: list[str] = field(default_factory=list)
    newest_data_date: str | None = None  # SQL aggregate over the stage's good rows
    cleanup: list[str] = field(default_factory=list)  # more temp tables to drop


Parser = Callable[[duckdb.DuckDBPyConnection, LandingFile], Staged]


@dataclass(frozen=True)
class FileOutcome:
    file_path: str
    status: str  # loaded | skipped_duplicate | failed
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    error: str | None = None
    table: str | None = None
    newest_data_date: date | None = None


def current_duplicate(con: duckdb.DuckDBPyConnection, file: LandingFile, sha: str) -> str | None:
    """A path in the same dedup scope whose current loaded version has this checksum.

    "Current" is the latest loaded version of each path, so a file that changes
    and then changes back is loaded again rather than skipped.
    """
    row = con.execute(
        f"""with current as (
            select file_path, arg_max(file_sha256, finished_at) as sha
            from {RAW}.ingest_log where source = ? and status = 'loaded' group by file_path)
        select file_path from current
        where sha = ? and starts_with(file_path, ?)
        order by file_path = ? desc, file_path limit 1""",
        [file.source, sha, file.dedup_scope, file.rel_path],
    ).fetchall()
    return row[0][0] if row else None


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    file: LandingFile,
    parser: Parser,
    log: logging.Logger,
) -> FileOutcome:
    """Load one file in one transaction; every outcome is written to raw.ingest_log."""
    started = utcnow()
    sha: str | None = None
    try:
        sha = sha256_of(file.path)
        duplicate = current_duplicate(con, file, sha)
        if duplicate is not None:
            note = (
                "unchanged content"
                if duplicate == file.rel_path
                else f"same content as {duplicate}"
            )
            return _record_other(con, file, sha, started, "skipped_duplicate", note, log)
        return _load(con, file, sha, parser, started, log)
    except Superseded as exc:
        return _record_other(con, file, sha, started, "skipped_duplicate", str(exc), log)
    except FileError as exc:
        return _record_other(con, file, sha, started, "failed", str(exc), log)
    except (duckdb.Error, OSError, UnicodeError, ValueError) as exc:
        message = f"{file.rel_path}: could not be read: {_first_line(exc)}"
        return _record_other(con, file, sha, started, "failed", message, log)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _load(
    con: duckdb.DuckDBPyConnection,
    file: LandingFile,
    sha: str,
    parser: Parser,
    started: datetime,
    log: logging.Logger,
) -> FileOutcome:
    if file.size == 0:
        raise FileError(f"{file.rel_path}: the file is empty (0 bytes)")
    con.execute("begin transaction")
    try:
        staged = parser(con, file)
        outcome = _write(con, file, sha, staged, started)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    log.info(
        "%s: loaded %d of %d rows into raw.%s (%d rejected)",
        file.rel_path,
        outcome.rows_loaded,
        outcome.rows_read,
        staged.table,
        outcome.rows_rejected,
    )
    return outcome


def _write(
    con: duckdb.DuckDBPyConnection,
    file: LandingFile,
    sha: str,
    staged: Staged,
    started: datetime,
) -> FileOutcome:
    target = f"{RAW}.{ident(staged.table)}"
    stage = ident(staged.stage)
    read, rejected = con.execute(f"select count(*), count(_reason) from {stage}").fetchall()[0]
    newest = None
    if staged.newest_data_date:
        newest = con.execute(
            f"select {staged.newest_data_date} from {stage} where _reason is null"
        ).fetchall()[0][0]

    # An earlier version of this path, or a delivery this file supersedes, goes.
    # Only looked up when the log says so: a delete scans the table.
    replace = dict(staged.replace_where)
    if _loaded_before(con, file):
        replace["_source_file"] = file.rel_path
    if replace:
        where = " or ".join(f"{ident(k)} = ?" for k in replace)
        con.execute(f"delete from {target} where {where}", list(replace.values()))

    loaded_at = utcnow()
    constants = {
        "_source_file": file.rel_path,
        "_file_sha256": sha,
        "_loaded_at": loaded_at,
        "_file_modified_at": file.modified_at,
    } | staged.constants
    select = [ident(c) for c in staged.columns] + ["_row_number"]
    if staged.has_extra:
        select.append("_extra")
    select += [f"? as {ident(k)}" for k in constants]
    con.execute(
        f"insert into {target} by name "
        f"select {', '.join(select)} from {stage} where _reason is null",
        list(constants.values()),
    )
    con.execute(
        f"""insert into {RAW}.rejected_rows
        select ?, _row_number, _raw_line, _reason, ?, ?, ? from {stage}
        where _reason is not null order by _row_number""",
        [file.rel_path, file.source, sha, loaded_at],
    )
    outcome = FileOutcome(
        file_path=file.rel_path,
        status="loaded",
        rows_read=read,
        rows_loaded=read - rejected,
        rows_rejected=rejected,
        table=staged.table,
        newest_data_date=newest,
    )
    write_log(con, file, sha, started, outcome, ",".join(staged.extra_columns) or None)
    for temp in [staged.stage, *staged.cleanup]:
        con.execute(f"drop table if exists {ident(temp)}")
    return outcome


def _loaded_before(con: duckdb.DuckDBPyConnection, file: LandingFile) -> bool:
    return bool(
        con.execute(
            f"select count(*) from {RAW}.ingest_log where file_path = ? and status = 'loaded'",
            [file.rel_path],
        ).fetchall()[0][0]
    )


def write_log(
    con: duckdb.DuckDBPyConnection,
    file: LandingFile,
    sha: str | None,
    started: datetime,
    outcome: FileOutcome,
    extra_columns: str | None = None,
) -> None:
    con.execute(
        f"insert into {RAW}.ingest_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            file.rel_path,
            file.size,
            sha,
            file.source,
            outcome.rows_read,
            outcome.rows_loaded,
            outcome.rows_rejected,
            outcome.status,
            outcome.error,
            started,
            utcnow(),
            file.modified_at,
            extra_columns,
            outcome.newest_data_date,
        ],
    )


def _record_other(
    con: duckdb.DuckDBPyConnection,
    file: LandingFile,
    sha: str | None,
    started: datetime,
    status: str,
    message: str,
    log: logging.Logger,
) -> FileOutcome:
    outcome = FileOutcome(file_path=file.rel_path, status=status, error=message)
    con.execute("begin transaction")
    try:
        write_log(con, file, sha, started, outcome)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    if status == "failed":
        log.warning("failed: %s", message)
    else:
        log.info("%s: skipped_duplicate: %s", file.rel_path, message)
    return outcome
