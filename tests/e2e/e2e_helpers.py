"""Generating and ingesting the demo data in a temp dir for the e2e tests.

Running dbt on the result and reading the marts back is shared with tests/dbt: see
tests/dbt_runner.py.
"""

from __future__ import annotations

from pathlib import Path

# The seed whose pipeline is loaded in two steps (a new GA4 day, then an incremental build).
INCREMENTAL_SEED = 1


def generate(
    out: Path,
    seed: int,
    scale: float,
    days: int,
    defects: bool = False,
    variants: bool = False,
    hubspot_timezone: str | None = None,
) -> None:
    """`revops generate` into out/landing, truth into out/ground_truth; with a
    ``hubspot_timezone`` the CRM is written as HubSpot exports of a portal in that zone."""
    from demo.cli import main as generate_main

    args = ["--out", str(out / "landing"), "--seed", str(seed)]
    args += ["--scale", str(scale), "--days", str(days)]
    args += (["--defects"] if defects else []) + (["--variants"] if variants else [])
    if hubspot_timezone:
        args += ["--crm", "hubspot", "--hubspot-timezone", hubspot_timezone]
    code = generate_main(args)
    assert code in (0, None), f"revops generate exited {code}"


def ingest_all(
    landing: Path,
    warehouse: Path,
    sources: tuple[str, ...] | None = None,
    allow_failed_files: bool = False,
) -> None:
    from ingest.runner import ingest_source
    from revops.sources import SOURCE_NAMES as SOURCES
    from revops.warehouse import connect

    con = connect(warehouse)
    try:
        for source in sources or SOURCES:
            result = ingest_source(con, landing, source)
            # Planted defects (--defects) fail files on purpose; ingest's own tests check them.
            assert allow_failed_files or not result.failures, (source, result.failures)
    finally:
        con.close()
