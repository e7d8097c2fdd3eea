"""HubSpot CRM exports: `hubspot/<export date>/<object file>.csv` -> raw.hubspot__<object>.

Each file is one object of a full snapshot (contacts, companies, deals, owners, calls,
emails, meetings, tasks), named however the export tool names it: the object is the first
whose name, plural or singular, is a word of the file name (`Contacts.csv`,
`hubspot-crm-exports-all-contacts-2026-11-23.csv`, `all-deals (1).csv`).

Headers are the UI's property labels or the internal names, mixed, in any order; both map to
the internal name through ingest/mappings/hubspot_properties.csv, which also types the
column. An unknown header is a custom property: it is kept as a VARCHAR column named as
HubSpot names a new property (its label lower-cased, other characters `_`) and reported.

Two kinds of cells are no column: `Associated ...` cells (`Jane Doe (123); Bob (456)` or
`123;456`) become rows of raw.hubspot__associations, and a deal's `Date entered "<stage>
(<pipeline>)"` / `hs_v2_date_entered_<stage id>` cells rows of raw.hubspot__deal_stage_entries.
Both are children of the file's rows (ingest.loader.Child): same transaction, same lineage,
none for a rejected row, replaced with the file.

Datetimes: a cell with a zone (`Z`, an offset, epoch milliseconds) is converted to UTC; a
naive cell (a UI export writes the portal's time zone) is kept as written. Per file,
`_datetime_zone` is 'UTC' when its datetimes carry a zone, NULL when they are naive (dbt
converts them with the var hubspot_timezone); parse_notes says which.
"""

from __future__ import annotations

import csv
import re
from contextlib import ExitStack
from dataclasses import dataclass

import duckdb

from ingest.errors import FileError
from ingest.landing import LandingFile
from ingest.loader import (
    LINEAGE_COLUMNS,
    Child,
    LoadState,
    Prepared,
    Staged,
    ensure_columns,
    raw_columns,
)
from ingest.mappings import HubspotProperty, hubspot_properties, normalize_header
from ingest.parsers.salesforce import snapshot_at
from ingest.sql import (
    SALESFORCE_SQL_TYPES,
    US_DATETIME_FORMATS,
    VALUE,
    Typed,
    file_of,
    ident,
    invalid_check,
    literal,
    raw_line,
    reason_empty,
    reason_invalid,
    reason_overflow,
)
from ingest.textfile import (
    DELIMITERS,
    Encoding,
    Header,
    detect_file_encoding,
    encoding_note,
    head_lines,
    read_cells,
    readable_copy,
)
from revops.sources import HUBSPOT_OBJECTS

SOURCE = "hubspot"
CELLS = "_hs_cells"
STAGE = "_hs_stage"
ASSOCIATIONS = "hubspot__associations"
STAGE_ENTRIES = "hubspot__deal_stage_entries"

SQL_TYPES = {
    "id": "VARCHAR",
    "string": "VARCHAR",
    "owner": "VARCHAR",
    "datetime": "TIMESTAMP",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "decimal": SALESFORCE_SQL_TYPES["decimal"],  # the SQL type of a CRM currency amount
}
SNAPSHOT_COLUMNS = {"_snapshot_id": "VARCHAR", "_snapshot_at": "TIMESTAMP"}
ZONE_COLUMN = {"_datetime_zone": "VARCHAR"}
ASSOCIATION_COLUMNS = {
    "from_object": "VARCHAR",
    "from_id": "VARCHAR",
    "to_object": "VARCHAR",
    "to_id": "VARCHAR",
    "position": "INTEGER",
}
STAGE_ENTRY_COLUMNS = {
    "deal_id": "VARCHAR",
    "stage": "VARCHAR",
    "pipeline": "VARCHAR",
    "entered_at": "TIMESTAMP",
}


def key_property(object_name: str) -> str:
    """The required column: the record's id."""
    return "owner_id" if object_name == "owners" else "hs_object_id"


def table_name(object_name: str) -> str:
    return f"{SOURCE}__{object_name}"


def slug(label: str) -> str:
    """HubSpot's default internal name for a property label: `UTM Source` -> `utm_source`."""
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def _singular(object_name: str) -> str:
    return object_name[:-3] + "y" if object_name.endswith("ies") else object_name[:-1]


def objects_in_name(file_name: str) -> list[str]:
    """The objects whose name, plural or singular, is a word of the file name, in
    HUBSPOT_OBJECTS order (the first is the file's object)."""
    stem = re.sub(r"\.csv$", "", file_name.lower())
    words = set(re.split(r"[^a-z0-9]+", stem))
    return [o for o in HUBSPOT_OBJECTS if o in words or _singular(o) in words]


