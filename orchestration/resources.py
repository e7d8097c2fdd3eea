"""Dagster resources: where the pipeline reads and writes, resolved at run time.

Nothing here reads the environment at import time: `dagster dev`, tests and
`revops run` point the pipeline elsewhere by setting ``REVOPS_*`` variables
before a run, and an empty field means "take it from the environment" through
:class:`revops.settings.Settings`, the one place that knows the defaults.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb

from revops.settings import Settings

#: Owner of every asset that dbt meta does not assign to someone else.
DEFAULT_OWNER = "team:revops-data"


class RevopsSettings(dg.ConfigurableResource):
    """Paths and limits of the pipeline; an empty value falls back to the environment."""

    landing_dir: str = ""
    warehouse: str = ""
    serving: str = ""
    serving_storage_version: str = ""
    #: The Lead field that holds the MQL date; the same name as dbt's var ``lead_mql_date_field``.
    lead_mql_date_field: str = "MQL_Date__c"

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """In a run's process: tag the run with it, so a run that dies is recognised."""
        from orchestration.recovery import tag_run_with_process

        if context.instance is not None:
            tag_run_with_process(context.instance, context.dagster_run)

    def settings(self) -> Settings:
        base = Settings.from_env()
        overrides: dict[str, object] = {}
        for name in ("landing_dir", "warehouse", "serving"):
            value = getattr(self, name)
            if value:
                overrides[name] = Path(value)
        if self.serving_storage_version:
            overrides["serving_storage_version"] = self.serving_storage_version
        return replace(base, **overrides) if overrides else base

    def check_settings(self) -> dict[str, str]:
        """The settings that change what the checks conclude (part of the code fingerprint)."""
        return {"lead_mql_date_field": self.lead_mql_date_field}

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the warehouse through ingest's one connect(), closing it whatever happens.

        Closing matters: the next step of the same run opens the file again, and a
        forgotten read-write handle would lock dbt out.
        """
        from revops.warehouse import connect

        settings = self.settings()
        con = connect(settings.warehouse, read_only=read_only, settings=settings)
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def connect_built(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Read what dbt built, whichever engine built it, as one read-only connection.

        On DuckDB that is the warehouse itself. On Spark the warehouse file (raw tables,
        ingest log) is attached beside Spark's marts (``marts.<mart>``, with their contracts'
        types) and the failing rows dbt stored (``audit.<test>``), read from their Parquet
        files: the checks after dbt run the same queries on either engine.
        """
        settings = self.settings()
        if settings.engine != "spark":
            with self.connect(read_only=True) as con:
                yield con
            return
        from serving.spark_marts import connect_with_spark_tables

        con = connect_with_spark_tables(settings.warehouse, settings.spark_dir / "warehouse")
        try:
            yield con
        finally:
            con.close()
