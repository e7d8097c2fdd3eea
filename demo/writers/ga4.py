"""GA4 BigQuery-export events, one file per day: JSONL (some gzipped, some `.json`) and Parquet.

Sessions expand into events day by day (memory stays bounded at any --scale): a
`session_start` and the landing `page_view` at the session's start, later page views, and a
`generate_lead` for form fills. The nested export schema (event_params as a list of
{key, value{string_value, int_value, double_value}}, collected_traffic_source, device, geo)
is built by DuckDB and written with COPY, single-threaded so the bytes are the same every run.
Some JSON days write integers as strings, as BigQuery's JSON extract does; the largest day of
the period is delivered as two shards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from demo import catalogue as cat
from demo.params import DAY, HOUR, Params
from demo.simulate import US, World
from demo.writers.common import Written, set_mtime

EXTENSIONS = {"jsonl": ".jsonl", "jsonl.gz": ".jsonl.gz", "json": ".json", "parquet": ".parquet"}


@dataclass(frozen=True)
class DayFile:
    """One delivered file of one day: its name, format, mtime and whether ints are strings."""

    day: int
    rel: str
    fmt: str
    mtime: int
    ints_as_strings: bool
    shard: int | None = None  # index of the shard, None for a whole day
    shards: int = 1
    cutoff_us: int | None = None  # only events before this time (an early, partial delivery)


def day_format(day: int) -> str:
    """Format rotation: JSONL, a third gzipped, every 11th day Parquet, every 13th `.json`."""
    if day % 11 == 5:
        return "parquet"
    if day % 3 == 1:
        return "jsonl.gz"
    if day % 13 == 8:
        return "json"
    return "jsonl"


def shard_day(world: World) -> int:
    """The day split in shards: 2026-11-03 when simulated (the documented one), else the busiest."""
    p = world.params
    wanted = (dt.date(2026, 11, 3) - p.start).days
    if 0 <= wanted < p.days:
        return wanted
    return int(np.argmax(np.bincount(world.sessions["day"].to_numpy(), minlength=p.days)))


def plan_files(world: World) -> list[DayFile]:
    p = world.params
    files = []
    sharded = shard_day(world)
    for d in range(p.days):
        stamp = (p.start + dt.timedelta(days=d)).strftime("%Y%m%d")
        mtime = p.start_s + (d + 1) * DAY + 3 * HOUR
        fmt = day_format(d)
        strings = fmt in ("jsonl", "json", "jsonl.gz") and d % 5 == 2
        if d == sharded:
            for k in range(2):
                files.append(
                    DayFile(
                        d, f"web/events_{stamp}_{k:012d}.jsonl", "jsonl", mtime + k, False, k, 2
                    )
                )
        else:
            files.append(DayFile(d, f"web/events_{stamp}{EXTENSIONS[fmt]}", fmt, mtime, strings))
    return files


def _source_table(world: World) -> pd.DataFrame:
    """Per traffic source: landing query string, click-id parameter, referrer, manual fields."""
    rows = []
    for i, s in enumerate(world.sources):
        parts = []
        if s.utm_source:
            parts = [
                f"utm_source={quote(s.utm_source)}",
                f"utm_medium={quote(s.utm_medium or '')}",
                f"utm_campaign={quote(s.utm_campaign or '')}",
            ]
        query = ("?" + "&".join(parts)) if parts else ""
        rows.append(
            {
                "source": i,
                "query": query,
                "click_param": s.click_id,
                "click_sep": ("&" if parts else "?") if s.click_id else None,
                "referrer": s.referrer,
                "manual_source": s.utm_source,
                "manual_medium": s.utm_medium,
                "manual_campaign_name": s.utm_campaign,
                "has_cts": bool(s.utm_source or s.click_id == "gclid"),
            }
        )
    return pd.DataFrame(rows)


class _Columns:
    """numpy views of the session and visitor columns, taken once (not once per day)."""

    def __init__(self, world: World) -> None:
        s, v = world.sessions, world.visitors
        self.session = {c: s[c].to_numpy() for c in s.columns}
        self.session["click_id"] = s["click_id"].to_numpy(dtype=object)
        self.visitor = {
            c: v[c].to_numpy(dtype=object)
            for c in ("user_id", "user_pseudo_id", "device", "country")
        }


def _day_events(cols: _Columns, day: int, rng: np.random.Generator) -> pa.Table:
    """The events of one day as a flat Arrow table; DuckDB nests them on the way out."""
    lo, hi = np.searchsorted(cols.session["day"], [day, day + 1])
    sess = {c: a[lo:hi] for c, a in cols.session.items()}
    vcols = cols.visitor
    m = hi - lo
    n_pv = sess["n_pageviews"]
    lead_us = sess["lead_us"]
    has_lead = lead_us >= 0
    per = 1 + n_pv + has_lead
    idx = np.repeat(np.arange(m), per)
    rank = pd.Series(idx).groupby(idx).cumcount().to_numpy() if idx.size else idx
    n = idx.size
    start = sess["start_us"][idx]
    is_start = rank == 0
    is_lead = has_lead[idx] & (rank == per[idx] - 1)
    pv_k = np.where(is_start | is_lead, -1, rank - 1)
    gaps = rng.integers(10, 180, n) * US + rng.integers(0, US, n)
    gaps[pv_k <= 0] = 0
    ts = start + pd.Series(gaps).groupby(idx).cumsum().to_numpy() if n else start
    ts = np.where(is_lead, lead_us[idx], ts)

    pages = np.array(cat.PAGES)
    page = rng.integers(0, pages.size, n)
    page = np.where(pv_k <= 0, sess["landing_page"][idx], page)
    page = np.where((pv_k == 1) & has_lead[idx], cat.PAGES.index(cat.FORM_PAGE), page)
    page = np.where(is_lead, cat.PAGES.index(cat.FORM_PAGE), page)
    prev_page = np.concatenate([[0], page[:-1]]) if n else page
    landing = pv_k <= 0
    landing &= ~is_lead

    vis = sess["visitor"][idx]
    mode = sess["user_id_mode"][idx]
    user_ids = vcols["user_id"][vis]
    with_uid = (mode == 2) | ((mode == 1) & (ts >= lead_us[idx]))
    name = np.where(is_start, "session_start", np.where(is_lead, "generate_lead", "page_view"))
    return pa.table(
        {
            "seq": pa.array(np.arange(n)),
            "ts": pa.array(ts.astype(np.int64)),
            "event_name": pa.array(name),
            "user_pseudo_id": pa.array(vcols["user_pseudo_id"][vis], type=pa.string()),
            "user_id": pa.array(
                np.where(with_uid, user_ids, None).astype(object), type=pa.string()
            ),
            "sid": pa.array(sess["start_us"][idx] // US),
            "snum": pa.array(sess["session_number"][idx].astype(np.int64)),
            "source": pa.array(sess["source"][idx].astype(np.int64)),
            "click_id": pa.array(sess["click_id"][idx], type=pa.string()),
            "path": pa.array(pages[page]),
            "prev_path": pa.array(pages[prev_page]),
            "landing": pa.array(landing),
            "is_lead": pa.array(is_lead),
            "engaged": pa.array(np.where(sess["engaged"][idx], "1", "0")),
            "eng_ms": pa.array(np.where(pv_k >= 1, gaps // 1000, -1).astype(np.int64)),
            "device": pa.array(vcols["device"][vis], type=pa.string()),
            "country": pa.array(vcols["country"][vis], type=pa.string()),
        }
    )


def _select_sql(stamp: str, ints_as_strings: bool) -> str:
    """The GA4 export row, nested, from the flat `ev` table joined to the `src` lookup."""
    int_t = "VARCHAR" if ints_as_strings else "BIGINT"
    ts = "CAST(ts AS VARCHAR)" if ints_as_strings else "ts"

    def param(key: str, s: str = "NULL", i: str = "NULL", d: str = "NULL") -> str:
        return (
            f"{{'key': '{key}', 'value': {{'string_value': CAST({s} AS VARCHAR), "
            f"'int_value': CAST({i} AS {int_t}), 'double_value': CAST({d} AS DOUBLE)}}}}"
        )

    params = ", ".join(
        [
            param("ga_session_id", i="sid"),
            param("ga_session_number", i="snum"),
            param("page_location", s="loc"),
            param("page_referrer", s="ref"),
            param("session_engaged", s="engaged"),
            param("engagement_time_msec", i="CASE WHEN eng_ms >= 0 THEN eng_ms END"),
            param("form_id", s="CASE WHEN is_lead THEN 'demo-request' END"),
            param("value", d="CASE WHEN is_lead THEN 50.0 END"),
        ]
    )
    return f"""
        WITH joined AS (
            SELECT *,
                '{cat.SITE}' || path || CASE WHEN landing THEN query
                    || coalesce(click_sep || click_param || '=' || click_id, '') ELSE '' END
                    AS loc,
                CASE WHEN is_lead THEN NULL WHEN landing THEN referrer
                    ELSE '{cat.SITE}' || prev_path END AS ref
            FROM ev JOIN src USING (source)
            WHERE seq >= $lo AND seq < $hi AND ts < $cutoff
        )
        SELECT
            '{stamp}' AS event_date,
            {ts} AS event_timestamp,
            event_name,
            user_pseudo_id,
            user_id,
            list_filter([{params}], lambda p: p.value.string_value IS NOT NULL
                OR p.value.int_value IS NOT NULL OR p.value.double_value IS NOT NULL)
                AS event_params,
            CASE WHEN (landing OR event_name = 'session_start') AND has_cts THEN {{
                'manual_source': manual_source,
                'manual_medium': manual_medium,
                'manual_campaign_name': manual_campaign_name,
                'gclid': CASE WHEN click_param = 'gclid' THEN click_id END}} END
                AS collected_traffic_source,
            {{'category': device}} AS device,
            {{'country': country}} AS geo
        FROM joined
        ORDER BY ts, seq
    """


def _copy_options(fmt: str) -> str:
    if fmt == "parquet":
        return "FORMAT parquet, COMPRESSION zstd"
    if fmt == "jsonl.gz":
        return "FORMAT json, COMPRESSION gzip"
    return "FORMAT json"


def write_day_file(
    con: duckdb.DuckDBPyConnection, out: Path, f: DayFile, events: pa.Table, stamp: str
) -> int:
    """Write one file of a day (a shard, a partial early delivery or the whole day)."""
    n = events.num_rows
    lo, hi = 0, n
    if f.shard is not None:
        cut = n // f.shards
        lo, hi = (0, cut) if f.shard == 0 else (cut, n)
    cutoff = f.cutoff_us if f.cutoff_us is not None else 2**62
    con.register("ev", events)
    path = out / f.rel
    path.parent.mkdir(parents=True, exist_ok=True)
    sql = _select_sql(stamp, f.ints_as_strings)
    count = con.execute(
        "SELECT count(*) FROM ev WHERE seq >= $lo AND seq < $hi AND ts < $cutoff",
        {"lo": lo, "hi": hi, "cutoff": cutoff},
    ).fetchone()
    con.execute(
        f"COPY ({sql}) TO '{path}' ({_copy_options(f.fmt)})", {"lo": lo, "hi": hi, "cutoff": cutoff}
    )
    con.unregister("ev")
    set_mtime(path, f.mtime)
    return int(count[0]) if count else 0


def write(
    out: Path,
    world: World,
    written: Written,
    files: list[DayFile] | None = None,
) -> dict[str, int]:
    """Write the planned day files (default: plan_files); returns events per file."""
    p: Params = world.params
    con = duckdb.connect()
    con.execute("SET threads = 1")
    con.register("src", _source_table(world))
    files = plan_files(world) if files is None else files
    by_day: dict[int, list[DayFile]] = {}
    for f in files:
        by_day.setdefault(f.day, []).append(f)
    counts: dict[str, int] = {}
    cols = _Columns(world)
    for d in sorted(by_day):
        rng = np.random.default_rng([p.seed, 4_242, d])
        events = _day_events(cols, d, rng)
        stamp = (p.start + dt.timedelta(days=d)).strftime("%Y%m%d")
        for f in by_day[d]:
            counts[f.rel] = write_day_file(con, out, f, events, stamp)
            written.add("ga4", f.rel, counts[f.rel])
    con.close()
    return counts
