"""Runs whose process died: told apart by the process tags every run carries, marked failed.

`revops run` tags the runs it starts; a run the daemon launches tags itself when its run
worker sets up the ``revops`` resource. `revops run` (before it starts) and the
``interrupted_runs_sensor`` (every minute, in the daemon) mark failed the unfinished runs of
this host whose process is gone, so the run queue never waits on a dead run.
"""

from __future__ import annotations

import socket

import dagster as dg
import psutil


def tag_run_with_process(instance: dg.DagsterInstance, run: dg.DagsterRun | None) -> None:
    """Give ``run`` the tags of this process, unless it has them (`revops run` sets them)."""
    if run is not None and PID_TAG not in run.tags:
        instance.add_run_tags(run.run_id, process_tags())


#: Tags on every run: where its process is, to tell later whether it died.
HOST_TAG, PID_TAG, PROCESS_STARTED_TAG = "revops/host", "revops/pid", "revops/process_started"
_UNFINISHED = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def process_tags() -> dict[str, str]:
    me = psutil.Process()
    return {
        HOST_TAG: socket.gethostname(),
        PID_TAG: str(me.pid),
        PROCESS_STARTED_TAG: f"{me.create_time():.3f}",
    }


def _alive(tags: dict[str, str]) -> bool:
    """The process that ran with ``tags`` still exists (the same process, not a reused pid)."""
    try:
        process = psutil.Process(int(tags[PID_TAG]))
        return f"{process.create_time():.3f}" == tags.get(PROCESS_STARTED_TAG)
    except (psutil.NoSuchProcess, KeyError, ValueError):
        return False


def recover_interrupted_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed the unfinished runs on this host whose process is gone.

    A run killed with SIGKILL (an OOM kill, a reboot) never records its end, so Dagster and
    the UI would show it running forever, and the daemon's queue (one run at a time) would
    wait for it: Dagster's default run launcher cannot tell that its run worker died. Its
    warehouse needs nothing: DuckDB replays or drops the unfinished transaction on the next
    open, and the next build compares with the last published dbt state.
    """
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=_UNFINISHED, tags={HOST_TAG: socket.gethostname()})
    )
    recovered = []
    for record in records:
        run = record.dagster_run
        if _alive(dict(run.tags)):
            continue
        instance.report_run_failed(
            run,
            message=(
                f"The process of this run (pid {run.tags.get(PID_TAG)}) ended without "
                "finishing it (killed or the machine restarted); marked failed by the next "
                "revops run or the interrupted-runs sensor."
            ),
        )
        recovered.append(run.run_id)
    return recovered
