"""Running a Great Expectations 1.x suite on a frame that DuckDB returns.

GX's SQL datasource does not work on DuckDB (STACK_NOTES), so each suite reads
only the columns it checks into pandas and validates that frame through GX's
pandas datasource. ``great_expectations`` takes seconds to import, so it is
imported here, inside the check, never when the definitions load.

The result is a Dagster ``AssetCheckResult`` whose metadata a RevOps reader can
act on: which expectation failed, in words ("MQL without owner"), how many
rows, and a sample of the failing rows.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

SAMPLE_ROWS = 10


@dataclass(frozen=True)
class Expect:
    """One expectation, described without importing GX.

    ``kind`` is the GX class name (``ExpectColumnValuesToBeUnique``), ``kwargs``
    its arguments, ``defect`` what a failure means in RevOps words.
    """

    kind: str
    defect: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    def columns(self) -> list[str]:
        names = [self.kwargs.get(k) for k in ("column", "column_A", "column_B")]
        names += list(self.kwargs.get("column_list") or [])
        return [n for n in names if n]


@dataclass(frozen=True)
class Suite:
    """A GX suite run as one Dagster asset check on ``asset``."""

    name: str
    asset: dg.AssetKey
    description: str
    blocking: bool
    id_column: str
    query: Callable[[Any], str]
    expectations: Callable[[Any], Sequence[Expect]]
    additional_deps: tuple[dg.AssetKey, ...] = ()

    @property
    def severity(self) -> dg.AssetCheckSeverity:
        return dg.AssetCheckSeverity.ERROR if self.blocking else dg.AssetCheckSeverity.WARN


def expectation_label(expect: Expect) -> str:
    """``expect_column_values_to_be_unique(lead_id)``: the name GX users search for."""
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in expect.kind).lstrip("_")
    return f"{snake}({', '.join(expect.columns())})"


def validate(frame: Any, expectations: Sequence[Expect], suite_name: str) -> list[dict[str, Any]]:
    """Validate ``frame``; one dict per expectation: label, defect, success, counts, index."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations import expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_pandas(f"{suite_name}_source")
        .add_dataframe_asset(suite_name)
        .add_batch_definition_whole_dataframe("whole_frame")
    )
    suite = context.suites.add(gx.ExpectationSuite(name=suite_name))
    for expect in expectations:
        suite.add_expectation(getattr(gxe, expect.kind)(**expect.kwargs))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite_name, data=batch_definition, suite=suite)
    )
    result = definition.run(
        batch_parameters={"dataframe": frame},
        result_format={"result_format": "COMPLETE", "partial_unexpected_count": SAMPLE_ROWS},
    )
    # GX keeps the suite's order in its results; match them back to our descriptions.
    outcomes = []
    for expect, res in zip(expectations, result.results, strict=True):
        details = res.result or {}
        error = (res.exception_info or {}).get("exception_message") if not res.success else None
        outcomes.append(
            {
                "label": expectation_label(expect),
                "defect": expect.defect,
                "success": bool(res.success),
                "unexpected_count": int(details.get("unexpected_count") or 0),
                "index": list(details.get("unexpected_index_list") or [])[:SAMPLE_ROWS],
                "columns": expect.columns(),
                "error": error,
            }
        )
    return outcomes


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
        severity=suite.severity,
        metadata=metadata,
        description="; ".join(_named(suite, frame, o) for o in failed) if failed else None,
    )
