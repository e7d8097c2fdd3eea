"""The `revops` console script: its exit status is the verdict a scheduler acts on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REVOPS = str(Path(sys.executable).parent / "revops")


def test_help_lists_both_commands() -> None:
    result = subprocess.run([REVOPS, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "generate" in result.stdout and "run" in result.stdout


def test_unknown_command_exits_2_and_names_it() -> None:
    result = subprocess.run([REVOPS, "publish"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "unknown command 'publish'" in result.stderr


def test_run_with_a_bad_job_exits_non_zero(tmp_path: Path) -> None:
    """A run that cannot start is a failure for the scheduler, not a silent 0."""
    result = subprocess.run(
        [REVOPS, "run", "--job", "no_such_job"],
        capture_output=True,
        text=True,
        timeout=300,
        env={
            "PATH": str(Path(sys.executable).parent),
            "HOME": str(tmp_path),
            "REVOPS_LANDING_DIR": str(tmp_path / "landing"),
            "REVOPS_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
            "REVOPS_SERVING": str(tmp_path / "serving.duckdb"),
            "DAGSTER_HOME": str(tmp_path / "dagster_home"),
            "REVOPS_DBT_TARGET_PATH": str(tmp_path / "target"),
        },
    )
    assert result.returncode != 0
