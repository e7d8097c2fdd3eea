"""Meta Ads Manager "Export table data" CSVs: campaign level, daily breakdown.

The currency sits in the spend header, IDs are 18-digit strings, zero counts are empty cells,
and most exports start with an account-total row whose campaign name is empty. Every third
file has no total row (planted defects go there, so row numbers are unambiguous).
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
    dedupe_names,
    encode,
    money,
    render_table,
    write_ad_files,
)

HEADER = (
    "Reporting starts",
    "Reporting ends",
    "Campaign name",
    "Campaign ID",
    f"Amount spent ({cat.CURRENCY})",
    "Impressions",
    "Reach",
    "Link clicks",
    "Results",
    "Result indicator",
)


def has_total_row(f: AdFile) -> bool:
    return f.index % 3 != 2


def file_name(p: Params, f: AdFile) -> str:
    first = p.start + dt.timedelta(days=f.first_day)
    last = p.start + dt.timedelta(days=f.last_day)
    return (
        f"meta_ads/{cat.COMPANY}-Campaigns-{first:%b}-{first.day}-{first.year}-"
        f"{last:%b}-{last.day}-{last.year}.csv"
    )


def _count(n: int) -> str:
    return str(n) if n else ""


def render(
    p: Params, f: AdFile, rows: pd.DataFrame, overrides: CellOverrides | None = None
) -> bytes:
    overrides = overrides or CellOverrides()
    header = HEADER + ((overrides.extra_column[0],) if overrides.extra_column else ())
    lines: list[list[str]] = [list(header)]
    if has_total_row(f):
        first = p.start + dt.timedelta(days=f.first_day)
        last = p.start + dt.timedelta(days=f.last_day)
        total = [
            first.isoformat(),
            last.isoformat(),
            "",
            "",
            money(int(rows["spend_cents"].sum()), thousands=False),
            str(int(rows["impressions"].sum())),
            str(int(rows["reach"].sum())),
            _count(int(rows["clicks"].sum())),
            _count(int(rows["results"].sum())),
            "actions:lead" if rows["results"].sum() else "",
        ]
        lines.append(total + ([""] if overrides.extra_column else []))
    for n, r in enumerate(rows.to_dict("records"), start=1):
        c = cat.CAMPAIGNS[int(r["campaign"])]
        day = (p.start + dt.timedelta(days=int(r["day"]))).isoformat()
        results = int(r["results"])
        values = dict(
            zip(
                HEADER,
                (
                    day,
                    day,
                    c.name,
                    c.campaign_id,
                    money(int(r["spend_cents"]), thousands=False),
                    str(int(r["impressions"])),
                    str(int(r["reach"])),
                    _count(int(r["clicks"])),
                    _count(results),
                    "actions:lead" if results else "",
                ),
                strict=True,
            )
        )
        if overrides.extra_column:
            values[overrides.extra_column[0]] = overrides.extra_column[1]
        values.update(overrides.cells.get(n, {}))
        lines.append([values[h] for h in header])
    return encode(render_table(lines, ","), "utf-8")


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
        "meta_ads",
        files,
        file_names(p, files),
        ads,
        written,
        lambda f, rows, rel: render(p, f, rows, overrides.get(rel)),
    )
