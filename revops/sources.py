"""The one registry of landing sources: what each is called, where its files land, which raw
tables it fills, and which business domain owns it.

Every package reads this list: ingest finds files and names raw tables with it, Dagster builds
one ingest asset, job and sensor per entry, the demo generator writes one folder per entry.
The names are fixed: they are the dbt source names, the asset-key prefixes and the raw-table
prefixes (``raw.<name>__<table>``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    #: dbt source name, Dagster asset-key prefix, raw-table prefix.
    name: str
    #: Folder of the landing zone its files arrive in.
    folder: str
    #: Raw tables it fills: ``raw.<name>__<table>``.
    tables: tuple[str, ...]
    #: What a person calls the export.
    label: str
    #: The team that owns the data: ``marketing``, ``web`` or ``sales``.
    domain: str

    def raw_table(self, table: str) -> str:
        return f"raw.{self.name}__{table}"


SALESFORCE_OBJECTS: tuple[str, ...] = (
    "lead",
    "contact",
    "account",
    "opportunity",
    "opportunity_history",
    "campaign",
    "campaign_member",
    "task",
    "user",
)

HUBSPOT_OBJECTS: tuple[str, ...] = (
    "contacts",
    "companies",
    "deals",
    "owners",
    "calls",
    "emails",
    "meetings",
    "tasks",
)
# The objects, and the child tables filled from their `Associated ...` and deals'
# `Date entered ...` cells.
HUBSPOT_TABLES: tuple[str, ...] = (*HUBSPOT_OBJECTS, "associations", "deal_stage_entries")

SOURCES: tuple[Source, ...] = (
    Source(
        "google_ads",
        "google_ads",
        ("campaign_stats",),
        "Google Ads campaign report (daily)",
        "marketing",
    ),
    Source(
        "meta_ads",
        "meta_ads",
        ("campaign_stats",),
        "Meta Ads Manager campaign export (daily)",
        "marketing",
    ),
    Source(
        "linkedin_ads",
        "linkedin_ads",
        ("campaign_stats",),
        "LinkedIn Campaign Manager campaign performance export (daily)",
        "marketing",
    ),
    Source("ga4", "web", ("events",), "GA4 BigQuery event export", "web"),
    Source("salesforce", "salesforce", SALESFORCE_OBJECTS, "Salesforce weekly export", "sales"),
    Source("hubspot", "hubspot", HUBSPOT_TABLES, "HubSpot CRM export", "sales"),
)

BY_NAME: dict[str, Source] = {source.name: source for source in SOURCES}
SOURCE_NAMES: tuple[str, ...] = tuple(BY_NAME)


def source(name: str) -> Source:
    """The source called ``name``; a clear error naming the known ones otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(
            f"unknown source {name!r}; expected one of {', '.join(SOURCE_NAMES)}"
        ) from None
