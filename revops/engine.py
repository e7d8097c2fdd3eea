"""Which engine dbt builds on, and what its subprocess needs (SPEC 9, docs/ARCHITECTURE.md).

``REVOPS_ENGINE=duckdb`` (default): dbt-duckdb from ``.venv-dbt`` builds in the warehouse file.
``REVOPS_ENGINE=spark``: dbt-spark (``session`` method, a local Spark inside the dbt process)
from ``.venv-spark`` (``make install-spark``) builds from the raw Parquet lake that ingest
writes; its Hive metastore and tables live in the warehouse's Spark folder. Both read the same
dbt project and profile (dbt_project/profiles.yml picks the target from ``REVOPS_ENGINE``).

This module imports neither dagster nor dbt.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from revops.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]

#: The virtualenv `make install-spark` creates for dbt-core, dbt-spark[session] and pyspark.
SPARK_VENV = REPO_ROOT / ".venv-spark"


def spark_dbt_executable() -> str:
    """``REVOPS_SPARK_DBT_EXECUTABLE``, else the repo's ``.venv-spark``, else ``dbt`` on PATH."""
    configured = os.environ.get("REVOPS_SPARK_DBT_EXECUTABLE", "").strip()
    if configured:
        return configured
    candidate = SPARK_VENV / "bin" / "dbt"
    if candidate.exists():
        return str(candidate)
    return shutil.which("dbt") or "dbt"


def dbt_environment(settings: Settings) -> dict[str, str]:
    """Environment variables a dbt subprocess needs for ``settings`` (merge into os.environ).

    Paths are absolute: dbt runs in another working directory, and Spark would otherwise put
    its warehouse and metastore wherever it was started. Spark binds to loopback only.
    """
    env = {
        "REVOPS_ENGINE": settings.engine,
        "REVOPS_WAREHOUSE": str(settings.warehouse.resolve()),
    }
    if settings.engine == "spark":
        env["REVOPS_LAKE_DIR"] = str(settings.lake_dir.resolve())
        env["REVOPS_SPARK_DIR"] = str(settings.spark_dir.resolve())
        env["SPARK_LOCAL_IP"] = os.environ.get("SPARK_LOCAL_IP", "127.0.0.1")
        # pyspark launches the JVM with the java on PATH or JAVA_HOME: either is enough.
    return env


def spark_marts_dir(settings: Settings) -> Path:
    """Where Spark keeps the tables of schema ``marts`` (one folder of Parquet files each)."""
    return settings.spark_dir / "warehouse" / "marts.db"
