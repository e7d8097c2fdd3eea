"""Salesforce Data Export / Data Loader snapshots: `salesforce/<snapshot>/<Object>.csv`.

Columns are the API names lower-cased, typed by ingest/mappings/salesforce_fields.csv
(fields not in the map stay VARCHAR). Every row carries its snapshot; staging
reads the newest one. A field that appears in a later export is added to the
raw table with ALTER TABLE, so earlier snapshots read NULL there.

A batch stages all files of one object with the same header (typically the
same object in several snapshots) with one multi-file read and one typing
statement.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime

import duckdb

from ingest.errors import FileError
from ingest.landing import LandingFile
from ingest.loader import (
    LINEAGE_COLUMNS,
    LINEAGE_DDL,
    RAW,
    LoadState,
    Prepared,
    Staged,
    ensure_columns,
)
from ingest.mappings import salesforce_field_types, salesforce_fields, salesforce_objects
from ingest.sql import (
    SALESFORCE_SQL_TYPES,
    file_of,
    ident,
    invalid_check,
    literal,
    raw_line,
    reason_invalid,
    reason_overflow,
    salesforce_typed,
)
from ingest.textfile import (
    DELIMITERS,
    Encoding,
    Header,
    detect_file_encoding,
    encoding_note,
    head_lines,
    header_columns,
    read_cells,
    readable_copy,
)

CELLS = "_sf_cells"
STAGE = "_sf_stage"
SNAPSHOT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$")
# `Lead (1).csv`: a browser's second download of the same object
OBJECT_FILE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*?)(?: \(\d+\))?\.csv$", re.IGNORECASE)


def snapshot_at(folder: str) -> datetime | None:
    """`2026-03-04` -> 00:00 UTC; `2026-03-04T102213Z` -> 10:22:13 UTC."""
    found = SNAPSHOT.match(folder)
    if not found:
        return None
    day, hh, mm, ss = found.groups()
    try:
        return datetime.fromisoformat(f"{day}T{hh or '00'}:{mm or '00'}:{ss or '00'}")
    except ValueError:
        return None


# Columns without which a file of the object cannot be loaded (docs/data-quality.md); others may be
# missing and stay NULL.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "OpportunityHistory": ("Id", "OpportunityId"),
    "Task": ("Id", "WhoId"),
    "CampaignMember": ("Id", "CampaignId"),
}


def api_name(object_name: str) -> str:
    """The object's API name however the file spells it: `lead` -> `Lead`,
    `opportunityhistory` / `Opportunity_History` -> `OpportunityHistory`."""
    return salesforce_objects().get(object_name.lower().replace("_", ""), object_name)


def table_name(object_name: str) -> str:
    """`OpportunityHistory` (or `opportunityhistory`) -> `salesforce__opportunity_history`."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", api_name(object_name)).lower()
    return f"salesforce__{snake}"


