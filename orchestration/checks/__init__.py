"""Asset checks that are not dbt tests: Great Expectations suites on the handoff tables.

dbt tests arrive as asset checks through dagster-dbt; the ingest failed-file
warnings are checks of the ingest assets themselves. This package adds the GX
suites of :mod:`orchestration.checks.suites`, one Dagster asset check each.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import dagster as dg
import duckdb

from orchestration.checks.gx import Suite, check_result, validate
from orchestration.checks.suites import allowed_channels, suites
from orchestration.resources import RevopsSettings


@dataclass(frozen=True)
class CheckConfig:
    """What the suites need to know beyond the data: configured field names, allowed values."""

    lead_mql_date_field: str
    channels: tuple[str, ...]
    #: The raw Salesforce leads have a column of that name.
    has_mql_field: bool = True


def build_gx_check(suite: Suite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=suite.asset,
        name=suite.name,
        description=suite.description,
        blocking=suite.blocking,
        additional_deps=list(suite.additional_deps),
        metadata={"great_expectations_suite": suite.name, "severity": suite.severity.value},
    )
    def _check(
        context: dg.AssetCheckExecutionContext, revops: RevopsSettings
    ) -> dg.AssetCheckResult:
        with revops.connect(read_only=True) as con:
            lead_columns = {
                row[0]
                for row in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'raw' and table_name = 'salesforce__lead'"
                ).fetchall()
            }
            config = CheckConfig(
                lead_mql_date_field=revops.lead_mql_date_field,
                channels=tuple(allowed_channels(con)),
                has_mql_field=revops.lead_mql_date_field.lower() in lead_columns,
            )
            try:
                frame = con.execute(suite.query(config)).df()
            except duckdb.CatalogException as exc:
                # A fresh warehouse whose landing zone has no export of this source yet:
                # say so in words instead of failing the step with a catalog error.
                return dg.AssetCheckResult(
                    passed=False,
                    severity=suite.severity,
                    description=(
                        f"Nothing to check: {suite.asset.to_user_string()} has not been "
                        "loaded yet (no export of this source in the landing zone)."
                    ),
                    metadata={"error": str(exc).splitlines()[0]},
                )
        outcomes = validate(frame, suite.expectations(config), suite.name)
        result = check_result(suite, frame, outcomes)
        if not result.passed:
            context.log.warning(
                f"{suite.name} on {suite.asset.to_user_string()}: {result.description}"
            )
        return result

    return _check


def build_checks(asset_keys: Iterable[dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    """GX checks for every guarded asset that exists in the graph."""
    present = set(asset_keys)
    return [build_gx_check(s) for s in suites() if s.asset in present]
