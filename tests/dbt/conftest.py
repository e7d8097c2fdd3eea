"""Fixtures for the dbt project tests: the tiny raw schema of raw_fixture.sql, built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dbt_helpers import create_raw_fixture
from dbt_runner import PROJECT_DIR, DbtRun, run_dbt


@pytest.fixture(scope="session")
def built_fixture_warehouse(tmp_path_factory) -> tuple[Path, DbtRun]:
    """The raw fixture, built once with `dbt build` for the whole session."""
    if not (PROJECT_DIR / "seeds" / "campaign_map.csv").exists():
        pytest.skip("dbt_project/seeds/campaign_map.csv is missing (written by the demo generator)")
    work_dir = tmp_path_factory.mktemp("dbt_fixture")
    warehouse = work_dir / "warehouse.duckdb"
    create_raw_fixture(warehouse)
    run = run_dbt(["build"], warehouse, work_dir)
    return warehouse, run


@pytest.fixture
def fresh_fixture_copy(built_fixture_warehouse, tmp_path) -> Path:
    warehouse, _ = built_fixture_warehouse
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    return copy
