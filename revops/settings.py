"""Runtime settings read from the environment (README, "Configuration").

Every path the pipeline touches comes from here, so tests and the Dagster
resources point the whole pipeline somewhere else by setting environment
variables, never by editing code. Nothing is read at import time: call
:func:`Settings.from_env` where the value is needed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


#: What `REVOPS_ENGINE` may name: the engine dbt builds the models on (SPEC 9).
ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse: Path
    serving: Path
    serving_storage_version: str
    duckdb_memory_limit: str
    duckdb_threads: int
    #: ``REVOPS_REPORT``; None: ``report.html`` beside the serving database (see :attr:`report`).
    report_path: Path | None = None
    #: ``REVOPS_ENGINE``: ``duckdb`` (default: dbt-duckdb in the warehouse file) or ``spark``
    #: (dbt-spark on a local Spark reading the raw Parquet lake; docs/ARCHITECTURE.md).
    engine: str = "duckdb"
    #: ``REVOPS_LAKE_DIR``; None: ``<warehouse>.lake`` (see :attr:`lake_dir`).
    lake_path: Path | None = None
    #: ``REVOPS_SPARK_DIR``; None: ``<warehouse>.spark`` (see :attr:`spark_dir`).
    spark_path: Path | None = None

    @property
    def lake_dir(self) -> Path:
        """The raw Parquet lake (``<raw table>/<one file per landing file>.parquet``) that
        Spark reads; beside the warehouse by default (``data/warehouse.duckdb.lake``), as
        dbt_project/profiles.yml and macros/lake.sql default it."""
        return self.lake_path or Path(f"{self.warehouse}.lake")

    @property
    def spark_dir(self) -> Path:
        """Spark's metastore (embedded Derby, one writer) and table files of this warehouse
        (``data/warehouse.duckdb.spark``: ``metastore_db/``, ``warehouse/<schema>.db/``)."""
        return self.spark_path or Path(f"{self.warehouse}.spark")

    @property
    def writes_lake(self) -> bool:
        """Ingest writes the raw lake only for an engine that reads it."""
        return self.engine == "spark"

    @property
    def report(self) -> Path:
        """The HTML funnel report every publish writes (default ``data/report.html``).

        Without ``REVOPS_REPORT`` it sits beside the serving database, so a run pointed at
        another serving file (a test, a benchmark) never writes the report into ``data/``.
        """
        return self.report_path or self.serving.with_name("report.html")

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            landing_dir=Path(_env("REVOPS_LANDING_DIR", "data/landing")),
            warehouse=Path(_env("REVOPS_WAREHOUSE", "data/warehouse.duckdb")),
            serving=Path(_env("REVOPS_SERVING", "data/serving.duckdb")),
            serving_storage_version=_env("REVOPS_SERVING_STORAGE_VERSION", "v1.4.0"),
            duckdb_memory_limit=_env("REVOPS_DUCKDB_MEMORY_LIMIT", "3GB"),
            duckdb_threads=int(_env("REVOPS_DUCKDB_THREADS", "2")),
            report_path=Path(report) if (report := _env("REVOPS_REPORT", "")) else None,
            engine=checked_engine(_env("REVOPS_ENGINE", "duckdb")),
            lake_path=Path(lake) if (lake := _env("REVOPS_LAKE_DIR", "")) else None,
            spark_path=Path(spark) if (spark := _env("REVOPS_SPARK_DIR", "")) else None,
        )


def checked_engine(value: str) -> str:
    engine = value.strip().lower()
    if engine not in ENGINES:
        raise ValueError(f"REVOPS_ENGINE must be one of {', '.join(ENGINES)}, got {value!r}")
    return engine
