"""Asset checks that are not dbt tests: Great Expectations suites on the handoff tables.

dbt tests arrive as asset checks through dagster-dbt; the ingest failed-file
warnings are checks of the ingest assets themselves. This package adds the GX
suites of :mod:`orchestration.checks.suites`, one Dagster asset check each.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import dagster as dg
import duckdb

from orchestration.assets.dbt import build_inputs, get_dbt_project
from orchestration.assets.ingest import SOURCE_TABLES
from orchestration.checks.gx import Suite, check_result, validate
from orchestration.checks.suites import allowed_channels, suites
from orchestration.resources import DUCKDB_POOL, RevopsSettings


@dataclass(frozen=True)
class CheckConfig:
    """What the suites need to know beyond the data: configured field names, allowed values."""

    lead_mql_date_field: str
    channels: tuple[str, ...]


def build_gx_check(suite: Suite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=suite.asset,
        name=suite.name,
        description=suite.description,
        blocking=suite.blocking,
        additional_deps=list(suite.additional_deps),
        pool=DUCKDB_POOL,
        metadata={"great_expectations_suite": suite.name, "severity": suite.severity.value},
    )
    def _check(
        context: dg.AssetCheckExecutionContext, revops: RevopsSettings
    ) -> dg.AssetCheckResult:
        if reused := _unchanged_since_publish(suite, revops):
            context.log.info(f"{suite.name}: {reused.description}")
            return reused
        with revops.connect(read_only=True) as con:
            config = CheckConfig(
                lead_mql_date_field=revops.lead_mql_date_field,
                channels=tuple(allowed_channels(con)),
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


def _unchanged_since_publish(suite: Suite, revops: RevopsSettings) -> dg.AssetCheckResult | None:
    """A passing result without re-running GX, when that is what a re-run would give.

    Only for blocking suites on a raw table: the last published complete build passed
    them (a failure would have blocked its publish), so if neither that source's loaded
    files nor the code changed since, the data and the rules are the same. It saves the
    GX import (about 5 s) in a run that brings nothing new for this source.
    """
    source = suite.asset.path[0]
    if not suite.blocking or source not in SOURCE_TABLES or len(suite.asset.path) != 2:
        return None
    state, published = build_inputs(get_dbt_project(), revops)
    if (
        published is None
        or published.state.code != state.code
        or source not in state.sources
        or published.state.sources.get(source) != state.sources[source]
    ):
        return None
    return dg.AssetCheckResult(
        passed=True,
        severity=suite.severity,
        description=(
            f"Passed in run {published.run_id}, whose build was published; "
            f"{suite.asset.to_user_string()} and the rules are unchanged since, so GX was "
            "not run again."
        ),
        metadata={
            "reused_from_run": dg.MetadataValue.text(published.run_id),
            "source_fingerprint": dg.MetadataValue.text(state.sources[source]),
        },
    )


def build_checks(asset_keys: Iterable[dg.AssetKey]) -> list[dg.AssetChecksDefinition]:
    """GX checks for every guarded asset that exists in the graph."""
    present = set(asset_keys)
    return [build_gx_check(s) for s in suites() if s.asset in present]
