"""A deliberately simple, independent reader of the generated ad exports (for tests only).

It does not share code with the generator: it reads the bytes the way a person would, so the
tests can check the ground truth against the files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

DAY_FORMATS = ("%Y-%m-%d", "%b %d, %Y", "%d %B %Y", "%m/%d/%Y")


def decode(data: bytes) -> tuple[str, str]:
    """Text and delimiter: UTF-16LE (BOM) files are tab-separated, UTF-8 ones commas."""
    if data.startswith(b"\xff\xfe"):
        return data[2:].decode("utf-16-le"), "\t"
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), ","
    return data.decode("utf-8"), ","


def parse_day(text: str) -> dt.date | None:
    for fmt in DAY_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def number(text: str) -> float | None:
    text = text.strip().replace(",", "")
    if text in ("", "--"):
        return 0.0
    try:
        return float(text)
    except ValueError:
        return None


def rows_of(path: Path) -> list[dict[str, str]] | None:
    """Data rows as dicts (preamble, header and Total rows removed); None if unreadable."""
    data = path.read_bytes()
    if not data:
        return None
    text, delim = decode(data)
    lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    platform = path.parent.name
    if platform == "google_ads" and lines[0][0] != "segments.date":
        lines = lines[2:]
    elif platform == "linkedin_ads":
        lines = lines[3:]
    header, body = lines[0], lines[1:]
    out = []
    for cells in body:
        if cells and cells[0].startswith("Total:"):
            continue
        out.append(dict(zip(header, cells, strict=True)))
    return out


def spend_rows(path: Path) -> list[tuple[tuple[str, dt.date, str], float]] | None:
    """(platform, day, campaign id) -> spend for every valid row; bad rows are dropped."""
    rows = rows_of(path)
    if rows is None:
        return None
    platform = path.parent.name
    out = []
    for r in rows:
        if platform == "google_ads":
            if "segments.date" in r:
                day, cid = parse_day(r["segments.date"]), r["campaign.id"]
                cost = number(r["metrics.cost_micros"])
                cost = None if cost is None else cost / 1e6
                checks = [r["metrics.clicks"], r["metrics.impressions"]]
            else:
                if "Cost" not in r:
                    return None  # misses a required column: the whole file fails
                day, cid = parse_day(r["Day"]), r.get("Campaign ID", r["Campaign"])
                cost = number(r["Cost"])
                checks = [r["Impr."], r.get("Clicks", "0")]
        elif platform == "meta_ads":
            if not r["Campaign name"]:
                continue  # the account total
            day, cid = parse_day(r["Reporting starts"]), r["Campaign ID"]
            cost = number(next(v for k, v in r.items() if k.startswith("Amount spent")))
            checks = [r["Impressions"]]
            if not cid.isdigit():
                cid = ""
        else:
            day, cid = parse_day(r["Start Date (in UTC)"]), r["Campaign ID"]
            cost = number(r["Total Spent"])
            checks = [r["Impressions"], r["Clicks"]]
        if day is None or cost is None or not cid or any(number(c) is None for c in checks):
            continue
        out.append(((platform, day, cid), cost))
    return out


def deduplicated_spend(landing: Path) -> dict[tuple[str, dt.date, str], float]:
    """Per natural key, the row of the newest file (mtime, then name) wins."""
    files = [
        p
        for folder in ("google_ads", "meta_ads", "linkedin_ads")
        for p in (landing / folder).iterdir()
    ]
    files.sort(key=lambda p: (p.stat().st_mtime, p.name))
    best: dict[tuple[str, dt.date, str], float] = {}
    for path in files:
        rows = spend_rows(path)
        for key, cost in rows or []:
            best[key] = cost
    return best
