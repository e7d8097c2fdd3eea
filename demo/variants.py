"""`revops generate --variants`: the real-export variants, written as
re-expressions of the same company, so the ground truth stays what the marts must equal.

Each variant rewrites files the default run wrote (same name, same mtime) or adds a file
that holds no data:
- `meta_weekly`: the first Meta backfill (the first month) as weekly rows (the month's
  last days as a shorter row), without `Campaign ID` and without `Link clicks`; days that
  a later export also holds are left out of it (they keep their ID there). Spend,
  impressions and results of a week are its days' sums, so the spread ingest does gives back
  the same totals to the cent; the clicks of that month are not in
  the file, so the truth is computed with them at 0 (what the marts can know).
- `linkedin_es` / `linkedin_pt`: the first two LinkedIn backfills in a Spanish (UTF-8 CSV)
  and a Portuguese (UTF-16 TSV) UI: translated headers, `1.234,56`, day-first dates.
- `linkedin_empty`: an export of the week before the first day: preamble, no header row.
- `salesforce_excel`: the second oldest snapshot re-saved by Excel: TRUE/FALSE,
  `MM/DD/YY hh:mm AM`, UTF-8 BOM, lower-case file names, its task.csv in cp1252.
- `salesforce_no_task`: the second newest snapshot without Task.csv.
- `ga4_pre_2023`: the first day in the export schema of before mid-2023: no
  `collected_traffic_source`; its source, medium, campaign and gclid are event params.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pandas as pd

from demo import catalogue as cat
from demo.deliveries import AdFile, file_rows
from demo.params import Params, snapshot_folder
from demo.simulate import World
from demo.writers import salesforce as sf
from demo.writers.common import Written, encode, render_table, set_mtime, write_file


@dataclass(frozen=True)
class Variant:
    kind: str
    source: str
    file: str  # relative to the landing zone
    expect: str  # what ingest does: loaded | loaded_empty | absent


META_HEADER = (
    "Reporting starts",
    "Reporting ends",
    "Campaign name",
    f"Amount spent ({cat.CURRENCY})",
    "Impressions",
    "Reach",
    "Results",
    "Result indicator",
)

LINKEDIN_LOCALES = {
    "es": {
        "title": "Informe de rendimiento de campañas",
        "range": "Fecha de inicio del informe: {first}, Fecha de fin del informe: {last}",
        "zone": "Zona horaria: (GMT+00:00) UTC",
        "header": (
            "Fecha de inicio (en UTC)",
            "Nombre de la cuenta",
            "Nombre del grupo de campañas",
            "Nombre de la campaña",
            "ID de la campaña",
            "Divisa",
            "Gasto total",
            "Impresiones",
            "Clics",
            "Clientes potenciales",
        ),
    },
    "pt": {
        "title": "Relatório de desempenho da campanha",
        "range": "Início do relatório: {first}, Fim do relatório: {last}",
        "zone": "Fuso horário: (GMT+00:00) UTC",
        "header": (
            "Data de início (em UTC)",
            "Nome da conta",
            "Nome do grupo de campanhas",
            "Nome da campanha",
            "ID da campanha",
            "Moeda",
            "Total gasto",
            "Impressões",
            "Cliques",
            "Leads",
        ),
    },
}


def _eu_number(value: int | float, decimals: int) -> str:
    """1234.5 -> `1.234,50` (decimals=2), 1500 -> `1.500` (decimals=0)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _dmy(date: dt.date) -> str:
    return f"{date.day:02d}/{date.month:02d}/{date.year}"


def write(
    out: Path,
    p: Params,
    world: World,
    ad_files: dict[str, list[AdFile]],
    ad_names: dict[str, list[str]],
    snapshots: list[str],
    ga4_first: str | None,
    written: Written,
) -> list[Variant]:
    """Rewrite and add the variant files; zero the clicks the weekly Meta file drops in
    `world.ad_daily` (call before the truth is computed)."""
    done: list[Variant] = []
    done += _meta_weekly(out, p, world, ad_files["meta_ads"], ad_names["meta_ads"])
    done += _linkedin_localised(out, p, world, ad_files["linkedin_ads"], ad_names["linkedin_ads"])
    done += _linkedin_empty(out, p, written)
    done += _salesforce(out, world, snapshots, written)
    if ga4_first:
        done += _ga4_pre_2023(out, ga4_first)
    return done


