"""GA4 BigQuery export days: newline-delimited JSON (optionally gzipped) and Parquet.

JSON lines are read as raw text by DuckDB's CSV reader (one VARCHAR column,
gzip handled by DuckDB), checked with ``json_valid`` and typed with
``json_transform`` into the GA4 schema in SQL: nested fields stay STRUCT/LIST,
integers that BigQuery wrote as JSON strings are cast, and a line that is not
JSON becomes a rejected row while the file's other lines load. Parquet is read
with ``read_parquet`` and cast by name into the same schema.
"""

from __future__ import annotations

import json
import re

import duckdb

from ingest.errors import FileError, Superseded
from ingest.landing import LandingFile
from ingest.loader import LINEAGE_DDL, RAW, Staged
from ingest.sql import literal

TABLE = "ga4__events"
LINES = "_ga4_lines"
PARSED = "_ga4_parsed"
STAGE = "_ga4_stage"

EVENT_PARAMS = (
    "STRUCT(key VARCHAR, value STRUCT("
    "string_value VARCHAR, int_value BIGINT, double_value DOUBLE))[]"
)
TRAFFIC_SOURCE = (
    "STRUCT(manual_source VARCHAR, manual_medium VARCHAR, "
    "manual_campaign_name VARCHAR, gclid VARCHAR)"
)
COLUMNS: dict[str, str] = {
    "event_date": "VARCHAR",
    "event_timestamp": "BIGINT",
    "event_name": "VARCHAR",
    "user_pseudo_id": "VARCHAR",
    "user_id": "VARCHAR",
    "event_params": EVENT_PARAMS,
    "collected_traffic_source": TRAFFIC_SOURCE,
    "device": "STRUCT(category VARCHAR)",
    "geo": "STRUCT(country VARCHAR)",
}
# json_transform's structure for the same schema
JSON_STRUCTURE = json.dumps(
    {
        "event_date": "VARCHAR",
        "event_timestamp": "BIGINT",
        "event_name": "VARCHAR",
        "user_pseudo_id": "VARCHAR",
        "user_id": "VARCHAR",
        "event_params": [
            {
                "key": "VARCHAR",
                "value": {
                    "string_value": "VARCHAR",
                    "int_value": "BIGINT",
                    "double_value": "DOUBLE",
                },
            }
        ],
        "collected_traffic_source": {
            "manual_source": "VARCHAR",
            "manual_medium": "VARCHAR",
            "manual_campaign_name": "VARCHAR",
            "gclid": "VARCHAR",
        },
        "device": {"category": "VARCHAR"},
        "geo": {"country": "VARCHAR"},
    }
)
FILE_NAME = re.compile(r"^events_\d{8}(_\d+)?\.(jsonl?|jsonl?\.gz|parquet)$", re.IGNORECASE)
_TS_PROBLEM = "is not an integer (microseconds since the epoch)"


def delivery_key(name: str) -> str:
    """`events_20261103.jsonl.gz` -> `events_20261103` (a shard keeps its suffix)."""
    return name.split(".", 1)[0]


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    cols = ", ".join(f"{name} {sql_type}" for name, sql_type in COLUMNS.items())
    con.execute(
        f"create table if not exists {RAW}.{TABLE} ({cols}, _delivery_key VARCHAR, {LINEAGE_DDL})"
    )


def _replaced_delivery(con: duckdb.DuckDBPyConnection, file: LandingFile, key: str) -> bool:
    """True when an older delivery of this key is loaded; raise when a newer one is."""
    rows = con.execute(
        f"""select file_path, file_modified_at from {RAW}.ingest_log
        where source = 'ga4' and status = 'loaded' and file_path != ?
          and split_part(regexp_extract(file_path, '[^/]+$'), '.', 1) = ?""",
        [file.rel_path, key],
    ).fetchall()
    newer = [
        path for path, modified in rows if (modified, path) > (file.modified_at, file.rel_path)
    ]
    if newer:
        raise Superseded(
            f"{file.rel_path}: a newer delivery of {key} is already loaded ({newer[0]})"
        )
    return bool(rows)


