"""Running a Great Expectations 1.x suite on a frame that DuckDB returns.

GX's SQL datasource does not work on DuckDB, so each suite reads only the columns it
checks into pandas and validates that frame through GX's pandas datasource.
``great_expectations`` takes seconds to import, so it is imported inside
:func:`validate`, never when a module imports this one. No Dagster here: the
orchestration turns the outcomes into asset-check results.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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
