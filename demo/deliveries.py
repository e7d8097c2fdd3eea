"""When ad reports are exported and which (day, campaign) rows each one holds.

Real teams deliver ad data as a history backfill (one report per calendar month) and then a
daily export of the last 7 days, so files overlap and the newest file that holds a key wins
(docs/data-quality.md#ingest-rules). A daily export's last day is still incomplete when it
is pulled: it shows about 80% of the final numbers, and the next day's export restates it.
The newest holder of every key therefore always shows the final number, which is what the
ground truth sums.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo import catalogue as cat
from demo.params import DAY, HOUR, Params

PARTIAL_SHARE = 0.8
PLATFORM_OFFSET_S = {"google_ads": 0, "meta_ads": 10 * 60, "linkedin_ads": 20 * 60}
VALUE_COLUMNS = (
    "spend_cents",
    "impressions",
    "clicks",
    "conversions",
    "conv_value_cents",
    "reach",
    "results",
    "leads",
)


@dataclass(frozen=True)
class AdFile:
    """One export: the days it covers, when it was pulled, and what series it belongs to."""

    platform: str
    series: str  # main | video | adhoc
    kind: str  # backfill | daily | weekly | adhoc
    first_day: int
    last_day: int
    export_s: int  # becomes the file's mtime
    index: int  # position within (platform, series), drives the format variant
    partial_last_day: bool


def daily_regime_start(p: Params) -> int:
    """Day index of the first daily export (exports cover the 7 days before their day)."""
    n_daily = min(28, p.days // 2)
    return p.days - n_daily + 1


def _month_chunks(p: Params, last_day: int) -> list[tuple[int, int]]:
    """Calendar-month chunks [first, last] covering days 0..last_day."""
    chunks, first = [], 0
    while first <= last_day:
        date = p.start + dt.timedelta(days=first)
        next_month = (date.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last = min(last_day, first + (next_month - date).days - 1)
        chunks.append((first, last))
        first = last + 1
    return chunks


def plan_files(p: Params) -> list[AdFile]:
    """Every ad export of every platform, in export order per platform."""
    e0 = daily_regime_start(p)
    files: list[AdFile] = []
    for platform in ("google_ads", "meta_ads", "linkedin_ads"):
        off = PLATFORM_OFFSET_S[platform]
        series = ["main", "video"] if platform == "google_ads" else ["main"]
        for s in series:
            i = 0
            for first, last in _month_chunks(p, e0 - 1):
                files.append(
                    AdFile(
                        platform,
                        s,
                        "backfill",
                        first,
                        last,
                        p.start_s + (last + 1) * DAY + 5 * HOUR + off,
                        i,
                        False,
                    )
                )
                i += 1
            if s == "main":
                exports = range(e0, p.days + 1)
                span = 7
            else:
                exports = sorted(range(p.days, e0 - 1, -7))
                span = 14
            for e in exports:
                files.append(
                    AdFile(
                        platform,
                        s,
                        "daily" if s == "main" else "weekly",
                        max(0, e - span),
                        e - 1,
                        p.start_s + e * DAY + 6 * HOUR + off,
                        i,
                        e != p.days,
                    )
                )
                i += 1
        if platform == "google_ads" and p.days - 3 > e0:
            e = p.days - 3
            files.append(
                AdFile(
                    platform,
                    "adhoc",
                    "adhoc",
                    e - 3,
                    e - 1,
                    p.start_s + e * DAY + 9 * HOUR,
                    0,
                    False,
                )
            )
    return files


def campaigns_in(f: AdFile) -> list[int]:
    """Campaign indexes a file may hold: its platform's, video ones only in video reports."""
    out = []
    for i, c in enumerate(cat.CAMPAIGNS):
        if c.platform != f.platform:
            continue
        if f.platform == "google_ads" and (c.kind == "video") != (f.series == "video"):
            continue
        out.append(i)
    return out


def file_rows(ads: pd.DataFrame, f: AdFile) -> pd.DataFrame:
    """The rows a file holds, ordered by day then campaign; partial values on its last day."""
    rows = ads[
        ads["campaign"].isin(campaigns_in(f)) & ads["day"].between(f.first_day, f.last_day)
    ].copy()
    rows = rows.sort_values(["day", "campaign"], kind="stable", ignore_index=True)
    rows["partial"] = False
    if f.partial_last_day:
        last = rows["day"].to_numpy() == f.last_day
        rows.loc[last, "partial"] = True
        for col in VALUE_COLUMNS:
            rows.loc[last, col] = np.floor(rows.loc[last, col] * PARTIAL_SHARE).astype(np.int64)
        rows.loc[last, "spend_cents"] = np.maximum(rows.loc[last, "spend_cents"], 1)
    return rows
