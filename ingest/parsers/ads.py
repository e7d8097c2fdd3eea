"""Shared staging for ad-platform UI exports (Google Ads, Meta, LinkedIn).

What differs between platforms is data (ingest/mappings/ad_columns.csv and
ad_headers.csv) plus the few rules in :class:`AdFormat`; this module does the
rest: find the header under the preamble, map headers to raw columns, read the
cells with DuckDB, type them in SQL and give each bad row a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import duckdb

from ingest.errors import FileError
from ingest.landing import LandingFile
from ingest.loader import LINEAGE_DDL, RAW, Staged
from ingest.mappings import AdColumn, HeaderAlias, ad_columns, header_aliases, normalize_header
from ingest.sql import (
    blank,
    ident,
    invalid_check,
    literal,
    raw_line,
    reason_empty,
    reason_invalid,
    reason_overflow,
    typed,
)
from ingest.textfile import detect_encoding, find_header, head_lines, readable_copy, stage_cells

SQL_TYPES = {
    "date": "DATE",
    "id": "VARCHAR",
    "string": "VARCHAR",
    "currency": "VARCHAR",
    "decimal": "DECIMAL(18,6)",
    "integer": "BIGINT",
    "double": "DOUBLE",
}
CELLS = "_ad_cells"
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


def _match(header: str, source: str) -> tuple[HeaderAlias, str | None] | None:
    return _match_cached(normalize_header(header), source)


@lru_cache(maxsize=4096)
def _match_cached(norm: str, source: str) -> tuple[HeaderAlias, str | None] | None:
    if not norm or len(norm) > 200:  # a data cell, not a header
        return None
    for alias in header_aliases(source):
        found = alias.pattern.match(norm)
        if found:
            return alias, (found.groupdict().get("currency") or None)
    return None


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


def stage_ad_file(con: duckdb.DuckDBPyConnection, file: LandingFile, fmt: AdFormat) -> Staged:
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

    ensure_table(con, fmt)
    with readable_copy(file.path, encoding) as (path, duck_encoding):
        width = stage_cells(con, CELLS, path, duck_encoding, header)
    con.execute(_typed_sql(fmt, spec, hmap, width, header.delimiter))
    return Staged(
        table=fmt.table,
        stage=STAGE,
        columns=[c.column for c in spec],
        extra_columns=[name for _, name in hmap.extras],
        newest_data_date=f"max({ident(fmt.date_column)})",
        cleanup=[CELLS],
    )


def _typed_sql(
    fmt: AdFormat, spec: tuple[AdColumn, ...], hmap: HeaderMap, width: int, delimiter: str
) -> str:
    """Values are computed once (CTE `v`); reasons then compare each value with its cell."""
    cell_of = {col: f"c{index}" for col, (index, _, _) in hmap.columns.items()}
    values: dict[str, str] = {}
    reasons: list[str] = []
    for col in spec:
        if col.column not in hmap.columns:
            if col.type == "currency" and hmap.currency:
                values[col.column] = literal(hmap.currency)
            else:
                values[col.column] = f"cast(null as {SQL_TYPES[col.type]})"
            continue
        index, header, alias = hmap.columns[col.column]
        cell = f"c{index}"
        rule = typed(col.type, cell, alias.transform)
        values[col.column] = rule.value
        if rule.invalid:
            check = invalid_check(rule, ident(col.column))
            reasons.append(
                f"case when {check} then {reason_invalid(header, cell, rule.problem)} end"
            )
        if col.not_null:
            reasons.append(f"case when {blank(cell)} then {reason_empty(header)} end")
    if fmt.id_from_name and "campaign_id" not in hmap.columns:
        values["campaign_id"] = values["campaign_name"]
    reasons.append(reason_overflow(width))
    cells = [f"c{i}" for i in range(width)]
    all_blank = " and ".join(f"nullif(trim({c}), '') is null" for c in cells)
    extra = "null"
    if hmap.extras:
        pairs = ", ".join(f"{literal(name)}, c{index}" for index, name in hmap.extras)
        extra = f"json_object({pairs})"
    selected = ", ".join(f"{expr} as {ident(name)}" for name, expr in values.items())
    final = ", ".join(ident(name) for name in values)
    raw = f"{raw_line(cells, delimiter)} || coalesce({literal(delimiter)} || _overflow, '')"
    return f"""create or replace temp table {STAGE} as
        with t as (
            select rowid as _line, * from {CELLS}
            where not ({all_blank}) and not coalesce({fmt.not_data(cell_of, "c0")}, false)),
        v as (select *, {selected} from t)
        select row_number() over (order by _line) as _row_number, {final},
            nullif(concat_ws('; ', {", ".join(reasons)}), '') as _reason,
            {raw} as _raw_line,
            {extra} as _extra
        from v"""
