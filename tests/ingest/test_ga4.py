"""GA4 export days -> raw.ga4__events (nested fields as STRUCT/LIST)."""

from __future__ import annotations

import gzip
import json

import duckdb
import pytest
from ingest_helpers import T0, log_rows, rows


def event(
    ts: int | str, name: str = "page_view", user: str = "111.222", session: int | str = 17
) -> dict:
    return {
        "event_date": "20261103",
        "event_timestamp": ts,
        "event_name": name,
        "user_pseudo_id": user,
        "user_id": None,
        "event_params": [
            {"key": "ga_session_id", "value": {"int_value": session}},
            {
                "key": "page_location",
                "value": {"string_value": "https://example.com/?utm_source=x"},
            },
        ],
        "collected_traffic_source": {
            "manual_source": "google",
            "manual_medium": "cpc",
            "gclid": "abc",
        },
        "device": {"category": "desktop"},
        "geo": {"country": "DE"},
        "privacy_info": {"analytics_storage": "Yes"},  # not in our schema: dropped
    }


def jsonl(*events: dict) -> str:
    return "".join(json.dumps(e) + "\n" for e in events)


def test_ga4_nested_fields_stay_structs_and_string_ints_cast(write, ingest, con):
    write("web/events_20261103.jsonl", jsonl(event("1793750400000000", session="1793750400")))
    result = ingest("ga4")
    assert result.failures == []
    [(ts, session, source, device, key)] = rows(
        con,
        "select event_timestamp, event_params[1].value.int_value, "
        "collected_traffic_source.manual_source, device.category, _delivery_key "
        "from raw.ga4__events",
    )
    assert (ts, session, source, device, key) == (
        1793750400000000,
        1793750400,
        "google",
        "desktop",
        "events_20261103",
    )
    types = dict(
        rows(
            con,
            "select column_name, data_type from information_schema.columns "
            "where table_name = 'ga4__events'",
        )
    )
    assert types["event_params"].startswith("STRUCT") and types["event_params"].endswith("[]")
    assert types["event_timestamp"] == "BIGINT"


FORMATS = {
    "jsonl": ("events_20261103.jsonl", lambda text: text.encode()),
    "json": ("events_20261103.json", lambda text: text.encode()),
    "jsonl_gz": ("events_20261103.jsonl.gz", lambda text: gzip.compress(text.encode())),
    "json_gz": ("events_20261103.json.gz", lambda text: gzip.compress(text.encode())),
}


@pytest.mark.parametrize("name, encode", FORMATS.values(), ids=FORMATS.keys())
def test_ga4_json_formats_load(write, ingest, con, name, encode):
    write(f"web/{name}", encode(jsonl(event(1), event(2))))
    assert ingest("ga4").rows_loaded == 2
    assert rows(con, "select _row_number from raw.ga4__events order by 1") == [(1,), (2,)]


def test_ga4_parquet_loads(write, ingest, con, tmp_path):
    src = tmp_path / "events.jsonl"
    src.write_text(jsonl(event(1), event("2")))
    target = tmp_path / "landing" / "web" / "events_20261103.parquet"
    target.parent.mkdir(parents=True)
    duckdb.sql(f"copy (select * from read_json('{src}')) to '{target}' (format parquet)")
    result = ingest("ga4")
    assert result.failures == []
    assert rows(
        con,
        "select event_timestamp, event_params[1].value.int_value, _row_number "
        "from raw.ga4__events order by 1",
    ) == [(1, 17, 1), (2, 17, 2)]


def test_ga4_truncated_line_is_rejected_rest_loads(write, ingest, con):
    text = jsonl(event(1), event(2)) + '{"event_date": "20261103", "event_timest'
    write("web/events_20261103.jsonl", text)
    result = ingest("ga4")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 2, 1)
    assert rows(con, "select row_number, reason, raw_line from raw.rejected_rows") == [
        (3, "the line is not valid JSON", '{"event_date": "20261103", "event_timest')
    ]


def test_ga4_bad_timestamp_is_rejected_with_reason(write, ingest, con):
    write("web/events_20261103.jsonl", jsonl(event(1), event("soon")))
    ingest("ga4")
    assert rows(con, "select row_number, reason from raw.rejected_rows") == [
        (2, 'column "event_timestamp": "soon" is not an integer (microseconds since the epoch)')
    ]


def test_ga4_shards_add_up(write, ingest, con):
    write("web/events_20261103_000000000000.jsonl", jsonl(event(1), event(2)), mtime=T0)
    write("web/events_20261103_000000000001.jsonl", jsonl(event(3)), mtime=T0)
    ingest("ga4")
    assert rows(
        con, "select _delivery_key, count(*) from raw.ga4__events group by 1 order by 1"
    ) == [
        ("events_20261103_000000000000", 2),
        ("events_20261103_000000000001", 1),
    ]


def test_ga4_redelivery_replaces_older_delivery(write, ingest, con):
    write("web/events_20261103.jsonl", jsonl(event(1), event(2)), mtime=T0)
    ingest("ga4")
    write(
        "web/late/events_20261103.jsonl.gz",
        gzip.compress(jsonl(event(1), event(2), event(3)).encode()),
        mtime=T0 + 3 * 86400,
    )
    result = ingest("ga4")
    assert result.files_loaded == 1
    assert rows(con, "select distinct _source_file from raw.ga4__events") == [
        ("web/late/events_20261103.jsonl.gz",)
    ]
    assert rows(con, "select count(*) from raw.ga4__events") == [(3,)]


def test_ga4_redelivery_in_one_run_newest_wins(write, ingest, con):
    # the newer file sorts first by name: order must come from the mtime
    write("web/a/events_20261103.jsonl", jsonl(event(1), event(2), event(3)), mtime=T0 + 86400)
    write("web/b/events_20261103.jsonl", jsonl(event(1)), mtime=T0)
    result = ingest("ga4")
    assert rows(con, "select distinct _source_file from raw.ga4__events") == [
        ("web/a/events_20261103.jsonl",)
    ]
    assert result.rows_loaded == 4  # both were loaded in turn; the newer replaced the older


def test_ga4_older_delivery_arriving_late_does_not_replace(write, ingest, con):
    write(
        "web/events_20261103.jsonl.gz",
        gzip.compress(jsonl(event(1), event(2)).encode()),
        mtime=T0 + 86400,
    )
    ingest("ga4")
    write("web/events_20261103.jsonl", jsonl(event(1)), mtime=T0)
    result = ingest("ga4")
    assert result.files_skipped == 1
    assert rows(con, "select count(*) from raw.ga4__events") == [(2,)]
    assert "newer delivery" in log_rows(con)[-1][5]


BROKEN = {
    "empty_file": ("events_20261103.jsonl", b"", "empty"),
    "blank_lines_only": ("events_20261103.jsonl", b"\n\n", "no events"),
    "corrupt_gzip": ("events_20261103.jsonl.gz", b"\x1f\x8b\x08\x00garbage", "could not be read"),
    "corrupt_parquet": ("events_20261103.parquet", b"PAR1 not really", "could not be read"),
    "bad_name": ("sessions.jsonl", b"{}\n", "not a GA4 export file name"),
}


@pytest.mark.parametrize("name, content, message", BROKEN.values(), ids=BROKEN.keys())
def test_ga4_unreadable_file_fails_clearly(write, ingest, con, name, content, message):
    write(f"web/{name}", content)
    write("web/events_20261104.jsonl", jsonl(event(5)))
    result = ingest("ga4")
    [(path, error)] = result.failures
    assert path == f"web/{name}" and message in error and path in error
    assert result.rows_loaded == 1  # the other file of the source still loads
