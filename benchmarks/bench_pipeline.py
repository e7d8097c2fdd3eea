"""The whole pipeline, stage by stage and end to end, at one or more scales of the demo company.

    .venv/bin/python benchmarks/bench_pipeline.py --scales 1 10      # `make bench`
    .venv/bin/python benchmarks/bench_pipeline.py --quick            # scale 0.1, a few minutes
    .venv/bin/python benchmarks/bench_pipeline.py --scales 100 --workdir /tmp/revops_bench_100
    .venv/bin/python benchmarks/bench_pipeline.py --report A.json B.json   # side by side

Every stage runs in a fresh subprocess against an isolated work dir (REVOPS_LANDING_DIR,
REVOPS_WAREHOUSE, REVOPS_SERVING, DAGSTER_HOME and the dbt target path all point there;
the repo's data/ is never touched). For each stage: wall seconds, peak RSS of the process
tree (psutil, sampled every 50 ms, summed over the process and its children, e.g.
`revops run` plus its dbt subprocess) and the kernel's ru_maxrss of the largest single
process; and the CPU that other processes used meanwhile (cores), so a figure distorted
by other load shows it.

Stages, per scale:
  generate  `revops generate --scale S`
  floor     DuckDB alone reading every landing file once (bench_ingest.scan_sql)
  ingest    ingest.runner.ingest_source per source into a fresh warehouse (rows/s)
  dbt       `dbt build --project-dir dbt_project --profiles-dir dbt_project`
  checks    the Great Expectations suites (quality/suites.py), without Dagster
  publish   serving.publish.publish_marts
  run       `revops run` end to end on a fresh warehouse (its per-step lines parsed)
  daily     incremental cost: the GA4 and ad files delivered in the last 24 h and the
            newest Salesforce snapshot are held back; `revops run` (full); the day's
            files put back, `revops run` (daily: what 6 days of 7 bring); the CRM
            snapshot put back, `revops run` (weekly snapshot day); then `revops run`
            again with nothing new
  stock     the stock floor: a minimal Dagster job (one @dbt_assets over a one-model dbt
            project, dbt-duckdb) run in a fresh interpreter against a fresh DAGSTER_HOME
            with Dagster's sqlite storage; its runs alternate with the daily runs
Once per invocation (fixed overhead): `dbt parse` (manifest prepare), loading
the Dagster definitions in a fresh interpreter (3 times), `revops run` over an
empty landing zone, and what memory_limit/threads dbt's profile really applies.

Figures are printed with the targets of benchmarks/README.md (met / NOT met) and
written to benchmarks/results/pipeline_<time>.json; nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

from orchestration.dbt_cli import dbt_executable

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STAGES_PY = REPO / "benchmarks" / "_stages.py"
#: The code under test: this checkout, or a `git archive` of --commit (set in main()).
CODE = REPO
RESULTS = REPO / "benchmarks" / "results"
ALL_STAGES = ("generate", "floor", "ingest", "dbt", "checks", "publish", "run", "daily", "stock")
GiB = 2**30
MiB = 2**20

# The targets (benchmarks/README.md, "Targets").
#: fresh `revops run` / DuckDB floor, at scale 10
RUN_OVER_FLOOR_MAX = 2.0
#: time(scale 100) / time(scale 10) of a fresh `revops run`
GROWTH_10_100_MAX = 11.0
#: peak RSS of any pipeline stage at scale 100
PEAK_RSS_MAX = 8 * GiB
#: daily(scale 10) / daily(scale 1)
DAILY_GROWTH_1_10_MAX = 1.5
#: daily run / stock floor, at every scale
DAILY_OVER_STOCK_MAX = 1.3
#: a run with nothing new, wall seconds
NOTHING_NEW_MAX_S = 10.0
#: loading the Dagster definitions in a fresh interpreter, median of 3
DEFINITIONS_MAX_S = 3.0

# --------------------------------------------------------------------------- measuring


@dataclass
class Measured:
    """One subprocess: how long, how big, how loaded the machine was meanwhile."""

    name: str
    cmd: list[str]
    returncode: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0  # user + system of the process tree (waited-for children included)
    peak_rss_tree: int = 0  # bytes, sampled sum over the process tree
    maxrss_largest: int = 0  # bytes, the kernel's ru_maxrss: the largest single process
    others_cores: float = 0.0  # CPU used by other processes meanwhile, in cores
    steal_cores: float = 0.0  # CPU the hypervisor gave other VMs meanwhile, in cores
    load1_start: float = 0.0
    load1_max: float = 0.0
    log: str = ""
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def peak_rss(self) -> int:
        return max(self.peak_rss_tree, self.maxrss_largest)


class _TreeSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.load_max = 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._halt.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = []
            for proc in procs:
                with contextlib.suppress(psutil.Error):  # a child that just exited
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            self.load_max = max(self.load_max, os.getloadavg()[0])
            self._halt.wait(0.05)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _busy_and_steal_seconds() -> tuple[float, float]:
    """CPU seconds this VM's processes used, and seconds the hypervisor ran other VMs instead."""
    t = psutil.cpu_times()
    steal = getattr(t, "steal", 0.0)
    total = sum(t) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)
    return total - t.idle - getattr(t, "iowait", 0.0) - steal, steal


def measure(name: str, cmd: list[str], env: dict[str, str], logs: Path) -> Measured:
    """Run ``cmd`` in a fresh process; its output goes to ``logs/<name>.log``."""
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    m = Measured(name=name, cmd=cmd, log=str(log), load1_start=os.getloadavg()[0])
    print(f"  [{time.strftime('%H:%M:%S')}] {name}: {' '.join(cmd[-4:])}", flush=True)
    # Writes a previous stage (or a copy of the state) left in the page cache are flushed
    # now, not during this stage.
    os.sync()
    busy0, steal0 = _busy_and_steal_seconds()
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=CODE)
        sampler = _TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        m.wall_s = time.perf_counter() - start
        sampler.stop()
    proc.returncode = m.returncode = os.waitstatus_to_exitcode(status)
    m.cpu_s = usage.ru_utime + usage.ru_stime
    busy1, steal1 = _busy_and_steal_seconds()
    if m.wall_s:
        m.others_cores = max(0.0, (busy1 - busy0 - m.cpu_s) / m.wall_s)
        m.steal_cores = (steal1 - steal0) / m.wall_s
    m.peak_rss_tree = sampler.peak
    m.maxrss_largest = usage.ru_maxrss * 1024
    m.load1_max = sampler.load_max
    text = log.read_text(encoding="utf-8", errors="replace")
    for line in reversed(text.splitlines()):
        if line.startswith("BENCH_JSON "):
            m.figures = json.loads(line[len("BENCH_JSON ") :])
            break
    status_text = "ok" if m.returncode == 0 else f"EXIT {m.returncode} (see {log})"
    print(
        f"      {m.wall_s:7.1f} s  peak RSS {m.peak_rss / MiB:6,.0f} MiB  "
        f"others {m.others_cores:.1f} cores  stolen {m.steal_cores:.2f} cores  {status_text}",
        flush=True,
    )
    return m


def stage(name: str, which: str, env: dict[str, str], logs: Path) -> Measured:
    return measure(name, [sys.executable, str(STAGES_PY), which], env, logs)


# --------------------------------------------------------------------------- environment