# ---------------------------------------------------------------- headers


@dataclass(frozen=True)
class Column:
    """What one header cell of a file becomes."""

    cell: int  # index in the header
    header: str  # as written
    kind: str  # column | extra | association | stage_entry | json (duplicate/empty: _extra)
    name: str  # raw column; association: associated object; stage_entry: stage; json: key
    type: str = "string"  # mapping type of a column
    pipeline: str | None = None  # stage_entry: the pipeline label of a UI header


@dataclass(frozen=True)
class HubspotFile:
    object: str
    encoding: Encoding
    header: Header
    columns: tuple[Column, ...]

    def of(self, kind: str) -> list[Column]:
        return [c for c in self.columns if c.kind == kind]

    @property
    def typed(self) -> list[Column]:
        """Raw columns of the object table: mapped properties and custom ones."""
        return [c for c in self.columns if c.kind in ("column", "extra")]


def _pattern(label: str) -> re.Pattern[str]:
    """A label with `{stage}` / `{pipeline}` as a regex: the stage is everything up to the last
    parenthesised part (a stage label may hold parentheses), the pipeline that part."""
    parts = []
    for piece in re.split(r"(\{stage\}|\{pipeline\}|\s+)", label):
        if piece == "{stage}":
            parts.append(r"(?P<stage>.+?)")
        elif piece == "{pipeline}":
            parts.append(r"(?P<pipeline>[^()]+)")
        elif piece.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(piece))
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE)


def _lookup(object_name: str) -> tuple[dict[str, HubspotProperty], list[tuple]]:
    """Normalized label or internal name -> property; and the stage-entry patterns."""
    aliases: dict[str, HubspotProperty] = {}
    patterns: list[tuple[re.Pattern[str], HubspotProperty]] = []
    for prop in hubspot_properties(object_name):
        names = [*prop.labels, prop.property] if prop.is_column else list(prop.labels)
        for name in names:
            if "{" in name:
                patterns.append((_pattern(name), prop))
            else:
                aliases.setdefault(normalize_header(name), prop)
    return aliases, patterns


def map_header(object_name: str, cells: list[str]) -> tuple[list[Column], list[str]]:
    """Each header cell's column, and the notes about duplicates and empty headers."""
    aliases, patterns = _lookup(object_name)
    properties = {p.property: p for p in hubspot_properties(object_name) if p.is_column}
    columns: list[Column] = []
    notes: list[str] = []
    first: dict[tuple[str, str, str | None], str] = {}  # what a cell fills -> its header
    for index, header in enumerate(cells):
        text = header.replace("\u201c", '"').replace("\u201d", '"').strip()
        prop = aliases.get(normalize_header(text))
        column: Column | None = None
        if prop is None and slug(text) in properties:
            prop = properties[slug(text)]  # `Hubspot Owner ID`: HubSpot's own name for it
        if prop is not None and prop.type == "association":
            column = Column(index, header, "association", prop.property)
        elif prop is not None:
            column = Column(index, header, "column", prop.property, prop.type)
        else:
            for pattern, stage_prop in patterns:
                found = pattern.match(re.sub(r"\s+", " ", text))
                if found:
                    groups = found.groupdict()
                    column = Column(
                        index,
                        header,
                        stage_prop.type,
                        groups["stage"].strip(),
                        pipeline=(groups.get("pipeline") or "").strip() or None,
                    )
                    break
        if column is None and slug(text):
            column = Column(index, header, "extra", slug(text))
        if column is None:
            columns.append(Column(index, header, "json", f"(column {index + 1})"))
            notes.append(f"empty header in column {index + 1}: kept in _extra")
            continue
        target = (
            "column" if column.kind == "extra" else column.kind,
            column.name,
            column.pipeline,
        )
        if target in first:
            repeat = sum(1 for c in columns if c.kind == "json" and c.name.startswith(header))
            unique = f"{header} ({repeat + 2})"
            columns.append(Column(index, header, "json", unique))
            notes.append(
                f'"{header}" fills the same column as "{first[target]}": the first is used, '
                f'the other is in _extra as "{unique}"'
            )
            continue
        first[target] = header
        columns.append(column)
    return columns, notes


