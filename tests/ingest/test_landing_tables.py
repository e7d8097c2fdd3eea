"""Which raw table a landing file loads into: what a failed file is shown on in Dagster."""

from __future__ import annotations

import pytest

from ingest.runner import raw_table_of


@pytest.mark.parametrize(
    ("source", "path", "table"),
    [
        ("salesforce", "salesforce/2026-11-02/OpportunityHistory.csv", "opportunity_history"),
        ("salesforce", "salesforce/2026-11-02/lead (1).csv", "lead"),
        ("salesforce", "salesforce/2026-11-02/Notes.csv", None),
        ("hubspot", "hubspot/2026-11-23/hubspot-crm-exports-all-deals-2026-11-23.csv", "deals"),
        ("hubspot", "hubspot/2026-11-23/Contact.csv", "contacts"),
        ("hubspot", "hubspot/2026-11-23/notes.csv", None),
        ("google_ads", "google_ads/report.csv", "campaign_stats"),
        ("ga4", "web/events_20261103.jsonl", "events"),
    ],
)
def test_a_landing_file_names_its_raw_table(source: str, path: str, table: str | None) -> None:
    assert raw_table_of(source, path) == table
