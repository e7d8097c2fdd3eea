"""The one shared loader (docs/data-quality.md#ingest-rules): nothing lost, nothing twice.

Files of one source are loaded in batches. For every file the loader hashes
it, skips it when its content is already loaded, and lets the source's parser
check it (:func:`prepare`: name, header, required columns; Python only, a few
KB read). The files that pass are staged together: the parser reads all of
them with a handful of DuckDB statements (one multi-file read per header
shape, one typing statement) into temp tables of typed rows, each row with
its file (``_file``), its row number, ``_reason`` (NULL for a good row) and
``_raw_line``. Then ONE transaction per batch replaces what earlier versions
of those files (or deliveries) loaded, inserts the good rows with their
lineage, the rejected rows with their reasons and one ``raw.ingest_log`` row
per file.

Why batches: the fixed cost of a statement (planning the typing SQL alone is
~40 ms) and of a commit (WAL write, checkpoints) dominated small files; a batch
pays it once. What stays per file: its log row, its rejected rows, its
rows_read = rows_loaded + rows_rejected, and its failure. A file that fails
(missing column, unreadable) never enters or never commits with the batch:
header problems are found before staging; if staging or writing the batch
fails, the batch is retried one file at a time, so only the bad file fails.

Kill safety: a batch commits whole or not at all, so a run killed anywhere
leaves every file wholly loaded or not at all; without its log row the next
run simply loads it again. Files whose outcome depends on another file of the
same batch (same checksum in the same scope, same GA4 delivery) go to the
next batch, so every decision sees committed state, exactly as file by file.
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol

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
        file_modified_at TIMESTAMP, extra_columns VARCHAR, newest_data_date DATE,
        parse_notes VARCHAR, header_columns VARCHAR)""",
    # warehouses made before these columns existed
    f"alter table {RAW}.ingest_log add column if not exists parse_notes VARCHAR",
    f"alter table {RAW}.ingest_log add column if not exists header_columns VARCHAR",
    f"""create table if not exists {RAW}.rejected_rows (
        file_path VARCHAR, row_number BIGINT, raw_line VARCHAR, reason VARCHAR,
        source VARCHAR, file_sha256 VARCHAR, rejected_at TIMESTAMP)""",
)

LOG_COLUMNS = (
    "file_path",
    "file_size",
    "file_sha256",
    "source",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "status",
    "error",
    "started_at",
    "finished_at",
    "file_modified_at",
    "extra_columns",
    "newest_data_date",
    "parse_notes",
    "header_columns",
)

LINEAGE_COLUMNS = {
    "_source_file": "VARCHAR",
    "_file_sha256": "VARCHAR",
    "_row_number": "BIGINT",
    "_loaded_at": "TIMESTAMP",
    "_file_modified_at": "TIMESTAMP",
}
LINEAGE_DDL = ", ".join(f"{name} {sql_type}" for name, sql_type in LINEAGE_COLUMNS.items())

FILES = "_batch_files"  # temp table: one row per file of the batch, joined as `f`

# A batch closes at this many files or (estimated, uncompressed) bytes: large
# enough that DuckDB writes the rows straight to the database file (a row group
# is 122,880 rows) instead of the WAL, small enough to keep the staged rows of
# one batch well inside the memory limit.
BATCH_FILES = 400
BATCH_BYTES = 192 * 2**20

# What reading a file can raise; anything else is a bug and propagates.
READ_ERRORS = (duckdb.Error, OSError, UnicodeError, ValueError)