def header_tokens(columns: list[Column]) -> str:
    """ingest_log.header_columns: what each header cell became, `|`-wrapped
    (`|hs_object_id|firstname|utm_source|`): the internal property name of a mapped
    column, else the header's slug, so a check asks for a property however the export
    labelled it."""
    names = [c.name if c.kind in ("column", "extra") else slug(c.header) for c in columns]
    return "|" + "|".join(n.replace("|", "/") for n in names) + "|"


def _header(file: LandingFile, lines: list[str]) -> Header:
    first = next(((i, line) for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise FileError(f"{file.rel_path}: the file has no header row (it is empty)")
    index, line = first
    delimiter = max(DELIMITERS, key=lambda d: len(next(csv.reader([line], delimiter=d))))
    cells = [c.replace("\ufeff", "").strip() for c in next(csv.reader([line], delimiter=delimiter))]
    return Header(index, delimiter, cells)


# ---------------------------------------------------------------- typing (SQL)

EPOCH_MS = "[0-9]{13}"
_TIME = r"[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?"
_ZONE = r"([Zz]|UTC|[+-][0-9]{2}(:?[0-9]{2})?)"
NAIVE = rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}([T ]{_TIME})?"
ZONED = rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ]{_TIME}\s*{_ZONE}"
ZONE_SUFFIX = rf"\s*{_ZONE}$"
DATETIME_PROBLEM = (
    "is not a datetime (expected e.g. 2026-03-04 10:22, 2026-03-04T10:22:13Z, "
    "03/04/2026 10:22 AM or epoch milliseconds)"
)


def _match(cell: str, pattern: str) -> str:
    return f"regexp_full_match({cell}, {literal(pattern)})"


def zoned(cell: str) -> str:
    """The cell carries its time zone: an offset, `Z`, or epoch milliseconds (UTC)."""
    s = f"trim({cell})"
    return f"({_match(s, EPOCH_MS)} or {_match(s, ZONED)})"


def datetime_value(cell: str) -> str:
    """A zoned cell as naive UTC, a naive one as written; NULL when it is neither.

    Strict patterns only: DuckDB's cast to TIMESTAMP drops an offset it does not apply.
    """
    s = f"trim({cell})"
    us = ", ".join(literal(f) for f in US_DATETIME_FORMATS)
    return (
        f"case when {_match(s, EPOCH_MS)} then make_timestamp(cast({s} as bigint) * 1000) "
        f"when {_match(s, ZONED)} then make_timestamp(epoch_us(try_cast({s} as timestamptz))) "
        f"when {_match(s, NAIVE)} then try_cast({s} as timestamp) "
        f"when contains({s}, '/') then try_strptime({s}, [{us}]) end"
    )


def date_value(cell: str) -> str:
    """A date; a datetime cell is truncated to the date written, never zone-converted."""
    s = f"trim({cell})"
    naive = f"regexp_replace({s}, {literal(ZONE_SUFFIX)}, '')"
    us = ", ".join(literal(f) for f in US_DATETIME_FORMATS)
    return (
        f"case when {_match(s, EPOCH_MS)} then cast(make_timestamp(cast({s} as bigint) * 1000) "
        f"as date) when {_match(s, ZONED)} then cast(try_cast({naive} as timestamp) as date) "
        f"when {_match(s, NAIVE)} then cast(try_cast({s} as timestamp) as date) "
        f"when contains({s}, '/') then cast(try_strptime({s}, [{us}]) as date) end"
    )


def typed(kind: str, cell: str) -> Typed:
    """Typed value of a HubSpot CSV cell for the column types of hubspot_properties.csv."""
    empty = f"(coalesce(trim({cell}), '') = '')"
    s = f"trim({cell})"
    if kind == "id":
        scientific = _match(s, r"[0-9]*\.?[0-9]+[eE][+-]?[0-9]+")
        return Typed(
            f"nullif({s}, '')",
            f"not {empty} and not {_match(s, '[0-9]+')}",
            f"case when {scientific} then 'is in scientific notation: the ID was rounded by a "
            f"spreadsheet' else 'is not a HubSpot ID (digits only)' end",
        )
    if kind == "owner":
        return Typed(f"nullif({s}, '')", None, "")
    if kind == "string":
        return Typed(f"nullif({cell}, '')", None, "")
    if kind in ("datetime", "date"):
        value = datetime_value(cell) if kind == "datetime" else date_value(cell)
        problem = DATETIME_PROBLEM if kind == "datetime" else "is not a date"
        return Typed(
            f"case when {empty} then null else {value} end",
            f"not {empty} and {VALUE} is null",
            literal(problem),
        )
    if kind == "boolean":
        return Typed(
            f"case when lower({s}) in ('true', 'yes', '1') then true "
            f"when lower({s}) in ('false', 'no', '0') then false end",
            f"not {empty} and {VALUE} is null",
            literal("is not a boolean (true/false, Yes/No or 1/0)"),
        )
    if kind == "decimal":
        return Typed(
            f"try_cast({s} as {SQL_TYPES['decimal']})",
            f"not {empty} and {VALUE} is null",
            literal("is not a number"),
        )
    raise ValueError(f"unknown HubSpot property type {kind!r}")


