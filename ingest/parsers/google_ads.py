"""Google Ads UI report downloads (UTF-8 CSV or UTF-16LE TSV) and API-shaped exports."""

from __future__ import annotations

from ingest.parsers.ads import AdFormat, AdParser

FORMAT = AdFormat(
    source="google_ads",
    table="google_ads__campaign_stats",
    date_column="day",
    # `Total: Account`, `Total: Campaigns`, `Total: Search`...: never data, never counted
    not_data=lambda cells, first: f"ltrim({first}) ilike 'total:%'",
    id_from_name=True,
    missing_hints={
        "day": "the report is not segmented by day: in Google Ads open the report, "
        "choose Segment -> Time -> Day, and download it again",
    },
)


PARSER = AdParser(FORMAT)