def pipeline_env(root: Path, landing: Path, dbt_target: Path) -> dict[str, str]:
    """The pipeline's own variables, all pointing under ``root`` (never the repo's data/)."""
    env = dict(os.environ)
    env.update(
        {
            "REVOPS_LANDING_DIR": str(landing),
            "REVOPS_WAREHOUSE": str(root / "warehouse.duckdb"),
            "REVOPS_SERVING": str(root / "serving.duckdb"),
            "DAGSTER_HOME": str(root / "dagster_home"),
            "REVOPS_DBT_TARGET_PATH": str(dbt_target),
            "GX_ANALYTICS_ENABLED": "false",
            "DAGSTER_DISABLE_TELEMETRY": "1",
            "DO_NOT_TRACK": "1",
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    if CODE != REPO:  # the archived commit's packages win over the venv's editable install
        env["PYTHONPATH"] = str(CODE)
        env["REVOPS_BENCH_CODE"] = str(CODE)
    # An archived --commit has no .venv-dbt of its own: use the checkout's dbt.
    env.setdefault("REVOPS_DBT_EXECUTABLE", dbt_executable())
    env.setdefault("REVOPS_DUCKDB_MEMORY_LIMIT", "3GB")
    env.setdefault("REVOPS_DUCKDB_THREADS", "2")
    root.mkdir(parents=True, exist_ok=True)
    return env


# --------------------------------------------------------------------------- parsing

_STEP = re.compile(r"^\s+(ok|FAILED)\s+(\S+) \(([\d.]+) s")
_SKIPPED = re.compile(r"^\s+skipped (\S+) ")
_REASON = re.compile(r"^\s+building \((.*)\)\s*$")
_VERDICT = re.compile(r"revops run (OK|FAILED) in (\d+) s")
_GEN_SOURCE = re.compile(r"^\s+(\w+)\s+(\d+) files\s+([\d,]+) rows")


def parse_run(m: Measured) -> None:
    """`revops run` prints `  ok  <step> (12.3 s, 5 asset(s))` per step, the dbt step's
    `building (<why>)` line, `skipped <step>` lines and a verdict."""
    steps: dict[str, float] = {}
    failed: list[str] = []
    skipped: list[str] = []
    verdict = reason = None
    text = Path(m.log).read_text(encoding="utf-8", errors="replace")
    for line in text.splitlines():
        if match := _STEP.match(line):
            steps[match.group(2)] = float(match.group(3))
            if match.group(1) == "FAILED":
                failed.append(match.group(2))
        elif match := _SKIPPED.match(line):
            skipped.append(match.group(1))
        elif match := _REASON.match(line):
            reason = match.group(1)
        elif match := _VERDICT.search(line):
            verdict = match.group(1)
    m.figures = {
        "steps": steps,
        "failed_steps": failed,
        "skipped_steps": skipped,
        "verdict": verdict,
        "dbt_reason": reason,
        "up_to_date": "already current: nothing new" in text,
    }
    groups = {"ingest": 0.0, "dbt": 0.0, "checks": 0.0, "publish": 0.0, "other": 0.0}
    for step, seconds in steps.items():
        if step.startswith("ingest_"):
            groups["ingest"] += seconds
        elif "gx_" in step or "check" in step:
            groups["checks"] += seconds
        elif "dbt" in step:
            groups["dbt"] += seconds
        elif "publish" in step or step.startswith("serving"):
            groups["publish"] += seconds
        else:
            groups["other"] += seconds
    m.figures["step_groups"] = {k: round(v, 1) for k, v in groups.items()}
    m.figures["steps_total_s"] = round(sum(steps.values()), 1)


def dbt_timing(run_results: Path, top: int = 6) -> dict[str, Any]:
    """Per-node execution times from dbt's run_results.json: what dominates dbt."""
    if not run_results.exists():
        return {}
    data = json.loads(run_results.read_text())
    by_type: dict[str, float] = {}
    nodes = []
    for node in data.get("results", []):
        uid = node.get("unique_id", "?")
        kind = uid.split(".")[0]
        seconds = float(node.get("execution_time") or 0)
        by_type[kind] = by_type.get(kind, 0.0) + seconds
        name = uid.split(".")[2] if kind == "test" and uid.count(".") >= 3 else uid.split(".")[-1]
        nodes.append((seconds, name, node.get("status")))
    nodes.sort(reverse=True)
    return {
        "elapsed_s": round(float(data.get("elapsed_time") or 0), 1),
        "nodes": len(nodes),
        "by_type_s": {k: round(v, 1) for k, v in sorted(by_type.items())},
        "top": [{"node": n, "seconds": round(s, 2), "status": st} for s, n, st in nodes[:top]],
    }


def dbt_run_results(env: dict[str, str]) -> Path:
    """Where the dbt step of `revops run` leaves run_results.json: ``<warehouse>.dbt/target``
    (orchestration/assets/dbt.py, DbtPaths.for_warehouse)."""
    warehouse = Path(env["REVOPS_WAREHOUSE"]).resolve()
    return warehouse.parent / f"{warehouse.name}.dbt" / "target" / "run_results.json"


# --------------------------------------------------------------------------- one scale


def landing_files(landing: Path) -> list[Path]:
    return sorted(p for p in landing.rglob("*") if p.is_file())


def last_day_of_deliveries(landing: Path, hours: float = 24) -> list[Path]:
    """GA4 and ad files whose mtime (the generator's simulated delivery time) is in the last
    ``hours``: one ordinary day. Salesforce comes as a weekly full snapshot instead."""
    files = landing_files(landing)
    newest = max(p.stat().st_mtime for p in files)
    return [
        p
        for p in files
        if p.stat().st_mtime > newest - hours * 3600
        and p.relative_to(landing).parts[0] != "salesforce"
    ]


def newest_crm_snapshot(landing: Path) -> list[Path]:
    """The files of the newest Salesforce export folder (a weekly full snapshot)."""
    folders = sorted(p for p in (landing / "salesforce").iterdir() if p.is_dir())
    return landing_files(folders[-1]) if folders else []


def move_tree(files: list[Path], src_root: Path, dst_root: Path) -> None:
    """Move files keeping their relative paths and mtimes; drop folders left empty."""
    for path in files:
        target = dst_root / path.relative_to(src_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    for path in sorted({p.parent for p in files}, key=lambda p: len(p.parts), reverse=True):
        while path != src_root and path.is_dir() and not any(path.iterdir()):
            path.rmdir()
            path = path.parent


def tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def revops_run(name: str, env: dict[str, str], logs: Path, dbt_target: Path) -> Measured:
    if not (dbt_target / "manifest.json").exists():
        # A deployment parses once per code change (the fixed-overhead table has that figure);
        # without --no-fixed the fixed stage did it, otherwise this run would pay for it.
        stage(f"{name}_dbt_parse_first", "prepare", env, logs)
    run_results = dbt_run_results(env)
    run_results.unlink(missing_ok=True)  # a run that builds nothing must not show the last one's
    m = measure(name, [str(BIN / "revops"), "run"], env, logs)
    parse_run(m)
    m.figures["dbt"] = dbt_timing(run_results)
    return m


def median(runs: list[Measured]) -> Measured:
    """The median run by wall time; of an even number, the slower middle one."""
    return sorted(runs, key=lambda m: m.wall_s)[len(runs) // 2]


def repeat_daily(
    repeats: int,
    root: Path,
    landing: Path,
    holding: Path,
    held_day: list[Path],
    env: dict[str, str],
    logs: Path,
    dbt_target: Path,
    after_each: Callable[[int], None] | None = None,
) -> list[Measured]:
    """Deliver the held-back day and run, ``repeats`` times from the same state.

    One wall time on a shared 2-core VM moves by a quarter between hours, which is more than
    the margin the daily targets leave; the median of a few runs from the same warehouse,
    serving file, dbt state and Dagster history says what a daily run costs. Between runs
    the state the full run left is copied back and the day held back again. ``after_each``
    runs after every daily run (the stock floor, so both see the same machine load).
    """
    state = Path(env["REVOPS_WAREHOUSE"]).parent
    after_full = root / "incremental_after_full"
    if repeats > 1 and shutil.disk_usage(root).free < 1.2 * tree_bytes(state) + GiB:
        print(f"   not enough disk for a copy of {state}: one daily run only", flush=True)
        repeats = 1
    if repeats > 1:
        shutil.rmtree(after_full, ignore_errors=True)
        shutil.copytree(state, after_full)
    delivered = [landing / p.relative_to(holding) for p in held_day]
    runs = []
    try:
        for i in range(repeats):
            if i:
                move_tree(delivered, landing, holding)
                shutil.rmtree(state)
                shutil.copytree(after_full, state)
            move_tree(held_day, holding, landing)
            name = "revops_run_daily" + (f"_{i + 1}" if i else "")
            runs.append(revops_run(name, env, logs, dbt_target))
            if after_each:
                after_each(i)
    finally:
        shutil.rmtree(after_full, ignore_errors=True)
    return runs


def disk_check(root: Path, scale: float, args: argparse.Namespace, generating: bool) -> None:
    """Stop before generating when the work dir's disk cannot hold the scale.

    Per unit of scale: ~0.5 GiB of landing files (scale 10: 4.8 GiB) and, generously, 0.1 GiB
    per warehouse alive at once: the incremental one, its copy for --daily-repeats, and with
    --keep the stages' and the end-to-end run's too.
    """
    copies = (2 if args.daily_repeats > 1 else 1) + (2 if args.keep else 0)
    need = scale * ((0.5 if generating else 0) + 0.1 * copies) * GiB + GiB
    free = shutil.disk_usage(root).free
    if generating:  # an old landing zone of this scale is replaced
        free += tree_bytes(root / "landing")
    print(f"   disk: about {need / GiB:,.1f} GiB needed, {free / GiB:,.1f} GiB free", flush=True)
    if free < need:
        raise SystemExit(
            f"not enough disk under {root} for scale {scale:g} (about {need / GiB:.0f} GiB "
            "needed): give --workdir on a disk with room"
        )


def bench_scale(
    scale: float,
    args: argparse.Namespace,
    work: Path,
    dbt_target: Path,
    stock_dir: Path | None,
) -> dict:
    root = work / f"scale_{scale:g}"
    landing = root / "landing"
    logs = root / "logs"
    out: dict[str, Any] = {"scale": scale, "days": args.days, "work_dir": str(root)}
    measured: dict[str, Measured] = {}
    print(f"\n== scale {scale:g} ({args.days} days, seed {args.seed}) in {root}", flush=True)
    # A --workdir kept from an earlier run may be reused for its landing zone (generating
    # scale 100 takes a quarter of an hour), never for its warehouses or Dagster history.
    if root.exists():
        for child in root.iterdir():
            if child.name != "landing":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    root.mkdir(parents=True, exist_ok=True)
    generating = "generate" in args.stages or not landing.exists()
    disk_check(root, scale, args, generating)

    env = pipeline_env(root / "stages", landing, dbt_target)
    if generating:
        if landing.exists():
            shutil.rmtree(landing)
        m = measure(
            "generate",
            [
                str(BIN / "revops"),
                "generate",
                "--out",
                str(landing),
                "--scale",
                f"{scale:g}",
                "--days",
                str(args.days),
                "--seed",
                str(args.seed),
            ],
            env,
            logs,
        )
        sources = {}
        for line in Path(m.log).read_text().splitlines():
            if match := _GEN_SOURCE.match(line):
                sources[match.group(1)] = {
                    "files": int(match.group(2)),
                    "rows": int(match.group(3).replace(",", "")),
                }
        m.figures = {"sources": sources}
        measured["generate"] = m
        if m.returncode:
            raise SystemExit(f"revops generate failed: see {m.log}")
    files = landing_files(landing)
    out["landing"] = {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}

    if "floor" in args.stages:
        # Landing files that fit in the page cache are read warm, as the pipeline's own
        # stages read them after the first; larger ones (scale 100) are read cold by both.
        fits = out["landing"]["bytes"] < psutil.virtual_memory().total / 2
        out["floor_cache"] = "warm" if fits else "cold"
        if fits and "generate" not in measured:  # freshly written files are cached already
            stage("floor_warmup", "floor", env, logs)
        measured["floor"] = stage("floor", "floor", env, logs)
    if "ingest" in args.stages:
        measured["ingest"] = stage("ingest", "ingest", env, logs)
    if "dbt" in args.stages:
        target = root / "stages" / "dbt_target"
        m = measure(
            "dbt_build",
            [
                dbt_executable(),
                "build",
                "--project-dir",
                "dbt_project",
                "--profiles-dir",
                "dbt_project",
                "--target-path",
                str(target),
                "--log-path",
                str(root / "dbt_logs"),
            ],
            env,
            logs,
        )
        m.figures = dbt_timing(target / "run_results.json", top=8)
        measured["dbt"] = m
    built_by_stages = "ingest" in args.stages and "dbt" in args.stages
    if built_by_stages:
        checks_and_publish(args, env, logs, measured)
        shutil.rmtree(root / "stages", ignore_errors=True)

    if "run" in args.stages:
        env_run = pipeline_env(root / "e2e", landing, dbt_target)
        measured["run"] = revops_run("revops_run", env_run, logs, dbt_target)
        out["warehouse_bytes"] = tree_bytes(Path(env_run["REVOPS_WAREHOUSE"]))
        out["serving_bytes"] = tree_bytes(Path(env_run["REVOPS_SERVING"]))
        shutil.rmtree(root / "e2e", ignore_errors=True)

    stock_runs: list[Measured] = []
    stock_env: dict[str, str] = {}
    if "stock" in args.stages and stock_dir is not None:
        # Dagster's sqlite storage in a DAGSTER_HOME of its own: the first run creates it.
        home = root / "stock_dagster_home"
        home.mkdir(parents=True)
        (home / "dagster.yaml").write_text(STOCK_INSTANCE_YAML)
        stock_env = dict(env, DAGSTER_HOME=str(home), REVOPS_BENCH_STOCK_DIR=str(stock_dir))
        measured["stock_first"] = stage("stock_floor_first", "stock", stock_env, logs)

    def stock_once(i: int) -> None:
        if stock_env:
            stock_runs.append(stage(f"stock_floor_{i + 1}", "stock", stock_env, logs))

    if "daily" in args.stages:
        day, crm = last_day_of_deliveries(landing), newest_crm_snapshot(landing)
        holding = root / "holding"
        daily_files = [str(p.relative_to(landing)) for p in day + crm]
        out["daily_files"] = {
            "files": len(day),
            "bytes": sum(p.stat().st_size for p in day),
            "crm_files": len(crm),
            "crm_bytes": sum(p.stat().st_size for p in crm),
            "paths": daily_files,
        }
        env_incr = pipeline_env(root / "incremental", landing, dbt_target)
        move_tree(day + crm, landing, holding)
        held_day = [holding / p.relative_to(landing) for p in day]
        try:
            measured["incr_full"] = revops_run("revops_run_full", env_incr, logs, dbt_target)
            out.setdefault("warehouse_bytes", tree_bytes(Path(env_incr["REVOPS_WAREHOUSE"])))
            dailies = repeat_daily(
                args.daily_repeats,
                root,
                landing,
                holding,
                held_day,
                env_incr,
                logs,
                dbt_target,
                after_each=stock_once,
            )
            measured["incr_daily"] = median(dailies)
            out["daily_repeats_s"] = [round(m.wall_s, 1) for m in dailies]
            out["daily_repeats_steal"] = [round(m.steal_cores, 2) for m in dailies]
        finally:
            move_tree(landing_files(holding), holding, landing)
        if crm:
            measured["incr_crm"] = revops_run("revops_run_crm", env_incr, logs, dbt_target)
        measured["incr_nochange"] = revops_run("revops_run_nochange", env_incr, logs, dbt_target)
        out["daily_rows"] = _daily_rows(Path(env_incr["REVOPS_WAREHOUSE"]), daily_files)
        out["loaded_rows"] = _daily_rows(Path(env_incr["REVOPS_WAREHOUSE"]), None)
        if not built_by_stages:  # checks and publish on the warehouse the runs built
            checks_and_publish(args, env_incr, logs, measured)
        if not args.keep:
            shutil.rmtree(root / "incremental", ignore_errors=True)
    else:
        for i in range(args.daily_repeats):
            stock_once(i)
    if stock_runs:
        measured["stock"] = median(stock_runs)
        out["stock_repeats_s"] = [round(m.wall_s, 1) for m in stock_runs]

    out["stages"] = {k: asdict(v) | {"peak_rss": v.peak_rss} for k, v in measured.items()}
    if not args.keep:
        if args.workdir is None:
            shutil.rmtree(root, ignore_errors=True)
        else:  # a given --workdir keeps its landing zone (and the logs) for the next run
            for child in root.iterdir():
                if child.name not in ("landing", "logs"):
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
    return out


def checks_and_publish(
    args: argparse.Namespace, env: dict[str, str], logs: Path, measured: dict[str, Measured]
) -> None:
    if "checks" in args.stages:
        measured["checks"] = stage("checks", "checks", env, logs)
    if "publish" in args.stages:
        measured["publish"] = stage("publish", "publish", env, logs)


def _daily_rows(warehouse: Path, paths: list[str] | None) -> dict[str, Any]:
    """Files and rows loaded per source, from raw.ingest_log (only ``paths`` when given)."""
    import duckdb

    if not warehouse.exists():
        return {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        where = "status = 'loaded'"
        if paths is not None:
            where += " and file_path in (select unnest(?))"
        rows = con.execute(
            f"select source, count(*), sum(rows_read) from raw.ingest_log where {where} "
            "group by source",
            [paths] if paths is not None else [],
        ).fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.close()
    return {s: {"files": int(n), "rows_read": int(r or 0)} for s, n, r in rows}


# --------------------------------------------------------------------------- stock floor

#: The stock floor's Definitions: stock dagster-dbt, nothing of this project.
STOCK_DEFS_PY = '''"""Minimal Dagster + dbt: one @dbt_assets over a one-model dbt project."""

from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

DBT_DIR = Path(__file__).resolve().parent / "dbt"
project = DbtProject(project_dir=DBT_DIR)


@dbt_assets(manifest=project.manifest_path, project=project)
def stock_dbt(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build"], context=context).stream()


defs = dg.Definitions(
    assets=[stock_dbt],
    jobs=[dg.define_asset_job("stock_job")],
    resources={{
        "dbt": DbtCliResource(
            project_dir=project, profiles_dir=str(DBT_DIR), dbt_executable={dbt!r}
        )
    }},
)
'''

#: Dagster's own sqlite storage under DAGSTER_HOME, as the pipeline's dagster.yaml has it.
STOCK_INSTANCE_YAML = """storage:
  sqlite:
    base_dir:
      env: DAGSTER_HOME
telemetry:
  enabled: false
"""


def setup_stock(work: Path) -> tuple[Path, dict[str, Any]]:
    """Write the stock floor's dbt project and Definitions module; `dbt parse` it once.

    The manifest is prepared beforehand, as `revops run` finds the pipeline's prepared.
    """
    root = work / "stock"
    shutil.rmtree(root, ignore_errors=True)
    dbt_dir = root / "dbt"
    (dbt_dir / "models").mkdir(parents=True)
    (dbt_dir / "dbt_project.yml").write_text(
        "name: stock\nversion: '1.0'\nconfig-version: 2\nprofile: stock\n"
    )
    (dbt_dir / "profiles.yml").write_text(
        "stock:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: {json.dumps(str(root / 'stock.duckdb'))}\n      threads: 1\n"
    )
    (dbt_dir / "models" / "noop.sql").write_text("select 1 as id\n")
    (root / "stock_defs.py").write_text(STOCK_DEFS_PY.format(dbt=dbt_executable()))
    env = pipeline_env(root / "parse", root / "no_landing", root / "no_target")
    print(f"\n== stock floor project in {root}", flush=True)
    m = measure(
        "stock_dbt_parse",
        [dbt_executable(), "parse", "--project-dir", str(dbt_dir), "--profiles-dir", str(dbt_dir)],
        env,
        root / "logs",
    )
    if m.returncode:
        raise SystemExit(f"the stock floor's dbt parse failed: see {m.log}")
    return root, {"dir": str(root), "dbt_parse": asdict(m)}


# --------------------------------------------------------------------------- fixed overhead


def bench_fixed(work: Path, dbt_target: Path, args: argparse.Namespace) -> dict[str, Any]:
    root = work / "fixed"
    if root.exists():  # a kept --workdir: the empty-landing run needs a fresh warehouse
        shutil.rmtree(root)
    logs = root / "logs"
    empty_landing = root / "empty_landing"
    empty_landing.mkdir(parents=True, exist_ok=True)
    env = pipeline_env(root / "empty_run", empty_landing, dbt_target)
    print(f"\n== fixed overhead in {root}", flush=True)
    out: dict[str, Any] = {}
    out["prepare"] = asdict(stage("dbt_parse", "prepare", env, logs))
    loads = [stage(f"definitions_{i}", "defs", env, logs) for i in range(3)]
    out["definitions"] = [asdict(m) for m in loads]
    out["profile"] = _dbt_profile_settings(env, logs, root)
    if "run" in args.stages or "daily" in args.stages:
        m = revops_run("revops_run_empty_landing", env, logs, dbt_target)
        out["empty_run"] = asdict(m) | {"peak_rss": m.peak_rss}
    return out


def _dbt_profile_settings(env: dict[str, str], logs: Path, root: Path) -> dict[str, Any]:
    """What dbt's profile really sets in DuckDB (REVOPS_DUCKDB_MEMORY_LIMIT / _THREADS)."""
    env = dict(env, REVOPS_WAREHOUSE=str(root / "profile_probe.duckdb"))
    m = measure(
        "dbt_profile_probe",
        [
            dbt_executable(),
            "show",
            "--project-dir",
            "dbt_project",
            "--profiles-dir",
            "dbt_project",
            "--target-path",
            str(root / "probe_target"),
            "--log-path",
            str(root / "dbt_logs"),
            "--output",
            "json",
            "--inline",
            "select current_setting('memory_limit') as memory_limit, "
            "current_setting('threads') as duckdb_threads",
        ],
        env,
        logs,
    )
    text = Path(m.log).read_text(errors="replace")
    found = re.search(r'"memory_limit":\s*"([^"]+)".*?"duckdb_threads":\s*"?(\d+)', text, re.S)
    return {
        "asked_memory_limit": env["REVOPS_DUCKDB_MEMORY_LIMIT"],
        "asked_threads": env["REVOPS_DUCKDB_THREADS"],
        "dbt_memory_limit": found.group(1) if found else None,
        "dbt_duckdb_threads": int(found.group(2)) if found else None,
        "seconds": round(m.wall_s, 1),
    }


# --------------------------------------------------------------------------- report


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _cell(stage: dict | None, rss: bool = True) -> str:
    if not stage:
        return "-"
    text = f"{stage['wall_s']:.1f} s"
    if stage.get("returncode"):
        text += f" EXIT{stage['returncode']}"
    if rss:
        text += f", {stage['peak_rss'] / MiB:,.0f} MiB"
    return text


def _print_table(title: str, rows: list[tuple[str, list[str]]], columns: list[str]) -> None:
    if not rows:
        return
    width = max(len(label) for label, _ in rows) + 2
    cols = [max(len(s), *(len(cells[i]) for _, cells in rows)) + 3 for i, s in enumerate(columns)]
    print(f"\n{title}")
    header = f"{'':<{width}}" + "".join(f"{s:>{c}}" for s, c in zip(columns, cols, strict=True))
    print(header)
    print("-" * len(header))
    for label, cells in rows:
        print(f"{label:<{width}}" + "".join(f"{x:>{c}}" for x, c in zip(cells, cols, strict=True)))


def _ingest_seconds(scale: dict[str, Any], source: str) -> tuple[float, int]:
    """Seconds and rows of one source: the ingest stage, else the full run's ingest step."""
    stages = scale["stages"]
    if "ingest" in stages:
        fig = stages["ingest"]["figures"]["sources"][source]
        return fig["seconds"], fig["rows_read"]
    run = stages["run"] if "run" in stages else stages["incr_full"]
    rows = scale["loaded_rows"][source]["rows_read"]
    if "incr_full" in stages and "run" not in stages:  # the full run did not load the last day
        rows -= scale["daily_rows"].get(source, {}).get("rows_read", 0)
    return run["figures"]["steps"][f"ingest_{source}"], rows


def _ingest_rate(scale: dict[str, Any], source: str) -> str:
    seconds, rows = _ingest_seconds(scale, source)
    note = "" if "ingest" in scale["stages"] else " *"
    return f"{round(rows / seconds):,} ({rows:,}){note}"


def _node_cell(node: dict[str, Any]) -> str:
    name = node["node"]
    if name.startswith("test."):  # test.revops.<name>.<hash>
        name = name.split(".")[2]
    return f"{name[:44]} {node['seconds']:.1f} s"


def _by_type(dbt: dict[str, Any]) -> str:
    """dbt's execution seconds by node type, and the wall time dbt itself reports."""
    t = dbt["by_type_s"]
    kinds = ("model", "test", "unit_test", "seed")
    return " / ".join(f"{t.get(k, 0):.0f}" for k in kinds) + f" s (dbt {dbt['elapsed_s']:.0f} s)"


def _suite_cell(suite: dict[str, Any]) -> str:
    return f"{suite['query_s'] + suite['validate_s']:.2f} s ({suite['rows']:,})"


def _steps(stage: dict[str, Any]) -> str:
    return "{ingest:.0f} / {dbt:.0f} / {checks:.0f} / {publish:.0f} s".format(
        **stage["figures"]["step_groups"]
    )


def _dbt_built(stage: dict[str, Any]) -> str:
    """What the run's dbt step built: its nodes, and why (the part before dbt's selector)."""
    f = stage["figures"]
    if f.get("up_to_date") and not f.get("dbt"):
        return "nothing (up to date)"
    reason = (f.get("dbt_reason") or "?").split(";")[0]
    reason = reason.replace("changed since the last publish: ", "changed: ")
    return f"{(f.get('dbt') or {}).get('nodes', 0)} nodes ({reason})"


def _st(s: dict[str, Any], k: str) -> dict[str, Any]:
    """Stage ``k`` of scale ``s``; without a separate end-to-end run, the incremental's full
    run stands in for it."""
    if k == "run" and "run" not in s["stages"]:
        return s["stages"]["incr_full"]
    return s["stages"][k]


def _run_over_floor(s: dict[str, Any]) -> float:
    return _st(s, "run")["wall_s"] / _st(s, "floor")["figures"]["seconds"]


def _pipeline_peak(s: dict[str, Any]) -> int:
    """Peak RSS of any pipeline stage: every stage but the demo generator and the stock floor."""
    return max(
        v["peak_rss"]
        for k, v in s["stages"].items()
        if k != "generate" and not k.startswith("stock")
    )


def _try(fn: Callable[[], str]) -> str:
    try:
        return fn()
    except (KeyError, TypeError, ZeroDivisionError, IndexError, ValueError):
        return "-"


def _column_names(scales: list[dict[str, Any]]) -> list[str]:
    names, seen = [], {}
    for s in scales:
        name = f"scale {s['scale']:g}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} (#{seen[name]})")
    return names


def _pairs(scales: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each scale with the next larger one (by scale; the last of equal scales counts)."""
    by_scale = {s["scale"]: s for s in scales}
    ordered = [by_scale[k] for k in sorted(by_scale)]
    return list(zip(ordered, ordered[1:], strict=False))


def report(result: dict[str, Any]) -> None:
    scales = result["scales"]
    names = _column_names(scales)

    def row(label: str, fn: Callable[[dict[str, Any]], str]) -> tuple[str, list[str]]:
        return label, [_try(lambda s=s: fn(s)) for s in scales]

    def at(scale: float, text: str, ok: bool, s: dict[str, Any]) -> str:
        return f"{text}: {_verdict(ok)}" if s["scale"] == scale else text

    rows = [
        row(
            "landing files / MiB",
            lambda s: f"{s['landing']['files']:,} / {s['landing']['bytes'] / MiB:,.0f}",
        ),
        row("generate (revops generate)", lambda s: _cell(_st(s, "generate"))),
        row(
            "floor: DuckDB scans every file once",
            lambda s: (
                f"{_st(s, 'floor')['figures']['seconds']:.1f} s"
                + (" (cold)" if s.get("floor_cache") == "cold" else "")
            ),
        ),
        row("ingest (ingest_source x5)", lambda s: _cell(_st(s, "ingest"))),
        row("dbt build", lambda s: _cell(_st(s, "dbt"))),
        row("GX checks (3 suites)", lambda s: _cell(_st(s, "checks"))),
        row("publish", lambda s: _cell(_st(s, "publish"))),
        row(
            "sum ingest..publish",
            lambda s: (
                f"{sum(_st(s, k)['wall_s'] for k in ('ingest', 'dbt', 'checks', 'publish')):.1f} s"
            ),
        ),
        row(
            "revops run, fresh warehouse",
            lambda s: _cell(_st(s, "run")) + ("" if "run" in s["stages"] else " *"),
        ),
        row(
            f"  run / floor (target <= {RUN_OVER_FLOOR_MAX:g}x at scale 10)",
            lambda s: at(
                10, f"{_run_over_floor(s):.2f}x", _run_over_floor(s) <= RUN_OVER_FLOOR_MAX, s
            ),
        ),
        row("  steps: ingest / dbt / checks / publish", lambda s: _steps(_st(s, "run"))),
        row(
            "  outside steps (start-up, report)",
            lambda s: (
                f"{_st(s, 'run')['wall_s'] - _st(s, 'run')['figures']['steps_total_s']:.1f} s"
            ),
        ),
        row(
            "  warehouse / serving MiB",
            lambda s: f"{s['warehouse_bytes'] / MiB:,.0f} / {s.get('serving_bytes', 0) / MiB:,.0f}",
        ),
        row("incremental: full run, last day held", lambda s: _cell(_st(s, "incr_full"))),
        row("  daily run (+ last 24 h of GA4/ad files)", lambda s: _cell(_st(s, "incr_daily"))),
        row(
            "    each daily run (the median is used)",
            lambda s: " / ".join(f"{x:.1f}" for x in s["daily_repeats_s"]) + " s",
        ),
        row("    dbt built", lambda s: _dbt_built(_st(s, "incr_daily"))),
        row("    steps: ingest / dbt / checks / publish", lambda s: _steps(_st(s, "incr_daily"))),
        row("  weekly CRM snapshot run (+ snapshot)", lambda s: _cell(_st(s, "incr_crm"))),
        row("    dbt built", lambda s: _dbt_built(_st(s, "incr_crm"))),
        row("    steps: ingest / dbt / checks / publish", lambda s: _steps(_st(s, "incr_crm"))),
        row(
            f"  run with nothing new (target < {NOTHING_NEW_MAX_S:g} s)",
            lambda s: (
                f"{_cell(_st(s, 'incr_nochange'))}: "
                f"{_verdict(_st(s, 'incr_nochange')['wall_s'] < NOTHING_NEW_MAX_S)}"
            ),
        ),
        row(
            "    dbt built / steps skipped",
            lambda s: (
                f"{_dbt_built(_st(s, 'incr_nochange'))} / "
                f"{len(_st(s, 'incr_nochange')['figures']['skipped_steps'])}"
            ),
        ),
        row(
            "stock floor: Dagster + dbt, 1 model (median)",
            lambda s: _cell(_st(s, "stock")),
        ),
        row(
            "    each stock run / first, fresh DAGSTER_HOME",
            lambda s: (
                " / ".join(f"{x:.1f}" for x in s["stock_repeats_s"])
                + f" s / {_st(s, 'stock_first')['wall_s']:.1f} s"
            ),
        ),
        row(
            "    import dagster / definitions / execute",
            lambda s: (
                "{import_dagster_s:.1f} / {load_definitions_s:.1f} / {execute_s:.1f} s".format(
                    **_st(s, "stock")["figures"]
                )
            ),
        ),
        row(
            f"  daily / stock floor (target <= {DAILY_OVER_STOCK_MAX:g}x)",
            lambda s: (
                f"{_st(s, 'incr_daily')['wall_s'] / _st(s, 'stock')['wall_s']:.2f}x: "
                + _verdict(
                    _st(s, "incr_daily")["wall_s"]
                    <= DAILY_OVER_STOCK_MAX * _st(s, "stock")["wall_s"]
                )
            ),
        ),
        row(
            "  snapshot run / stock floor",
            lambda s: f"{_st(s, 'incr_crm')['wall_s'] / _st(s, 'stock')['wall_s']:.2f}x",
        ),
        row(
            "  nothing new / stock floor",
            lambda s: f"{_st(s, 'incr_nochange')['wall_s'] / _st(s, 'stock')['wall_s']:.2f}x",
        ),
        row(
            f"peak RSS, pipeline (target < {PEAK_RSS_MAX / GiB:g} GiB at scale 100)",
            lambda s: at(
                100, f"{_pipeline_peak(s) / GiB:.2f} GiB", _pipeline_peak(s) < PEAK_RSS_MAX, s
            ),
        ),
        row(
            "others' CPU during run (of 2 cores)", lambda s: f"{_st(s, 'run')['others_cores']:.1f}"
        ),
        row("load avg 1-min, max during run", lambda s: f"{_st(s, 'run')['load1_max']:.1f}"),
        row(
            "CPU stolen by the hypervisor: run / daily runs",
            lambda s: (
                f"{_st(s, 'run').get('steal_cores', 0):.2f} / "
                + " / ".join(f"{x:.2f}" for x in s["daily_repeats_steal"])
            ),
        ),
    ]
    _print_table("pipeline (wall seconds, peak RSS of the process tree)", rows, names)
    if any("run" not in s["stages"] and "incr_full" in s["stages"] for s in scales):
        print("  * no separate end-to-end run: the incremental's full run (last day held back)")

    sources = ("google_ads", "meta_ads", "linkedin_ads", "ga4", "salesforce")
    rows = [
        row(f"ingest {src} rows/s (rows)", lambda s, src=src: _ingest_rate(s, src))
        for src in sources
    ]
    rows += [
        row(
            f"floor {src} s / ingest s",
            lambda s, src=src: (
                f"{_st(s, 'floor')['figures']['sources'][src]['seconds']:.2f} / "
                f"{_ingest_seconds(s, src)[0]:.2f}"
            ),
        )
        for src in sources
    ]
    _print_table("ingest per source", rows, names)
    if any("ingest" not in s["stages"] for s in scales):
        print("  * from the full `revops run`'s ingest steps and raw.ingest_log")

    suites = ("gx_raw_leads_handoff_rules", "gx_dim_leads_handoff_rules", "gx_mql_handoff_rules")
    rows = [
        row(
            "import great_expectations",
            lambda s: f"{_st(s, 'checks')['figures']['gx_import_s']:.1f} s",
        )
    ]
    rows += [
        row(
            f"{name} (rows)",
            lambda s, name=name: _suite_cell(_st(s, "checks")["figures"]["suites"][name]),
        )
        for name in suites
    ]
    _print_table(
        "GX suites: query + validate (first validate pays GX's context set-up)", rows, names
    )

    rows = [
        row(
            "dbt build: models / data tests / unit tests / seeds",
            lambda s: _by_type(_st(s, "dbt")["figures"]),
        )
    ]
    for i in range(6):
        rows.append(
            row(f"  #{i + 1} node", lambda s, i=i: _node_cell(_st(s, "dbt")["figures"]["top"][i]))
        )
    rows.append(
        row(
            "daily run's dbt: models / data tests / unit tests / seeds",
            lambda s: _by_type(_st(s, "incr_daily")["figures"]["dbt"]),
        )
    )
    for i in range(4):
        rows.append(
            row(
                f"  daily #{i + 1} node",
                lambda s, i=i: _node_cell(_st(s, "incr_daily")["figures"]["dbt"]["top"][i]),
            )
        )
    _print_table("what dbt spends its time on (execution_time per node)", rows, names)

    growth_table(scales)

    fixed = result.get("fixed") or {}
    if fixed:
        print("\nfixed overhead (once, independent of scale)")
        median_load = _definitions_load(fixed)
        if median_load is not None:
            loads = fixed["definitions"]
            f = loads[-1]["figures"]
            print(
                f"  load Dagster definitions, fresh interpreter (target < {DEFINITIONS_MAX_S:g} s):"
                f" {median_load:.1f} s wall median of {len(loads)}: "
                f"{_verdict(median_load < DEFINITIONS_MAX_S)} "
                f"(in-process: import dagster {f.get('import_dagster_s', 0):.1f} s, "
                f"import definitions {f.get('import_definitions_s', 0):.1f} s, "
                f"build {f.get('build_definitions_s', 0):.1f} s; {f.get('assets')} assets; "
                f"GX imported: {f.get('great_expectations_imported')})"
            )
        if "prepare" in fixed:
            print(
                f"  dbt parse (manifest prepare, only when dbt files change): "
                f"{fixed['prepare']['wall_s']:.1f} s"
            )
        if "empty_run" in fixed:
            e = fixed["empty_run"]
            print(
                f"  revops run over an empty landing zone: {_cell(e)} "
                f"(verdict {e['figures'].get('verdict')}, "
                f"steps {e['figures'].get('steps_total_s')} s)"
            )
        p = fixed.get("profile") or {}
        if p:
            print(
                f"  dbt profile applies memory_limit {p.get('dbt_memory_limit')} and threads "
                f"{p.get('dbt_duckdb_threads')} "
                f"(asked {p['asked_memory_limit']}, {p['asked_threads']})"
            )

    result["targets"] = targets(result)
    width = max(len(t["target"]) for t in result["targets"]) + 2
    measured_width = max(len(t["measured"]) for t in result["targets"]) + 2
    print("\ntargets (benchmarks/README.md)")
    header = f"{'target':<{width}}{'measured':<{measured_width}}verdict"
    print(header)
    print("-" * (len(header) + 8))
    for t in result["targets"]:
        print(f"{t['target']:<{width}}{t['measured']:<{measured_width}}{t['verdict']}")
    print(
        f"\nmachine: {result['host']['cpus']} cores, {result['host']['memory_gib']:.0f} GiB, "
        f"load avg at start {result['host']['load_at_start']}, at end {result.get('load_at_end')}"
    )


def growth_table(scales: list[dict[str, Any]]) -> None:
    """Each figure at the larger scale over the same figure at the smaller one."""
    pairs = _pairs(scales)
    if not pairs:
        return
    names = [f"{a['scale']:g} -> {b['scale']:g}" for a, b in pairs]

    def ratio(fn: Callable[[dict[str, Any]], float]) -> Callable[[dict, dict], str]:
        return lambda a, b: f"{fn(b) / fn(a):.2f}x"

    def wall(k: str) -> Callable[[dict[str, Any]], float]:
        return lambda s: _st(s, k)["wall_s"]

    def judged(
        fn: Callable[[dict[str, Any]], float], low: float, high: float, limit: float
    ) -> Callable[[dict, dict], str]:
        def cell(a: dict, b: dict) -> str:
            r = fn(b) / fn(a)
            if (a["scale"], b["scale"]) == (low, high):
                return f"{r:.2f}x: {_verdict(r <= limit)}"
            return f"{r:.2f}x"

        return cell

    spec: list[tuple[str, Callable[[dict, dict], str]]] = [
        ("scale", lambda a, b: f"{b['scale'] / a['scale']:.2f}x"),
        ("landing bytes", ratio(lambda s: s["landing"]["bytes"])),
        ("generate", ratio(wall("generate"))),
        ("floor (DuckDB scan)", ratio(lambda s: _st(s, "floor")["figures"]["seconds"])),
        ("ingest", ratio(wall("ingest"))),
        ("dbt build", ratio(wall("dbt"))),
        ("GX checks", ratio(wall("checks"))),
        ("publish", ratio(wall("publish"))),
        (
            f"revops run, fresh (target <= {GROWTH_10_100_MAX:g}x at 10 -> 100)",
            judged(wall("run"), 10, 100, GROWTH_10_100_MAX),
        ),
        ("full run, last day held", ratio(wall("incr_full"))),
        (
            f"daily run (target <= {DAILY_GROWTH_1_10_MAX:g}x at 1 -> 10)",
            judged(wall("incr_daily"), 1, 10, DAILY_GROWTH_1_10_MAX),
        ),
        ("weekly CRM snapshot run", ratio(wall("incr_crm"))),
        ("run with nothing new", ratio(wall("incr_nochange"))),
        ("stock floor", ratio(wall("stock"))),
        ("peak RSS, pipeline", ratio(_pipeline_peak)),
        ("warehouse bytes", ratio(lambda s: s["warehouse_bytes"])),
    ]
    rows = [
        (label, [_try(lambda a=a, b=b, fn=fn: fn(a, b)) for a, b in pairs]) for label, fn in spec
    ]
    _print_table("between scales: larger scale's figure / smaller scale's", rows, names)


def _definitions_load(fixed: dict[str, Any]) -> float | None:
    loads = fixed.get("definitions") or []
    if not loads:
        return None
    walls = sorted(m["wall_s"] for m in loads)
    return walls[len(walls) // 2]


def targets(result: dict[str, Any]) -> list[dict[str, str]]:
    """Every target of benchmarks/README.md with its figure and verdict (or why not measured)."""
    by_scale = {s["scale"]: s for s in result["scales"]}
    out: list[dict[str, str]] = []

    def add(target: str, fn: Callable[[], tuple[str, bool]], needs: str) -> None:
        try:
            measured, ok = fn()
        except (KeyError, TypeError, ZeroDivisionError, IndexError, ValueError):
            out.append({"target": target, "measured": f"not measured ({needs})", "verdict": "-"})
            return
        out.append({"target": target, "measured": measured, "verdict": _verdict(ok)})

    def run_over_floor() -> tuple[str, bool]:
        s = by_scale[10]
        r = _run_over_floor(s)
        floor = _st(s, "floor")["figures"]["seconds"]
        return f"{r:.2f}x ({_st(s, 'run')['wall_s']:.0f} s / {floor:.0f} s)", (
            r <= RUN_OVER_FLOOR_MAX
        )

    def growth() -> tuple[str, bool]:
        a, b = _st(by_scale[10], "run")["wall_s"], _st(by_scale[100], "run")["wall_s"]
        return f"{b / a:.2f}x ({b:.0f} s / {a:.0f} s)", b / a <= GROWTH_10_100_MAX

    def peak() -> tuple[str, bool]:
        p = _pipeline_peak(by_scale[100])
        return f"{p / GiB:.2f} GiB", p < PEAK_RSS_MAX

    def daily_growth() -> tuple[str, bool]:
        a, b = _st(by_scale[1], "incr_daily")["wall_s"], _st(by_scale[10], "incr_daily")["wall_s"]
        return f"{b / a:.2f}x ({b:.1f} s / {a:.1f} s)", b / a <= DAILY_GROWTH_1_10_MAX

    add(
        f"fresh revops run <= {RUN_OVER_FLOOR_MAX:g}x the DuckDB floor, scale 10",
        run_over_floor,
        "needs scale 10",
    )
    add(
        f"revops run: time(100) / time(10) <= {GROWTH_10_100_MAX:g}",
        growth,
        "needs scales 10 and 100",
    )
    add(f"peak RSS < {PEAK_RSS_MAX / GiB:g} GiB, scale 100", peak, "needs scale 100")
    add(
        f"daily: daily(10) / daily(1) <= {DAILY_GROWTH_1_10_MAX:g}",
        daily_growth,
        "needs scales 1 and 10",
    )
    for scale, s in sorted(by_scale.items()):

        def over_stock(s: dict[str, Any] = s) -> tuple[str, bool]:
            d, f = _st(s, "incr_daily")["wall_s"], _st(s, "stock")["wall_s"]
            return f"{d / f:.2f}x ({d:.1f} s / {f:.1f} s)", d <= DAILY_OVER_STOCK_MAX * f

        def nothing_new(s: dict[str, Any] = s) -> tuple[str, bool]:
            w = _st(s, "incr_nochange")["wall_s"]
            return f"{w:.1f} s", w < NOTHING_NEW_MAX_S

        add(
            f"daily <= {DAILY_OVER_STOCK_MAX:g}x the stock floor, scale {scale:g}",
            over_stock,
            "needs the daily and stock stages",
        )
        add(
            f"a run with nothing new < {NOTHING_NEW_MAX_S:g} s, scale {scale:g}",
            nothing_new,
            "needs the daily stage",
        )

    def definitions() -> tuple[str, bool]:
        load = _definitions_load(result.get("fixed") or {})
        if load is None:
            raise KeyError("definitions")
        return f"{load:.1f} s", load < DEFINITIONS_MAX_S

    add(
        f"Dagster definitions load < {DEFINITIONS_MAX_S:g} s (median of 3)",
        definitions,
        "skipped with --no-fixed",
    )
    return out


# --------------------------------------------------------------------------- main


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()


def _code_under_test(commit: str | None, work: Path) -> dict[str, Any]:
    """The working tree (with its uncommitted changes named) or an archive of ``commit``."""
    if not commit:
        dirty = [line[3:] for line in _git("status", "--porcelain").splitlines()]
        head = _git("rev-parse", "--short", "HEAD")
        return {
            "path": str(REPO),
            "commit": head,
            "uncommitted": dirty,
            "describe": f"working tree at {head}"
            + (f" + {len(dirty)} changed file(s)" if dirty else ""),
        }
    sha = _git("rev-parse", "--short", commit)
    src = work / f"src_{sha}"
    if not src.exists():
        src.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", sha], cwd=REPO, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive.stdout, check=True)
    return {
        "path": str(src),
        "commit": sha,
        "uncommitted": [],
        "describe": f"commit {sha} (archived)",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--quick", action="store_true", help="scale 0.1 only (a few minutes)")
    parser.add_argument("--days", type=int, default=365, help="days generated (default 365)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--stages",
        default=",".join(ALL_STAGES),
        help=f"comma-separated subset of {','.join(ALL_STAGES)} (default: all)",
    )
    parser.add_argument("--no-fixed", action="store_true", help="skip the fixed-overhead section")
    parser.add_argument(
        "--daily-repeats",
        type=int,
        default=3,
        help="run the daily run this many times from the same state; the median counts (default 3)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="work dir on a disk with room (scale 100: ~100 GiB); its landing zones stay "
        "there and a later run without the generate stage reuses them (default: a new "
        "/tmp/revops_bench_* dir, removed at the end)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep everything in the work dir (warehouses too)"
    )
    parser.add_argument(
        "--json", type=Path, help="default: benchmarks/results/pipeline_<time>.json"
    )
    parser.add_argument(
        "--commit",
        help="benchmark this commit (a `git archive` of it in the work dir) instead of the "
        "working tree, e.g. HEAD while someone edits the checkout",
    )
    parser.add_argument(
        "--report",
        type=Path,
        nargs="+",
        metavar="JSON",
        help="only print the tables of earlier results (several files: their scales side by side)",
    )
    args = parser.parse_args(argv)
    if args.report:
        # Each scale carries its own stock floor (measured next to its daily runs); the
        # fixed overhead is the latest file's that has one.
        merged: dict[str, Any] = {}
        for path in args.report:
            data = json.loads(path.read_text())
            if not merged:
                merged = data
            else:
                merged["scales"] += data["scales"]
                if data.get("fixed"):
                    merged["fixed"] = data["fixed"]
                    merged["host"]["load_at_start"] = data["host"]["load_at_start"]
            print(
                f"{path}: {data['started_at']}, code {data.get('code', {}).get('describe')}, "
                f"load avg at start {data['host']['load_at_start']}"
            )
        report(merged)
        return 0
    if args.quick:
        args.scales = [0.1]
    if args.daily_repeats < 1:
        parser.error("--daily-repeats must be at least 1")
    args.stages = {s.strip() for s in args.stages.split(",") if s.strip()}
    unknown = args.stages - set(ALL_STAGES)
    if unknown:
        parser.error(f"unknown stages: {', '.join(sorted(unknown))}")

    work = args.workdir or Path(tempfile.mkdtemp(prefix="revops_bench_", dir="/tmp"))
    work = work.resolve()
    if REPO in work.parents or work == REPO:
        parser.error("--workdir must be outside the repository (never its data/)")
    work.mkdir(parents=True, exist_ok=True)
    dbt_target = work / "dbt_target"
    global CODE
    code_info = _code_under_test(args.commit, work)
    CODE = Path(code_info["path"])
    started = dt.datetime.now(dt.UTC)
    result: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "code": code_info,
        "host": {
            "cpus": psutil.cpu_count(),
            "memory_gib": psutil.virtual_memory().total / GiB,
            "python": platform.python_version(),
            "load_at_start": [round(x, 2) for x in os.getloadavg()],
            "duckdb_memory_limit": os.environ.get("REVOPS_DUCKDB_MEMORY_LIMIT", "3GB"),
            "duckdb_threads": os.environ.get("REVOPS_DUCKDB_THREADS", "2"),
        },
        "args": {
            "scales": args.scales,
            "days": args.days,
            "seed": args.seed,
            "stages": sorted(args.stages),
        },
        "work_dir": str(work),
        "scales": [],
    }
    print(
        f"bench_pipeline: scales {' '.join(f'{s:g}' for s in args.scales)}, work dir {work}, "
        f"load avg {result['host']['load_at_start']}, code {code_info['describe']}"
    )
    json_path = args.json or RESULTS / f"pipeline_{started.strftime('%Y%m%d-%H%M%S')}.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        result["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
        json_path.write_text(json.dumps(result, indent=2, default=str))

    try:
        stock_dir = None
        if "stock" in args.stages:
            stock_dir, result["stock_setup"] = setup_stock(work)
        if not args.no_fixed:
            result["fixed"] = bench_fixed(work, dbt_target, args)
            save()
        for scale in args.scales:
            result["scales"].append(bench_scale(scale, args, work, dbt_target, stock_dir))
            save()
    finally:
        save()
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    report(result)
    save()  # with the verdicts
    print(f"\nfigures: {json_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
