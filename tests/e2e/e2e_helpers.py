"""Running the whole pipeline (generate, ingest, dbt) in a temp dir for the e2e tests.

dbt runs as a subprocess (``REVOPS_WAREHOUSE`` points it at the warehouse), with its target
and log paths in a temp dir so that the project's own ``dbt_project/target`` (used by
Dagster) is left alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]
PROJECT_DIR = REPO / "dbt_project"
# The seed whose pipeline is loaded in two steps (a new GA4 day, then an incremental build).
INCREMENTAL_SEED = 1


@dataclass
class DbtRun:
    returncode: int
    output: str
    results: list[dict]

    def statuses(self) -> dict[str, str]:
        """unique_id -> status (pass, warn, fail, error, success...)."""
        return {r["unique_id"]: r["status"] for r in self.results}


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(args: list[str], warehouse: Path, work_dir: Path) -> DbtRun:
    target = work_dir / "target"
    env = {
        **os.environ,
        "REVOPS_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    completed = subprocess.run(
        [
            dbt_executable(),
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(work_dir / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    results_file = target / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    return DbtRun(completed.returncode, completed.stdout + completed.stderr, results)


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def generate(out: Path, seed: int, scale: float, days: int, defects: bool = False) -> None:
    """`revops generate` into out/landing, truth into out/ground_truth."""
    from demo.cli import main as generate_main

    args = ["--out", str(out / "landing"), "--seed", str(seed)]
    args += ["--scale", str(scale), "--days", str(days)]
    code = generate_main(args + (["--defects"] if defects else []))
    assert code in (0, None), f"revops generate exited {code}"


def ingest_all(
    landing: Path,
    warehouse: Path,
    sources: tuple[str, ...] | None = None,
    allow_failed_files: bool = False,
) -> None:
    from ingest.runner import SOURCES, ingest_source
    from ingest.warehouse import connect

    con = connect(warehouse)
    try:
        for source in sources or SOURCES:
            result = ingest_source(con, landing, source)
            # Planted defects (--defects) fail files on purpose; ingest's own tests check them.
            assert allow_failed_files or not result.failures, (source, result.failures)
    finally:
        con.close()
