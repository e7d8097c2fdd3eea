"""The one Dagster ``Definitions`` of revops-pipeline.

Loaded lazily (``@dg.definitions``): importing this module costs only
``import dagster``; the dbt manifest is read and the graph assembled when
Dagster, `revops run` or a test calls :func:`defs`. The manifest is prepared
beforehand (`revops run`, `make ui`, the test fixtures); only when it is
missing altogether does loading parse the project once, so a fresh clone still
opens in the UI.

Every job runs in one process (``in_process_executor``): the steps share one
DuckDB file that only one process may open at a time, so parallel processes
would only fail on its lock. The run queue in ``dagster.yaml`` does the same
between runs.

Every asset carries a business domain (tag ``domain``, owner ``team:<domain>``): ingest assets
their source's (:mod:`revops.sources`), dbt models their folder's (the translator), and the
publish step the platform's.
"""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import (
    build_dbt_assets,
    check_severity_var,
    dbt_resource,
    get_dbt_project,
    prepare_dbt_manifest,
)
from orchestration.assets.ingest import build_ingest_assets, domain_tags, owner_of
from orchestration.assets.publish import build_publish_asset
from orchestration.checks import build_checks
from orchestration.jobs import build_jobs
from orchestration.resources import RevopsSettings
from orchestration.schedules import build_schedules
from orchestration.sensors import build_sensors
from orchestration.translator import PLATFORM


def build_definitions(
    loggers: dict[str, dg.LoggerDefinition] | None = None,
) -> dg.Definitions:
    """Assemble the graph; ``loggers`` lets `revops run` add its progress printer."""
    project = get_dbt_project()
    if not project.manifest_path.exists():
        prepare_dbt_manifest()
    dbt_build = build_dbt_assets(project)
    ingest = build_ingest_assets()
    mart_keys = [spec.key for spec in dbt_build.specs if spec.group_name == "marts"]
    # Publishing is the platform's: its owner and domain tag, as every asset has one.
    publish = build_publish_asset(mart_keys).map_asset_specs(
        lambda spec: spec.replace_attributes(
            owners=[owner_of(PLATFORM)], tags={**spec.tags, **domain_tags(PLATFORM)}
        )
    )
    all_keys = [spec.key for a in (*ingest, dbt_build) for spec in a.specs]
    return dg.Definitions(
        assets=[*ingest, dbt_build, publish],
        asset_checks=build_checks(all_keys, check_severity_var(project)),
        jobs=build_jobs(),
        schedules=build_schedules(),
        sensors=build_sensors(),
        resources={"revops": RevopsSettings(), "dbt": dbt_resource(project)},
        executor=dg.in_process_executor,
        loggers=loggers,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
