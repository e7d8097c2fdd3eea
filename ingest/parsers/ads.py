"""Shared staging for ad-platform UI exports (Google Ads, Meta, LinkedIn).

What differs between platforms is data (ingest/mappings/ad_columns.csv and
ad_headers.csv) plus the few rules in :class:`AdFormat`; this module does the
rest: find the header under the preamble, map headers to raw columns, read the
cells with DuckDB, type them in SQL and give each bad row a reason.

A batch of files is staged with few statements whatever its size: one
multi-file read per header shape puts every file's cells into one canonical
layout (`k_<column>` the cell, `h_<column>` the header it came from, NULL when
the file lacks it), then ONE typing statement over the whole batch (planning
that statement alone costs ~40 ms, more than reading a 50-row file).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import lru_cache

import duckdb

from ingest.errors import FileError
from ingest.landing import LandingFile
from ingest.loader import LINEAGE_COLUMNS, LoadState, Prepared, Staged, ensure_columns
from ingest.mappings import (
    CURRENCY_PLACEHOLDER,
    AdColumn,
    HeaderAlias,
    ad_columns,
    header_aliases,
    header_languages,
    normalize_header,
)
from ingest.sql import (
    AMBIGUOUS_DATE,
    AMBIGUOUS_NUMBER,
    DATE_PROBLEM,
    Typed,
    blank,
    date_parts,
    file_of,
    has_separator,
    ident,
    invalid_check,
    literal,
    local_clean,
    local_date,
    local_number,
    number_style,
    reads_as,
    typed,
)
from ingest.textfile import (
    DELIMITERS,
    HEAD_BYTES,
    HEAD_LINES,
    Encoding,
    Header,
    detect_file_encoding,
    encoding_note,
    find_header,
    head_lines,
    header_columns,
    read_cells,
    readable_copy,
)

SQL_TYPES = {
    "date": "DATE",
    "id": "VARCHAR",
    "string": "VARCHAR",
    "currency": "VARCHAR",
    "decimal": "DECIMAL(18,6)",
    "integer": "BIGINT",
    "double": "DOUBLE",
}
CANON = "_ad_canon"
CELLS = "_ad_cells"
FORMATS = "_ad_formats"
STAGE = "_ad_stage"
SPREAD = "_ad_spread"
NUMERIC = ("decimal", "double", "integer")
# UI languages that write 1.234,56 and 24/11/2026 (English UIs: 1,234.56 and 11/24/2026)
DECIMAL_COMMA_LANGUAGES = frozenset({"es", "pt", "fr", "de", "it", "nl"})
DAY_FIRST_LANGUAGES = DECIMAL_COMMA_LANGUAGES
# A multi-day row longer than this is not a reporting window but a broken date.
MAX_WINDOW_DAYS = 3660
WINDOW_COLUMNS = {"_window_starts": "DATE", "_window_ends": "DATE"}


@dataclass(frozen=True)
class AdFormat:
    source: str
    table: str
    date_column: str
    # SQL condition on the mapped cells that marks a row as not data (totals)
    not_data: Callable[[dict[str, str], str], str] = lambda cells, first: "false"
    # Google keeps campaign names unique per account: without an ID column the name is the ID
    id_from_name: bool = False
    missing_hints: dict[str, str] = field(default_factory=dict)
    # LinkedIn writes only its preamble for a period without delivery: 0 rows, not a failure
    empty_period_ok: bool = False
    # (first day, last day) columns of a row that may cover several days (Meta's
    # `Reporting starts` / `Reporting ends`): such a row is spread over its days
    window: tuple[str, str] | None = None
    # columns spread over the days of a multi-day row (the others are copied: reach)
    additive: tuple[str, ...] = ()


@dataclass
class HeaderMap:
    columns: dict[str, tuple[int, str, HeaderAlias]]  # raw column -> (cell index, header, alias)
    extras: list[tuple[int, str]]  # unknown headers: (cell index, name)
    currency: str | None  # from a header such as `Amount spent (EUR)`
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (header, name in _extra)


@lru_cache(maxsize=65536)
def _match(header: str, source: str) -> tuple[HeaderAlias, str | None] | None:
    """Cached on the raw cell: finding the header scores every cell of the first
    50 lines of every file, and dates, names and numbers repeat."""
    return _match_cached(normalize_header(header), source)


@lru_cache(maxsize=4096)
def _match_cached(norm: str, source: str) -> tuple[HeaderAlias, str | None] | None:
    if not norm or len(norm) > 200:  # a data cell, not a header
        return None
    # the first alias (in mapping order) that matches: a dict for the literal
    # aliases, the few patterned ones (`Cost ({currency})`) tried in turn
    exact, patterned = _alias_index(source)
    hit = exact.get(norm)
    for position, alias in patterned:
        if hit is not None and hit[0] < position:
            break
        found = alias.pattern.match(norm)
        if found:
            return alias, (found.groupdict().get("currency") or None)
    return (hit[1], None) if hit is not None else None


@lru_cache(maxsize=16)
def _alias_index(
    source: str,
) -> tuple[dict[str, tuple[int, HeaderAlias]], list[tuple[int, HeaderAlias]]]:
    exact: dict[str, tuple[int, HeaderAlias]] = {}
    patterned: list[tuple[int, HeaderAlias]] = []
    for position, alias in enumerate(header_aliases(source)):
        if CURRENCY_PLACEHOLDER in alias.alias:
            patterned.append((position, alias))
        else:
            exact.setdefault(normalize_header(alias.alias), (position, alias))
    return exact, patterned


def map_headers(cells: list[str], source: str) -> HeaderMap:
    columns: dict[str, tuple[int, str, HeaderAlias]] = {}
    extras: list[tuple[int, str]] = []
    duplicates: list[tuple[str, str]] = []
    currency = None
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        name = cell.replace("\ufeff", "").strip()
        hit = _match(name, source)
        if hit and hit[0].column not in columns:
            columns[hit[0].column] = (index, name, hit[0])
            currency = currency or (hit[1].upper() if hit[1] else None)
        elif name:  # an empty header (a trailing delimiter) carries nothing
            unique = name
            while unique in seen:
                unique = f"{unique} (2)" if not unique.endswith(")") else unique + "'"
            extras.append((index, unique))
            if name in seen:
                duplicates.append((name, unique))
        seen.add(name)
    return HeaderMap(columns, extras, currency, duplicates)


def header_language(hmap: HeaderMap, source: str) -> str | None:
    """The UI language the mapped headers are written in: each header votes for every
    language that writes it (`Alcance`: es and pt); one language with the most votes wins.
    API field names count as English."""
    languages = header_languages(source)
    votes: dict[str, int] = {}
    for _, _, alias in hmap.columns.values():
        if alias.language == "api":
            votes["en"] = votes.get("en", 0) + 1
            continue
        for language in languages.get(normalize_header(alias.alias), ()):
            votes[language] = votes.get(language, 0) + 1
    if not votes:
        return None
    top = max(votes.values())
    winners = [language for language, n in votes.items() if n == top]
    return winners[0] if len(winners) == 1 else None


def _score(source: str) -> Callable[[list[str]], int]:
    def score(cells: list[str]) -> int:
        return len({hit[0].column for c in cells if (hit := _match(c, source))})

    return score


def ensure_table(
    con: duckdb.DuckDBPyConnection,
    fmt: AdFormat,
    existing: dict[str, set[str]] | None = None,
) -> None:
    """The raw table with every column of ad_columns.csv (NULL where a file lacks one)."""
    columns = {c.column: SQL_TYPES[c.type] for c in ad_columns(fmt.source)}
    if fmt.window:
        columns |= WINDOW_COLUMNS
    ensure_columns(con, fmt.table, columns | LINEAGE_COLUMNS | {"_extra": "JSON"}, existing)


def _missing_error(
    file: LandingFile, fmt: AdFormat, missing: list[AdColumn], found: list[str]
) -> FileError:
    wanted = {c.column: c for c in missing}
    names = [
        next((a.alias for a in header_aliases(fmt.source) if a.column == col), col)
        for col in wanted
    ]
    message = (
        f"{file.rel_path}: missing required column(s) {', '.join(names)}; "
        f"columns found: {', '.join(c for c in found if c.strip()) or '(none)'}"
    )
    hints = [fmt.missing_hints[c] for c in wanted if c in fmt.missing_hints]
    return FileError("; ".join([message, *hints]))


@dataclass(frozen=True)
class AdFile:
    encoding: Encoding
    header: Header | None  # None: a period without delivery (preamble only)
    hmap: HeaderMap | None
    language: str | None = None


def _preamble_only(file: LandingFile, lines: list[str]) -> bool:
    """The whole file is in `lines`, and no line looks like a table row (3+ cells)."""
    if file.size > HEAD_BYTES or len(lines) >= HEAD_LINES:
        return False
    import csv

    for line in lines:
        for delimiter in DELIMITERS:
            if delimiter in line:
                cells = next(csv.reader([line], delimiter=delimiter), [])
                if sum(1 for c in cells if c.strip()) >= 3:
                    return False
    return True


def _notes(fmt: AdFormat, hmap: HeaderMap, language: str | None) -> list[str]:
    notes = []
    if language and language != "en":
        notes.append(f"header language {language}")
    for header, name in hmap.duplicates:
        notes.append(
            f'duplicate header "{header}": the first is used, the other is in _extra as "{name}"'
        )
    if "campaign_id" not in hmap.columns and fmt.id_from_name:
        notes.append("no campaign ID column: campaign_id is the campaign name")
    for clicks in ("clicks", "link_clicks"):
        if clicks in {c.column for c in ad_columns(fmt.source)} and clicks not in hmap.columns:
            notes.append("no clicks column: clicks are empty")
    return notes


class AdParser:
    """The loader's parser interface (ingest.loader.Parser) for one ad platform."""

    def __init__(self, fmt: AdFormat) -> None:
        self.fmt = fmt

    def conflict_key(self, file: LandingFile) -> None:
        return None

    def prepare(self, con: duckdb.DuckDBPyConnection, item: Prepared, state: LoadState) -> None:
        """Header checks in Python on the first lines: a bad file fails before any SQL."""
        fmt, file = self.fmt, item.file
        spec = ad_columns(fmt.source)
        encoding = detect_file_encoding(file.path)
        item.notes += [n for n in [encoding_note(encoding)] if n]
        lines = head_lines(file.path, encoding)
        if not any(line.strip() for line in lines):
            raise FileError(f"{file.rel_path}: the file has no header row (it is empty)")
        header = find_header(lines, _score(fmt.source))
        if header is None and fmt.empty_period_ok and _preamble_only(file, lines):
            item.table = fmt.table
            item.info = AdFile(encoding, None, None)
            item.notes.append(
                "no header row: period without delivery (the export has only its preamble)"
            )
            return
        if header is None:
            required = [c for c in spec if c.required]
            first = next((line for line in lines if line.strip()), "")
            raise _missing_error(file, fmt, required, [first.strip()[:200]])
        hmap = map_headers(header.cells, fmt.source)
        item.header_columns = header_columns(header.cells)
        missing = [c for c in spec if c.required and c.column not in hmap.columns]
        if missing:
            raise _missing_error(file, fmt, missing, header.cells)
        language = header_language(hmap, fmt.source)
        item.table = fmt.table
        item.info = AdFile(encoding, header, hmap, language)
        item.notes += _notes(fmt, hmap, language)
        item.extra_columns = [name for _, name in hmap.extras]
        if encoding.python.startswith("utf-16"):
            item.weight = file.size // 2

    def ensure_tables(self, con: duckdb.DuckDBPyConnection, items: list[Prepared]) -> None:
        ensure_table(con, self.fmt)

    def stage(self, con: duckdb.DuckDBPyConnection, items: list[Prepared]) -> list[Staged]:
        fmt = self.fmt
        spec = ad_columns(fmt.source)
        transforms = _transforms(fmt.source)
        canon = {"_file": "INTEGER", "_lang": "VARCHAR"}
        for col in spec:
            canon[f"k_{col.column}"] = "VARCHAR"
            canon[f"h_{col.column}"] = "VARCHAR"
            if col.column in transforms:
                canon[f"t_{col.column}"] = "VARCHAR"
        canon |= {
            "_cells": "VARCHAR[]",  # every cell, for blank rows and the rejected raw line
            "_delim": "VARCHAR",
            "_overflow": "VARCHAR",
            "_width": "INTEGER",
            "_extra": "JSON",
        }
        con.execute(
            f"create or replace temp table {CANON} "
            f"({', '.join(f'{ident(k)} {t}' for k, t in canon.items())})"
        )
        groups: dict[tuple, list[Prepared]] = {}
        for item in items:
            info: AdFile = item.info
            if info.header is None:  # a period without delivery: no rows to read
                continue
            key = (info.encoding, info.header.line_index, info.header.delimiter, info.language)
            groups.setdefault(key + tuple(info.header.cells), []).append(item)
        with ExitStack() as stack:
            for members in groups.values():
                paths, duck_encoding = [], "utf-8"
                for item in members:
                    path, duck_encoding = stack.enter_context(
                        readable_copy(item.file.path, item.info.encoding)
                    )
                    paths.append(str(path))
                first: AdFile = members[0].info
                con.execute(
                    f"insert into {CANON} by name select "
                    f"{_projection(fmt, spec, transforms, first, [m.index for m in members])} "
                    f"from {read_cells(paths, duck_encoding, first.header)}"
                )
        con.execute(_cells_sql(fmt, spec))
        con.execute(_formats_sql(spec))
        by_index = {item.index: item for item in items}
        for row in con.execute(
            f"select _file, _numfmt, _numfmt_why, _dateorder, _dateorder_why from {FORMATS}"
        ).fetchall():
            by_index[row[0]].stage_notes += _format_notes(*row[1:])
        con.execute(_typed_sql(fmt, spec, transforms))
        cleanup = [CANON, CELLS, FORMATS, STAGE]
        columns = [c.column for c in spec]
        newest = f"s.{ident(fmt.date_column)}"
        insert_relation = None
        if fmt.window:
            starts, ends = (ident(c) for c in fmt.window)
            newest = f"greatest(s.{starts}, coalesce(s.{ends}, s.{starts}))"
            con.execute(_spread_sql(fmt, spec))
            for index, rows, days in con.execute(
                f"select _file, count(distinct _row_number), count(*) from {SPREAD} "
                "where _window_starts is not null group by _file"
            ).fetchall():
                by_index[index].stage_notes.append(
                    f"{rows} multi-day row(s) spread over {days} days (rows_read and "
                    "rows_loaded count file rows; raw holds one row per day)"
                )
            insert_relation = SPREAD
            columns += list(WINDOW_COLUMNS)
            cleanup.append(SPREAD)
        return [
            Staged(
                table=fmt.table,
                relation=STAGE,
                columns=columns,
                files=[item.index for item in items],
                newest_data_date=newest,
                cleanup=cleanup,
                insert_relation=insert_relation,
            )
        ]


