"""`revops run`: the whole pipeline in this process, with a verdict a script can use.

It prepares the dbt manifest when stale, builds the Definitions and executes the
``all`` job in-process against the Dagster instance in ``DAGSTER_HOME`` (so the
run shows in `make ui` afterwards), printing one line per step. The exit status
is 0 only when every blocking check passed, no step failed and the marts were
published; otherwise each failing check is named with its asset, and the
serving database still holds the last good marts.
"""

import argparse
import contextlib
import logging
import os
import shutil
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import dagster as dg

from orchestration.assets.dbt import BUILD_REASON_PREFIX
from orchestration.assets.publish import PUBLISH_KEY, PUBLISH_STEP
from orchestration.jobs import ALL_JOB
from orchestration.recovery import process_tags, recover_interrupted_runs
from serving.summary import funnel_summary

#: The step (op) of the one @dbt_assets definition.
DBT_STEP = "dbt_build"

REPO_ROOT = Path(__file__).resolve().parents[1]


class _ProgressHandler(logging.Handler):
    """Prints step starts, ends and failed checks as they happen; drops Dagster's chatter.

    Dagster attaches the structured event of a log record as ``record.dagster_meta``.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__(level=logging.DEBUG)
        self.stream = stream
        self.started: dict[str, float] = {}
        self.built: dict[str, int] = {}
        self.failed = False

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None:
            # The dbt step's one line on what it builds, and why (see assets/dbt.py).
            message = str(meta.get("orig_message") or "")
            if meta.get("step_key") == DBT_STEP and message.startswith(BUILD_REASON_PREFIX):
                self._print(f"      {message}")
            return
        kind = event.event_type_value
        step = event.step_key or ""
        if kind == "STEP_START":
            self.started[step] = time.monotonic()
            self.built[step] = 0
            self._print(f"  ... {step}")
        elif kind == "ASSET_MATERIALIZATION":
            self.built[step] = self.built.get(step, 0) + 1
        elif kind == "STEP_SUCCESS":
            took = time.monotonic() - self.started.get(step, time.monotonic())
            built = self.built.get(step, 0)
            what = f", {built} asset(s)" if built else ""
            self._print(f"  ok  {step} ({took:.1f} s{what})")
        elif kind == "STEP_FAILURE":
            took = time.monotonic() - self.started.get(step, time.monotonic())
            self.failed = True
            self._print(f"  FAILED {step} ({took:.1f} s)")
        elif kind == "STEP_SKIPPED":
            why = (
                "an upstream step or blocking check failed"
                if self.failed
                else "nothing upstream was rebuilt in this run"
            )
            self._print(f"  skipped {step} ({why})")
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                blocking = evaluation.severity == dg.AssetCheckSeverity.ERROR
                self.failed = self.failed or blocking
                level = "BLOCKING" if blocking else "warning"
                self._print(
                    f"      {level}: check {evaluation.check_name} on "
                    f"{evaluation.asset_key.to_user_string()} failed"
                )


def progress_logger(stream: TextIO) -> dg.LoggerDefinition:
    @dg.logger(description="One line per step for `revops run`.")
    def _progress(_init_context: Any) -> logging.Logger:
        log = logging.getLogger("revops.progress")
        log.setLevel(logging.DEBUG)
        log.propagate = False
        log.handlers = [_ProgressHandler(stream)]
        return log

    return _progress


@dataclass
class RunReport:
    """What `revops run` concludes from the run's events."""

    blocking_failures: list[dg.AssetCheckEvaluation] = field(default_factory=list)
    warnings: list[dg.AssetCheckEvaluation] = field(default_factory=list)
    checks_passed: int = 0
    failed_steps: list[tuple[str, str]] = field(default_factory=list)
    published: bool = False
    #: The dbt step found raw data and code unchanged since the last publish and built nothing.
    up_to_date: bool = False

    @property
    def ok(self) -> bool:
        return (
            not self.blocking_failures
            and not self.failed_steps
            and (self.published or self.up_to_date)
        )


def build_report(result: dg.ExecuteInProcessResult) -> RunReport:
    report = RunReport()
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            report.checks_passed += 1
        elif evaluation.severity == dg.AssetCheckSeverity.ERROR:
            report.blocking_failures.append(evaluation)
        else:
            report.warnings.append(evaluation)
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        # Dagster wraps what the step raised ("Error occurred while executing op ..."):
        # the innermost cause is what a person can act on.
        while error is not None and error.cause is not None:
            error = error.cause
        lines = error.message.strip().splitlines() if error else ["failed"]
        # A blocking check failing makes its step fail too; it is reported as the check.
        if "blocking asset check" in lines[0]:
            continue
        message = "\n      ".join(lines[:12] + (["..."] if len(lines) > 12 else []))
        report.failed_steps.append((event.step_key or "?", message))
    materialized = result.get_asset_materialization_events()
    report.published = any(event.asset_key == PUBLISH_KEY for event in materialized)
    dbt_succeeded = any(e.step_key == DBT_STEP for e in result.get_step_success_events())
    report.up_to_date = dbt_succeeded and not any(e.step_key == DBT_STEP for e in materialized)
    return report


def _check_detail(evaluation: dg.AssetCheckEvaluation) -> str:
    meta = evaluation.metadata or {}
    if evaluation.description:
        return evaluation.description
    for key in ("failing_expectation_names", "failures"):
        if key in meta:
            return str(meta[key].value)
    if "dagster_dbt/failed_row_count" in meta:
        return f"{meta['dagster_dbt/failed_row_count'].value} failing row(s)"
    return ""


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    """SIGTERM stops a run as Ctrl-C does: Dagster ends the step and stops dbt's process."""
    raise KeyboardInterrupt(f"signal {signum}")