def association_items(cell: str) -> str:
    """The items of an `Associated ...` cell, trimmed, without empty ones: `Name (id)` items
    are `;`-separated (a name may hold commas), plain ids `;`- or `,`-separated."""
    split = f"string_split_regex({cell}, case when contains({cell}, '(') then ';' else '[;,]' end)"
    return (
        f"list_filter(list_transform(coalesce({split}, []), lambda _item: trim(_item)), "
        f"lambda _item: _item <> '')"
    )


# the id of an item: all digits, or the last parenthesised digits of `Name (123)`
ITEM_ID = (
    "case when regexp_full_match(_item, '[0-9]+') then _item "
    r"else nullif(regexp_extract(_item, '^.*\(\s*([0-9]+)\s*\)', 1), '') end"
)


# ---------------------------------------------------------------- parser


class HubspotParser:
    """The loader's parser interface (ingest.loader.Parser) for HubSpot CRM exports."""

    def conflict_key(self, file: LandingFile) -> None:
        return None

    def prepare(self, con: duckdb.DuckDBPyConnection, item: Prepared, state: LoadState) -> None:
        file = item.file
        parts = file.rel_path.split("/")
        if len(parts) != 3:
            raise FileError(
                f"{file.rel_path}: HubSpot files belong in hubspot/<export date>/<object>.csv "
                "(export date YYYY-MM-DD or YYYY-MM-DDTHHMMSSZ)"
            )
        folder, file_name = parts[1], parts[2]
        taken_at = snapshot_at(folder)
        if taken_at is None:
            raise FileError(
                f"{file.rel_path}: export folder {folder!r} is not an export date "
                "(YYYY-MM-DD or YYYY-MM-DDTHHMMSSZ)"
            )
        if not file_name.lower().endswith(".csv"):
            raise FileError(f"{file.rel_path}: not a CSV file (export the object as CSV)")
        objects = objects_in_name(file_name)
        if not objects:
            raise FileError(
                f"{file.rel_path}: the file name names no HubSpot object; expected one of "
                f"{', '.join(HUBSPOT_OBJECTS)} in it (e.g. contacts.csv)"
            )
        object_name = objects[0]
        if file_name.lower() != f"{object_name}.csv":
            also = f" (it also names {', '.join(objects[1:])})" if objects[1:] else ""
            item.notes.append(f"file name {file_name}: object {object_name}{also}")

        encoding = detect_file_encoding(file.path)
        item.notes += [n for n in [encoding_note(encoding)] if n]
        header = _header(file, head_lines(file.path, encoding))
        columns, notes = map_header(object_name, header.cells)
        item.notes += notes
        item.header_columns = header_tokens(columns)
        key = key_property(object_name)
        if not any(c.kind == "column" and c.name == key for c in columns):
            label = next(p.labels[0] for p in hubspot_properties(object_name) if p.property == key)
            found = ", ".join(c for c in header.cells if c) or "(none)"
            raise FileError(
                f"{file.rel_path}: missing required column(s) {label} ({key}); "
                f"columns found: {found}; a HubSpot {object_name} file cannot load without "
                f"its {label}"
            )
        item.table = table_name(object_name)
        item.info = HubspotFile(object_name, encoding, header, tuple(columns))
        item.constants = {"_snapshot_id": folder, "_snapshot_at": taken_at}
        item.extra_columns = [c.name for c in columns if c.kind == "extra"]

    def ensure_tables(self, con: duckdb.DuckDBPyConnection, items: list[Prepared]) -> None:
        """The object tables with every mapped column, the custom columns of the files (in
        file order, as file-by-file loading would add them) and the child tables."""
        existing = raw_columns(con)
        for item in items:
            info: HubspotFile = item.info
            custom = {c.name: "VARCHAR" for c in info.of("extra")}
            ensure_columns(con, item.table, object_columns(info.object) | custom, existing)
        ensure_child_tables(con, existing)

    def stage(self, con: duckdb.DuckDBPyConnection, items: list[Prepared]) -> list[Staged]:
        groups: dict[tuple, list[Prepared]] = {}
        for item in items:
            info: HubspotFile = item.info
            header = (info.header.line_index, info.header.delimiter, tuple(info.header.cells))
            groups.setdefault((info.object, info.encoding, header), []).append(item)
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


