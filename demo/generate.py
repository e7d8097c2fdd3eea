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
from demo.writers import ga4, google_ads, linkedin_ads, meta_ads, salesforce
from demo.writers.common import Written

SOURCE_FOLDERS = ("google_ads", "meta_ads", "linkedin_ads", "web", "salesforce")


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


def generate(out: Path, p: Params, truth_dir: Path | None = None, force: bool = False) -> Report:
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
    snapshots = salesforce.write(out, world, written)
    lap("salesforce")
    if p.defects:
        defects_mod.plant_files(out, world, plan, by_platform, names, ga4_counts)
        lap("plant_defects")
    variants: list[variants_mod.Variant] = []
    if p.variants:
        first_day = p.start.strftime("%Y%m%d")
        ga4_first = next((f for f in written.files if f == f"web/events_{first_day}.jsonl"), None)
        variants = variants_mod.write(
            out, p, world, by_platform, names, snapshots, ga4_first, written
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
                ("salesforce", "salesforce"),
            )
        },
        "defects": [d.as_dict() for d in plan.defects],
    }
    if p.variants:  # only then: the default summary stays byte-identical
        summary["parameters"]["variants"] = True
        summary["variants"] = variants_mod.as_dicts(variants)
    truth_mod.write(truth_dir, truth, summary)
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
