"""GA4 BigQuery export days: newline-delimited JSON (optionally gzipped) and Parquet.

JSON lines are read as raw text by DuckDB's CSV reader (one VARCHAR column,
gzip handled by DuckDB), typed with ``json_transform`` into the GA4 schema in
SQL: nested fields stay STRUCT/LIST, integers that BigQuery wrote as JSON
strings are cast, and a line that is not JSON becomes a rejected row (the
reason worked out with ``json_valid`` only for such lines) while the file's
other lines load. Parquet is read with ``read_parquet`` and cast by name into
the same schema.

A batch of days is read by one multi-file read per format (plain and gzipped
JSON lines together) straight into one staged table: one JSON parse per line,
and no copy of the text of good lines.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

import duckdb

from ingest.errors import FileError, Superseded
from ingest.landing import LandingFile
from ingest.loader import LINEAGE_COLUMNS, LoadState, Prepared, Staged, ensure_columns
from ingest.sql import file_of, ident, literal

TABLE = "ga4__events"
STAGE_JSON = "_ga4_json"
BASE = "_ga4_base"
STAGE_PARQUET = "_ga4_parquet"
# gzipped days: the batch size counts the text, roughly this many times the bytes
GZIP_RATIO = 8

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


def ensure_table(
    con: duckdb.DuckDBPyConnection, existing: dict[str, set[str]] | None = None
) -> None:
    """The events table with the whole GA4 schema, collected_traffic_source included (days
    exported before mid-2023 lack it: NULL)."""
    ensure_columns(con, TABLE, COLUMNS | {"_delivery_key": "VARCHAR"} | LINEAGE_COLUMNS, existing)


def _deliveries(state: LoadState) -> dict[str, list[tuple[str, datetime]]]:
    """Loaded versions by delivery key (cached until the next batch commits)."""
    if "ga4_deliveries" not in state.cache:
        found: dict[str, list[tuple[str, datetime]]] = {}
        for path, modified in state.versions:
            found.setdefault(delivery_key(path.rsplit("/", 1)[-1]), []).append((path, modified))
        state.cache["ga4_deliveries"] = found
    return state.cache["ga4_deliveries"]


@dataclass(frozen=True)
class Ga4File:
    parquet: bool
    present: tuple[str, ...] = ()  # parquet columns, in file order


class Ga4Parser:
    """The loader's parser interface (ingest.loader.Parser) for GA4 export days."""

    def conflict_key(self, file: LandingFile) -> tuple[str, str]:
        # a re-delivery of a day in the same batch waits: it replaces this one
        return ("delivery", delivery_key(file.path.name))

    def prepare(self, con: duckdb.DuckDBPyConnection, item: Prepared, state: LoadState) -> None:
        file = item.file
        name = file.path.name
        if not FILE_NAME.match(name):
            raise FileError(
                f"{file.rel_path}: not a GA4 export file name; expected events_YYYYMMDD[_shard] "
                "with .json, .jsonl, .json.gz, .jsonl.gz or .parquet"
            )
        key = delivery_key(name)
        # True when an older delivery of this key is loaded; raise when a newer one is.
        others = [
            (path, modified)
            for path, modified in _deliveries(state).get(key, [])
            if path != file.rel_path
        ]
        newer = [
            path
            for path, modified in others
            if (modified, path) > (file.modified_at, file.rel_path)
        ]
        if newer:
            raise Superseded(
                f"{file.rel_path}: a newer delivery of {key} is already loaded ({newer[0]})"
            )
        item.table = TABLE
        item.constants = {"_delivery_key": key}
        item.replace_where = {"_delivery_key": key} if others else {}
        if name.lower().endswith(".parquet"):
            item.info = Ga4File(True, _parquet_columns(con, file))
        else:
            item.info = Ga4File(False)
            if name.lower().endswith(".gz"):
                item.weight = file.size * GZIP_RATIO

    def ensure_tables(self, con: duckdb.DuckDBPyConnection, items: list[Prepared]) -> None:
        ensure_table(con)

    def stage(self, con: duckdb.DuckDBPyConnection, items: list[Prepared]) -> list[Staged]:
        staged = []
        json_items = [item for item in items if not item.info.parquet]
        if json_items:
            relation = _stage_json(con, json_items)
            staged.append(_staged(relation, json_items, cleanup=[STAGE_JSON, BASE]))
        groups: dict[tuple[str, ...], list[Prepared]] = {}
        for item in items:
            if item.info.parquet:
                groups.setdefault(item.info.present, []).append(item)
        for number, (present, members) in enumerate(groups.items()):
            table = f"{STAGE_PARQUET}_{number}"
            _stage_parquet(con, members, present, table)
            staged.append(_staged(table, members, cleanup=[table]))
        return staged