def stage(con: duckdb.DuckDBPyConnection, file: LandingFile) -> Staged:
    name = file.path.name
    if not FILE_NAME.match(name):
        raise FileError(
            f"{file.rel_path}: not a GA4 export file name; expected events_YYYYMMDD[_shard] "
            "with .json, .jsonl, .json.gz, .jsonl.gz or .parquet"
        )
    key = delivery_key(name)
    replaces = _replaced_delivery(con, file, key)
    ensure_table(con)
    if name.lower().endswith(".parquet"):
        _stage_parquet(con, file)
    else:
        _stage_json(con, file)
    if not con.execute(f"select count(*) from {STAGE}").fetchall()[0][0]:
        raise FileError(f"{file.rel_path}: the file has no events (no JSON lines)")
    return Staged(
        table=TABLE,
        stage=STAGE,
        columns=list(COLUMNS),
        has_extra=False,
        constants={"_delivery_key": key},
        replace_where={"_delivery_key": key} if replaces else {},
        newest_data_date="max(try_strptime(event_date, '%Y%m%d'))::date",
        cleanup=[LINES, PARSED],
    )


def _stage_json(con: duckdb.DuckDBPyConnection, file: LandingFile) -> None:
    """One JSON parse per line on the happy path; a line's reason is worked out only
    when it did not give an event_timestamp."""
    # \x1f never occurs unescaped inside JSON, so every line is one cell.
    con.execute(
        f"""create or replace temp table {LINES} as
        select line from read_csv({literal(str(file.path))}, columns = {{'line': 'VARCHAR'}},
            header = false, delim = '\x1f', quote = '', escape = '', auto_detect = false,
            compression = 'auto', max_line_size = 67108864, strict_mode = false)"""
    )
    # Inside a transaction rowids start at 2**55, but they keep the file order:
    # the line number is the rank of the rowid (blank lines count, then drop out).
    con.execute(
        f"""create or replace temp table {PARSED} as
        select row_number() over (order by rowid) as _row_number, line,
            try(json_transform(line, {literal(JSON_STRUCTURE)})) as e
        from {LINES}"""
    )
    ts_text = "json_extract_string(line, '$.event_timestamp')"
    con.execute(
        f"""create or replace temp table {STAGE} as
        select _row_number,
            e.event_date, e.event_timestamp, e.event_name, e.user_pseudo_id, e.user_id,
            e.event_params, e.collected_traffic_source, e.device, e.geo,
            case when e.event_timestamp is null then
                case
                    when not json_valid(line) then 'the line is not valid JSON'
                    when json_type(line) != 'OBJECT' then 'the line is not a JSON object'
                    when {ts_text} is null then 'column "event_timestamp" is empty'
                    else concat('column "event_timestamp": "', {ts_text}, '" {_TS_PROBLEM}')
                end
            end as _reason,
            case when e.event_timestamp is null then line end as _raw_line
        from {PARSED}
        where line is not null and (length(line) > 8 or trim(line) != '')"""
    )


def _stage_parquet(con: duckdb.DuckDBPyConnection, file: LandingFile) -> None:
    src = f"read_parquet({literal(str(file.path))}, file_row_number = true)"
    present = {row[0] for row in con.execute(f"describe select * from {src}").fetchall()}
    if "event_timestamp" not in present:
        raise FileError(
            f"{file.rel_path}: missing required column(s) event_timestamp; "
            f"columns found: {', '.join(sorted(present - {'file_row_number'}))}"
        )
    # Structs cast by field name: extra export fields drop, missing ones are NULL.
    selected = ", ".join(
        f"try_cast({name} as {sql_type}) as {name}"
        if name in present
        else f"cast(null as {sql_type}) as {name}"
        for name, sql_type in COLUMNS.items()
    )
    reason = f"""case
                when p.event_timestamp is null then 'column "event_timestamp" is empty'
                when try_cast(p.event_timestamp as bigint) is null then concat(
                    'column "event_timestamp": "', cast(p.event_timestamp as varchar),
                    '" {_TS_PROBLEM}')
            end"""
    con.execute(
        f"""create or replace temp table {STAGE} as
        select p.file_row_number + 1 as _row_number, {selected}, {reason} as _reason,
            case when ({reason}) is not null then cast(to_json(p) as varchar) end as _raw_line
        from {src} as p"""
    )
