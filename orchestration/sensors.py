"""Landing-zone sensors: one per source, a run when new or changed files land.

Each file is known by its fingerprint, ``"size:mtime_us"``, listed exactly as ingest lists
it (:func:`ingest.landing.list_files`: same folder, same ignored names). The cursor keeps
two maps of path -> fingerprint: ``known``, the files already handed to a run (or already
ingested), and ``pending``, the files seen at the last tick that were not handed yet.

At every tick a file whose fingerprint is not ``known`` is:

- **still being written** when its size or mtime changed since the last tick: it waits;
- **just landed** when it is seen for the first time with an mtime of the last
  ``SETTLE_SECONDS`` (a copy may be under way): it waits one tick;
- **new** otherwise (unchanged since the last tick, or first seen with an older or a future
  mtime: a writer at work gives a file the current time, not one days away), and goes
  into a run.

Nothing new, no run: when the fingerprints listed now are exactly those the source's last
ingest step listed (its materialization carries their digest), everything is already
ingested, whatever the cursor says; so the sensors start no run after `make run`, or after
a run started by hand. The run key is a digest of the new fingerprints, so Dagster never
starts the same delivery twice, even if a tick is retried.

Fingerprints, not checksums: hashing gigabytes of GA4 every 60 s would cost more than the
run; the ingest loader checksums each file it loads anyway.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.jobs import source_job_name
from orchestration.resources import RevopsSettings
from revops.sources import BY_NAME, SOURCES

#: A file first seen with an mtime this recent (or this little in the future) waits a tick.
SETTLE_SECONDS = 30
#: Materialization metadata of an ingest asset: the digest of the files its step listed.
LANDING_DIGEST = "landing_digest"
#: Paths named in a summary line; the rest are counted.
_NAMED = 3


def fingerprints_of(files: Iterable[Any]) -> dict[str, str]:
    """``{path relative to the landing dir: "size:mtime_us"}`` of ingest's landing files."""
    return {f.rel_path: f"{f.size}:{f.mtime_us}" for f in files}


def fingerprints(landing_dir: Path, source: str) -> dict[str, str]:
    """Every landing file of ``source``, listed by ingest's own listing, so the sensor and the
    ingest step see the same files."""
    from ingest.landing import list_files

    return fingerprints_of(list_files(Path(landing_dir), source))


def digest(files: Mapping[str, str]) -> str:
    """One short digest of a set of fingerprints (what an ingest step listed)."""
    return hashlib.sha256(json.dumps(sorted(files.items())).encode()).hexdigest()[:16]


def _mtime(fingerprint: str) -> float:
    return int(fingerprint.split(":")[1]) / 1e6


@dataclass
class Tick:
    """What one tick concluded, and the cursor it leaves."""

    known: dict[str, str]
    new: dict[str, str] = field(default_factory=dict)
    being_written: dict[str, str] = field(default_factory=dict)
    just_landed: dict[str, str] = field(default_factory=dict)
    #: Everything listed now was listed by the source's last ingest step.
    all_ingested: bool = False

    @property
    def cursor(self) -> str:
        pending = {**self.being_written, **self.just_landed}
        return json.dumps({"known": self.known, "pending": pending}, sort_keys=True)

    def summary(self) -> str:
        """``12 files known, 0 new, 1 still being written: hubspot/2026-11-23/contacts.csv``."""

        def named(files: Mapping[str, str]) -> str:
            paths = sorted(files)
            more = f" and {len(paths) - _NAMED} more" if len(paths) > _NAMED else ""
            return ", ".join(paths[:_NAMED]) + more

        parts = [f"{len(self.known)} files known", f"{len(self.new)} new"]
        if self.being_written:
            parts.append(f"{len(self.being_written)} still being written")
        if self.just_landed:
            parts.append(f"{len(self.just_landed)} just landed, looked at again next tick")
        text = ", ".join(parts)
        for label, files in (
            ("new", self.new),
            ("still being written", self.being_written),
            ("just landed", self.just_landed),
        ):
            if files:
                text += f"; {label}: {named(files)}"
        if self.all_ingested:
            text += " (every file listed now was listed by the last ingest of this source)"
        return text


def _parse(cursor: str | None) -> tuple[dict[str, str], dict[str, str]]:
    if not cursor:
        return {}, {}
    state = json.loads(cursor)
    if "known" not in state:  # the cursor before pending files were kept: path -> fingerprint
        return {}, {}
    return dict(state["known"]), dict(state.get("pending") or {})


