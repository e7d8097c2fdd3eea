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
    """The fixture's rows (a Salesforce CRM), and HubSpot's raw tables empty, as ingest
    creates them for a source that has delivered nothing. The fixture's own tables keep exactly
    the columns it writes: its variants insert rows by position."""
    from ingest.parsers import hubspot
    from revops.sources import BY_NAME

    execute_sql_file(warehouse, RAW_FIXTURE)
    con = duckdb.connect(str(warehouse))
    try:
        hubspot.ensure_tables(con, BY_NAME["hubspot"].tables, {})
    finally:
        con.close()