def _header(file: LandingFile, lines: list[str]) -> Header:
    import csv

    first = next(((i, line) for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise FileError(f"{file.rel_path}: the file has no header row (it is empty)")
    index, line = first
    delimiter = max(DELIMITERS, key=lambda d: len(next(csv.reader([line], delimiter=d))))
    cells = [c.replace("\ufeff", "").strip() for c in next(csv.reader([line], delimiter=delimiter))]
    return Header(index, delimiter, cells)


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ?",
        [RAW, table],
    ).fetchall()
    return dict(rows)


@dataclass(frozen=True)
class SalesforceFile:
    encoding: Encoding
    header: Header
    fields: tuple[str, ...]  # lower-cased API names, each once
    kinds: tuple[str, ...]  # salesforce_fields.csv type per field
    cells: tuple[int, ...] = ()  # the header cell each field is read from
    extras: tuple[tuple[int, str], ...] = ()  # (cell, name in _extra): repeated/empty headers


class SalesforceParser:
    """The loader's parser interface (ingest.loader.Parser) for Salesforce snapshots."""

    def conflict_key(self, file: LandingFile) -> None:
        return None

    def prepare(self, con: duckdb.DuckDBPyConnection, item: Prepared, state: LoadState) -> None:
        file = item.file
        parts = file.rel_path.split("/")
        if len(parts) != 3:
            raise FileError(
                f"{file.rel_path}: Salesforce files belong in salesforce/<snapshot>/<Object>.csv "
                "(snapshot = export date, YYYY-MM-DD or YYYY-MM-DDTHHMMSSZ)"
            )
        folder, file_name = parts[1], parts[2]
        taken_at = snapshot_at(folder)
        if taken_at is None:
            raise FileError(
                f"{file.rel_path}: snapshot folder {folder!r} is not an export date "
                "(YYYY-MM-DD or YYYY-MM-DDTHHMMSSZ)"
            )
        found = OBJECT_FILE.match(file_name)
        if not found:
            raise FileError(
                f"{file.rel_path}: expected <Object>.csv named after a Salesforce object"
            )
        object_name = api_name(found.group(1))

        encoding = detect_file_encoding(file.path)
        item.notes += [n for n in [encoding_note(encoding)] if n]
        header = _header(file, head_lines(file.path, encoding))
        item.header_columns = header_columns(header.cells)
        fields: list[str] = []
        cells: list[int] = []
        extras: list[tuple[int, str]] = []
        for index, name in enumerate(header.cells):
            field = name.lower()
            if field and field not in fields:
                fields.append(field)
                cells.append(index)
                continue
            if not field:
                extras.append((index, f"(column {index + 1})"))
                item.notes.append(f"empty header in column {index + 1}: kept in _extra")
                continue
            original = header.cells[cells[fields.index(field)]]
            unique = f"{name} ({sum(1 for _, n in extras if n.startswith(name + ' (')) + 2})"
            extras.append((index, unique))
            item.notes.append(
                f'duplicate header "{original}": the first is used, the other is in _extra '
                f'as "{unique}"'
            )
        missing = [k for k in KEY_FIELDS.get(object_name, ("Id",)) if k.lower() not in fields]
        if missing:
            found_cells = ", ".join(c for c in header.cells if c) or "(none)"
            raise FileError(
                f"{file.rel_path}: missing required column(s) {', '.join(missing)}; "
                f"columns found: {found_cells}; a {object_name} file cannot load without "
                f"{' and '.join(KEY_FIELDS.get(object_name, ('Id',)))}"
            )
        if found.group(1) != object_name:
            item.notes.append(f"file name {file_name}: object {object_name}")
        types = salesforce_field_types()
        known_object = any(obj == object_name.lower() for obj, _ in types)
        kinds = tuple(types.get((object_name.lower(), f), "string") for f in fields)
        item.table = table_name(object_name)
        item.info = SalesforceFile(
            encoding, header, tuple(fields), kinds, tuple(cells), tuple(extras)
        )
        item.constants = {"_snapshot_id": folder, "_snapshot_at": taken_at}
        item.extra_columns = [
            header.cells[i]
            for f, i in zip(fields, cells, strict=True)
            if known_object and (object_name.lower(), f) not in types
        ]

    def ensure_tables(self, con: duckdb.DuckDBPyConnection, items: list[Prepared]) -> None:
        """Tables and new columns in file order, as file-by-file loading would add them."""
        known: dict[str, dict[str, str]] = {}
        for item in items:
            info: SalesforceFile = item.info
            if item.table not in known:
                known[item.table] = _table_columns(con, item.table)
            existing = known[item.table]
            columns = {
                f: SALESFORCE_SQL_TYPES[k] for f, k in zip(info.fields, info.kinds, strict=True)
            }
            _ensure_table(con, item.table, columns, existing)
            existing.update({f: t for f, t in columns.items() if f not in existing})

    def stage(self, con: duckdb.DuckDBPyConnection, items: list[Prepared]) -> list[Staged]:
        groups: dict[tuple, list[Prepared]] = {}
        for item in items:
            info: SalesforceFile = item.info
            header = (info.header.line_index, info.header.delimiter, tuple(info.header.cells))
            key = (item.table, info.encoding, header, info.kinds)
            groups.setdefault(key, []).append(item)
        staged = []
        with ExitStack() as stack:
            for number, members in enumerate(groups.values()):
                paths, duck_encoding = [], "utf-8"
                for item in members:
                    path, duck_encoding = stack.enter_context(
                        readable_copy(item.file.path, item.info.encoding)
                    )
                    paths.append(str(path))
                cells, stage = f"{CELLS}_{number}", f"{STAGE}_{number}"
                staged.append(_stage_group(con, members, paths, duck_encoding, cells, stage))
        return staged


PARSER = SalesforceParser()


def _stage_group(
    con: duckdb.DuckDBPyConnection,
    members: list[Prepared],
    paths: list[str],
    encoding: str,
    cells_table: str,
    stage: str,
) -> Staged:
    info: SalesforceFile = members[0].info
    header = info.header
    width = len(header.cells)
    con.execute(
        f"create or replace temp table {cells_table} as "
        f"select {file_of([item.index for item in members])} as _file, * "
        f"from {read_cells(paths, encoding, header)}"
    )
    values, reasons = [], []
    for field, kind, i in zip(info.fields, info.kinds, info.cells, strict=True):
        rule = salesforce_typed(kind, f"c{i}")
        values.append(f"{rule.value} as {ident(field)}")
        if rule.invalid:
            check = invalid_check(rule, ident(field))
            reason = reason_invalid(header.cells[i], f"c{i}", rule.problem)
            reasons.append(f"case when {check} then {reason} end")
    extra = "cast(null as json)"
    if info.extras:
        pairs = ", ".join(f"{literal(name)}, c{i}" for i, name in info.extras)
        extra = f"json_object({pairs})"
    reasons.append(reason_overflow(width))
    cells = [f"c{i}" for i in range(width)]
    all_empty = " and ".join(f"coalesce({c}, '') = ''" for c in cells)
    delimiter = literal(header.delimiter)
    raw = f"{raw_line(cells, header.delimiter)} || coalesce({delimiter} || _overflow, '')"
    columns = ", ".join(ident(f) for f in info.fields)
    # Row numbers from a window over (_file, _line) only, joined back: a window
    # over the wide rows cost more than typing them. The raw line only for
    # rejected rows: it is a copy of the whole row otherwise.
    con.execute(
        f"""create or replace temp table {stage} as
        with t as (select rowid as _line, * from {cells_table} where not ({all_empty})),
        n as (select _line, row_number() over (partition by _file order by _line) as _row_number
            from t),
        v as (select *, {", ".join(values)} from t),
        r as (select *, nullif(concat_ws('; ', {", ".join(reasons)}), '') as _reason from v)
        select r._file, n._row_number, {columns}, _reason,
            case when _reason is not null then {raw} end as _raw_line,
            {extra} as _extra
        from r join n using (_line)"""
    )
    return Staged(
        table=members[0].table,
        relation=stage,
        columns=list(info.fields),
        files=[item.index for item in members],
        newest_data_date="cast(f._snapshot_at as date)",
        cleanup=[cells_table, stage],
    )


SNAPSHOT_COLUMNS = {"_snapshot_id": "VARCHAR", "_snapshot_at": "TIMESTAMP"}


def ensure_object_tables(
    con: duckdb.DuckDBPyConnection,
    tables: tuple[str, ...],
    existing: dict[str, set[str]] | None = None,
) -> None:
    """raw.salesforce__<table> for each table name (`opportunity_history`), with every
    field salesforce_fields.csv types for its object: an object no export delivered reads
    empty, a field an export lacks reads NULL."""
    for table in tables:
        object_name = api_name(table)
        columns = {f: SALESFORCE_SQL_TYPES[k] for f, k in salesforce_fields(object_name)}
        if not columns:
            columns = {"id": "VARCHAR"}
        ensure_columns(
            con,
            f"salesforce__{table}",
            columns | SNAPSHOT_COLUMNS | LINEAGE_COLUMNS | {"_extra": "JSON"},
            existing,
        )


def _ensure_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: dict[str, str],
    existing: dict[str, str],
) -> None:
    if not existing:
        cols = ", ".join(f"{ident(f)} {t}" for f, t in columns.items())
        con.execute(
            f"create table {RAW}.{ident(table)} ({cols}, _snapshot_id VARCHAR, "
            f"_snapshot_at TIMESTAMP, {LINEAGE_DDL}, _extra JSON)"
        )
        return
    for field, sql_type in columns.items():
        if field not in existing:
            con.execute(f"alter table {RAW}.{ident(table)} add column {ident(field)} {sql_type}")
