"""Asset checks that are not dbt tests: Great Expectations suites on the handoff tables.

dbt tests arrive as asset checks through dagster-dbt; the ingest failed-file
warnings are checks of the ingest assets themselves. This module runs each suite of
:mod:`quality.suites` as one Dagster asset check, and turns GX's outcomes into a result
a RevOps reader can act on: which rule failed, in words, how many rows, and which
records (up to 10 ids and a sample).

It also keeps every check's last real result in view (:func:`carry_forward_checks`). Dagster
plans every check of a run's selection when the run starts; a check whose asset the run
did not rebuild (dbt found nothing new, or an upstream step failed) never executes, and the
UI would show it "Skipped", or "Failed" when the run failed. After the run, each such check
gets its last real evaluation again, reported through the instance's public
``report_runless_asset_event``, with the run that produced it and why it was not re-run.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import dagster as dg
import duckdb

from orchestration.resources import RevopsSettings
from quality.gx import validate
from quality.suites import BLOCKING_NOTE, WARNING_NOTE, Suite, check_config, suites


def _severity(suite: Suite) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if suite.blocking else dg.AssetCheckSeverity.WARN


def build_gx_check(suite: Suite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset)),
        name=suite.name,
        description=suite.description,
        blocking=suite.blocking,
        additional_deps=[dg.AssetKey(list(k)) for k in suite.additional_deps],
        metadata={"great_expectations_suite": suite.name, "severity": _severity(suite).value},
    )
    def _check(
        context: dg.AssetCheckExecutionContext, revops: RevopsSettings
    ) -> dg.AssetCheckResult:
        with revops.connect_built() as con:
            config = check_config(con, revops.lead_mql_date_field)
            try:
                frame = con.execute(suite.query(config)).df()
            except duckdb.CatalogException as exc:
                # A fresh warehouse whose landing zone has no export of this source yet: no
                # row breaks a rule, so the check passes, and says there was nothing to read
                # (a check that never read a row must not show as a failed one).
                return dg.AssetCheckResult(
                    passed=True,
                    severity=_severity(suite),
                    description=(
                        f"Nothing to check yet: {'/'.join(suite.asset)} has not been "
                        "loaded (no export of this source in the landing zone)."
                    ),
                    metadata={
                        "rows_checked": dg.MetadataValue.int(0),
                        "error": str(exc).splitlines()[0],
                    },
                )
        outcomes = validate(frame, suite.expectations(config), suite.name)
        result = check_result(suite, frame, outcomes)
        if not result.passed:
            context.log.warning(f"{suite.name} on {'/'.join(suite.asset)}: {result.description}")
        return result

    return _check


def configured(suite: Suite, check_severity: Mapping[str, Any]) -> Suite:
    """``suite`` with the severity the dbt var ``check_severity`` gives its name, if any.

    The var sets every check's severity, dbt tests and GX suites alike; a suite takes
    ``error`` or ``warn`` (the row thresholds are dbt's).
    """
    setting = check_severity.get(suite.name)
    severity = setting.get("severity") if isinstance(setting, Mapping) else setting
    if severity is None or (str(severity).lower() == "error") == suite.blocking:
        return suite
    blocking = str(severity).lower() == "error"
    old, new = (WARNING_NOTE, BLOCKING_NOTE) if blocking else (BLOCKING_NOTE, WARNING_NOTE)
    return replace(suite, blocking=blocking, description=suite.description.replace(old, new))


def build_checks(
    asset_keys: Iterable[dg.AssetKey], check_severity: Mapping[str, Any] | None = None
) -> list[dg.AssetChecksDefinition]:
    """GX checks for every guarded asset that exists in the graph."""
    present = set(asset_keys)
    return [
        build_gx_check(configured(s, check_severity or {}))
        for s in suites()
        if dg.AssetKey(list(s.asset)) in present
    ]


def _markdown_sample(frame: Any, index: list[Any], columns: list[str]) -> str:
    if not index:
        return ""
    rows = frame.loc[[i for i in index if i in frame.index], columns]
    header = "| " + " | ".join(columns) + " |"
    rule = "|" + "---|" * len(columns)
    lines = [header, rule]
    for _, row in rows.iterrows():
        lines.append("| " + " | ".join("" if v is None else str(v) for v in row.tolist()) + " |")
    return "\n".join(lines)


def _named(suite: Suite, frame: Any, outcome: dict[str, Any]) -> str:
    """``MQL without owner: 2 row(s) (lead_id 00Q1, 00Q7)``: the records to fix."""
    text = f"{outcome['defect']}: {outcome['unexpected_count']} row(s)"
    index = [i for i in outcome["index"] if i in frame.index]
    if index and suite.id_column in frame.columns:
        ids = ", ".join(str(v) for v in frame.loc[index, suite.id_column].tolist())
        text += f" ({suite.id_column} {ids})"
    return text


def check_result(suite: Suite, frame: Any, outcomes: list[dict[str, Any]]) -> dg.AssetCheckResult:
    """Turn GX outcomes into an AssetCheckResult with the failing expectations as evidence."""
    failed = [o for o in outcomes if not o["success"]]
    summary_lines = []
    samples = []
    for outcome in failed:
        count = outcome["unexpected_count"]
        what = f"{count} row(s)" if count else (outcome["error"] or "failed")
        summary_lines.append(f"- **{outcome['defect']}**: {what} — `{outcome['label']}`")
        columns = list(dict.fromkeys([suite.id_column, *outcome["columns"]]))
        columns = [c for c in columns if c in frame.columns]
        sample = _markdown_sample(frame, outcome["index"], columns)
        if sample:
            samples.append(f"**{outcome['defect']}** (`{outcome['label']}`)\n\n{sample}")
    metadata: dict[str, Any] = {
        "rows_checked": dg.MetadataValue.int(len(frame)),
        "expectations": dg.MetadataValue.int(len(outcomes)),
        "failed_expectations": dg.MetadataValue.int(len(failed)),
        "failing_rows": dg.MetadataValue.int(sum(o["unexpected_count"] for o in failed)),
    }
    if failed:
        metadata["failures"] = dg.MetadataValue.md("\n".join(summary_lines))
        metadata["failing_expectation_names"] = dg.MetadataValue.text(
            "; ".join(f"{o['defect']} ({o['label']}: {o['unexpected_count']})" for o in failed)
        )
        if samples:
            metadata["failing_rows_sample"] = dg.MetadataValue.md("\n\n".join(samples))
    return dg.AssetCheckResult(
        passed=not failed,
        severity=_severity(suite),
        metadata=metadata,
        description="; ".join(_named(suite, frame, o) for o in failed) if failed else None,
    )


#: Metadata of a carried-forward result: the run that really evaluated the check.
EVALUATED_IN_RUN = "evaluated_in_run"
#: Metadata of a carried-forward result: the run that planned the check and did not run it.
NOT_RUN_IN_RUN = "not_run_in_run"
_HISTORY = 20


def _last_real_evaluation(
    instance: dg.DagsterInstance, key: dg.AssetCheckKey
) -> tuple[Any, dg.AssetCheckEvaluation] | None:
    """The newest execution record of ``key`` that has an evaluation, and that evaluation."""
    history = instance.event_log_storage.get_asset_check_execution_history(key, limit=_HISTORY)
    for record in history:
        event = record.event.dagster_event if record.event is not None else None
        # A planned, unfinished execution carries the planned event, not an evaluation.
        if event is not None and isinstance(event.event_specific_data, dg.AssetCheckEvaluation):
            return record, event.event_specific_data
    return None


def carried_forward(
    evaluation: dg.AssetCheckEvaluation, *, evaluated_in: str, evaluated_at: float, run_id: str
) -> dg.AssetCheckEvaluation:
    """``evaluation`` again, saying which run really evaluated it and which did not re-run it."""
    metadata = dict(evaluation.metadata or {})
    origin = metadata.get(EVALUATED_IN_RUN)
    origin_run = str(origin.value) if origin is not None else evaluated_in
    metadata[EVALUATED_IN_RUN] = dg.MetadataValue.dagster_run(origin_run)
    metadata[NOT_RUN_IN_RUN] = dg.MetadataValue.dagster_run(run_id)
    metadata.setdefault("evaluated_at", dg.MetadataValue.timestamp(evaluated_at))
    when = dt.datetime.fromtimestamp(evaluated_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    verdict = "passed" if evaluation.passed else "failed"
    note = (
        f"Last result ({verdict}), evaluated in run {origin_run[:8]} at {when}; not re-run in "
        f"run {run_id[:8]} because the asset it checks was not rebuilt there."
    )
    previous = evaluation.description or ""
    if previous.startswith("Last result ("):  # already carried: keep only the check's own text
        previous = previous.split("\n\n", 1)[1] if "\n\n" in previous else ""
    return dg.AssetCheckEvaluation(
        asset_key=evaluation.asset_key,
        check_name=evaluation.check_name,
        passed=evaluation.passed,
        severity=evaluation.severity,
        metadata=metadata,
        description=f"{note}\n\n{previous}" if previous else note,
        target_materialization_data=evaluation.target_materialization_data,
        blocking=evaluation.blocking,
    )


def carry_forward_checks(
    instance: dg.DagsterInstance, run_id: str
) -> list[dg.AssetCheckEvaluation]:
    """Show again the last real result of every check run ``run_id`` planned but did not run.

    Only checks whose asset the run did not materialize: a check whose asset was rebuilt and
    that still did not run (its own step failed) keeps the failure Dagster shows. A check
    that never ran before has no result to show and stays as Dagster shows it. Running this
    twice for a run changes nothing.
    """
    planned: set[dg.AssetCheckKey] = set()
    evaluated: set[dg.AssetCheckKey] = set()
    materialized: set[dg.AssetKey] = set()
    for entry in instance.all_logs(
        run_id,
        of_type={
            dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
            dg.DagsterEventType.ASSET_CHECK_EVALUATION,
            dg.DagsterEventType.ASSET_MATERIALIZATION,
        },
    ):
        event = entry.dagster_event
        if event is None:
            continue
        data = event.event_specific_data
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialized.add(event.asset_key)
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED:
            planned.add(dg.AssetCheckKey(data.asset_key, data.check_name))
        else:
            evaluated.add(dg.AssetCheckKey(data.asset_key, data.check_name))
    kept = []
    for key in sorted(planned - evaluated, key=lambda k: k.to_user_string()):
        if key.asset_key in materialized:
            continue
        last = _last_real_evaluation(instance, key)
        if last is None:
            continue
        record, evaluation = last
        not_run = evaluation.metadata.get(NOT_RUN_IN_RUN) if evaluation.metadata else None
        if not_run is not None and str(not_run.value) == run_id:
            continue  # already carried forward for this run
        again = carried_forward(
            evaluation,
            evaluated_in=record.run_id,
            evaluated_at=record.event.timestamp,
            run_id=run_id,
        )
        instance.report_runless_asset_event(again)
        kept.append(again)
    return kept
