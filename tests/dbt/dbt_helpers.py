"""The tiny raw schema (raw_fixture.sql) the dbt project tests build on.

Running dbt and reading the warehouse back is shared with tests/e2e: see tests/dbt_runner.py.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

RAW_FIXTURE = Path(__file__).with_name("raw_fixture.sql")


def execute_sql_file(warehouse: Path, path: Path) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(path.read_text())
    finally:
        con.close()


def create_raw_fixture(warehouse: Path) -> None:
    execute_sql_file(warehouse, RAW_FIXTURE)
