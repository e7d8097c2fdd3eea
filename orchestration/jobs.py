"""Jobs a data engineer starts by hand, and the schedule and sensors start for them.

``all`` materializes everything (ingest, dbt, checks, publish). Each source has
a job with its ingest and everything downstream of it, so a re-delivered
Google Ads report refreshes the ad marts without re-reading GA4.
"""

from __future__ import annotations

import dagster as dg

from revops.sources import SOURCES

ALL_JOB = "all"


def source_job_name(source: str) -> str:
    return f"{source}_job"


def build_jobs() -> list[dg.UnresolvedAssetJobDefinition]:
    jobs = [
        dg.define_asset_job(
            ALL_JOB,
            selection=dg.AssetSelection.all(),
            description="Everything: ingest every source, dbt build and tests, checks, publish.",
        )
    ]
    for source in SOURCES:
        keys = [dg.AssetKey([source.name, t]) for t in source.tables]
        jobs.append(
            dg.define_asset_job(
                source_job_name(source.name),
                selection=dg.AssetSelection.assets(*keys).downstream(),
                description=(
                    f"Ingest {source.name} and rebuild, check and publish what depends on it."
                ),
            )
        )
    return jobs
