"""Nothing a killed run held outlives it.

Real `revops run` processes are killed (SIGKILL of the whole process group, as an OOM kill or
a reboot does) while they ingest, while dbt builds and while they publish; SIGTERM stops one
during dbt. Each time the next `revops run` must start at once, exit 0 and publish marts equal
to those of an uninterrupted run on the same files; after a kill it says that it recovered.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
from revops_runner import REVOPS, marts_content, revops_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A small demo landing zone and the marts of one uninterrupted run over it."""
    root = tmp_path_factory.mktemp("kill")
    landing = root / "landing"
    env = revops_env(root / "reference", landing)
    generated = subprocess.run(
        [REVOPS, "generate", "--out", str(landing), "--scale", "0.1", "--days", "45"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert generated.returncode == 0, generated.stderr
    run = subprocess.run([REVOPS, "run"], env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    marts = marts_content(root / "reference" / "serving.duckdb")
    return {"root": root, "landing": landing, "marts": marts}


class _StepWatcher:
    """Watches the newest run in ``dagster_home`` for the start of a step.

    One instance is opened once the run has created its storage and kept for every look, so
    a look costs milliseconds: a publish of under a second is not missed between two looks.
    """

    def __init__(self, dagster_home: Path) -> None:
        self.dagster_home = dagster_home
        self.instance: dg.DagsterInstance | None = None

    def started(self, step: str) -> bool:
        """The newest run has started ``step`` (its STEP_START event is stored)."""
        if self.instance is None:
            if not (self.dagster_home / "history" / "runs.db").exists():
                return False  # the run has not created its instance's storage yet
            # The instance's storage paths come from DAGSTER_HOME (dagster.yaml says so).
            previous = os.environ.get("DAGSTER_HOME")
            os.environ["DAGSTER_HOME"] = str(self.dagster_home)
            try:
                self.instance = dg.DagsterInstance.get()
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


def _interrupt(env: dict[str, str], step: str, delay: float, how: str) -> str:
    """Start `revops run`, wait until it starts ``step`` plus ``delay`` s, then stop it.

    `revops run` prints a line per finished step, so the start of a step is read from the
    run's events in DAGSTER_HOME. ``how`` is ``kill`` (SIGKILL to the whole process group)
    or ``term`` (SIGTERM to the `revops` process only, as a scheduler's stop does). Returns
    what it printed.
    """
    log = Path(env["DAGSTER_HOME"]).parent / f"interrupted_{how}_{step}.out"
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
    watcher = _StepWatcher(Path(env["DAGSTER_HOME"]))
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


@pytest.mark.parametrize(
    ("step", "delay", "how"),
    [
        ("ingest_ga4", 0.3, "kill"),
        ("dbt_build", 6.0, "kill"),
        ("serving__marts", 0.0, "kill"),
        ("dbt_build", 6.0, "term"),
    ],
    ids=["kill-during-ingest", "kill-during-dbt", "kill-at-publish", "sigterm-during-dbt"],
)
def test_next_run_recovers_and_equals_an_uninterrupted_run(
    company: dict[str, object], tmp_path: Path, step: str, delay: float, how: str
) -> None:
    env = revops_env(tmp_path, Path(str(company["landing"])))
    _interrupt(env, step, delay, how)

    started = time.monotonic()
    rerun = subprocess.run([REVOPS, "run"], env=env, capture_output=True, text=True, timeout=900)
    output = rerun.stdout + rerun.stderr
    assert rerun.returncode == 0, output[-4000:]
    if how == "kill":
        # A killed run could not record its end: the next run does, and says so.
        assert "recovered from interrupted run" in rerun.stdout, output[-4000:]
    else:
        # A stopped run recorded its own end: there is nothing to recover.
        assert "recovered from interrupted run" not in rerun.stdout, output[-4000:]
    assert time.monotonic() - started < 600
    assert marts_content(tmp_path / "serving.duckdb") == company["marts"]
    # A killed publish leaves no unfinished copy beside the serving file.
    assert not list(tmp_path.glob(".serving.duckdb.*.publishing*"))


def test_a_locked_warehouse_is_a_clear_error_naming_the_file(
    company: dict[str, object], tmp_path: Path
) -> None:
    env = revops_env(tmp_path, Path(str(company["landing"])))
    shutil.copytree(Path(str(company["root"])) / "reference", tmp_path, dirs_exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(tmp_path / 'warehouse.duckdb')!r})\n"
            "print('holding', flush=True)\n"
            "time.sleep(120)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().startswith("holding")
        run = subprocess.run([REVOPS, "run"], env=env, capture_output=True, text=True, timeout=300)
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode != 0
    assert f"warehouse {tmp_path / 'warehouse.duckdb'} is in use by" in run.stdout, run.stdout
    assert f"(pid {holder.pid})" in run.stdout
