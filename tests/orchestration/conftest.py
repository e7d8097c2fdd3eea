"""Fixtures for the orchestration tests.

dbt writes its manifest and run artifacts under a temp target path, so tests never
clobber ``dbt_project/target`` of a developer; the manifest is parsed once per session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


@pytest.fixture(scope="session")
def dbt_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    target = tmp_path_factory.mktemp("dbt_target")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REVOPS_DBT_TARGET_PATH", str(target))
        from orchestration.assets.dbt import prepare_dbt_manifest

        prepare_dbt_manifest()
        yield target


@pytest.fixture(scope="session")
def definitions(dbt_target: Path) -> dg.Definitions:
    from orchestration.definitions import build_definitions

    return build_definitions()


@pytest.fixture
def pipeline_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dbt_target: Path) -> Path:
    """Every REVOPS_* path and DAGSTER_HOME inside tmp_path; returns tmp_path."""
    (tmp_path / "landing").mkdir()
    monkeypatch.setenv("REVOPS_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("REVOPS_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("REVOPS_SERVING", str(tmp_path / "serving.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return tmp_path
