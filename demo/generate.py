"""One call that writes a whole landing zone and its ground truth: simulate, write, plant, tell."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from demo import defects as defects_mod
from demo import truth as truth_mod
from demo import variants as variants_mod
from demo.deliveries import AdFile, plan_files
from demo.params import Params, day_string
from demo.simulate import simulate
from demo.writers import ga4, google_ads, hubspot, linkedin_ads, meta_ads, salesforce
from demo.writers.common import Written

SOURCE_FOLDERS = ("google_ads", "meta_ads", "linkedin_ads", "web", "salesforce", "hubspot")
CRMS = ("salesforce", "hubspot")
HUBSPOT_IDS_FILE = "hubspot_ids.csv"


class OutputNotEmpty(Exception):
    """The landing zone already holds files; real exports are never overwritten."""


@dataclass
class Report:
    out: Path
    truth_dir: Path
    written: Written
    seconds: dict[str, float] = field(default_factory=dict)
    totals: dict[str, float | int] = field(default_factory=dict)
    defects: int = 0
    snapshots: list[str] = field(default_factory=list)
    variants: int = 0


def default_truth_dir(out: Path) -> Path:
    """A sibling of the landing zone, never inside it (ingest must not see it)."""
    return out.resolve().parent / "ground_truth"


def _prepare(out: Path, force: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    if not any(out.iterdir()):
        return
    if not force:
        raise OutputNotEmpty(f"{out} is not empty; use --force to replace the demo folders")
    for name in SOURCE_FOLDERS:
        shutil.rmtree(out / name, ignore_errors=True)


def generate(
    out: Path,
    p: Params,
    truth_dir: Path | None = None,
    force: bool = False,
    crm: str = "salesforce",
    hubspot_timezone: str = "UTC",
) -> Report:
    """`crm="hubspot"` writes the CRM as HubSpot exports (demo/writers/hubspot.py) with
    datetimes in the portal time zone `hubspot_timezone`; the ground truth is the same, plus
    `hubspot_ids.csv` (Salesforce id -> HubSpot Record ID) to compare per record."""
    if crm not in CRMS:
        raise ValueError(f"crm must be one of {', '.join(CRMS)}, not {crm!r}")
    if crm == "hubspot":
        hubspot.check_timezone(hubspot_timezone)
    truth_dir = truth_dir or default_truth_dir(out)
    _prepare(out, force)
    clock = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = round(now - clock, 3)
        clock = now

    world = simulate(p)
    lap("simulate")

    by_platform: dict[str, list[AdFile]] = {}
    for f in plan_files(p):
        by_platform.setdefault(f.platform, []).append(f)
    writers = {"google_ads": google_ads, "meta_ads": meta_ads, "linkedin_ads": linkedin_ads}
    names = {k: writers[k].file_names(p, by_platform[k]) for k in writers}
    plan = defects_mod.plan(world, by_platform, names) if p.defects else defects_mod.Plan()

    written = Written()
    lap("plan_files")
    google_ads.write(
        out,
        p,
        by_platform["google_ads"],
        world.ad_daily,
        world.hidden_google_spend_cents,
        plan.overrides,
        written,
    )
    lap("google_ads")
    meta_ads.write(out, p, by_platform["meta_ads"], world.ad_daily, plan.overrides, written)
    lap("meta_ads")
    linkedin_ads.write(out, p, by_platform["linkedin_ads"], world.ad_daily, plan.overrides, written)
    lap("linkedin_ads")
    ga4_counts = ga4.write(out, world, written, plan.ga4_files)
    lap("ga4")
    hubspot_stats: dict[str, int] = {}
    if crm == "hubspot":
        snapshots = hubspot.write(out, world, written, hubspot_timezone, hubspot_stats)
    else:
        snapshots = salesforce.write(out, world, written)
    lap(crm)
    if p.defects:
        defects_mod.plant_files(out, world, plan, by_platform, names, ga4_counts)
        lap("plant_defects")
    variants: list[variants_mod.Variant] = []
    if p.variants:
        first_day = p.start.strftime("%Y%m%d")
        ga4_first = next((f for f in written.files if f == f"web/events_{first_day}.jsonl"), None)
        # The Salesforce variants re-express Salesforce snapshots: none with HubSpot.
        sf_snapshots = snapshots if crm == "salesforce" else []
        variants = variants_mod.write(
            out, p, world, by_platform, names, sf_snapshots, ga4_first, written
        )
        lap("variants")

    truth = truth_mod.compute(world)
    summary = {
        "parameters": {
            "seed": p.seed,
            "scale": p.scale,
            "days": p.days,
            "start": p.start.isoformat(),
            "defects": p.defects,
        },
        "as_of": day_string(p.as_of_s, "%Y-%m-%dT%H:%M:%SZ"),
        "newest_snapshot": snapshots[-1],
        "snapshots": snapshots,
        "sla_hours": truth_mod.SLA_HOURS,
        "reporting_currency": "USD",
        "totals": truth.totals,
        "files": {
            src: sum(1 for f in written.files if f.startswith(folder + "/"))
            for src, folder in (
                ("google_ads", "google_ads"),
                ("meta_ads", "meta_ads"),
                ("linkedin_ads", "linkedin_ads"),
                ("ga4", "web"),
                (crm, crm),
            )
        },
        "defects": [d.as_dict() for d in plan.defects],
    }
    if p.variants:  # only then: the default summary stays byte-identical
        summary["parameters"]["variants"] = True
        summary["variants"] = variants_mod.as_dicts(variants)
    if crm == "hubspot":  # only then: the default summary stays byte-identical
        summary["parameters"]["crm"] = crm
        summary["hubspot"] = {
            "timezone": hubspot_timezone,
            "incoming_emails": len(hubspot.incoming_at(world, world.as_of_s)),
            # Newest snapshot's cells in the hour a DST end repeats: read back as standard
            # time, those written in daylight time are one hour off in the marts.
            "ambiguous_local_times": hubspot_stats["ambiguous_local_times"],
            "ids": HUBSPOT_IDS_FILE,
        }
    truth_mod.write(truth_dir, truth, summary)
    ids_file = truth_dir / HUBSPOT_IDS_FILE
    if crm == "hubspot":
        hubspot.id_map(world).to_csv(ids_file, index=False, lineterminator="\n")
    else:  # a previous HubSpot run's ids would describe another landing zone
        ids_file.unlink(missing_ok=True)
    lap("truth")
    return Report(
        out,
        truth_dir,
        written,
        seconds,
        truth.totals,
        len(plan.defects),
        snapshots,
        len(variants),
    )
