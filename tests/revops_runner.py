"""Running `revops` as a user does, in a folder of its own, and reading what it published."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb
from dbt_runner import MARTS

REVOPS = str(Path(sys.executable).parent / "revops")


def revops_env(root: Path, landing: Path | None = None) -> dict[str, str]:
    """Every REVOPS_* path and DAGSTER_HOME inside ``root`` (the landing zone may be shared)."""
    return {
        **os.environ,
        "REVOPS_LANDING_DIR": str(landing or root / "landing"),
        "REVOPS_WAREHOUSE": str(root / "warehouse.duckdb"),
        "REVOPS_SERVING": str(root / "serving.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "REVOPS_DBT_TARGET_PATH": str(root / "dbt_target"),
        "GX_ANALYTICS_ENABLED": "false",
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }


def marts_content(serving: Path) -> dict[str, tuple[int, str]]:
    """Rows and an order-independent hash of every row, per mart."""
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return {
            m: tuple(
                con.execute(f"select count(*), sum(hash(t))::varchar from marts.{m} t").fetchone()
            )
            for m in MARTS
        }
    finally:
        con.close()