def _format_notes(
    numfmt: str | None, num_why: str | None, order: str | None, order_why: str | None
) -> list[str]:
    notes = []
    if num_why:
        style = {"en": "1,234.56 (decimal point)", "eu": "1.234,56 (decimal comma)"}
        notes.append(f"number format {style.get(numfmt or '', 'undecided')}: {num_why}")
    if order_why:
        style = {"dmy": "day first (24/11/2026)", "mdy": "month first (11/24/2026)"}
        notes.append(f"date order {style.get(order or '', 'undecided')}: {order_why}")
    return notes


@lru_cache(maxsize=16)
def _transforms(source: str) -> dict[str, tuple[str, ...]]:
    """Columns some alias of which needs a transform (`metrics.cost_micros`)."""
    found: dict[str, set[str]] = {}
    for alias in header_aliases(source):
        if alias.transform:
            found.setdefault(alias.column, set()).add(alias.transform)
    return {col: tuple(sorted(t)) for col, t in found.items()}


def _projection(
    fmt: AdFormat,
    spec: tuple[AdColumn, ...],
    transforms: dict[str, tuple[str, ...]],
    info: AdFile,
    indexes: list[int],
) -> str:
    """Cells of one header shape into the canonical layout."""
    hmap, header = info.hmap, info.header
    width = len(header.cells)
    language = literal(info.language) if info.language else "null"
    out = [f"{file_of(indexes)} as _file", f"{language} as _lang"]
    for col in spec:
        name = col.column
        if name in hmap.columns:
            index, header_text, alias = hmap.columns[name]
            cell, head, transform = f"c{index}", literal(header_text), literal(alias.transform)
        else:
            head, transform = "null", "''"
            if col.type == "currency" and hmap.currency:
                cell = literal(hmap.currency)
            elif name == "campaign_id" and fmt.id_from_name:
                # Google keeps campaign names unique per account: the name is the ID
                cell = f"c{hmap.columns['campaign_name'][0]}"
            else:
                cell = "null"
        out += [f"{cell} as {ident('k_' + name)}", f"{head} as {ident('h_' + name)}"]
        if name in transforms:
            out.append(f"{transform} as {ident('t_' + name)}")
    extra = "null"
    if hmap.extras:
        pairs = ", ".join(f"{literal(name)}, c{index}" for index, name in hmap.extras)
        extra = f"json_object({pairs})"
    out += [
        f"[{', '.join(f'c{i}' for i in range(width))}]::VARCHAR[] as _cells",
        f"{literal(header.delimiter)} as _delim",
        "_overflow",
        f"{width} as _width",
        f"{extra} as _extra",
    ]
    return ", ".join(out)