def _meta_weekly(
    out: Path, p: Params, world: World, files: list[AdFile], names: list[str]
) -> list[Variant]:
    picked = [(f, n) for f, n in zip(files, names, strict=True) if f.kind == "backfill"]
    if not picked:
        return []
    f, rel = picked[0]
    # Days another export also holds stay out: there they keep their Campaign ID, and a row
    # keyed by the name here would be a second campaign_id for the same day.
    elsewhere = {d for g in files if g is not f for d in range(g.first_day, g.last_day + 1)}
    rows = file_rows(world.ad_daily, f)
    rows = rows[~rows["day"].isin(elsewhere)]
    if rows.empty:
        return []
    rows["week"] = (rows["day"] - f.first_day) // 7
    weeks = rows.groupby(["week", "campaign"], as_index=False).agg(
        first=("day", "min"),
        last=("day", "max"),
        spend_cents=("spend_cents", "sum"),
        impressions=("impressions", "sum"),
        reach=("reach", "max"),
        results=("results", "sum"),
    )
    lines: list[list[str]] = [list(META_HEADER)]
    for r in weeks.sort_values(["week", "campaign"]).to_dict("records"):
        c = cat.CAMPAIGNS[int(r["campaign"])]
        first = p.start + dt.timedelta(days=int(r["first"]))
        last = p.start + dt.timedelta(days=int(r["last"]))
        results = int(r["results"])
        lines.append(
            [
                first.isoformat(),
                last.isoformat(),
                c.name,
                f"{int(r['spend_cents']) / 100:.2f}",
                str(int(r["impressions"])),
                str(int(r["reach"])),
                str(results) if results else "",
                "actions:lead" if results else "",
            ]
        )
    write_file(out / rel, encode(render_table(lines, ","), "utf-8"), f.export_s)
    # the file has no clicks: what the marts can know about those days is 0 clicks
    ads = world.ad_daily
    meta = [i for i, c in enumerate(cat.CAMPAIGNS) if c.platform == "meta_ads"]
    held = ads["campaign"].isin(meta) & ads["day"].isin(set(rows["day"]))
    ads.loc[held, "clicks"] = 0
    return [Variant("meta_weekly", "meta_ads", rel, "loaded")]


def _linkedin_localised(
    out: Path, p: Params, world: World, files: list[AdFile], names: list[str]
) -> list[Variant]:
    backfills = [(f, n) for f, n in zip(files, names, strict=True) if f.kind == "backfill"]
    done = []
    for (f, rel), language, utf16 in zip(backfills, ("es", "pt"), (False, True), strict=False):
        locale = LINKEDIN_LOCALES[language]
        first = p.start + dt.timedelta(days=f.first_day)
        last = p.start + dt.timedelta(days=f.last_day)
        lines: list[list[str]] = [
            [locale["title"]],
            [locale["range"].format(first=_dmy(first), last=_dmy(last))],
            [locale["zone"]],
            list(locale["header"]),
        ]
        for r in file_rows(world.ad_daily, f).to_dict("records"):
            c = cat.CAMPAIGNS[int(r["campaign"])]
            lines.append(
                [
                    _dmy(p.start + dt.timedelta(days=int(r["day"]))),
                    cat.LINKEDIN_ACCOUNT,
                    c.group,
                    c.name,
                    c.campaign_id,
                    cat.CURRENCY,
                    _eu_number(int(r["spend_cents"]) / 100, 2),
                    _eu_number(int(r["impressions"]), 0),
                    _eu_number(int(r["clicks"]), 0),
                    _eu_number(int(r["leads"]), 0),
                ]
            )
        data = render_table(lines, "\t" if utf16 else ",")
        write_file(out / rel, encode(data, "utf-16" if utf16 else "utf-8"), f.export_s)
        done.append(Variant(f"linkedin_{language}", "linkedin_ads", rel, "loaded"))
    return done