def evaluate(
    cursor: str | None,
    current: Mapping[str, str],
    *,
    now: float | None = None,
    ingested_digest: str | None = None,
) -> Tick:
    """Sort the files listed now (``current``) into known, new and waiting; see the module doc."""
    now = time.time() if now is None else now
    if ingested_digest is not None and digest(current) == ingested_digest:
        return Tick(known=dict(current), all_ingested=True)
    known, pending = _parse(cursor)
    # A file that is gone is forgotten: delivered again with the same fingerprint, it is new.
    tick = Tick(known={p: fp for p, fp in known.items() if current.get(p) == fp})
    for path, fp in sorted(current.items()):
        if known.get(path) == fp:
            continue
        before = pending.get(path)
        if before is not None and before != fp:
            tick.being_written[path] = fp
        elif before is None and abs(now - _mtime(fp)) < SETTLE_SECONDS:
            tick.just_landed[path] = fp
        else:
            tick.new[path] = fp
    tick.known.update(tick.new)
    return tick


def run_key(source: str, new: Mapping[str, str]) -> str:
    return f"{source}:{digest(new)}"


def last_ingested_digest(instance: dg.DagsterInstance | None, source: str) -> str | None:
    """The digest of the files the last ingest step of ``source`` listed, if it recorded one."""
    if instance is None:
        return None
    table = BY_NAME[source].tables[0]
    entry = instance.get_latest_materialization_event(dg.AssetKey([source, table]))
    materialization = entry.asset_materialization if entry is not None else None
    value = materialization.metadata.get(LANDING_DIGEST) if materialization else None
    return str(value.value) if value is not None else None


def _instance(context: dg.SensorEvaluationContext) -> dg.DagsterInstance | None:
    """The sensor's instance; none in a unit test's context built without one."""
    try:
        return context.instance
    except dg.DagsterInvariantViolationError:
        return None


def build_landing_sensor(source: str) -> dg.SensorDefinition:
    folder_name = BY_NAME[source].folder

    @dg.sensor(
        name=f"{source}_landing_sensor",
        job_name=source_job_name(source),
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            f"Starts {source_job_name(source)} when new or changed files land in "
            f"`{folder_name}/` of the landing zone. A file whose size or modification time "
            "changed since the last tick is still being written and waits; files the last "
            "ingest already listed start nothing. Each tick says how many files it knows, "
            "which are new and which wait."
        ),
    )
    def _sensor(context: dg.SensorEvaluationContext, revops: RevopsSettings) -> dg.SensorResult:
        landing = revops.settings().landing_dir
        current = fingerprints(landing, source)
        tick = evaluate(
            context.cursor,
            current,
            ingested_digest=last_ingested_digest(_instance(context), source),
        )
        summary = f"{folder_name}/: {tick.summary()}"
        if not tick.new:
            return dg.SensorResult(skip_reason=summary, cursor=tick.cursor)
        context.log.info(summary)
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=run_key(source, tick.new),
                    tags={
                        "revops/source": source,
                        "revops/new_files": str(len(tick.new)),
                        "revops/landing": summary[:1000],
                    },
                )
            ],
            cursor=tick.cursor,
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


def _build_checks_kept_sensor(status: dg.DagsterRunStatus) -> dg.SensorDefinition:
    @dg.run_status_sensor(
        run_status=status,
        name=f"checks_kept_after_{status.value.lower()}",
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "After a run ends, every check it planned but did not run, because the asset it "
            "checks was not rebuilt (nothing it reads changed, or an upstream step failed), "
            "shows its last real result again instead of 'skipped' or 'failed'."
        ),
    )
    def _kept(context: dg.RunStatusSensorContext) -> dg.SkipReason:
        from orchestration.checks import carry_forward_checks

        kept = carry_forward_checks(context.instance, context.dagster_run.run_id)
        return dg.SkipReason(
            f"run {context.dagster_run.run_id}: {len(kept)} check(s) not run show their last result"
        )

    return _kept


def build_sensors() -> list[dg.SensorDefinition]:
    return [
        *(build_landing_sensor(source.name) for source in SOURCES),
        interrupted_runs_sensor,
        _build_checks_kept_sensor(dg.DagsterRunStatus.SUCCESS),
        _build_checks_kept_sensor(dg.DagsterRunStatus.FAILURE),
    ]