def _raw_line_sql() -> str:
    """The row as delimited text again (as ingest.sql.raw_line writes it), from `_cells`."""
    by_delimiter = []
    for delimiter in DELIMITERS:
        d = literal(delimiter)
        quoted = (
            f"""list_transform(_cells, lambda c: case when c is null then '' """
            f"""when contains(c, {d}) or contains(c, '"') or contains(c, chr(10)) """
            f"""then concat('"', replace(c, '"', '""'), '"') else c end)"""
        )
        by_delimiter.append(f"when {d} then array_to_string({quoted}, {d})")
    return f"(case _delim {' '.join(by_delimiter)} end) || coalesce(_delim || _overflow, '')"


def _number_columns(spec: tuple[AdColumn, ...]) -> list[str]:
    return [c.column for c in spec if c.type in NUMERIC]


def _date_columns(spec: tuple[AdColumn, ...]) -> list[str]:
    return [c.column for c in spec if c.type == "date"]


def _cells_sql(fmt: AdFormat, spec: tuple[AdColumn, ...]) -> str:
    """Data rows (blank and total rows dropped) numbered per file, with every number cell
    cleaned and tested against both number styles, and every date cell split."""
    cell_of = {col.column: ident("k_" + col.column) for col in spec}
    added = []
    for name in _number_columns(spec):
        clean = ident(f"_c_{name}")
        added.append(f"{local_clean(cell_of[name])} as {clean}")
    for name in _date_columns(spec):
        first, second = date_parts(f"trim({cell_of[name]})")
        added += [f"{first} as {ident('_p1_' + name)}", f"{second} as {ident('_p2_' + name)}"]
    flags = []
    for name in _number_columns(spec):
        clean = ident(f"_c_{name}")
        flags += [
            f"{reads_as(clean, 'en')} as {ident('_en_' + name)}",
            f"{reads_as(clean, 'eu')} as {ident('_eu_' + name)}",
        ]
    not_blank = "len(list_filter(_cells, lambda c: nullif(trim(c), '') is not null)) > 0"
    return f"""create or replace temp table {CELLS} as
        with t as (
            select rowid as _line, * from {CANON}
            where {not_blank} and not coalesce({fmt.not_data(cell_of, "_cells[1]")}, false)),
        c as (select *, {", ".join(added)},
            row_number() over (partition by _file order by _line) as _row_number from t)
        select *, {", ".join(flags)} from c"""


