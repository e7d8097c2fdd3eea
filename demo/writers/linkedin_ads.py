"""LinkedIn Campaign Manager campaign performance exports, daily.

Three preamble rows (title, date range, time zone) before the header; even files are UTF-8
CSV with `M/D/YYYY` days, odd files UTF-16LE tab-separated with ISO days. `Leads` counts the
Lead Gen Form submissions, which arrive in the CRM without any website session.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from demo import catalogue as cat
from demo.deliveries import AdFile
from demo.params import Params
from demo.writers.common import (
    CellOverrides,
    Written,
    day_text,
    dedupe_names,
    encode,
    money,
    render_table,
    write_ad_files,
)

HEADER = (
    "Start Date (in UTC)",
    "Account Name",
    "Campaign Group Name",
    "Campaign Name",
    "Campaign ID",
    "Currency",
    "Total Spent",
    "Impressions",
    "Clicks",
    "Leads",
)


def is_utf16(f: AdFile) -> bool:
    return f.index % 2 == 1


def file_name(p: Params, f: AdFile) -> str:
    first = p.start + dt.timedelta(days=f.first_day)
    last = p.start + dt.timedelta(days=f.last_day)
    ext = "tsv" if is_utf16(f) else "csv"
    return f"linkedin_ads/campaign_performance_report_{first:%Y%m%d}_{last:%Y%m%d}.{ext}"


def render(
    p: Params, f: AdFile, rows: pd.DataFrame, overrides: CellOverrides | None = None
) -> bytes:
    overrides = overrides or CellOverrides()
    utf16 = is_utf16(f)
    style = "iso" if utf16 else "mdy"
    first = p.start + dt.timedelta(days=f.first_day)
    last = p.start + dt.timedelta(days=f.last_day)
    header = HEADER + ((overrides.extra_column[0],) if overrides.extra_column else ())
    lines: list[list[str]] = [
        ["Campaign Performance Report"],
        [f"Report Start: {day_text(first, 'mdy')}, Report End: {day_text(last, 'mdy')}"],
        ["Time Zone: (GMT+00:00) UTC"],
        list(header),
    ]
    for n, r in enumerate(rows.to_dict("records"), start=1):
        c = cat.CAMPAIGNS[int(r["campaign"])]
        values = dict(
            zip(
                HEADER,
                (
                    day_text(p.start + dt.timedelta(days=int(r["day"])), style),
                    cat.LINKEDIN_ACCOUNT,
                    c.group,
                    c.name,
                    c.campaign_id,
                    cat.CURRENCY,
                    money(int(r["spend_cents"]), thousands=False),
                    str(int(r["impressions"])),
                    str(int(r["clicks"])),
                    str(int(r["leads"])),
                ),
                strict=True,
            )
        )
        if overrides.extra_column:
            values[overrides.extra_column[0]] = overrides.extra_column[1]
        values.update(overrides.cells.get(n, {}))
        lines.append([values[h] for h in header])
    delim = "\t" if utf16 else ","
    return encode(render_table(lines, delim), "utf-16" if utf16 else "utf-8")


def file_names(p: Params, files: list[AdFile]) -> list[str]:
    return dedupe_names([file_name(p, f) for f in files])


def write(
    out: Path,
    p: Params,
    files: list[AdFile],
    ads: pd.DataFrame,
    overrides: dict[str, CellOverrides],
    written: Written,
) -> None:
    write_ad_files(
        out,
        "linkedin_ads",
        files,
        file_names(p, files),
        ads,
        written,
        lambda f, rows, rel: render(p, f, rows, overrides.get(rel)),
    )