def ensure_bookkeeping(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in BOOKKEEPING_DDL:
        con.execute(ddl)


def raw_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Table -> its column names, for every table of the raw schema (one query)."""
    found: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = ?",
        [RAW],
    ).fetchall():
        found.setdefault(table, set()).add(column)
    return found


def ensure_columns(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: dict[str, str],
    existing: dict[str, set[str]] | None = None,
) -> None:
    """Create raw.<table> with `columns` (name -> SQL type, lineage included), or add the
    columns it lacks (a warehouse made by an older version: earlier rows read NULL there)."""
    existing = raw_columns(con) if existing is None else existing
    have = existing.get(table)
    if have is None:
        cols = ", ".join(f"{ident(name)} {sql_type}" for name, sql_type in columns.items())
        con.execute(f"create table if not exists {RAW}.{ident(table)} ({cols})")
        existing[table] = set(columns)
        return
    for name, sql_type in columns.items():
        if name not in have:
            con.execute(
                f"alter table {RAW}.{ident(table)} add column if not exists {ident(name)} "
                f"{sql_type}"
            )
            have.add(name)


@dataclass
class Prepared:
    """One file accepted for a batch; the parser's prepare() fills in the rest."""

    file: LandingFile
    sha: str
    started: datetime
    table: str = ""  # raw table, without schema
    info: Any = None  # parser-specific: encoding, header, mapping...
    constants: dict[str, Any] = field(default_factory=dict)  # e.g. _delivery_key, _snapshot_id
    replace_where: dict[str, Any] = field(default_factory=dict)  # rows this file supersedes
    extra_columns: list[str] = field(default_factory=list)
    weight: int = 0  # estimated bytes of text, for batch sizing
    index: int = -1  # `_file` in the batch's temp tables
    loaded_before: bool = False  # an earlier version of this path is loaded: its rows go
    notes: list[str] = field(default_factory=list)  # parse decisions found by prepare()
    stage_notes: list[str] = field(default_factory=list)  # found by stage(), reset before it
    header_columns: str | None = None  # `|id|email|...|`: the header, lower-cased

    def parse_notes(self) -> str | None:
        """What ingest_log.parse_notes says: `; `-joined, NULL when nothing was decided."""
        return "; ".join(dict.fromkeys([*self.notes, *self.stage_notes])) or None


@dataclass
class Child:
    """Rows of another raw table that come from the data rows of a Staged (a HubSpot
    contact's associations): inserted with their parent row's lineage (``_row_number`` is
    the parent's), only for good parent rows, and replaced whenever the parent file's rows
    are, in the same transaction. They are not counted: rows_read counts data rows. The
    child table has the lineage columns and the parent files' constants, so the rows a
    file supersedes are found in it as in the parent table."""

    table: str
    # Table or subquery (aliased ``c``) with ``_file``, ``_row_number`` and ``columns``;
    # None: this batch adds no rows, but what earlier versions of its files added still goes.
    relation: str | None
    columns: list[str]


@dataclass
class Staged:
    """Typed rows of some files of a batch for one raw table.

    ``relation`` is a table or subquery (aliased ``s``) with ``_file``,
    ``_row_number``, the data columns, ``_reason`` and ``_raw_line`` (and
    ``_extra``), holding exactly the files' data rows.
    """

    table: str
    relation: str
    columns: list[str]
    files: list[int]
    has_extra: bool = True
    newest_data_date: str | None = None  # SQL over s. and f., aggregated with max() over good rows
    empty_error: str | None = None  # a file without data rows fails: message with {path}
    # The good rows are inserted from this relation (aliased ``s``, same columns, may hold
    # several rows per data row: a multi-day ad row spread over its days); NULL: `relation`.
    # Counts (rows_read/rejected) always come from `relation`: one row per data row.
    insert_relation: str | None = None
    cleanup: list[str] = field(default_factory=list)  # temp tables to drop after the batch
    children: list[Child] = field(default_factory=list)  # rows of other tables from these rows


class Parser(Protocol):
    """A source format: see ingest/parsers/*.py."""

    def conflict_key(self, file: LandingFile) -> Any: ...

    def prepare(self, con: duckdb.DuckDBPyConnection, item: Prepared, state: LoadState) -> None: ...

    def stage(self, con: duckdb.DuckDBPyConnection, items: list[Prepared]) -> list[Staged]: ...

    def ensure_tables(self, con: duckdb.DuckDBPyConnection, items: list[Prepared]) -> None: ...


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


class LoadState:
    """What raw.ingest_log says is loaded for one source, read once per run and
    kept up to date as batches commit (instead of one log query per file)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, source: str) -> None:
        self.source = source
        self.current: dict[str, tuple[str, datetime]] = {}  # path -> (sha, finished_at)
        self.by_sha: dict[str, set[str]] = defaultdict(set)  # sha -> paths whose current sha
        self.versions: list[tuple[str, datetime]] = []  # every loaded (path, file_modified_at)
        self.cache: dict[str, Any] = {}  # parsers' derived indexes, reset on every change
        rows = con.execute(
            f"""select file_path, file_sha256, finished_at, file_modified_at
            from {RAW}.ingest_log where source = ? and status = 'loaded'
            order by finished_at""",
            [source],
        ).fetchall()
        for path, sha, finished, modified in rows:
            self._add(path, sha, finished, modified)

    def _add(self, path: str, sha: str, finished: datetime, modified: datetime) -> None:
        old = self.current.get(path)
        if old is None or finished >= old[1]:
            if old is not None:
                self.by_sha[old[0]].discard(path)
            self.current[path] = (sha, finished)
            self.by_sha[sha].add(path)
        self.versions.append((path, modified))
        self.cache.clear()

    def loaded(self, file: LandingFile, sha: str, finished: datetime) -> None:
        self._add(file.rel_path, sha, finished, file.modified_at)

    def loaded_before(self, file: LandingFile) -> bool:
        return file.rel_path in self.current

    def duplicate(self, file: LandingFile, sha: str) -> str | None:
        """A path in the same dedup scope whose current loaded version has this checksum.

        "Current" is the latest loaded version of each path, so a file that changes
        and then changes back is loaded again rather than skipped.
        """
        paths = [p for p in self.by_sha.get(sha, ()) if p.startswith(file.dedup_scope)]
        if not paths:
            return None
        return file.rel_path if file.rel_path in paths else min(paths)


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    source: str,
    files: list[LandingFile],
    parser: Parser,
    log: logging.Logger,
) -> list[FileOutcome]:
    """Load files (oldest first) in batches; every outcome is written to raw.ingest_log."""
    state = LoadState(con, source)
    outcomes: dict[str, FileOutcome] = {}
    batch: list[Prepared] = []
    keys: set[Any] = set()
    weight = 0

    def flush() -> None:
        nonlocal weight
        for outcome in _flush(con, batch, parser, state, log):
            outcomes[outcome.file_path] = outcome
        batch.clear()
        keys.clear()
        weight = 0

    for file in files:
        started = utcnow()
        sha: str | None = None
        item: Prepared | None = None
        try:
            sha = sha256_of(file.path)
            # A decision that depends on a file of the open batch waits for its commit.
            conflict = {("sha", file.dedup_scope, sha), parser.conflict_key(file)} - {None}
            if conflict & keys:
                flush()
            duplicate = state.duplicate(file, sha)
            if duplicate is not None:
                note = (
                    "unchanged content"
                    if duplicate == file.rel_path
                    else f"same content as {duplicate}"
                )
                outcomes[file.rel_path] = _record_other(
                    con, file, sha, started, "skipped_duplicate", note, log
                )
                continue
            if file.size == 0:
                raise FileError(f"{file.rel_path}: the file is empty (0 bytes)")
            item = Prepared(file, sha, started, weight=file.size)
            item.loaded_before = state.loaded_before(file)
            parser.prepare(con, item, state)
        except Superseded as exc:
            outcomes[file.rel_path] = _record_other(
                con, file, sha, started, "skipped_duplicate", str(exc), log
            )
            continue
        except FileError as exc:
            outcomes[file.rel_path] = _record_other(
                con, file, sha, started, "failed", str(exc), log, item
            )
            continue
        except READ_ERRORS as exc:
            message = f"{file.rel_path}: could not be read: {_first_line(exc)}"
            outcomes[file.rel_path] = _record_other(con, file, sha, started, "failed", message, log)
            continue
        if batch and (len(batch) >= BATCH_FILES or weight + item.weight > BATCH_BYTES):
            flush()
        batch.append(item)
        keys.update(conflict)
        weight += item.weight
    flush()
    return [outcomes[f.rel_path] for f in files if f.rel_path in outcomes]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _drop(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    for table in tables:
        con.execute(f"drop table if exists {ident(table)}")


def _flush(
    con: duckdb.DuckDBPyConnection,
    items: list[Prepared],
    parser: Parser,
    state: LoadState,
    log: logging.Logger,
) -> list[FileOutcome]:
    """Stage and write one batch; if it fails, each file alone, so only a bad file fails."""
    if not items:
        return []
    for index, item in enumerate(items):
        item.index = index
        item.stage_notes = []
    staged: list[Staged] = []
    try:
        try:
            staged = parser.stage(con, items)
            outcomes = _commit(con, items, staged, parser)
        finally:
            _drop(con, [FILES, *(t for s in staged for t in s.cleanup)])
    except (FileError, *READ_ERRORS) as exc:
        if len(items) > 1:
            return [o for item in items for o in _flush(con, [item], parser, state, log)]
        item = items[0]
        message = (
            str(exc)
            if isinstance(exc, FileError)
            else f"{item.file.rel_path}: could not be read: {_first_line(exc)}"
        )
        return [_record_other(con, item.file, item.sha, item.started, "failed", message, log, item)]
    finished = utcnow()
    for item, outcome in zip(items, outcomes, strict=True):
        if outcome.status == "loaded":
            state.loaded(item.file, item.sha, finished)
            log.info(
                "%s: loaded %d of %d rows into raw.%s (%d rejected)",
                outcome.file_path,
                outcome.rows_loaded,
                outcome.rows_read,
                outcome.table,
                outcome.rows_rejected,
            )
        else:
            log.warning("failed: %s", outcome.error)
    return outcomes


def _files_table(
    con: duckdb.DuckDBPyConnection, items: list[Prepared], loaded_at: datetime
) -> None:
    """One row per file of the batch: its lineage values and per-file constants."""
    constant_keys = list(dict.fromkeys(k for item in items for k in item.constants))
    names = ["_file", "_source_file", "_file_sha256", "_loaded_at", "_file_modified_at"]
    names += constant_keys
    params: list[Any] = []
    rows = []
    for item in items:
        values = [item.index, item.file.rel_path, item.sha, loaded_at, item.file.modified_at]
        values += [item.constants.get(k) for k in constant_keys]
        params += values
        rows.append("(" + ", ".join("?" for _ in values) + ")")
    types = ["INTEGER", "VARCHAR", "VARCHAR", "TIMESTAMP", "TIMESTAMP"]
    types += [
        _sql_type(next(i.constants[k] for i in items if k in i.constants)) for k in constant_keys
    ]
    casts = ", ".join(
        f"cast({ident(n)} as {t}) as {ident(n)}" for n, t in zip(names, types, strict=True)
    )
    con.execute(
        f"create or replace temp table {FILES} as select {casts} "
        f"from (values {', '.join(rows)}) as v({', '.join(ident(n) for n in names)})",
        params,
    )


def _sql_type(value: Any) -> str:
    if isinstance(value, datetime):
        return "TIMESTAMP"
    if isinstance(value, date):
        return "DATE"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "BIGINT"
    return "VARCHAR"


def _commit(
    con: duckdb.DuckDBPyConnection,
    items: list[Prepared],
    staged: list[Staged],
    parser: Parser,
) -> list[FileOutcome]:
    loaded_at = utcnow()
    _files_table(con, items, loaded_at)
    # Per-file figures first: a file without data rows may fail (GA4) and stays out.
    stats: dict[int, tuple[int, int, date | None]] = {}
    errors: dict[int, str] = {}
    for stage in staged:
        newest = (
            f"max({stage.newest_data_date}) filter (where s._reason is null)"
            if stage.newest_data_date
            else "cast(null as date)"
        )
        for index, read, rejected, newest_value in con.execute(
            f"""select s._file, count(*), count(s._reason), {newest}
            from {stage.relation} as s join {FILES} as f using (_file) group by s._file"""
        ).fetchall():
            stats[index] = (read, rejected, newest_value)
        if stage.empty_error:
            for index in stage.files:
                if not stats.get(index, (0,))[0]:
                    errors[index] = stage.empty_error.format(path=items[index].file.rel_path)
    good = [item for item in items if item.index not in errors]

    con.execute("begin transaction")
    try:
        parser.ensure_tables(con, good)
        for stage in staged:
            _write_rows(con, items, stage, set(errors))
        outcomes = []
        entries = []
        for item in items:
            if item.index in errors:
                outcome = FileOutcome(item.file.rel_path, "failed", error=errors[item.index])
                entries.append(LogEntry(item.file, item.sha, item.started, outcome))
            else:
                read, rejected, newest_value = stats.get(item.index, (0, 0, None))
                outcome = FileOutcome(
                    file_path=item.file.rel_path,
                    status="loaded",
                    rows_read=read,
                    rows_loaded=read - rejected,
                    rows_rejected=rejected,
                    table=item.table,
                    newest_data_date=newest_value,
                )
                extra = ",".join(item.extra_columns) or None
                entries.append(
                    LogEntry(
                        item.file,
                        item.sha,
                        item.started,
                        outcome,
                        extra,
                        item.parse_notes(),
                        item.header_columns,
                    )
                )
            outcomes.append(outcome)
        write_logs(con, entries)
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise
    return outcomes


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back; a failed COMMIT has already ended the transaction."""
    with contextlib.suppress(duckdb.TransactionException):
        con.execute("rollback")


def _write_rows(
    con: duckdb.DuckDBPyConnection, items: list[Prepared], stage: Staged, failed: set[int]
) -> None:
    target = f"{RAW}.{ident(stage.table)}"
    members = [items[i] for i in stage.files if i not in failed]
    if not members:
        return
    excluded = f" and s._file not in ({', '.join(map(str, sorted(failed)))})" if failed else ""
    # An earlier version of a path, or a delivery a file supersedes, goes first.
    replace: dict[str, list[Any]] = defaultdict(list)
    for item in members:
        for key, value in item.replace_where.items():
            replace[key].append(value)
        if item.loaded_before:
            replace["_source_file"].append(item.file.rel_path)
    where = " or ".join(f"{ident(k)} in ({', '.join('?' for _ in v)})" for k, v in replace.items())
    params = [x for v in replace.values() for x in v]
    if replace:
        con.execute(f"delete from {target} where {where}", params)

    constant_keys = list(dict.fromkeys(k for item in members for k in item.constants))
    lineage = [
        f"f.{ident(k)}"
        for k in ["_source_file", "_file_sha256", "_loaded_at", "_file_modified_at", *constant_keys]
    ]
    select = [f"s.{ident(c)}" for c in stage.columns] + ["s._row_number"]
    if stage.has_extra:
        select.append("s._extra")
    con.execute(
        f"insert into {target} by name select {', '.join([*select, *lineage])} "
        f"from {stage.insert_relation or stage.relation} as s join {FILES} as f using (_file) "
        f"where s._reason is null{excluded}"
    )
    # Child rows go and come with their parent file's rows; only good parent rows have any.
    for child in stage.children:
        child_target = f"{RAW}.{ident(child.table)}"
        if replace:
            con.execute(f"delete from {child_target} where {where}", params)
        if child.relation is None:
            continue
        child_select = [f"c.{ident(col)}" for col in child.columns] + ["c._row_number"]
        con.execute(
            f"insert into {child_target} by name select {', '.join([*child_select, *lineage])} "
            f"from {child.relation} as c join {FILES} as f using (_file) "
            f"semi join (select s._file, s._row_number from {stage.relation} as s "
            f"where s._reason is null{excluded}) as p using (_file, _row_number)"
        )
    con.execute(
        f"""insert into {RAW}.rejected_rows
        select f._source_file, s._row_number, s._raw_line, s._reason, ?,
            f._file_sha256, f._loaded_at
        from {stage.relation} as s join {FILES} as f using (_file)
        where s._reason is not null{excluded} order by s._file, s._row_number""",
        [members[0].file.source],
    )


class LogEntry(NamedTuple):
    file: LandingFile
    sha: str | None
    started: datetime
    outcome: FileOutcome
    extra_columns: str | None = None
    parse_notes: str | None = None
    header_columns: str | None = None


def write_logs(con: duckdb.DuckDBPyConnection, entries: list[LogEntry]) -> None:
    """The raw.ingest_log rows of a batch, one statement (a row per file)."""
    if not entries:
        return
    finished = utcnow()
    params: list[Any] = []
    for file, sha, started, outcome, extra_columns, notes, header_columns in entries:
        params += [
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
            finished,
            file.modified_at,
            extra_columns,
            outcome.newest_data_date,
            notes,
            header_columns,
        ]
    row = "(" + ", ".join("?" for _ in LOG_COLUMNS) + ")"
    con.execute(
        f"insert into {RAW}.ingest_log ({', '.join(LOG_COLUMNS)}) "
        f"values {', '.join(row for _ in entries)}",
        params,
    )


def write_log(
    con: duckdb.DuckDBPyConnection,
    file: LandingFile,
    sha: str | None,
    started: datetime,
    outcome: FileOutcome,
    extra_columns: str | None = None,
    parse_notes: str | None = None,
    header_columns: str | None = None,
) -> None:
    write_logs(
        con, [LogEntry(file, sha, started, outcome, extra_columns, parse_notes, header_columns)]
    )


def _record_other(
    con: duckdb.DuckDBPyConnection,
    file: LandingFile,
    sha: str | None,
    started: datetime,
    status: str,
    message: str,
    log: logging.Logger,
    item: Prepared | None = None,
) -> FileOutcome:
    """A file that loads no rows; a failed file still logs what its header said."""
    outcome = FileOutcome(file_path=file.rel_path, status=status, error=message)
    notes = item.parse_notes() if item is not None else None
    header = item.header_columns if item is not None else None
    con.execute("begin transaction")
    try:
        write_log(con, file, sha, started, outcome, None, notes, header)
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise
    if status == "failed":
        log.warning("failed: %s", message)
    else:
        log.info("%s: skipped_duplicate: %s", file.rel_path, message)
    return outcome
