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


# Localised numbers. After the noise goes (currency symbols, `%`, spaces, NBSP and
# the narrow NBSP of French/Portuguese UIs: they never separate decimals), a cell is written
# in the 1,234.56 style (EN), in the 1.234,56 style (EU), in both (`1,234`, `1.234`: the
# separator may be either) or in neither. A cell that only one style reads is evidence for
# its file; a cell that both read with a separator is ambiguous.
_LOCAL_NOISE = r"^[<>]\s*|R\$|US\$|[$€£¥₹%\s\x{00a0}\x{202f}]"
EN_NUMBER = r"[-+]?(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)(?:[.][0-9]+)?|[-+]?[.][0-9]+"
EU_NUMBER = r"[-+]?(?:[1-9][0-9]{0,2}(?:[.][0-9]{3})+|[0-9]+)(?:,[0-9]+)?|[-+]?,[0-9]+"
# day and month as 1-2 digits, a 4-digit year last: `24/11/2026`, `11/24/2026`, `3.11.2026`
SLASHED_DATE = r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})"
DATE_FORMATS_UNORDERED = tuple(f for f in DATE_FORMATS if f != "%m/%d/%Y")


def local_clean(cell: str) -> str:
    return f"regexp_replace(trim({cell}), '{_LOCAL_NOISE}', '', 'g')"


def reads_as(clean: str, style: str) -> str:
    """TRUE when the cleaned cell is a number in that style (`en` or `eu`)."""
    pattern = EN_NUMBER if style == "en" else EU_NUMBER
    return f"regexp_full_match({clean}, {literal('(?:' + pattern + ')')})"


def has_separator(clean: str) -> str:
    return f"(contains({clean}, ',') or contains({clean}, '.'))"


def number_style(clean: str, en: str, eu: str, file_style: str) -> str:
    """The style a cell is read in: its own when only one reads it, the file's when both
    read it with a separator (NULL when the file has none: ambiguous), `en` for plain
    digits; NULL when neither reads it (then it is simply not a number)."""
    return (
        f"case when {en} and not {eu} then 'en' when {eu} and not {en} then 'eu' "
        f"when {en} and {eu} then case when {has_separator(clean)} then {file_style} "
        f"else 'en' end end"
    )


def local_number(clean: str, style: str, sql_type: str) -> str:
    """The cleaned cell as a number of SQL type, read in `style` (SQL: 'en'/'eu'/NULL)."""
    return (
        f"case {style} when 'en' then try_cast(replace({clean}, ',', '') as {sql_type}) "
        f"when 'eu' then try_cast(replace(replace({clean}, '.', ''), ',', '.') as {sql_type}) "
        f"end"
    )


AMBIGUOUS_NUMBER = (
    "is ambiguous: the separator may mark thousands or decimals, and no other cell nor the "
    "header language of the file tells which"
)
AMBIGUOUS_DATE = (
    "is ambiguous: it may be day/month or month/day, and no other date nor the header "
    "language of the file tells which"
)


def date_parts(clean: str) -> tuple[str, str]:
    """First and second part of a slashed date as integers (NULL when not slashed)."""
    first = f"try_cast(regexp_extract({clean}, '^{SLASHED_DATE}$', 1) as integer)"
    second = f"try_cast(regexp_extract({clean}, '^{SLASHED_DATE}$', 2) as integer)"
    return first, second


def local_date(clean: str, order: str) -> str:
    """A day: slashed dates in `order` (SQL: 'dmy'/'mdy'/NULL), others as DATE_FORMATS say."""
    slashed = f"regexp_full_match({clean}, '{SLASHED_DATE}')"
    normal = f"regexp_replace({clean}, '[.-]', '/', 'g')"
    fmts = ", ".join(literal(f) for f in DATE_FORMATS_UNORDERED)
    return (
        f"case when {slashed} then case {order} "
        f"when 'dmy' then cast(try_strptime({normal}, '%d/%m/%Y') as date) "
        f"when 'mdy' then cast(try_strptime({normal}, '%m/%d/%Y') as date) end "
        f"else cast(try_strptime({clean}, [{fmts}]) as date) end"
    )


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
    `2026-03-04` (00:00 UTC), explicit offsets (`+0000`, `+0100`, `-05:00`), which are
    applied, and Excel's US style (`3/4/26 10:22 AM`, `03/04/2026`).

    Only a value with a sign after the seconds goes through TIMESTAMPTZ, and its instant
    is taken as epoch microseconds, so the session time zone never matters.
    """
    s = f"trim({cell})"
    tail = f"substr({s}, 20)"
    us = ", ".join(literal(f) for f in US_DATETIME_FORMATS)
    return (
        f"case when contains({s}, '/') then try_strptime({s}, [{us}]) "
        f"when contains({tail}, '+') or contains({tail}, '-') "
        f"then make_timestamp(epoch_us(try_cast({s} as timestamptz))) "
        f"else try_cast({s} as timestamp) end"
    )


# Excel re-saving a Salesforce export writes US dates: `3/4/26`, `3/4/26 10:22 AM` (UTC, like
# every CRM time without a zone). `%y`: 00-68 are 20YY, 69-99 are 19YY.
US_DATETIME_FORMATS = (
    "%m/%d/%y %I:%M %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%y %H:%M",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%y",
    "%m/%d/%Y",
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
        # Excel writes TRUE/FALSE, Data Loader 1/0; an empty checkbox cell is false
        value = (
            f"case when coalesce(trim({cell}), '') = '' then false "
            f"else case lower(trim({cell})) when 'true' then true "
            f"when '1' then true when 'false' then false when '0' then false end end"
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
