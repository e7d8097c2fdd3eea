"""`revops run`: the whole pipeline in this process, with a verdict a script can use.

It prepares the dbt manifest when stale, builds the Definitions and executes the
``all`` job in-process against the Dagster instance in ``DAGSTER_HOME`` (so the
run shows in `make ui` afterwards). ``--landing``, ``--warehouse`` and ``--serving``
override ``REVOPS_LANDING_DIR``, ``REVOPS_WAREHOUSE`` and ``REVOPS_SERVING``.

Progress: on a terminal, a live bar per running step (ingest: files read of files to
read; dbt: nodes done of the nodes dbt selected) above a line per finished step;
otherwise (a pipe, a log file, ``--plain``) only the line per finished step. The steps
say how far they are in their log lines (``[3/12 files read] ...``, see
:func:`orchestration.assets.ingest.progress_prefix`), which this module reads.

The exit status is 0 only when every blocking check passed, no step failed and the
marts were published; otherwise each failing check is named with its asset, and the
serving database still holds the last good marts. Errors are printed whole, in plain
text. A check the run did not need to re-run (the asset it checks was not rebuilt) gets
its last real result back in the UI, and is counted as such.
"""

import argparse
import contextlib
import logging
import os
import shutil
import signal
import sys
import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import dagster as dg

from orchestration.assets.dbt import BUILD_REASON_PREFIX
from orchestration.assets.ingest import PROGRESS_PATTERN
from orchestration.assets.publish import PUBLISH_KEY, PUBLISH_STEP
from orchestration.jobs import ALL_JOB, source_job_name
from orchestration.recovery import process_tags, recover_interrupted_runs
from revops.sources import SOURCES
from serving.summary import funnel_summary

#: The step (op) of the one @dbt_assets definition.
DBT_STEP = "dbt_build"

REPO_ROOT = Path(__file__).resolve().parents[1]

#: The environment variable each path option overrides.
PATH_OPTIONS = {
    "landing": "REVOPS_LANDING_DIR",
    "warehouse": "REVOPS_WAREHOUSE",
    "serving": "REVOPS_SERVING",
}


def indent(text: str, prefix: str = "      ") -> str:
    """Continuation lines of a multi-line message, indented under its first line."""
    first, *rest = text.strip().splitlines() or [""]
    return "\n".join([first, *(prefix + line if line.strip() else "" for line in rest)])


