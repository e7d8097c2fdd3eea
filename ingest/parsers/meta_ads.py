"""Meta Ads Manager "Export table data" (campaign level, daily breakdown)."""

from __future__ import annotations

from ingest.parsers.ads import AdFormat, AdParser
from ingest.sql import blank

FORMAT = AdFormat(
    source="meta_ads",
    table="meta_ads__campaign_stats",
    date_column="reporting_starts",
    # the account-total row has no campaign name
    not_data=lambda cells, first: blank(cells["campaign_name"]),
)


PARSER = AdParser(FORMAT)