def _formats_sql(spec: tuple[AdColumn, ...]) -> str:
    """Per file: the number style and the date order, from unambiguous cells, else from
    the header language, else undecided (ambiguous cells are then rejected), and why."""
    only_en, only_eu, both, ex_en, ex_eu, ex_both = [], [], [], [], [], []
    for name in _number_columns(spec):
        clean, en, eu = (ident(f"_{p}_{name}") for p in ("c", "en", "eu"))
        only_en.append(f"({en} and not {eu})")
        only_eu.append(f"({eu} and not {en})")
        both.append(f"({en} and {eu} and {has_separator(clean)})")
        ex_en.append(f"case when {en} and not {eu} then {clean} end")
        ex_eu.append(f"case when {eu} and not {en} then {clean} end")
        ex_both.append(f"case when {en} and {eu} and {has_separator(clean)} then {clean} end")
    dmy, mdy, amb, ex_dmy, ex_mdy, ex_amb = [], [], [], [], [], []
    for name in _date_columns(spec):
        p1, p2, cell = ident("_p1_" + name), ident("_p2_" + name), f"trim({ident('k_' + name)})"
        dmy.append(f"({p1} > 12 and {p2} <= 12)")
        mdy.append(f"({p2} > 12 and {p1} <= 12)")
        amb.append(f"({p1} <= 12 and {p2} <= 12 and {p1} != {p2})")
        ex_dmy.append(f"case when {p1} > 12 and {p2} <= 12 then {cell} end")
        ex_mdy.append(f"case when {p2} > 12 and {p1} <= 12 then {cell} end")
        ex_amb.append(f"case when {p1} <= 12 and {p2} <= 12 and {p1} != {p2} then {cell} end")

    def anyof(parts: list[str]) -> str:
        return f"coalesce(bool_or({' or '.join(parts)}), false)" if parts else "false"

    def example(parts: list[str]) -> str:
        return f"any_value(coalesce({', '.join(parts)}))" if parts else "cast(null as varchar)"

    comma = ", ".join(literal(x) for x in sorted(DECIMAL_COMMA_LANGUAGES))
    day_first = ", ".join(literal(x) for x in sorted(DAY_FIRST_LANGUAGES))
    return f"""create or replace temp table {FORMATS} as
        with e as (
            select _file, any_value(_lang) as lang,
                {anyof(only_en)} as en, {anyof(only_eu)} as eu, {anyof(both)} as amb,
                {example(ex_en)} as x_en, {example(ex_eu)} as x_eu, {example(ex_both)} as x_amb,
                {anyof(dmy)} as dmy, {anyof(mdy)} as mdy, {anyof(amb)} as damb,
                {example(ex_dmy)} as x_dmy, {example(ex_mdy)} as x_mdy,
                {example(ex_amb)} as x_damb
            from {CELLS} group by _file)
        select _file,
            case when en and not eu then 'en' when eu and not en then 'eu'
                when en and eu then null
                when lang in ({comma}) then 'eu' when lang is not null then 'en' end as _numfmt,
            case when en and eu then concat('cells such as "', x_en, '" and "', x_eu,
                    '" disagree; ambiguous numbers are rejected')
                when en then concat('from cells such as "', x_en, '"')
                when eu then concat('from cells such as "', x_eu, '"')
                when amb and lang is not null then concat('from the header language (', lang,
                    '), no cell decides it (e.g. "', x_amb, '")')
                when amb then concat('no cell nor the header language decides it (e.g. "',
                    x_amb, '"): such numbers are rejected')
            end as _numfmt_why,
            case when dmy and not mdy then 'dmy' when mdy and not dmy then 'mdy'
                when dmy and mdy then null
                when lang in ({day_first}) then 'dmy' when lang is not null then 'mdy'
            end as _dateorder,
            case when dmy and mdy then concat('dates such as "', x_dmy, '" and "', x_mdy,
                    '" disagree; ambiguous dates are rejected')
                when dmy then concat('from dates such as "', x_dmy, '"')
                when mdy then concat('from dates such as "', x_mdy, '"')
                when damb and lang is not null then concat('from the header language (', lang,
                    '), no date decides it (e.g. "', x_damb, '")')
                when damb then concat('no date nor the header language decides it (e.g. "',
                    x_damb, '"): such dates are rejected')
            end as _dateorder_why
        from e"""


