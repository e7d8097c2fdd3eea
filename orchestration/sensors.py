"""Landing-zone sensors: one per source, a run when new or changed files land.

The cursor is the fingerprint (size and modification time in ns) of every file
of the source already handed to a run. A file is new when its fingerprint is
not in the cursor, so a re-delivered file with the same name (a GA4 day sent
again with more events) starts a run too. The run key is a digest of the new
fingerprints, so Dagster never starts the same delivery twice, even if a tick
is retried. A file younger than ``SETTLE_SECONDS`` may still be being written:
it waits for the next tick and stays out of the cursor, so it is not missed.
Fingerprints, not checksums: hashing gigabytes of GA4 every 60 s would cost
more than the run; the ingest loader checksums each file it loads anyway.
"""

import hashlib
import json
import time
from pathlib import Path

import dagster as dg

from orchestration.jobs import source_job_name
from orchestration.resources import RevopsSettings
from revops.sources import BY_NAME, SOURCES

SETTLE_SECONDS = 30
_IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")


def fingerprints(folder: Path, *, now: float | None = None) -> tuple[dict[str, str], int]:
    """Settled files under ``folder`` as ``{relative path: "size:mtime_ns"}``, and how many wait."""
    now = time.time() if now is None else now
    found: dict[str, str] = {}
    unsettled = 0
    if not folder.is_dir():
        return found, unsettled
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or path.name.endswith(_IGNORED_SUFFIXES):
            continue
        stat = path.stat()
        if now - stat.st_mtime < SETTLE_SECONDS:
            unsettled += 1
            continue
        found[path.relative_to(folder).as_posix()] = f"{stat.st_size}:{stat.st_mtime_ns}"
    return found, unsettled


def evaluate(cursor: str | None, current: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Return (new files, next cursor) for the fingerprints ``current`` seen now."""
    seen: dict[str, str] = json.loads(cursor) if cursor else {}
    new = {path: fp for path, fp in current.items() if seen.get(path) != fp}
    return new, {**seen, **new}


def run_key(source: str, new: dict[str, str]) -> str:
    digest = hashlib.sha256(json.dumps(sorted(new.items())).encode()).hexdigest()[:16]
    return f"{source}:{digest}"


def build_landing_sensor(source: str) -> dg.SensorDefinition:
    folder_name = BY_NAME[source].folder

    @dg.sensor(
        name=f"{source}_landing_sensor",
        job_name=source_job_name(source),
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            f"Starts {source_job_name(source)} when new or changed files land in "
            f"`{folder_name}/` of the landing zone."
        ),
    )
    def _sensor(context: dg.SensorEvaluationContext, revops: RevopsSettings) -> dg.SensorResult:
        folder = revops.settings().landing_dir / folder_name
        current, unsettled = fingerprints(folder)
        new, next_cursor = evaluate(context.cursor, current)
        if not new:
            reason = f"no new files in {folder}" + (
                f" ({unsettled} still being written)" if unsettled else ""
            )
            return dg.SensorResult(skip_reason=reason, cursor=context.cursor)
        files = sorted(new)
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=run_key(source, new),
                    tags={"revops/source": source, "revops/new_files": str(len(files))},
                )
            ],
            cursor=json.dumps(next_cursor, sort_keys=True),
        )

    return _sensor


@dg.sensor(
    name="interrupted_runs_sensor",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Marks failed every unfinished run on this machine whose process is gone (an OOM "
        "kill, a reboot), so the run queue moves on and the next run redoes its work."
    ),
)
def interrupted_runs_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    from orchestration.recovery import recover_interrupted_runs

    recovered = recover_interrupted_runs(context.instance)
    if recovered:
        context.log.warning(f"marked failed, their process is gone: {', '.join(recovered)}")
    return dg.SkipReason(
        f"{len(recovered)} interrupted run(s) marked failed"
        if recovered
        else "no interrupted run: every unfinished run's process is alive"
    )


def build_sensors() -> list[dg.SensorDefinition]:
    return [*(build_landing_sensor(source.name) for source in SOURCES), interrupted_runs_sensor]
