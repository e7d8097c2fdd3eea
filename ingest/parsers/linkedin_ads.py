"""LinkedIn Campaign Manager campaign performance exports (UTF-8 CSV or UTF-16LE TSV)."""

from __future__ import annotations

import duckdb

from ingest.landing import LandingFile
from ingest.loader import Staged
from ingest.parsers.ads import AdFormat, stage_ad_file

FORMAT = AdFormat(
    source="linkedin_ads",
    table="linkedin_ads__campaign_stats",
    date_column="start_date",
)


def stage(con: duckdb.DuckDBPyConnection, file: LandingFile) -> Staged:
    return stage_ad_file(con, file, FORMAT)
