"""LinkedIn Campaign Manager campaign performance exports (UTF-8 CSV or UTF-16LE TSV)."""

from __future__ import annotations

from ingest.parsers.ads import AdFormat, AdParser

FORMAT = AdFormat(
    source="linkedin_ads",
    table="linkedin_ads__campaign_stats",
    date_column="start_date",
    # a period without delivery: the export has its preamble and no header row
    empty_period_ok=True,
)


PARSER = AdParser(FORMAT)