def _typed_sql(
    fmt: AdFormat, spec: tuple[AdColumn, ...], transforms: dict[str, tuple[str, ...]]
) -> str:
    """Values are computed once (CTE `v`); reasons then compare each value with its cell.

    The header a value came from (`h_<column>`) names the column in the reason,
    and is NULL when the file lacks the column: then there is nothing to reject.
    Numbers and slashed dates are read in the file's decided style (`f._numfmt`,
    `f._dateorder`) unless the cell itself is unambiguous.
    """
    values: dict[str, str] = {}
    styles: list[str] = []
    reasons: list[str] = []
    sql_type = {"decimal": "decimal(18, 6)", "double": "double", "integer": "decimal(38, 6)"}
    for col in spec:
        name = col.column
        cell, head = ident("k_" + name), ident("h_" + name)
        rules = {"": typed(col.type, cell)}
        for transform in transforms.get(name, ()):
            rules[transform] = typed(col.type, cell, transform)
        problem = rules[""].problem
        if col.type in NUMERIC:
            clean, en, eu = (ident(f"_{p}_{name}") for p in ("c", "en", "eu"))
            style = ident("_s_" + name)
            styles.append(f"{number_style(clean, en, eu, 'f._numfmt')} as {style}")
            number = local_number(clean, style, sql_type[col.type])
            if col.type == "integer":
                number = f"case when {number} % 1 = 0 then cast({number} as bigint) end"
                problem = (
                    f"case when {local_number(clean, style, sql_type[col.type])} is null "
                    "then 'is not a number' else 'is not a whole number' end"
                )
            rules[""] = Typed(
                f"case when {blank(cell)} then null else {number} end",
                rules[""].invalid,
                problem,
            )
            problem = (
                f"case when {style} is null and {en} and {eu} then {literal(AMBIGUOUS_NUMBER)} "
                f"else {problem} end"
            )
        elif col.type == "date":
            p1, p2 = ident("_p1_" + name), ident("_p2_" + name)
            order = ident("_o_" + name)
            styles.append(
                f"case when {p1} is null then null when {p1} > 12 and {p2} <= 12 then 'dmy' "
                f"when {p2} > 12 and {p1} <= 12 then 'mdy' when {p1} = {p2} then 'mdy' "
                f"when {p1} <= 12 and {p2} <= 12 then f._dateorder end as {order}"
            )
            rules[""] = Typed(
                f"case when {blank(cell)} then null else {local_date(f'trim({cell})', order)} end",
                rules[""].invalid,
                problem,
            )
            problem = (
                f"case when {order} is null and {p1} <= 12 and {p2} <= 12 "
                f"then {literal(AMBIGUOUS_DATE)} else {literal(DATE_PROBLEM)} end"
            )
        values[name] = _by_transform(name, {t: r.value for t, r in rules.items()})
        if any(r.invalid for r in rules.values()):
            check = _by_transform(
                name, {t: invalid_check(r, ident(name)) for t, r in rules.items()}
            )
            reasons.append(
                f"""case when {head} is not null and ({check}) then """
                f"""concat('column "', {head}, '": "', {cell}, '" ', {problem}) end"""
            )
        if col.not_null:
            reasons.append(
                f"""case when {head} is not null and {blank(cell)} then """
                f"""concat('column "', {head}, '" is empty') end"""
            )
    if fmt.window:
        starts, ends = fmt.window
        s_id, e_id = ident(starts), ident(ends)
        reasons.append(
            f"""case when {e_id} < {s_id} then concat('column "', {ident("h_" + ends)}, '": "', """
            f"""{ident("k_" + ends)}, '" is before "', {ident("h_" + starts)}, '" ("', """
            f"""{ident("k_" + starts)}, '")') end"""
        )
        reasons.append(
            f"""case when date_diff('day', {s_id}, {e_id}) >= {MAX_WINDOW_DAYS} then """
            f"""concat('column "', {ident("h_" + ends)}, '": "', {ident("k_" + ends)}, """
            f"""'" is more than {MAX_WINDOW_DAYS} days after "', {ident("h_" + starts)}, """
            f"""'": not a reporting window') end"""
        )
    reasons.append(
        "case when _overflow is not null then "
        "concat('the row has more cells than the header (', _width, ')') end"
    )
    selected = ", ".join(f"{expr} as {ident(name)}" for name, expr in values.items())
    final = ", ".join(ident(name) for name in values)
    return f"""create or replace temp table {STAGE} as
        with t as (select c.*, {", ".join(styles)} from {CELLS} as c
            join {FORMATS} as f using (_file)),
        v as (select *, {selected} from t),
        r as (select *, nullif(concat_ws('; ', {", ".join(reasons)}), '') as _reason from v)
        select _file, _row_number, {final}, _reason,
            case when _reason is not null then {_raw_line_sql()} end as _raw_line, _extra
        from r"""