def _linkedin_empty(out: Path, p: Params, written: Written) -> list[Variant]:
    first = p.start - dt.timedelta(days=7)
    last = p.start - dt.timedelta(days=1)
    rel = f"linkedin_ads/campaign_performance_report_{first:%Y%m%d}_{last:%Y%m%d}.csv"
    lines = [
        ["Campaign Performance Report"],
        [
            f"Report Start: {first.month}/{first.day}/{first.year}, "
            f"Report End: {last.month}/{last.day}/{last.year}"
        ],
        ["Time Zone: (GMT+00:00) UTC"],
    ]
    write_file(out / rel, encode(render_table(lines, ","), "utf-8"), p.start_s)
    written.add("linkedin_ads", rel, 0)
    return [Variant("linkedin_empty", "linkedin_ads", rel, "loaded_empty")]


def _excel_csv(frame: pd.DataFrame) -> str:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    return buf.getvalue()


def _salesforce(out: Path, world: World, snapshots: list[str], written: Written) -> list[Variant]:
    done: list[Variant] = []
    times = world.params.snapshot_times()
    if len(snapshots) >= 3:
        index = 1
        folder, t = snapshots[index], times[index]
        assert folder == snapshot_folder(t, newest=False)
        for name, frame in sf.snapshot_frames(world, t, "excel").items():
            old = f"salesforce/{folder}/{name}.csv"
            rel = f"salesforce/{folder}/{name.lower()}.csv"
            (out / old).unlink(missing_ok=True)
            if name == "Task":
                # Excel on Windows saves "CSV" in cp1252: a dash the rep typed shows it
                frame = frame.copy()
                if len(frame):
                    frame["Description"] = (
                        frame["Description"].astype(str).str.replace(" - ", " – ", regex=False)
                    )
                    frame.loc[frame.index[0], "Description"] = "Rückruf – left a voicemail"
                data = _excel_csv(frame).encode("cp1252")
            else:
                data = encode(_excel_csv(frame), "utf-8-sig")
            write_file(out / rel, data, t)
            written.files[written.files.index(old)] = rel
        done.append(Variant("salesforce_excel", "salesforce", f"salesforce/{folder}/", "loaded"))
    if len(snapshots) >= 2:
        folder = snapshots[-2]
        rel = f"salesforce/{folder}/Task.csv"
        if (out / rel).exists():
            (out / rel).unlink()
            written.files.remove(rel)
            done.append(Variant("salesforce_no_task", "salesforce", rel, "absent"))
    return done


def _ga4_pre_2023(out: Path, rel: str) -> list[Variant]:
    """The day's events as exported before mid-2023: what collected_traffic_source held
    becomes the event params `source`, `medium`, `campaign` and `gclid`."""
    path = out / rel
    mtime = int(path.stat().st_mtime)
    src = duckdb.connect()
    try:
        src.execute("set threads = 1")
        tmp = path.with_name(path.name + ".variant")
        cts = "collected_traffic_source"

        def param(key: str, field: str) -> str:
            return (
                f"{{'key': '{key}', 'value': {{'string_value': {cts}.{field}, "
                "'int_value': CAST(NULL AS BIGINT), 'double_value': CAST(NULL AS DOUBLE)}}"
            )

        params = ", ".join(
            param(k, f)
            for k, f in (
                ("source", "manual_source"),
                ("medium", "manual_medium"),
                ("campaign", "manual_campaign_name"),
                ("gclid", "gclid"),
            )
        )
        src.execute(
            f"""copy (
                select * exclude ({cts}) replace (
                    list_concat(event_params, list_filter([{params}],
                        lambda p: p.value.string_value is not null)) as event_params)
                from read_json('{path}', format = 'newline_delimited')
            ) to '{tmp}' (format json)"""
        )
    finally:
        src.close()
    tmp.replace(path)
    set_mtime(path, mtime)
    return [Variant("ga4_pre_2023", "ga4", rel, "loaded")]


def as_dicts(variants: list[Variant]) -> list[dict]:
    return [asdict(v) for v in variants]