PARSER = HubspotParser()


def _stage_group(
    con: duckdb.DuckDBPyConnection,
    members: list[Prepared],
    paths: list[str],
    encoding: str,
    cells_table: str,
    stage: str,
) -> Staged:
    info: HubspotFile = members[0].info
    header = info.header
    width = len(header.cells)
    key = key_property(info.object)
    con.execute(
        f"create or replace temp table {cells_table} as "
        f"select {file_of([item.index for item in members])} as _file, * "
        f"from {read_cells(paths, encoding, header)}"
    )
    # Typed values are computed as _v<k> and named at the end: a custom property named like
    # a cell (`c0`) must not clash with it.
    values, reasons, zoned_cells = [], [], []
    for k, column in enumerate(info.typed):
        cell = f"c{column.cell}"
        rule = typed(column.type, cell)
        values.append(f"{rule.value} as _v{k}")
        if rule.invalid:
            check = invalid_check(rule, f"_v{k}")
            reason = reason_invalid(column.header, cell, rule.problem)
            reasons.append(f"case when {check} then {reason} end")
        if column.type == "datetime":
            zoned_cells.append((cell, f"_v{k}"))
        if column.name == key:
            reasons.append(f"case when _v{k} is null then {reason_empty(column.header)} end")
    for n, column in enumerate(info.of("association")):
        cell = f"c{column.cell}"
        values.append(f"{association_items(cell)} as _items_{n}")
        values.append(f"list_transform(_items_{n}, lambda _item: {ITEM_ID}) as _ids_{n}")
        bad = f"list_filter(_items_{n}, lambda _item: ({ITEM_ID}) is null)[1]"
        reasons.append(
            f"""case when {bad} is not null then concat('column "', {literal(column.header)}, """
            f"""'": item "', {bad}, '" has no record ID (expected e.g. Jane Doe (123) or 123)') """
            "end"
        )
    for n, column in enumerate(info.of("stage_entry")):
        cell = f"c{column.cell}"
        rule = typed("datetime", cell)
        values.append(f"{rule.value} as _entered_{n}")
        check = invalid_check(rule, f"_entered_{n}")
        reason = reason_invalid(column.header, cell, rule.problem)
        reasons.append(f"case when {check} then {reason} end")
        zoned_cells.append((cell, f"_entered_{n}"))
    reasons.append(reason_overflow(width))
    has_zone = " or ".join(f"({zoned(c)} and {v} is not null)" for c, v in zoned_cells)
    no_zone = " or ".join(f"(not {zoned(c)} and {v} is not null)" for c, v in zoned_cells)
    extras = info.of("json")
    extra = "cast(null as json)"
    if extras:
        pairs = ", ".join(f"{literal(c.name)}, c{c.cell}" for c in extras)
        extra = f"json_object({pairs})"
    cells = [f"c{i}" for i in range(width)]
    all_empty = " and ".join(f"coalesce({c}, '') = ''" for c in cells)
    delimiter = literal(header.delimiter)
    raw = f"{raw_line(cells, header.delimiter)} || coalesce({delimiter} || _overflow, '')"
    typed_columns = [c.name for c in info.typed]
    selected = ", ".join(
        [
            *(f"_v{k} as {ident(name)}" for k, name in enumerate(typed_columns)),
            *(f"_ids_{n}" for n in range(len(info.of("association")))),
            *(f"_entered_{n}" for n in range(len(info.of("stage_entry")))),
        ]
    )
    con.execute(
        f"""create or replace temp table {stage} as
        with t as (select rowid as _line, * from {cells_table} where not ({all_empty})),
        n as (select _line, row_number() over (partition by _file order by _line) as _row_number
            from t),
        v as (select *, {", ".join(values)} from t),
        r as (select *, nullif(concat_ws('; ', {", ".join(reasons)}), '') as _reason,
            coalesce({has_zone or "false"}, false) as _zoned,
            coalesce({no_zone or "false"}, false) as _naive from v)
        select r._file, n._row_number{", " + selected if selected else ""},
            case when bool_or(_zoned) over (partition by r._file) then 'UTC' end
                as _datetime_zone,
            _reason, case when _reason is not null then {raw} end as _raw_line,
            {extra} as _extra, _zoned, _naive
        from r join n using (_line)"""
    )
    _zone_notes(con, members, stage)
    return Staged(
        table=members[0].table,
        relation=stage,
        columns=[*typed_columns, "_datetime_zone"],
        files=[item.index for item in members],
        newest_data_date="cast(f._snapshot_at as date)",
        cleanup=[cells_table, stage],
        children=[
            Child(ASSOCIATIONS, _associations(info, stage), list(ASSOCIATION_COLUMNS)),
            Child(
                STAGE_ENTRIES,
                _stage_entries(info, stage),
                [*STAGE_ENTRY_COLUMNS, "_datetime_zone"],
            ),
        ],
    )