def _spread_sql(fmt: AdFormat, spec: tuple[AdColumn, ...]) -> str:
    """The good rows, a multi-day row as one row per day of its window: additive
    counts split in whole units (each day floor(units / n), the first units mod n days one
    more; money in cents, or in millionths when it has fractions of a cent; a fractional
    double evenly), other columns copied; the window is kept in _window_starts/_window_ends."""
    assert fmt.window
    starts, ends = (ident(c) for c in fmt.window)
    kinds = {c.column: c.type for c in spec}

    def split(units: str) -> str:
        return (
            f"sign({units}) * (abs({units}) // _n + "
            f"case when _k < abs({units}) % _n then 1 else 0 end)"
        )

    out = []
    for col in spec:
        name, q = col.column, ident(col.column)
        if col.column == fmt.window[0] or col.column == fmt.window[1]:
            expr = f"cast({starts} + to_days(cast(_k as integer)) as date)"
        elif name in fmt.additive and kinds[name] == "decimal":
            scale = f"(case when {q} * 100 = floor({q} * 100) then 100 else 1000000 end)"
            units = f"cast({q} * {scale} as hugeint)"
            expr = f"cast({split(units)} / {scale} as decimal(18, 6))"
        elif name in fmt.additive and kinds[name] == "integer":
            expr = f"cast({split(q)} as bigint)"
        elif name in fmt.additive and kinds[name] == "double":
            expr = (
                f"case when {q} = floor({q}) then cast({split(f'cast({q} as hugeint)')} "
                f"as double) else {q} / _n end"
            )
        else:
            expr = q
        out.append(f"case when _n = 1 then {q} else {expr} end as {q}")
    return f"""create or replace temp table {SPREAD} as
        with w as (select *, case when {ends} > {starts}
                then date_diff('day', {starts}, {ends}) + 1 else 1 end as _n
            from {STAGE} where _reason is null),
        x as (select *, unnest(range(_n)) as _k from w)
        select _file, _row_number, {", ".join(out)},
            case when _n > 1 then {starts} end as _window_starts,
            case when _n > 1 then {ends} end as _window_ends,
            _extra, cast(null as varchar) as _reason
        from x"""


def _by_transform(name: str, exprs: dict[str, str]) -> str:
    if len(exprs) == 1:
        return exprs[""]
    whens = " ".join(f"when {literal(t)} then {e}" for t, e in exprs.items() if t)
    return f"(case {ident('t_' + name)} {whens} else {exprs['']} end)"
