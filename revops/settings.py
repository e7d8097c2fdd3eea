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
        )
