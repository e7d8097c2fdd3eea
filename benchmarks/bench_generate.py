"""Benchmark `revops generate`: seconds per stage, rows/s per source, peak RSS, bytes written.

Usage: .venv/bin/python benchmarks/bench_generate.py [--scale 1] [--days 365] [--seed 42]
       [--defects] [--keep DIR]
Figures are printed, never asserted: this is for watching how generation scales.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _rss import PeakRss  # benchmarks/ is on sys.path: this runs as a script

from demo.generate import generate
from demo.params import Params


def run(scale: float, days: int, seed: int, defects: bool, out: Path) -> None:
    params = Params(seed=seed, scale=scale, days=days, defects=defects)
    started = time.perf_counter()
    with PeakRss() as rss:
        report = generate(out / "landing", params, out / "ground_truth")
    total = time.perf_counter() - started
    size = sum(p.stat().st_size for p in (out / "landing").rglob("*") if p.is_file())
    print(f"revops generate: scale {scale}, {days} days, seed {seed}, defects {defects}")
    print(
        f"  total            {total:8.1f} s   peak RSS {rss.peak / 2**20:,.0f} MiB   "
        f"landing {size / 2**20:,.1f} MiB in {len(report.written.files)} files"
    )
    for stage, seconds in report.seconds.items():
        rows = report.written.rows.get(stage)
        rate = f"{rows / seconds:12,.0f} rows/s  ({rows:,} rows)" if rows and seconds else ""
        print(f"  {stage:<16} {seconds:8.2f} s   {rate}")
    t = report.totals
    print(
        f"  company: {t['sessions']:,} sessions, {t['leads']:,} leads, {t['mqls']:,} MQLs, "
        f"{t['opportunities']:,} opportunities, spend ${t['spend']:,.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--defects", action="store_true")
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="write here instead of a temporary folder that is removed",
    )
    args = parser.parse_args()
    if args.keep:
        run(args.scale, args.days, args.seed, args.defects, args.keep)
        return
    with tempfile.TemporaryDirectory(prefix="bench_generate_") as tmp:
        run(args.scale, args.days, args.seed, args.defects, Path(tmp))


if __name__ == "__main__":
    main()
