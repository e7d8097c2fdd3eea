"""Meta Ads Manager "Export table data" (campaign level, daily breakdown)."""

from __future__ import annotations

import duckdb

from ingest.landing import LandingFile
from ingest.loader import Staged
from ingest.parsers.ads import AdFormat, stage_ad_file
from ingest.sql import blank

FORMAT = AdFormat(
    source="meta_ads",
    table="meta_ads__campaign_stats",
    date_column="reporting_starts",
    # the account-total row has no campaign name
    not_data=lambda cells, first: blank(cells["campaign_name"]),
)


def stage(con: duckdb.DuckDBPyConnection, file: LandingFile) -> Staged:
    return stage_ad_file(con, file, FORMAT)
