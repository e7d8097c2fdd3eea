"""A run whose process dies is recognised and marked failed, whoever launched it.

A real process runs a job that needs the ``revops`` resource (as every step of the pipeline
does) and is killed with SIGKILL while its step runs. Until then the interrupted-runs sensor
leaves the run alone; afterwards it marks it failed, so the daemon's one-run queue moves on.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.recovery import PID_TAG
from orchestration.sensors import interrupted_runs_sensor

REPO = Path(__file__).resolve().parents[2]

JOB = textwrap.dedent(
    """
    import time
    import dagster as dg
    from orchestration.resources import RevopsSettings

    @dg.asset
    def slow_step(revops: RevopsSettings) -> None:
        print("step started", flush=True)
        time.sleep(120)

    with dg.DagsterInstance.get() as instance:
        dg.materialize([slow_step], instance=instance, resources={"revops": RevopsSettings()})
    """
)


def _wait_for(predicate, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_killed_run_is_marked_failed_by_the_sensor_and_a_live_one_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(REPO / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "REVOPS_WAREHOUSE": str(tmp_path / "w.duckdb")}
    worker = subprocess.Popen(
        [sys.executable, "-c", JOB], env=env, stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        assert worker.stdout is not None and worker.stdout.readline() == "step started\n"
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        with dg.DagsterInstance.get() as instance:
            (record,) = instance.get_run_records()
            run_id = record.dagster_run.run_id
            # The run worker tagged its own run with its process.
            assert record.dagster_run.tags[PID_TAG] == str(worker.pid)

            alive = interrupted_runs_sensor(dg.build_sensor_context(instance=instance))
            assert "no interrupted run" in str(alive.skip_message)
            assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED

            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
            # Nothing recorded the end: without the sensor the run would stay STARTED.
            assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED
            dead = interrupted_runs_sensor(dg.build_sensor_context(instance=instance))
            assert "1 interrupted run(s) marked failed" in str(dead.skip_message)
            _wait_for(lambda: instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE)
    finally:
        worker.kill()