def _associations(info: HubspotFile, stage: str) -> str | None:
    key = ident(key_property(info.object))
    selects = [
        f"select _file, _row_number, {literal(info.object)} as from_object, {key} as from_id, "
        f"{literal(column.name)} as to_object, unnest(_ids_{n}) as to_id, "
        f"generate_subscripts(_ids_{n}, 1) as position from {stage} where _reason is null"
        for n, column in enumerate(info.of("association"))
    ]
    return f"({' union all '.join(selects)})" if selects else None


def _stage_entries(info: HubspotFile, stage: str) -> str | None:
    key = ident(key_property(info.object))
    selects = [
        f"select _file, _row_number, {key} as deal_id, {literal(column.name)} as stage, "
        f"cast({literal(column.pipeline) if column.pipeline else 'null'} as varchar) as pipeline, "
        f"_entered_{n} as entered_at, _datetime_zone from {stage} "
        f"where _reason is null and _entered_{n} is not null"
        for n, column in enumerate(info.of("stage_entry"))
    ]
    return f"({' union all '.join(selects)})" if selects else None


def _zone_notes(con: duckdb.DuckDBPyConnection, members: list[Prepared], stage: str) -> None:
    """parse_notes: how each file's datetimes were read (one small query per group)."""
    found = {
        index: (has_zone, no_zone)
        for index, has_zone, no_zone in con.execute(
            f"select _file, bool_or(_zoned), bool_or(_naive) from {stage} group by _file"
        ).fetchall()
    }
    for item in members:
        if item.index not in found:
            item.stage_notes.append(
                f"no data rows: the export has no {item.info.object} (an empty object)"
            )
            continue
        has_zone, no_zone = found[item.index]
        if has_zone:
            note = (
                "datetimes carry a time zone (Z, an offset or epoch milliseconds): converted "
                "to UTC, _datetime_zone = UTC"
            )
            if no_zone:
                note += "; datetimes without a zone in the same file are read as UTC"
            item.stage_notes.append(note)
        elif no_zone:
            item.stage_notes.append(
                "datetimes have no time zone: portal time kept as written, _datetime_zone "
                "NULL (dbt converts them with the var hubspot_timezone)"
            )


# ---------------------------------------------------------------- raw tables


def object_columns(object_name: str) -> dict[str, str]:
    """Every column of raw.hubspot__<object>: mapped properties, snapshot, zone, lineage."""
    mapped = {p.property: SQL_TYPES[p.type] for p in hubspot_properties(object_name) if p.is_column}
    return mapped | SNAPSHOT_COLUMNS | ZONE_COLUMN | LINEAGE_COLUMNS | {"_extra": "JSON"}


def ensure_child_tables(
    con: duckdb.DuckDBPyConnection, existing: dict[str, set[str]] | None = None
) -> None:
    ensure_columns(
        con, ASSOCIATIONS, ASSOCIATION_COLUMNS | SNAPSHOT_COLUMNS | LINEAGE_COLUMNS, existing
    )
    ensure_columns(
        con,
        STAGE_ENTRIES,
        STAGE_ENTRY_COLUMNS | SNAPSHOT_COLUMNS | ZONE_COLUMN | LINEAGE_COLUMNS,
        existing,
    )


def ensure_tables(
    con: duckdb.DuckDBPyConnection,
    tables: tuple[str, ...],
    existing: dict[str, set[str]] | None = None,
) -> None:
    """raw.hubspot__<table> for each table of the source (revops.sources.HUBSPOT_TABLES):
    an object no export delivered reads empty, with every mapped column."""
    existing = raw_columns(con) if existing is None else existing
    for table in tables:
        if table in HUBSPOT_OBJECTS:
            ensure_columns(con, table_name(table), object_columns(table), existing)
    ensure_child_tables(con, existing)
