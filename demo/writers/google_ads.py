"""Google Ads campaign reports as the UI downloads them, plus one API-shaped export.

Variants rotate by file so every quirk of real UI downloads occurs: UTF-8 with and without
BOM, UTF-16LE tab-separated ("CSV for Excel"), columns in another order, locale-written days,
`--` blanks, percent strings, `Total:` rows (`Total: Account` includes a campaign no report
lists), a Video report without `Campaign ID` whose clicks column is `Interactions`, and an
ad-hoc report without `Clicks`. Ad rows are campaigns x days (no growth with --scale), so rows
are rendered in Python.
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
    range_text,
    render_table,
    write_ad_files,
)

# name: (encoding, delimiter, day style, range style, columns)
VARIANTS: dict[str, tuple[str, str, str, str, tuple[str, ...]]] = {
    "csv": (
        "utf-8",
        ",",
        "iso",
        "us",
        (
            "Day",
            "Campaign ID",
            "Campaign",
            "Currency code",
            "Cost",
            "Impr.",
            "Clicks",
            "Conversions",
            "Conv. value",
        ),
    ),
    "csv_bom": (
        "utf-8-sig",
        ",",
        "us",
        "us",
        (
            "Campaign",
            "Day",
            "Campaign ID",
            "Impr.",
            "Clicks",
            "CTR",
            "Cost",
            "Conversions",
            "Currency code",
        ),
    ),
    "utf16": (
        "utf-16",
        "\t",
        "uk",
        "uk",
        (
            "Day",
            "Campaign ID",
            "Campaign",
            "Clicks",
            "Impr.",
            "Cost",
            "Conv. value",
            "Conversions",
            "Search impr. share",
            "Currency code",
        ),
    ),
    "csv_reordered": (
        "utf-8",
        ",",
        "iso",
        "us",
        (
            "Campaign ID",
            "Campaign",
            "Day",
            "Cost",
            "Impr.",
            "Clicks",
            "Conversions",
            "Conv. value",
            "Currency code",
        ),
    ),
    "utf16_us": (
        "utf-16",
        "\t",
        "us",
        "us",
        ("Campaign", "Campaign ID", "Day", "Impr.", "Clicks", "Cost", "Conversions"),
    ),
    "video": (
        "utf-8-sig",
        ",",
        "iso",
        "us",
        ("Day", "Campaign", "Impr.", "Interactions", "Cost", "Currency code", "Conversions"),
    ),
    # Only for the planted "missing required column" defect.
    "no_cost": (
        "utf-8",
        ",",
        "iso",
        "us",
        ("Day", "Campaign ID", "Campaign", "Impr.", "Clicks", "Currency code"),
    ),
    "no_clicks": (
        "utf-8",
        ",",
        "iso",
        "us",
        ("Day", "Campaign ID", "Campaign", "Cost", "Impr.", "Conversions", "Currency code"),
    ),
}
MAIN_ROTATION = ("csv", "csv_bom", "utf16", "csv_reordered", "utf16_us")
API_HEADER = (
    "segments.date",
    "campaign.id",
    "campaign.name",
    "metrics.impressions",
    "metrics.clicks",
    "metrics.cost_micros",
    "metrics.conversions",
)


def variant_of(f: AdFile) -> str:
    if f.series == "video":
        return "video"
    if f.series == "adhoc":
        return "no_clicks"
    if f.kind == "backfill" and f.index == 1:
        return "api"
    return MAIN_ROTATION[f.index % len(MAIN_ROTATION)]


def file_name(p: Params, f: AdFile) -> str:
    first = p.start + dt.timedelta(days=f.first_day)
    last = p.start + dt.timedelta(days=f.last_day)
    exported = dt.datetime.fromtimestamp(f.export_s, dt.UTC).date()
    if variant_of(f) == "api":
        return f"google_ads/api_campaign_stats_{first:%Y%m%d}_{last:%Y%m%d}.csv"
    if f.series == "video" and f.kind == "backfill":
        return f"google_ads/Video campaigns report {first:%Y-%m}.csv"
    if f.series == "video":
        return f"google_ads/Video campaigns report {exported:%Y-%m-%d}.csv"
    if f.series == "adhoc":
        return f"google_ads/Campaign report (last 3 days) {exported:%Y-%m-%d}.csv"
    if f.kind == "backfill":
        return f"google_ads/Campaign report {first:%Y-%m}.csv"
    return f"google_ads/Campaign report {exported:%Y-%m-%d}.csv"


def _search_share(impressions: int, clicks: int) -> str:
    share = (impressions * 7 + clicks * 13) % 100
    if share < 10:
        return "< 10%"
    if share > 90:
        return "> 90%"
    return f"{share}.{(impressions % 100):02d}%"


def _cells(p: Params, r: dict, day_style: str, blank: str) -> dict[str, str]:
    c = cat.CAMPAIGNS[int(r["campaign"])]
    date = p.start + dt.timedelta(days=int(r["day"]))
    impr, clicks, conv = int(r["impressions"]), int(r["clicks"]), int(r["conversions"])
    return {
        "Day": day_text(date, day_style),
        "Campaign ID": c.campaign_id,
        "Campaign": c.name,
        "Currency code": cat.CURRENCY,
        "Cost": money(int(r["spend_cents"])),
        "Impr.": f"{impr:,}",
        "Clicks": f"{clicks:,}",
        "Interactions": f"{clicks:,}",
        "Conversions": f"{conv:.2f}",
        "Conv. value": money(int(r["conv_value_cents"])) if conv else blank,
        "CTR": f"{clicks / impr * 100:.2f}%" if impr else blank,
        "Search impr. share": _search_share(impr, clicks),
    }


def _totals(
    rows: pd.DataFrame, columns: tuple[str, ...], hidden_cents: int, video: bool
) -> list[list[str]]:
    """`Total:` rows: account (with a campaign no row lists), campaigns, campaign type."""
    spend, impr, clicks = (
        int(rows["spend_cents"].sum()),
        int(rows["impressions"].sum()),
        int(rows["clicks"].sum()),
    )
    out = []
    for label, extra in (
        ("Total: Account", hidden_cents),
        ("Total: Campaigns", 0),
        ("Total: Video" if video else "Total: Search", 0),
    ):
        values = {
            "Cost": money(spend + extra),
            "Impr.": f"{impr:,}",
            "Clicks": f"{clicks:,}",
            "Interactions": f"{clicks:,}",
            "Currency code": cat.CURRENCY,
        }
        row = [values.get(col, "--") for col in columns]
        row[0] = label
        out.append(row)
    return out


def render(
    p: Params,
    f: AdFile,
    rows: pd.DataFrame,
    hidden_cents: int,
    overrides: CellOverrides | None = None,
    variant: str | None = None,
) -> bytes:
    variant = variant or variant_of(f)
    overrides = overrides or CellOverrides()
    if variant == "api":
        lines = [list(API_HEADER)]
        for n, r in enumerate(rows.to_dict("records"), start=1):
            c = cat.CAMPAIGNS[int(r["campaign"])]
            values = dict(
                zip(
                    API_HEADER,
                    (
                        (p.start + dt.timedelta(days=int(r["day"]))).isoformat(),
                        c.campaign_id,
                        c.name,
                        str(int(r["impressions"])),
                        str(int(r["clicks"])),
                        str(int(r["spend_cents"]) * 10_000),
                        f"{float(r['conversions']):.1f}",
                    ),
                    strict=True,
                )
            )
            values.update(overrides.cells.get(n, {}))
            lines.append([values[h] for h in API_HEADER])
        return encode(render_table(lines, ","), "utf-8")

    encoding, delim, day_style, range_style, columns = VARIANTS[variant]
    columns = columns + ((overrides.extra_column[0],) if overrides.extra_column else ())
    first = p.start + dt.timedelta(days=f.first_day)
    last = p.start + dt.timedelta(days=f.last_day)
    date_range = (
        "All time"
        if f.kind == "backfill" and f.index == 0
        else range_text(first, last, range_style)
    )
    title = "Video campaigns report" if variant == "video" else "Campaign report"
    lines: list[list[str]] = [[title], [date_range], list(columns)]
    blank = " --" if delim == "\t" else "--"
    for n, r in enumerate(rows.to_dict("records"), start=1):
        values = _cells(p, r, day_style, blank)
        if overrides.extra_column:
            values[overrides.extra_column[0]] = overrides.extra_column[1]
        values.update(overrides.cells.get(n, {}))
        lines.append([values[col] for col in columns])
    lines += _totals(rows, columns, hidden_cents, variant == "video")
    return encode(render_table(lines, delim), encoding)


def hidden_spend(hidden: list[int] | object, f: AdFile) -> int:
    """The unlisted campaign's spend over the file's days (only in `Total: Account`)."""
    return int(sum(hidden[f.first_day : f.last_day + 1]))  # type: ignore[index]


def file_names(p: Params, files: list[AdFile]) -> list[str]:
    return dedupe_names([file_name(p, f) for f in files])


def write(
    out: Path,
    p: Params,
    files: list[AdFile],
    ads: pd.DataFrame,
    hidden: object,
    overrides: dict[str, CellOverrides],
    written: Written,
) -> None:
    write_ad_files(
        out,
        "google_ads",
        files,
        file_names(p, files),
        ads,
        written,
        lambda f, rows, rel: render(p, f, rows, hidden_spend(hidden, f), overrides.get(rel)),
    )
