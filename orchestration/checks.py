"""Asset checks that are not dbt tests: Great Expectations suites on the handoff tables.

dbt tests arrive as asset checks through dagster-dbt; the ingest failed-file
warnings are checks of the ingest assets themselves. This module runs each suite of
:mod:`quality.suites` as one Dagster asset check, and turns GX's outcomes into a result
a RevOps reader can act on: which rule failed, in words, how many rows, and which
records (up to 10 ids and a sample).
"""

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
        with revops.connect(read_only=True) as con:
            config = check_config(con, revops.lead_mql_date_field)
            try:
                frame = con.execute(suite.query(config)).df()
            except duckdb.CatalogException as exc:
                # A fresh warehouse whose landing zone has no export of this source yet:
                # say so in words instead of failing the step with a catalog error.
                return dg.AssetCheckResult(
                    passed=False,
                    severity=_severity(suite),
                    description=(
                        f"Nothing to check: {'/'.join(suite.asset)} has not been "
                        "loaded yet (no export of this source in the landing zone)."
                    ),
                    metadata={"error": str(exc).splitlines()[0]},
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
