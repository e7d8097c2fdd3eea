"""Running `revops` as a user does, in a folder of its own, stopping it mid-run as a crash or a
scheduler does, and reading what it published."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dbt_runner import MARTS

REVOPS = str(Path(sys.executable).parent / "revops")


def revops_env(root: Path, landing: Path | None = None) -> dict[str, str]:
    """Every REVOPS_* path and DAGSTER_HOME inside ``root`` (the landing zone may be shared)."""
    return {
        **os.environ,
        "REVOPS_LANDING_DIR": str(landing or root / "landing"),
        "REVOPS_WAREHOUSE": str(root / "warehouse.duckdb"),
        "REVOPS_SERVING": str(root / "serving.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "REVOPS_DBT_TARGET_PATH": str(root / "dbt_target"),
        "GX_ANALYTICS_ENABLED": "false",
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }


def marts_content(serving: Path) -> dict[str, tuple[int, str]]:
    """Rows and an order-independent hash of every row, per mart."""
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return {
            m: tuple(
                con.execute(f"select count(*), sum(hash(t))::varchar from marts.{m} t").fetchone()
            )
            for m in MARTS
        }
    finally:
        con.close()


class StepWatcher:
    """Watches the newest run in ``dagster_home`` for the start of a step.

    One instance is opened once the run has created its storage and kept for every look, so
    a look costs milliseconds: a publish of under a second is not missed between two looks.
    """

    def __init__(self, dagster_home: Path) -> None:
        self.dagster_home = dagster_home
        self.instance: dg.DagsterInstance | None = None
        self.first_seen: float | None = None

    def started(self, step: str) -> bool:
        """The newest run has started ``step`` (its STEP_START event is stored)."""
        if self.instance is None:
            # Opened only once the run has written events (its run's own event database is
            # there), so its storage's schema is complete: a second process creating it at the
            # same time stamps the schema version twice and breaks the storage.
            events = [
                p
                for p in (self.dagster_home / "history" / "runs").glob("*.db")
                if p.name != "index.db" and p.stat().st_size > 0
            ]
            if not events:
                return False
            if self.first_seen is None:
                self.first_seen = time.monotonic()
            if time.monotonic() - self.first_seen < 1.0:
                return False
            # The instance's storage paths come from DAGSTER_HOME (dagster.yaml says so).
            previous = os.environ.get("DAGSTER_HOME")
            os.environ["DAGSTER_HOME"] = str(self.dagster_home)
            try:
                self.instance = dg.DagsterInstance.get()
            except Exception:  # noqa: BLE001 - the run is still creating the storage's schema
                return False
            finally:
                if previous is None:
                    os.environ.pop("DAGSTER_HOME", None)
                else:
                    os.environ["DAGSTER_HOME"] = previous
        try:
            runs = self.instance.get_run_records(limit=1)
            if not runs:
                return False
            starts = self.instance.all_logs(
                runs[0].dagster_run.run_id, of_type=dg.DagsterEventType.STEP_START
            )
            return any(entry.step_key == step for entry in starts)
        except Exception:  # noqa: BLE001 - SQLite busy while the run writes: look again
            return False

    def close(self) -> None:
        if self.instance is not None:
            self.instance.dispose()


def interrupt_run(env: dict[str, str], step: str, delay: float, how: str) -> str:
    """Start `revops run`, wait until it starts ``step`` plus ``delay`` s, then stop it.

    `revops run` prints a line per finished step, so the start of a step is read from the
    run's events in DAGSTER_HOME. ``how`` is ``kill`` (SIGKILL to the whole process group)
    or ``term`` (SIGTERM to the `revops` process only, as a scheduler's stop does). Returns
    what it printed.
    """
    log = Path(env["DAGSTER_HOME"]).parent / f"interrupted_{how}_{step}.out"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [REVOPS, "run"],
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    deadline = time.monotonic() + 600
    watcher = StepWatcher(Path(env["DAGSTER_HOME"]))
    try:
        while not watcher.started(step):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.wait(timeout=60)
                pytest.fail(f"the run ended before it started {step}:\n{log.read_text()}")
            time.sleep(0.02)
    finally:
        watcher.close()
    time.sleep(delay)
    if how == "kill":
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    else:
        stopped_at = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        assert time.monotonic() - stopped_at < 30, "SIGTERM took 30 s or more to stop the run"
        assert proc.returncode != 0
        # dbt, started by the run, must not outlive it (it would hold the warehouse).
        time.sleep(1)
        try:
            os.killpg(proc.pid, 0)
            leftover = subprocess.run(
                ["pgrep", "-g", str(proc.pid)], capture_output=True, text=True
            ).stdout
            assert not leftover.strip(), f"processes outlived SIGTERM: {leftover}"
        except ProcessLookupError:
            pass
    return log.read_text()
