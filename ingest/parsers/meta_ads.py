"""Meta Ads Manager "Export table data" (campaign level; daily, weekly, monthly or no
breakdown: a row over several days is spread over them, see ads._spread_sql)."""

from __future__ import annotations

from ingest.parsers.ads import AdFormat, AdParser
from ingest.sql import blank

FORMAT = AdFormat(
    source="meta_ads",
    table="meta_ads__campaign_stats",
    date_column="reporting_starts",
    # the account-total row has no campaign name
    not_data=lambda cells, first: blank(cells["campaign_name"]),
    # real Ads Manager exports rarely have `Campaign ID`: the campaign name (trimmed) is the id
    id_from_name=True,
    # a weekly, monthly or whole-range breakdown: one row covers Reporting starts..ends
    window=("reporting_starts", "reporting_ends"),
    additive=("amount_spent", "impressions", "link_clicks", "results"),
)


PARSER = AdParser(FORMAT)