def get_instance() -> dg.DagsterInstance:
    """The instance in DAGSTER_HOME (with this repo's dagster.yaml), else an ephemeral one."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return dg.DagsterInstance.ephemeral()
    home_path = Path(home).resolve()
    home_path.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home_path)
    config = home_path / "dagster.yaml"
    repo_config = REPO_ROOT / "dagster.yaml"
    # Like `cp -u` in `make ui`: the repo's instance config wins when it is newer.
    if repo_config.exists() and (
        not config.exists() or config.stat().st_mtime < repo_config.stat().st_mtime
    ):
        shutil.copyfile(repo_config, config)
    return dg.DagsterInstance.get()


def print_report(report: RunReport, settings: Any, out: TextIO) -> None:
    print("", file=out)
    print(
        f"checks: {report.checks_passed} passed, {len(report.warnings)} warning(s), "
        f"{len(report.blocking_failures)} blocking failure(s)",
        file=out,
    )
    for evaluation in report.warnings:
        print(
            f"  warning  {evaluation.check_name} on {evaluation.asset_key.to_user_string()}: "
            f"{_check_detail(evaluation)}",
            file=out,
        )
    for evaluation in report.blocking_failures:
        print(
            f"  BLOCKING {evaluation.check_name} on {evaluation.asset_key.to_user_string()}: "
            f"{_check_detail(evaluation)}",
            file=out,
        )
    for step, message in report.failed_steps:
        print(f"  FAILED step {step}: {message}", file=out)
    print("", file=out)
    print(f"warehouse: {settings.warehouse.resolve()}", file=out)
    if report.up_to_date and not report.published:
        print(
            f"serving:   {settings.serving.resolve()} already current: nothing new since the "
            "last publish (raw data and code unchanged), so nothing was rebuilt",
            file=out,
        )
    elif report.published:
        print(f"serving:   {settings.serving.resolve()} (published, read it read-only)", file=out)
    else:
        print(
            f"serving:   {settings.serving.resolve()} NOT updated: "
            "it still holds the last good marts",
            file=out,
        )
    print("", file=out)
    print("funnel by channel (serving database):", file=out)
    for line in funnel_summary(settings.serving):
        print(line, file=out)


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog="revops run",
        description="Ingest, dbt build, checks and publish, in this process.",
    )
    parser.add_argument(
        "--job",
        default=ALL_JOB,
        help="job to run: 'all' (default) or '<source>_job', e.g. google_ads_job",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show dbt's and Dagster's own output instead of writing it to the run log",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help=(
            "build every model, check and publish a fresh copy of every mart, even when "
            "nothing changed since the last publish"
        ),
    )
    args = parser.parse_args(list(argv or []))

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    from orchestration.assets.dbt import prepare_dbt_manifest
    from orchestration.definitions import build_definitions
    from orchestration.resources import RevopsSettings

    settings = RevopsSettings().settings()
    started = time.monotonic()
    print(f"revops run: landing {settings.landing_dir.resolve()}", file=out, flush=True)
    from ingest.landing import unknown_folders
    from revops.sources import SOURCES
    from revops.warehouse import WarehouseLockedError, connect

    for folder in unknown_folders(settings.landing_dir):
        expected = ", ".join(f"{s.folder}/" for s in SOURCES)
        print(f"  warning  landing folder {folder}/ is no source's; expected {expected}", file=out)
    try:
        # Another live process holding the warehouse is said at once, not as five failed steps.
        connect(settings.warehouse, settings=settings).close()
    except WarehouseLockedError as exc:
        print(f"revops run FAILED: {exc}", file=out, flush=True)
        return 1
    prepare_dbt_manifest()
    definitions = build_definitions(loggers={"revops_progress": progress_logger(out)})
    job = definitions.resolve_job_def(args.job)
    # dbt's own log (a line per model and test) goes to a file; the console gets a line per step.
    log_path = settings.warehouse.resolve().parent / "logs" / "revops_run.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"running job {args.job!r} (details: {log_path}):", file=out, flush=True)
    # Dagster's and dbt's own messages (for instance one warning per blocking check of a model
    # this build left alone) go to the log file too, unless --verbose.
    with (
        open(log_path, "w", encoding="utf-8") as log_file,
        contextlib.redirect_stdout(sys.stdout if args.verbose else log_file),
        contextlib.redirect_stderr(sys.stderr if args.verbose else log_file),
        get_instance() as instance,
    ):
        for run_id in recover_interrupted_runs(instance):
            print(
                f"recovered from interrupted run {run_id}: its process is gone; "
                "marked failed, its unfinished work is redone now",
                file=out,
                flush=True,
            )
        previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
        try:
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                tags=process_tags(),
                run_config={
                    "loggers": {"revops_progress": {}},
                    "ops": {
                        DBT_STEP: {"config": {"force": args.force}},
                        PUBLISH_STEP: {"config": {"full_copy": args.force}},
                    },
                },
            )
        finally:
            signal.signal(signal.SIGTERM, previous)
    report = build_report(result)
    print_report(report, settings, out)
    took = time.monotonic() - started
    verdict = "OK" if report.ok else "FAILED"
    print(f"\nrevops run {verdict} in {took:.0f} s (run {result.run_id})", file=out, flush=True)
    return 0 if report.ok else 1
