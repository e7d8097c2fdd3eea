"""`--defects`: the faults ingest must survive (docs/data-quality.md), planted so that the
ground truth does not change.

Row defects (a bad number, a bad date, an ID in scientific notation) go only into rows whose
natural key (platform, day, campaign id) is also held, with its final numbers, by the next
older overlapping export: when ingest rejects the bad row, "newest file wins" falls back to
that older row and the totals stay the same. File defects are extra files: an identical copy
under another name, an early partial GA4 delivery replaced by a later full one, a file without
a required column, a file with an unknown extra column (its data is normal), an empty file, a
corrupt gzip, and a truncated extra JSON line. Every planted defect is listed in
summary.json `defects` with what ingest is expected to do about it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from demo.deliveries import AdFile, file_rows
from demo.params import DAY, HOUR
from demo.simulate import World
from demo.writers import ga4, google_ads, linkedin_ads
from demo.writers.common import CellOverrides, set_mtime, write_file


@dataclass(frozen=True)
class Defect:
    kind: str
    source: str
    file: str
    row_number: int | None
    column: str | None
    expect: str  # rejected | failed | skipped_duplicate | replaced | extra_column

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class Plan:
    """Defects decided before writing (cell overrides, GA4 deliveries) and their list."""

    overrides: dict[str, CellOverrides] = field(default_factory=dict)
    ga4_files: list[ga4.DayFile] | None = None
    defects: list[Defect] = field(default_factory=list)
    redelivered_day: int | None = None

    def override(self, rel: str, row: int, column: str, value: str) -> None:
        self.overrides.setdefault(rel, CellOverrides()).cells.setdefault(row, {})[column] = value


def _safe_rows(
    world: World, files: list[AdFile], names: list[str], exclude: set[str]
) -> pd.DataFrame:
    """Rows that are the newest holder of their key while the next older holder is final."""
    frames = []
    for f, rel in zip(files, names, strict=True):
        rows = file_rows(world.ad_daily, f)
        frames.append(
            pd.DataFrame(
                {
                    "rel": rel,
                    "mtime": f.export_s,
                    "row_number": np.arange(1, len(rows) + 1),
                    "campaign": rows["campaign"].to_numpy(),
                    "day": rows["day"].to_numpy(),
                    "partial": rows["partial"].to_numpy(),
                    "excluded": rel in exclude,
                }
            )
        )
    rows = pd.concat(frames, ignore_index=True).sort_values(
        ["campaign", "day", "mtime", "rel"], ascending=[True, True, False, False], ignore_index=True
    )
    rows["rank"] = rows.groupby(["campaign", "day"]).cumcount()
    second = rows[rows["rank"] == 1].set_index(["campaign", "day"])
    newest = rows[(rows["rank"] == 0) & ~rows["partial"] & ~rows["excluded"]]
    idx = pd.MultiIndex.from_frame(newest[["campaign", "day"]])
    ok = (
        second.reindex(idx)["partial"].eq(False).to_numpy()
        & ~second.reindex(idx)["excluded"].fillna(True).astype(bool).to_numpy()
    )
    return newest[ok].sort_values(["mtime", "row_number"], ascending=[False, True])


def _bad_day(style: str) -> str:
    return {
        "iso": "2026-02-30",
        "us": "Feb 30, 2026",
        "uk": "30 February 2026",
        "mdy": "2/30/2026",
    }[style]


def plan(
    world: World,
    ad_files: dict[str, list[AdFile]],
    ad_names: dict[str, list[str]],
) -> Plan:
    pl = Plan()
    # Google: the ad-hoc report without Clicks must never become the fallback holder.
    g_files, g_names = ad_files["google_ads"], ad_names["google_ads"]
    not_main = {n for f, n in zip(g_files, g_names, strict=True) if f.series != "main"}
    safe = _safe_rows(world, g_files, g_names, not_main)
    by_name = dict(zip(g_names, g_files, strict=True))
    picked = safe.drop_duplicates("rel").head(2)
    if len(picked) >= 1:
        r = picked.iloc[0]
        pl.override(r["rel"], int(r["row_number"]), "Clicks", "12a")
        pl.defects.append(
            Defect("bad_number", "google_ads", r["rel"], int(r["row_number"]), "Clicks", "rejected")
        )
    if len(picked) >= 2:
        r = picked.iloc[1]
        style = google_ads.VARIANTS.get(google_ads.variant_of(by_name[r["rel"]]), ("", "", "iso"))[
            2
        ]
        column = "segments.date" if google_ads.variant_of(by_name[r["rel"]]) == "api" else "Day"
        pl.override(r["rel"], int(r["row_number"]), column, _bad_day(style))
        pl.defects.append(
            Defect("bad_date", "google_ads", r["rel"], int(r["row_number"]), column, "rejected")
        )

    # Meta: an ID in scientific notation, in a file without the account-total row.
    m_files, m_names = ad_files["meta_ads"], ad_names["meta_ads"]
    no_total = [(f, n) for f, n in zip(m_files, m_names, strict=True) if f.index % 3 == 2]
    safe = _safe_rows(world, m_files, m_names, set())
    safe = safe[safe["rel"].isin([n for _, n in no_total])]
    if len(safe):
        r = safe.iloc[0]
        pl.override(r["rel"], int(r["row_number"]), "Campaign ID", "1.20208E+17")
        pl.defects.append(
            Defect(
                "id_scientific_notation",
                "meta_ads",
                r["rel"],
                int(r["row_number"]),
                "Campaign ID",
                "rejected",
            )
        )
    # Meta: an unknown extra column in an otherwise normal export.
    extra_rel = m_names[-2] if len(m_names) >= 2 else m_names[-1]
    pl.overrides.setdefault(extra_rel, CellOverrides()).extra_column = (
        "Attribution setting",
        "7-day click or 1-day view",
    )
    pl.defects.append(
        Defect("extra_column", "meta_ads", extra_rel, None, "Attribution setting", "extra_column")
    )

    # LinkedIn: a bad date and a bad number, in two different files.
    l_files, l_names = ad_files["linkedin_ads"], ad_names["linkedin_ads"]
    safe = _safe_rows(world, l_files, l_names, set()).drop_duplicates("rel").head(2)
    l_by_name = dict(zip(l_names, l_files, strict=True))
    if len(safe) >= 1:
        r = safe.iloc[0]
        style = "iso" if linkedin_ads.is_utf16(l_by_name[r["rel"]]) else "mdy"
        pl.override(r["rel"], int(r["row_number"]), "Start Date (in UTC)", _bad_day(style))
        pl.defects.append(
            Defect(
                "bad_date",
                "linkedin_ads",
                r["rel"],
                int(r["row_number"]),
                "Start Date (in UTC)",
                "rejected",
            )
        )
    if len(safe) >= 2:
        r = safe.iloc[1]
        pl.override(r["rel"], int(r["row_number"]), "Impressions", "1O00")
        pl.defects.append(
            Defect(
                "bad_number",
                "linkedin_ads",
                r["rel"],
                int(r["row_number"]),
                "Impressions",
                "rejected",
            )
        )

    # GA4: an early, partial delivery of a day that the full file replaces two days later.
    files = ga4.plan_files(world)
    p = world.params
    sharded = ga4.shard_day(world)
    day = max(0, p.days - 4)
    if day == sharded:
        day -= 1
    full = next(f for f in files if f.day == day)
    early_ext = ".json" if full.fmt != "json" else ".jsonl"
    stamp = (p.start + dt.timedelta(days=day)).strftime("%Y%m%d")
    early = ga4.DayFile(
        day,
        f"web/events_{stamp}{early_ext}",
        early_ext.lstrip("."),
        full.mtime,
        False,
        cutoff_us=(p.start_s + day * DAY + 18 * HOUR) * 1_000_000,
    )
    files = [dataclasses.replace(f, mtime=f.mtime + 2 * DAY) if f is full else f for f in files] + [
        early
    ]
    pl.ga4_files = files
    pl.redelivered_day = day
    pl.defects.append(Defect("redelivered_day", "ga4", early.rel, None, None, "replaced"))
    return pl


def plant_files(
    out: Path,
    world: World,
    pl: Plan,
    ad_files: dict[str, list[AdFile]],
    ad_names: dict[str, list[str]],
    ga4_counts: dict[str, int],
) -> None:
    """File-level defects, added after the regular files are written."""
    p = world.params
    g_pairs = [
        (f, n)
        for f, n in zip(ad_files["google_ads"], ad_names["google_ads"], strict=True)
        if f.kind == "daily"
    ]
    # An identical file delivered twice under another name: the later copy is the duplicate.
    f, rel = g_pairs[len(g_pairs) // 2]
    copy_rel = rel.replace(".csv", " (1).csv")
    shutil.copyfile(out / rel, out / copy_rel)
    set_mtime(out / copy_rel, f.export_s + 3600)
    pl.defects.append(
        Defect("duplicate_file", "google_ads", copy_rel, None, None, "skipped_duplicate")
    )

    # A report that misses a required column (Cost): an extra copy of rows held elsewhere.
    f, rel = g_pairs[len(g_pairs) // 3]
    bad_rel = rel.replace(".csv", " - custom columns.csv")
    data = google_ads.render(p, f, file_rows(world.ad_daily, f), 0, None, variant="no_cost")
    write_file(out / bad_rel, data, f.export_s + 1800)
    pl.defects.append(
        Defect("missing_required_column", "google_ads", bad_rel, None, "Cost", "failed")
    )

    # An empty file (no bytes at all).
    empty_rel = "meta_ads/Acmeflow-Campaigns-export-empty.csv"
    write_file(out / empty_rel, b"", p.end_s + 5 * HOUR)
    pl.defects.append(Defect("empty_file", "meta_ads", empty_rel, None, None, "failed"))

    # A gzip file that cannot be read: the header is right, the stream is garbage.
    before = (p.start - dt.timedelta(days=1)).strftime("%Y%m%d")
    gz_rel = f"web/events_{before}.jsonl.gz"
    garbage = np.random.default_rng([p.seed, 99]).integers(0, 256, 512, dtype=np.uint8)
    write_file(
        out / gz_rel,
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + garbage.tobytes(),
        p.start_s + 3 * HOUR,
    )
    pl.defects.append(Defect("corrupt_gzip", "ga4", gz_rel, None, None, "failed"))

    # A truncated last line in a JSONL file: an extra event that is not in the truth.
    candidates = [
        f
        for f in (pl.ga4_files or [])
        if f.fmt == "jsonl"
        and f.shard is None
        and f.cutoff_us is None
        and f.day != pl.redelivered_day
    ]
    target = candidates[-3] if len(candidates) >= 3 else candidates[-1]
    path = out / target.rel
    stamp = (p.start + dt.timedelta(days=target.day)).strftime("%Y%m%d")
    ts = (p.start_s + target.day * DAY + 23 * HOUR + 59 * 60) * 1_000_000
    line = (
        f'{{"event_date":"{stamp}","event_timestamp":{ts},"event_name":"page_view",'
        f'"user_pseudo_id":"1000000001.{p.start_s}","user_id":null,"event_params":'
        f'[{{"key":"page_location","value":{{"string_value":"https://www.acmeflow.io/pri'
    )
    with path.open("ab") as fh:
        fh.write(line.encode("utf-8"))
    set_mtime(path, target.mtime)
    pl.defects.append(
        Defect("truncated_line", "ga4", target.rel, ga4_counts[target.rel] + 1, None, "rejected")
    )
