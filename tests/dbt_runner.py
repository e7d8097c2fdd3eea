"""Running dbt against a throw-away DuckDB warehouse and reading it back (tests/dbt, tests/e2e).

dbt runs as a subprocess (``REVOPS_WAREHOUSE`` points it at the warehouse), with its target
and log paths in a temp dir so that the project's own ``dbt_project/target`` (used by
Dagster) is left alone.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.dbt_cli import dbt_executable

REPO = Path(__file__).resolve().parents[1]
PROJECT_DIR = REPO / "dbt_project"

# Every mart (docs/marts.md), all built in schema `marts`: the core funnel, then the
# feedback marts sales and marketing read together, then attribution.
MARTS = (
    "fct_ad_spend_daily",
    "fct_sessions",
    "dim_leads",
    "fct_opportunities",
    "fct_opportunity_stage_history",
    "mart_mql_handoff",
    "mart_funnel_daily",
    "mart_campaign_performance",
    "dim_users",
    "mart_owner_handoff",
    "mart_lead_cohorts",
    "mart_campaign_feedback",
    "mart_pipeline_by_snapshot",
    "mart_funnel_plan",
    "fct_touchpoints",
    "mart_attribution",
    "mart_campaign_attribution",
)


@dataclass
class DbtRun:
    returncode: int
    output: str
    results: list[dict]

    def statuses(self) -> dict[str, str]:
        """unique_id -> status (pass, warn, fail, error, success...) of every node; the
        project's hooks (``operation.*``: the raw lake's tables on Spark) are not nodes."""
        return {
            r["unique_id"]: r["status"]
            for r in self.results
            if not r["unique_id"].startswith("operation.")
        }


def run_dbt(
    args: list[str],
    warehouse: Path,
    work_dir: Path,
    env: dict[str, str] | None = None,
    executable: str | None = None,
) -> DbtRun:
    """dbt on DuckDB; ``env`` adds variables (REVOPS_ENGINE=spark and its folders, see
    revops.engine.dbt_environment) and ``executable`` names another dbt (.venv-spark's)."""
    target = work_dir / "target"
    env = {
        **os.environ,
        "REVOPS_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(env or {}),
    }
    completed = subprocess.run(
        [
            executable or dbt_executable(),
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(work_dir / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    results_file = target / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    return DbtRun(completed.returncode, completed.stdout + completed.stderr, results)


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def mart_rows(warehouse: Path, mart: str) -> list[tuple]:
    """Every row of marts.<mart>, in a stable order (to compare two builds)."""
    return query(warehouse, f"select * from marts.{mart} order by all")


def ran_sql(work_dir: Path, model_path: str) -> str:
    """The SQL a `run_dbt(..., work_dir)` executed for a model (path under models/)."""
    return (work_dir / "target" / "run" / "revops" / "models" / model_path).read_text()
