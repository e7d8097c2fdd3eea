"""The daily run: ad platforms export the previous day overnight, so 06:00 UTC sees it."""

from __future__ import annotations

import dagster as dg

from orchestration.jobs import ALL_JOB


def build_schedules() -> list[dg.ScheduleDefinition]:
    return [
        dg.ScheduleDefinition(
            name="daily_all",
            job_name=ALL_JOB,
            cron_schedule="0 6 * * *",
            execution_timezone="UTC",
            default_status=dg.DefaultScheduleStatus.RUNNING,
            description="Every day at 06:00 UTC: the whole pipeline, whether or not files arrived.",
        )
    ]
