"""Ingest throughput per source against DuckDB's bare scan of the same files.

    .venv/bin/python benchmarks/bench_ingest.py [--landing DIR] [--scale 1] [--days 365]
        [--sources google_ads,ga4] [--repeat N] [--json FILE]

Without --landing, the demo generator writes a landing zone into a temp dir
(`revops generate --scale S --days D`; the reference is --scale 1 --days 365:
~545 files, ~900k GA4 events). For each source it prints files, rows read,
ingest seconds, rows/s, the seconds of a bare `select count(*)` over the same
files with DuckDB's reader (read_csv / read_json / read_parquet, one statement
per file) and the ratio of the two (aim: within 2x), and the peak RSS while
the source loaded (psutil, sampled every 20 ms); then the process's peak RSS.
With --repeat N each source is ingested N times into fresh warehouses and the
table shows the best run, with the range of ratios. Figures are printed,
never asserted: the machine is shared, so compare ranges, not single runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _rss import PeakRss  # noqa: E402  (benchmarks/ is on sys.path as the script folder)

from ingest.landing import list_files  # noqa: E402
from ingest.runner import ingest_source  # noqa: E402
from ingest.sql import literal  # noqa: E402
from ingest.textfile import detect_encoding  # noqa: E402
from revops.sources import SOURCE_NAMES as SOURCES  # noqa: E402
from revops.warehouse import connect  # noqa: E402


def scan_sql(path: Path, source: str) -> str:
    """DuckDB's own reader over one file, counting rows and nothing else."""
    name = path.name.lower()
    p = literal(str(path))
    if name.endswith(".parquet"):
        return f"select count(*) from read_parquet({p})"
    if source == "ga4":
        return (
            f"select count(*) from read_json({p}, format = 'newline_delimited', "
            "ignore_errors = true)"
        )
    with open(path, "rb") as fh:
        encoding = detect_encoding(fh.read(4096)).duckdb or "utf-8"
    return (
        f"select count(*) from read_csv({p}, header = false, all_varchar = true, "
        f"null_padding = true, strict_mode = false, ignore_errors = true, "
        f"encoding = {literal(encoding)})"
    )


def bare_scan_seconds(con: duckdb.DuckDBPyConnection, landing: Path, source: str) -> float:
    start = time.perf_counter()
    for file in list_files(landing, source):
        with contextlib.suppress(duckdb.Error):  # a planted broken file: ingest fails it too
            con.execute(scan_sql(file.path, source)).fetchall()
    return time.perf_counter() - start


def generate(scale: float, days: int, out: Path) -> Path:
    revops = shutil.which("revops") or str(Path(sys.executable).with_name("revops"))
    landing = out / "landing"
    cmd = [revops, "generate", "--out", str(landing), "--scale", str(scale), "--days", str(days)]
    print("generating:", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    return landing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--landing", type=Path, help="landing zone to ingest (default: generate one)"
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--sources", default=",".join(SOURCES), help="comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="ingest runs per source")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    sources = [s for s in args.sources.split(",") if s]

    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        landing = args.landing or generate(args.scale, args.days, Path(tmp))
        scan_con = duckdb.connect()
        figures = []
        runs: list[tuple[duckdb.DuckDBPyConnection, Path]] = []
        for run in range(args.repeat):
            path = Path(tmp) / f"warehouse_{run}.duckdb"
            runs.append((connect(path), path))
        with PeakRss() as sampler:
            for source in sources:
                scans = [bare_scan_seconds(scan_con, landing, source)]  # also warms the cache
                timings, peaks = [], []
                for con, _ in runs:
                    sampler.reset_window()
                    start = time.perf_counter()
                    result = ingest_source(con, landing, source)
                    timings.append(time.perf_counter() - start)
                    peaks.append(sampler.window)
                    scans.append(bare_scan_seconds(scan_con, landing, source))
                seconds, scan = min(timings), min(scans)
                ratios = sorted(t / s for t, s in zip(timings, scans[1:], strict=True))
                figures.append(
                    {
                        "source": source,
                        "files": result.files_seen,
                        "rows_read": result.rows_read,
                        "ingest_s": round(seconds, 3),
                        "ingest_s_all": [round(t, 3) for t in timings],
                        "rows_per_s": round(result.rows_read / seconds) if seconds else None,
                        "scan_s": round(scan, 3),
                        "ratio": round(seconds / scan, 2) if scan else None,
                        "ratio_range": [round(ratios[0], 2), round(ratios[-1], 2)],
                        "peak_rss_mb": round(max(peaks) / 2**20),
                    }
                )
            con = runs[0][0]
            start = time.perf_counter()
            rerun = sum(ingest_source(con, landing, s).files_loaded for s in sources)
            rerun_s = time.perf_counter() - start
        for con, _ in runs:
            con.close()

    header = (
        f"{'source':<14}{'files':>7}{'rows':>11}{'ingest s':>10}{'rows/s':>11}"
        f"{'scan s':>9}{'ratio':>8}{'range':>13}{'RSS MB':>8}"
    )
    print(header)
    print("-" * len(header))
    for f in figures:
        low, high = f["ratio_range"]
        print(
            f"{f['source']:<14}{f['files']:>7}{f['rows_read']:>11}{f['ingest_s']:>10.3f}"
            f"{f['rows_per_s'] or 0:>11}{f['scan_s']:>9.3f}{f['ratio'] or 0:>8.2f}"
            f"{f'{low:.2f}-{high:.2f}':>13}{f['peak_rss_mb']:>8}"
        )
    total_ingest = sum(f["ingest_s"] for f in figures)
    total_scan = sum(f["scan_s"] for f in figures)
    total_rows = sum(f["rows_read"] for f in figures)
    print("-" * len(header))
    print(
        f"{'all':<14}{sum(f['files'] for f in figures):>7}{total_rows:>11}{total_ingest:>10.3f}"
        f"{round(total_rows / total_ingest) if total_ingest else 0:>11}{total_scan:>9.3f}"
        f"{(total_ingest / total_scan if total_scan else 0):>8.2f}"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rerun on the same files: {rerun_s:.3f} s, {rerun} files loaded (expected 0)")
    print(f"peak RSS: {peak_mb:.0f} MB (ru_maxrss), {sampler.peak / 2**20:.0f} MB (psutil sampled)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"sources": figures, "rerun_s": rerun_s, "peak_rss_mb": peak_mb}, indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
