"""The whole pipeline on generated demo data, built once per seed and shared by the e2e tests.

For INCREMENTAL_SEED the landing zone is loaded the way a daily schedule meets it: first
without the newest GA4 day, then that day arrives and ingest + `dbt build` run again
(incrementally), so the truth tests of that seed read marts an incremental run produced. Other
seeds are loaded in one go. dbt unit tests are left to tests/dbt (they do not depend on data).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from dbt_runner import PROJECT_DIR, DbtRun, run_dbt
from e2e_helpers import INCREMENTAL_SEED, generate, ingest_all

SCALE = 0.1
DAYS = 60
DBT_BUILD = ["build", "--exclude", "test_type:unit"]


@dataclass
class Pipeline:
    seed: int
    hubspot_timezone: str | None
    work_dir: Path
    landing: Path
    truth: Path
    warehouse: Path
    first_build: DbtRun
    incremental_build: DbtRun | None


def _newest_ga4_day_files(web: Path) -> list[Path]:
    days = sorted({p.name.split(".")[0][len("events_") :][:8] for p in web.glob("events_*")})
    return sorted(web.glob(f"events_{days[-1]}*"))


def _build(
    seed: int,
    work_dir: Path,
    defects: bool,
    variants: bool = False,
    hubspot_timezone: str | None = None,
) -> Pipeline:
    generate(
        work_dir,
        seed=seed,
        scale=SCALE,
        days=DAYS,
        defects=defects,
        variants=variants,
        hubspot_timezone=hubspot_timezone,
    )
    landing, truth = work_dir / "landing", work_dir / "ground_truth"
    warehouse = work_dir / "warehouse.duckdb"

    if hubspot_timezone:
        # The portal's time zone is company configuration: the dbt var says it.
        ingest_all(landing, warehouse)
        build = [*DBT_BUILD, "--vars", f"{{hubspot_timezone: {hubspot_timezone}}}"]
        first = run_dbt(build, warehouse, work_dir / "dbt_first")
        return Pipeline(seed, hubspot_timezone, work_dir, landing, truth, warehouse, first, None)

    if seed != INCREMENTAL_SEED or defects or variants:
        ingest_all(landing, warehouse, allow_failed_files=defects)
        first = run_dbt(DBT_BUILD, warehouse, work_dir / "dbt_first")
        return Pipeline(seed, None, work_dir, landing, truth, warehouse, first, None)

    held_back = work_dir / "held_back"
    held_back.mkdir()
    newest_day = _newest_ga4_day_files(landing / "web")
    for path in newest_day:
        shutil.move(path, held_back / path.name)  # a move keeps the file's mtime
    ingest_all(landing, warehouse)
    first = run_dbt(DBT_BUILD, warehouse, work_dir / "dbt_first")

    for path in newest_day:
        shutil.move(held_back / path.name, path)
    ingest_all(landing, warehouse, sources=("ga4",))
    incremental = run_dbt(DBT_BUILD, warehouse, work_dir / "dbt_incremental")
    return Pipeline(seed, None, work_dir, landing, truth, warehouse, first, incremental)


@pytest.fixture(scope="session")
def pipeline_for(tmp_path_factory):
    """pipeline_for(seed, defects=False, variants=False, hubspot_timezone=None) -> Pipeline,
    built on first use, cached per session. With ``hubspot_timezone`` the same company's CRM
    comes as HubSpot exports of a portal in that time zone."""
    assert (PROJECT_DIR / "seeds" / "campaign_map.csv").exists(), "the campaign_map seed ships"
    built: dict[tuple[int, bool, bool, str | None], Pipeline] = {}

    def get(
        seed: int,
        defects: bool = False,
        variants: bool = False,
        hubspot_timezone: str | None = None,
    ) -> Pipeline:
        key = (seed, defects, variants, hubspot_timezone)
        if key not in built:
            suffix = ("_defects" if defects else "") + ("_variants" if variants else "")
            suffix += "_hubspot" if hubspot_timezone else ""
            work_dir = tmp_path_factory.mktemp(f"e2e_seed{seed}{suffix}")
            built[key] = _build(seed, work_dir, defects, variants, hubspot_timezone)
        return built[key]

    return get
