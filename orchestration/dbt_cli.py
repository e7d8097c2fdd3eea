"""Where the dbt executable lives, without importing dbt.

dbt-core and dbt-duckdb are installed in their own virtualenv (``.venv-dbt``, made by
`make install`), not beside Dagster: the pipeline only ever runs dbt as a subprocess, and
dagster-dbt imports dbt-core whenever it can (2.3 s of every definitions load, every
`revops run` and every code-server reload; DECISIONLOG.md "dbt-core in its own venv").
Without dbt-core in the process, dagster-dbt uses its own stand-ins for dbt's types.

This module imports neither dagster nor dbt, so tests and benchmarks use it too.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

#: The virtualenv `make install` creates for dbt-core and dbt-duckdb.
DBT_VENV = REPO_ROOT / ".venv-dbt"


def dbt_executable() -> str:
    """With ``REVOPS_ENGINE=spark`` the dbt of dbt-spark (revops.engine). Otherwise
    ``REVOPS_DBT_EXECUTABLE``, else the repo's ``.venv-dbt``, else a dbt next to this
    interpreter, else ``dbt`` on PATH."""
    from revops.settings import Settings

    if Settings.from_env().engine == "spark":
        from revops.engine import spark_dbt_executable

        return spark_dbt_executable()
    configured = os.environ.get("REVOPS_DBT_EXECUTABLE")
    if configured:
        return configured
    for candidate in (DBT_VENV / "bin" / "dbt", Path(sys.executable).parent / "dbt"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("dbt") or "dbt"