class _StepProgress:
    """How far one step is: its start, assets built, and its last ``[n/total unit]``."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.built = 0
        self.done = 0
        self.total: int | None = None
        self.unit = ""

    def took(self) -> float:
        return time.monotonic() - self.started

    def counts(self) -> str:
        built = f", {self.built} asset(s)" if self.built else ""
        done = f", {self.done}/{self.total} {self.unit}" if self.total else ""
        return f"{self.took():.1f} s{built}{done}"


class ProgressPrinter(logging.Handler):
    """Prints a line per finished step and failed check; on a terminal, live progress bars.

    Dagster attaches the structured event of a log record as ``record.dagster_meta``; the
    steps' own progress lines (``[3/12 files read] ...``) arrive as plain log messages.
    """

    def __init__(self, stream: TextIO, *, live: bool | None = None) -> None:
        super().__init__(level=logging.DEBUG)
        from rich.console import Console

        self.stream = stream
        self.console = Console(file=stream, highlight=False, soft_wrap=True)
        if live is None:
            live = self.console.is_terminal and not self.console.is_dumb_terminal
        self.live = live
        self.steps: dict[str, _StepProgress] = {}
        self.tasks: dict[str, Any] = {}
        self.failed = False
        self._bars: Any = None

    # -- output ---------------------------------------------------------------------------
    def _print(self, text: str) -> None:
        if self._bars is not None:
            self._bars.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.stream, flush=True)

    def _bar_start(self, step: str) -> None:
        if not self.live:
            return
        if self._bars is None:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bars = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[unit]}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._bars.start()
        self.tasks[step] = self._bars.add_task(step, total=None, unit="")

    def _bar_update(self, step: str, progress: _StepProgress) -> None:
        if self._bars is not None and step in self.tasks:
            self._bars.update(
                self.tasks[step], total=progress.total, completed=progress.done, unit=progress.unit
            )

    def _bar_end(self, step: str) -> None:
        if self._bars is not None and step in self.tasks:
            self._bars.remove_task(self.tasks.pop(step))

    def close(self) -> None:
        if self._bars is not None:
            self._bars.stop()
            self._bars = None
        super().close()

    # -- events ---------------------------------------------------------------------------
    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = str(meta.get("step_key") or "")
        if event is None:
            message = str(meta.get("orig_message") or "")
            found = PROGRESS_PATTERN.match(message)
            if found and step in self.steps:
                progress = self.steps[step]
                progress.done, progress.total = int(found.group(1)), int(found.group(2))
                progress.unit = found.group(3)
                self._bar_update(step, progress)
            elif step == DBT_STEP and message.startswith(BUILD_REASON_PREFIX):
                # The dbt step's one line on what it builds, and why (see assets/dbt.py).
                self._print(f"      {message}")
            return
        kind = event.event_type_value
        step = event.step_key or ""
        if kind == "STEP_START":
            self.steps[step] = _StepProgress()
            self._bar_start(step)
        elif kind == "ASSET_MATERIALIZATION":
            self.steps.setdefault(step, _StepProgress()).built += 1
        elif kind == "STEP_SUCCESS":
            self._bar_end(step)
            self._print(f"  ok  {step} ({self.steps.get(step, _StepProgress()).counts()})")
        elif kind == "STEP_FAILURE":
            self._bar_end(step)
            self.failed = True
            self._print(f"  FAILED {step} ({self.steps.get(step, _StepProgress()).counts()})")
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


def progress_logger(printer: logging.Handler) -> dg.LoggerDefinition:
    @dg.logger(description="A line per step, and progress bars on a terminal, for `revops run`.")
    def _progress(_init_context: Any) -> logging.Logger:
        log = logging.getLogger("revops.progress")
        log.setLevel(logging.DEBUG)
        log.propagate = False
        log.handlers = [printer]
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
    #: Checks the run planned but did not re-run (their asset was not rebuilt): last results.
    kept: list[dg.AssetCheckEvaluation] = field(default_factory=list)

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
        report.failed_steps.append((event.step_key or "?", "\n".join(lines)))
    materialized = result.get_asset_materialization_events()
    report.published = any(event.asset_key == PUBLISH_KEY for event in materialized)
    dbt_succeeded = any(e.step_key == DBT_STEP for e in result.get_step_success_events())
    report.up_to_date = dbt_succeeded and not any(e.step_key == DBT_STEP for e in materialized)
    return report


def _check_detail(evaluation: dg.AssetCheckEvaluation) -> str:
    """What failed, whole and in plain text: the result's description, else its metadata."""
    meta = evaluation.metadata or {}
    if evaluation.description:
        return evaluation.description.strip()
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
    kept_failed = [e for e in report.kept if not e.passed]
    kept = (
        f"; {len(report.kept)} not re-run, nothing they read changed "
        f"(last result kept: {len(report.kept) - len(kept_failed)} passed, "
        f"{len(kept_failed)} failed)"
        if report.kept
        else ""
    )
    print(
        f"checks: {report.checks_passed} passed, {len(report.warnings)} warning(s), "
        f"{len(report.blocking_failures)} blocking failure(s){kept}",
        file=out,
    )
    prefix = " " * 11
    for evaluation in report.warnings:
        print(
            f"  warning  {evaluation.check_name} on {evaluation.asset_key.to_user_string()}: "
            f"{indent(_check_detail(evaluation), prefix)}",
            file=out,
        )
    for evaluation in report.blocking_failures:
        print(
            f"  BLOCKING {evaluation.check_name} on {evaluation.asset_key.to_user_string()}: "
            f"{indent(_check_detail(evaluation), prefix)}",
            file=out,
        )
    for evaluation in kept_failed:
        print(
            f"  kept     {evaluation.check_name} on {evaluation.asset_key.to_user_string()} "
            f"(not re-run): {indent(_check_detail(evaluation), prefix)}",
            file=out,
        )
    for step, message in report.failed_steps:
        print(f"  FAILED step {step}: {indent(message, prefix)}", file=out)
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
    if settings.report.is_file():
        print(f"report:    {settings.report.resolve()} (open it in a browser)", file=out)
    print("", file=out)
    print("funnel by channel (serving database):", file=out)
    for line in funnel_summary(settings.serving):
        print(line, file=out)