PARSER = Ga4Parser()
NEWEST = "cast(try_strptime(s.event_date, '%Y%m%d') as date)"


def _staged(relation: str, items: list[Prepared], cleanup: list[str]) -> Staged:
    """JSONL and Parquet stage the same columns for the one events table."""
    return Staged(
        table=TABLE,
        relation=relation,
        columns=list(COLUMNS),
        files=[item.index for item in items],
        has_extra=False,
        newest_data_date=NEWEST,
        empty_error="{path}: the file has no events (no JSON lines)",
        cleanup=cleanup,
    )


def _files_list(items: list[Prepared]) -> str:
    return "[" + ", ".join(literal(str(item.file.path)) for item in items) + "]"


def _file_of(items: list[Prepared]) -> str:
    return file_of([item.index for item in items])


def _stage_json(con: duckdb.DuckDBPyConnection, items: list[Prepared]) -> str:
    """One JSON parse per line on the happy path; a line's reason is worked out only
    when it did not give an event_timestamp. Returns the relation of data rows."""
    ts_text = "json_extract_string(line, '$.event_timestamp')"
    # \x1f never occurs unescaped inside JSON, so every line is one cell. Blank
    # lines stay in the table (flagged) so that rowid - first rowid of the file
    # is the line number: the reader is not parallel, rows keep file and line order.
    con.execute(
        f"""create or replace temp table {STAGE_JSON} as
        select _file, e.event_date, e.event_timestamp, e.event_name, e.user_pseudo_id,
            e.user_id, e.event_params, e.collected_traffic_source, e.device, e.geo,
            case when _blank then null when e.event_timestamp is null then
                case
                    when not json_valid(line) then 'the line is not valid JSON'
                    when json_type(line) != 'OBJECT' then 'the line is not a JSON object'
                    when {ts_text} is null then 'column "event_timestamp" is empty'
                    else concat('column "event_timestamp": "', {ts_text}, '" {_TS_PROBLEM}')
                end
            end as _reason,
            case when e.event_timestamp is null and not _blank then line end as _raw_line,
            _blank
        from (
            select {_file_of(items)} as _file, line,
                line is null or (length(line) <= 8 and trim(line) = '') as _blank,
                try(json_transform(line, {literal(JSON_STRUCTURE)})) as e
            from read_csv({_files_list(items)}, columns = {{'line': 'VARCHAR'}},
                header = false, delim = '\x1f', quote = '', escape = '', auto_detect = false,
                compression = 'auto', max_line_size = 67108864, strict_mode = false,
                parallel = false))"""
    )
    con.execute(
        f"create or replace temp table {BASE} as "
        f"select _file, min(rowid) as _base from {STAGE_JSON} group by _file"
    )
    return f"""(select j.*, j.rowid - b._base + 1 as _row_number
        from {STAGE_JSON} as j join {BASE} as b using (_file) where not j._blank)"""


def _parquet_columns(con: duckdb.DuckDBPyConnection, file: LandingFile) -> tuple[str, ...]:
    src = f"read_parquet({literal(str(file.path))})"
    present = tuple(row[0] for row in con.execute(f"describe select * from {src}").fetchall())
    if "event_timestamp" not in present:
        raise FileError(
            f"{file.rel_path}: missing required column(s) event_timestamp; "
            f"columns found: {', '.join(sorted(present))}"
        )
    return present


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, items: list[Prepared], present: tuple[str, ...], table: str
) -> None:
    src = f"read_parquet({_files_list(items)}, file_row_number = true)"
    # Structs cast by field name: extra export fields drop, missing ones are NULL.
    selected = ", ".join(
        f"try_cast(p.{name} as {sql_type}) as {name}"
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
    # the rejected line: the row as the file has it (and its file_row_number)
    row = ", ".join(f"{ident(c)} := p.{ident(c)}" for c in [*present, "file_row_number"])
    con.execute(
        f"""create or replace temp table {table} as
        select {_file_of(items)} as _file, p.file_row_number + 1 as _row_number, {selected},
            {reason} as _reason,
            case when ({reason}) is not null then cast(to_json(struct_pack({row})) as varchar)
            end as _raw_line
        from {src} as p"""
    )
