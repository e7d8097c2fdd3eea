"""Fixtures for ingest tests: a landing zone in tmp_path and a fresh warehouse."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from ingest.runner import SourceResult, ingest_source


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "landing"
    path.mkdir()
    return path


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


Writer = Callable[..., Path]


@pytest.fixture
def write(landing: Path) -> Writer:
    """write("google_ads/a.csv", text, encoding="utf-8", mtime=T0) -> path."""

    def _write(
        rel: str, content: str | bytes, encoding: str = "utf-8", mtime: float | None = None
    ) -> Path:
        path = landing / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        return path

    return _write


@pytest.fixture
def ingest(con: duckdb.DuckDBPyConnection, landing: Path) -> Callable[[str], SourceResult]:
    return lambda source: ingest_source(con, landing, source)