def job_names() -> list[str]:
    """``all`` and one ``<source>_job`` per source of the registry."""
    return [ALL_JOB, *(source_job_name(source.name) for source in SOURCES)]


def build_parser() -> argparse.ArgumentParser:
    paragraphs = [
        "Ingest every new landing file, build and test the dbt models, run the Great "
        "Expectations checks and publish the marts to the serving database, in this process. "
        "The run is recorded in the Dagster instance of DAGSTER_HOME, so `make ui` shows it.",
        "Paths come from the environment unless given: REVOPS_LANDING_DIR (default "
        "data/landing), REVOPS_WAREHOUSE (data/warehouse.duckdb), REVOPS_SERVING "
        "(data/serving.duckdb).",
        "Progress: on a terminal, a bar per running step (ingest: files read of files to "
        "read; dbt: nodes done of the nodes it selected); otherwise, and with --plain, a line "
        "per finished step.",
        "Exit status: 0 when every blocking check passed and the marts were published (or "
        "were already current); 1 when a blocking check or a step failed: the failing checks "
        "are named, and the serving database keeps the last good marts; 2 on a usage error.",
    ]
    wrapped = ["\n".join(textwrap.wrap(p, width=88)) for p in paragraphs]
    parser = argparse.ArgumentParser(
        prog="revops run",
        description=wrapped[0],
        epilog="\n\n".join(wrapped[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--landing",
        metavar="DIR",
        type=Path,
        help="landing zone to read (overrides REVOPS_LANDING_DIR)",
    )
    parser.add_argument(
        "--warehouse",
        metavar="FILE",
        type=Path,
        help="DuckDB warehouse to build in (overrides REVOPS_WAREHOUSE)",
    )
    parser.add_argument(
        "--serving",
        metavar="FILE",
        type=Path,
        help="DuckDB file BI tools read, replaced atomically on publish (overrides REVOPS_SERVING)",
    )
    parser.add_argument(
        "--job",
        default=ALL_JOB,
        choices=job_names(),
        metavar="JOB",
        help=(
            "job to run: 'all' (default: every source) or one source and what depends on it: "
            + ", ".join(job_names()[1:])
        ),
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help=(
            "build every model, check and publish a fresh copy of every mart, even when "
            "nothing changed since the last publish"
        ),
    )
    parser.add_argument(
        "--plain",
        action="store_true",
        help="a line per finished step and no progress bars, even on a terminal",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show dbt's and Dagster's own output instead of writing it to the run log",
    )
    return parser


def apply_path_options(args: argparse.Namespace) -> None:
    """``--landing``/``--warehouse``/``--serving`` win over the environment, for this process
    and every process it starts (dbt reads REVOPS_WAREHOUSE too)."""
    for option, variable in PATH_OPTIONS.items():
        value = getattr(args, option)
        if value is not None:
            os.environ[variable] = str(Path(value).expanduser().resolve())


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(list(argv or []))
    apply_path_options(args)

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    from orchestration.assets.dbt import prepare_dbt_manifest
    from orchestration.checks import carry_forward_checks
    from orchestration.definitions import build_definitions
    from orchestration.resources import RevopsSettings

    settings = RevopsSettings().settings()
    started = time.monotonic()
    print(f"revops run: landing {settings.landing_dir.resolve()}", file=out, flush=True)
    from ingest.landing import unknown_folders
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
    printer = ProgressPrinter(out, live=False if args.plain else None)
    definitions = build_definitions(loggers={"revops_progress": progress_logger(printer)})
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
            printer.close()
        report = build_report(result)
        # Checks this run did not need to re-run show their last real result, not "skipped".
        report.kept = carry_forward_checks(instance, result.run_id)
    print_report(report, settings, out)
    took = time.monotonic() - started
    verdict = "OK" if report.ok else "FAILED"
    print(f"\nrevops run {verdict} in {took:.0f} s (run {result.run_id})", file=out, flush=True)
    return 0 if report.ok else 1
