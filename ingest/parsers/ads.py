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
from ingest.loader import LINEAGE_DDL, RAW, LoadState, Prepared, Staged
from ingest.mappings import (
    CURRENCY_PLACEHOLDER,
    AdColumn,
    HeaderAlias,
    ad_columns,
    header_aliases,
    normalize_header,
)
from ingest.sql import (
    blank,
    file_of,
    ident,
    invalid_check,
    literal,
    typed,
)
from ingest.textfile import (
    DELIMITERS,
    Encoding,
    Header,
    detect_encoding,
    find_header,
    head_lines,
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
STAGE = "_ad_stage"


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


@dataclass
class HeaderMap:
    columns: dict[str, tuple[int, str, HeaderAlias]]  # raw column -> (cell index, header, alias)
    extras: list[tuple[int, str]]  # unknown headers: (cell index, name)
    currency: str | None  # from a header such as `Amount spent (EUR)`


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
        seen.add(name)
    return HeaderMap(columns, extras, currency)


def _score(source: str) -> Callable[[list[str]], int]:
    def score(cells: list[str]) -> int:
        return len({hit[0].column for c in cells if (hit := _match(c, source))})

    return score


def ensure_table(con: duckdb.DuckDBPyConnection, fmt: AdFormat) -> None:
    cols = ", ".join(f"{ident(c.column)} {SQL_TYPES[c.type]}" for c in ad_columns(fmt.source))
    con.execute(
        f"create table if not exists {RAW}.{ident(fmt.table)} ({cols}, {LINEAGE_DDL}, _extra JSON)"
    )


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
    header: Header
    hmap: HeaderMap


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
        with open(file.path, "rb") as fh:
            encoding = detect_encoding(fh.read(4096))
        lines = head_lines(file.path, encoding)
        if not any(line.strip() for line in lines):
            raise FileError(f"{file.rel_path}: the file has no header row (it is empty)")
        header = find_header(lines, _score(fmt.source))
        if header is None:
            required = [c for c in spec if c.required]
            first = next((line for line in lines if line.strip()), "")
            raise _missing_error(file, fmt, required, [first.strip()[:200]])
        hmap = map_headers(header.cells, fmt.source)
        missing = [c for c in spec if c.required and c.column not in hmap.columns]
        if missing:
            raise _missing_error(file, fmt, missing, header.cells)
        item.table = fmt.table
        item.info = AdFile(encoding, header, hmap)
        item.extra_columns = [name for _, name in hmap.extras]
        if encoding.python.startswith("utf-16"):
            item.weight = file.size // 2

    def ensure_tables(self, con: duckdb.DuckDBPyConnection, items: list[Prepared]) -> None:
        ensure_table(con, self.fmt)

    def stage(self, con: duckdb.DuckDBPyConnection, items: list[Prepared]) -> list[Staged]:
        fmt = self.fmt
        spec = ad_columns(fmt.source)
        transforms = _transforms(fmt.source)
        canon = {"_file": "INTEGER"}
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
            key = (info.encoding, info.header.line_index, info.header.delimiter)
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
        con.execute(_typed_sql(fmt, spec, transforms))
        return [
            Staged(
                table=fmt.table,
                relation=STAGE,
                columns=[c.column for c in spec],
                files=[item.index for item in items],
                newest_data_date=f"s.{ident(fmt.date_column)}",
                cleanup=[CANON, STAGE],
            )
        ]


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
    out = [f"{file_of(indexes)} as _file"]
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


def _typed_sql(
    fmt: AdFormat, spec: tuple[AdColumn, ...], transforms: dict[str, tuple[str, ...]]
) -> str:
    """Values are computed once (CTE `v`); reasons then compare each value with its cell.

    The header a value came from (`h_<column>`) names the column in the reason,
    and is NULL when the file lacks the column: then there is nothing to reject.
    """
    values: dict[str, str] = {}
    reasons: list[str] = []
    for col in spec:
        name = col.column
        cell, head = ident("k_" + name), ident("h_" + name)
        rules = {"": typed(col.type, cell)}
        for transform in transforms.get(name, ()):
            rules[transform] = typed(col.type, cell, transform)
        values[name] = _by_transform(name, {t: r.value for t, r in rules.items()})
        if any(r.invalid for r in rules.values()):
            check = _by_transform(
                name, {t: invalid_check(r, ident(name)) for t, r in rules.items()}
            )
            problem = rules[""].problem
            reasons.append(
                f"""case when {head} is not null and ({check}) then """
                f"""concat('column "', {head}, '": "', {cell}, '" ', {problem}) end"""
            )
        if col.not_null:
            reasons.append(
                f"""case when {head} is not null and {blank(cell)} then """
                f"""concat('column "', {head}, '" is empty') end"""
            )
    reasons.append(
        "case when _overflow is not null then "
        "concat('the row has more cells than the header (', _width, ')') end"
    )
    cell_of = {col.column: ident("k_" + col.column) for col in spec}
    selected = ", ".join(f"{expr} as {ident(name)}" for name, expr in values.items())
    final = ", ".join(ident(name) for name in values)
    not_blank = "len(list_filter(_cells, lambda c: nullif(trim(c), '') is not null)) > 0"
    return f"""create or replace temp table {STAGE} as
        with t as (
            select rowid as _line, * from {CANON}
            where {not_blank} and not coalesce({fmt.not_data(cell_of, "_cells[1]")}, false)),
        n as (select _line, row_number() over (partition by _file order by _line) as _row_number
            from t),
        v as (select *, {selected} from t),
        r as (select *, nullif(concat_ws('; ', {", ".join(reasons)}), '') as _reason from v)
        select r._file, n._row_number, {final}, _reason,
            case when _reason is not null then {_raw_line_sql()} end as _raw_line, _extra
        from r join n using (_line)"""


def _by_transform(name: str, exprs: dict[str, str]) -> str:
    if len(exprs) == 1:
        return exprs[""]
    whens = " ".join(f"when {literal(t)} then {e}" for t, e in exprs.items() if t)
    return f"(case {ident('t_' + name)} {whens} else {exprs['']} end)"
