"""SQL fragments that type text cells in DuckDB.

Every parser stages a file as VARCHAR cells and types them here, in SQL:
``try_cast`` gives the value and a CASE gives a reason a person understands
when a non-empty cell does not convert. No Python loop touches a data row.
"""

from __future__ import annotations

from dataclasses import dataclass


def ident(name: str) -> str:
    """Quote an identifier that came from a file (a header), never trust it raw."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class Typed:
    """How to compute one typed column from one text cell."""

    value: str  # SQL over the cell
    # SQL condition over the cell and VALUE (the typed column, computed once by the caller):
    # the cell holds something that does not convert
    invalid: str | None
    problem: str  # SQL text of what the reason says after `column "X": "value" `


VALUE = "{value}"  # placeholder in Typed.invalid for the typed column


# Text that means "no value" in ad-platform exports: Google writes `--` and ` --`.
def blank(cell: str) -> str:
    return f"(coalesce(trim({cell}), '') in ('', '--'))"


# Thousands separators, currency symbols, `%`, `< 10%` / `> 90%` and NBSP go away
# before the cast; anything else left over makes the cell "not a number".
_NUMBER_NOISE = r"^[<>]\s*|R\$|US\$|[$€£¥₹%\s\x{00a0},]"

DATE_FORMATS = (
    "%Y-%m-%d",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%m/%d/%Y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%a, %b %d, %Y",
    "%A, %B %d, %Y",
)


DATE_PROBLEM = "is not a date (expected e.g. 2026-11-03, Nov 3, 2026, 3 November 2026 or 11/3/2026)"


def clean_number(cell: str) -> str:
    return f"regexp_replace(trim({cell}), '{_NUMBER_NOISE}', '', 'g')"


def typed(kind: str, cell: str, transform: str = "") -> Typed:
    """Typed value of a cell for the ad-platform column kinds of ad_columns.csv."""
    is_blank = blank(cell)
    num = clean_number(cell)
    if kind == "decimal":
        if transform == "micros":
            value = f"cast(try_cast({num} as decimal(38, 0)) / 1000000 as decimal(18, 6))"
        else:
            value = f"try_cast({num} as decimal(18, 6))"
        return Typed(
            f"case when {is_blank} then null else {value} end",
            f"not {is_blank} and {VALUE} is null",
            _says("is not a number"),
        )
    if kind == "double":
        value = f"try_cast({num} as double)"
        return Typed(
            f"case when {is_blank} then null else {value} end",
            f"not {is_blank} and {VALUE} is null",
            _says("is not a number"),
        )
    if kind == "integer":
        dec = f"try_cast({num} as decimal(38, 6))"
        value = f"case when {dec} % 1 = 0 then cast({dec} as bigint) end"
        return Typed(
            f"case when {is_blank} then null else {value} end",
            f"not {is_blank} and {VALUE} is null",
            f"case when {dec} is null then 'is not a number' else 'is not a whole number' end",
        )
    if kind == "date":
        fmts = ", ".join(literal(f) for f in DATE_FORMATS)
        value = f"cast(try_strptime(trim({cell}), [{fmts}]) as date)"
        return Typed(
            f"case when {is_blank} then null else {value} end",
            f"not {is_blank} and {VALUE} is null",
            _says(DATE_PROBLEM),
        )
    if kind == "id":
        # A spreadsheet that opened the export rounded the ID: the real one is lost.
        return Typed(
            f"nullif(trim({cell}), '')",
            f"regexp_full_match(trim({cell}), '[0-9]*\\.?[0-9]+[eE][+-]?[0-9]+')",
            _says("is in scientific notation: the ID was rounded by a spreadsheet"),
        )
    if kind in ("string", "currency"):
        return Typed(f"nullif(trim({cell}), '')", None, "")
    raise ValueError(f"unknown column type {kind!r}")


def invalid_check(rule: Typed, value_column: str) -> str:
    """Typed.invalid with the typed column filled in."""
    return (rule.invalid or "false").replace(VALUE, value_column)


def reason_invalid(header: str, cell: str, problem: str) -> str:
    """`column "Clicks": "12a" is not a number` as a SQL expression (problem is SQL)."""
    return f"""concat('column "', {literal(header)}, '": "', {cell}, '" ', {problem})"""


def _says(text: str) -> str:
    return literal(text)


def reason_overflow(width: int) -> str:
    """The row had a cell more than the header (caught in the reader's `_overflow` column)."""
    message = f"the row has more cells than the header ({width})"
    return f"case when _overflow is not null then '{message}' end"


def reason_empty(header: str) -> str:
    return literal(f'column "{header}" is empty')


def raw_line(cells: list[str], delimiter: str) -> str:
    """The row as CSV text again, for raw.rejected_rows (the reader split it into cells)."""
    if not cells:
        return "''"
    d = literal(delimiter)
    parts = [
        f"""case when {c} is null then '' when contains({c}, {d}) or contains({c}, '"') """
        f"""or contains({c}, chr(10)) then concat('"', replace({c}, '"', '""'), '"') else {c} end"""
        for c in cells
    ]
    return f"concat_ws({d}, {', '.join(parts)})"


# Salesforce's null Id: Data Loader writes it in lookup fields that are empty.
NULL_SALESFORCE_IDS = ("000000000000000AAA", "000000000000000")


def utc_timestamp(cell: str) -> str:
    """Salesforce datetimes as naive UTC: `...T10:22:13.000Z`, `... 10:22:13` (no zone: UTC),
    `2026-03-04` (00:00 UTC) and explicit offsets (`+0100`, `-05:00`), which are applied.

    Only a value with a sign after the seconds goes through TIMESTAMPTZ, and its instant
    is taken as epoch microseconds, so the session time zone never matters.
    """
    s = f"trim({cell})"
    tail = f"substr({s}, 20)"
    return (
        f"case when contains({tail}, '+') or contains({tail}, '-') "
        f"then make_timestamp(epoch_us(try_cast({s} as timestamptz))) "
        f"else try_cast({s} as timestamp) end"
    )


def salesforce_typed(kind: str, cell: str) -> Typed:
    """Typed value of a Salesforce CSV cell for the types of salesforce_fields.csv."""
    empty = f"(coalesce({cell}, '') = '')"
    if kind == "id":
        nulls = ", ".join(literal(v) for v in NULL_SALESFORCE_IDS)
        return Typed(
            f"case when trim({cell}) in ('', {nulls}) then null else trim({cell}) end", None, ""
        )
    if kind == "string":
        return Typed(f"nullif({cell}, '')", None, "")
    if kind == "boolean":
        value = (
            f"case lower(trim({cell})) when 'true' then true when '1' then true "
            f"when 'false' then false when '0' then false end"
        )
        return Typed(
            value,
            f"not {empty} and {VALUE} is null",
            _says("is not a boolean (true/false or 1/0)"),
        )
    if kind in ("timestamp", "date"):
        value = utc_timestamp(cell)
        if kind == "date":
            value = f"cast({value} as date)"
        return Typed(value, f"not {empty} and {VALUE} is null", _says(f"is not a {kind}"))
    if kind == "decimal":
        value = f"try_cast(trim({cell}) as decimal(18, 2))"
        return Typed(value, f"not {empty} and {VALUE} is null", _says("is not a number"))
    if kind == "integer":
        dec = f"try_cast(trim({cell}) as decimal(38, 6))"
        value = f"case when {dec} % 1 = 0 then cast({dec} as bigint) end"
        return Typed(
            value,
            f"not {empty} and {VALUE} is null",
            f"case when {dec} is null then 'is not a number' else 'is not a whole number' end",
        )
    raise ValueError(f"unknown Salesforce field type {kind!r}")


SALESFORCE_SQL_TYPES = {
    "id": "VARCHAR",
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "decimal": "DECIMAL(18,2)",
    "integer": "BIGINT",
}


def file_of(indexes: list[int]) -> str:
    """A multi-file reader's `file_index` (position in its list of paths) as the
    loader's batch file number (``_file``)."""
    return f"list_extract([{', '.join(str(i) for i in indexes)}], cast(file_index as bigint) + 1)"
