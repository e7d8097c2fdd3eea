"""LinkedIn Campaign Manager exports -> raw.linkedin_ads__campaign_stats."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from ingest_helpers import rows

PREAMBLE = (
    "Campaign Performance Report\n"
    "Report Start: 11/1/2026, Report End: 11/10/2026\n"
    "Time zone: (GMT) UTC\n"
)
HEADER = (
    "Start Date (in UTC),Account Name,Campaign Group Name,Campaign Name,Campaign ID,Currency,"
    "Total Spent,Impressions,Clicks,Leads\n"
)
US_DATES = "11/3/2026,Acme,Q4,ABM Director,987654,USD,45.10,900,12,2\n"
ISO_DATES = "2026-11-03,Acme,Q4,ABM Director,987654,USD,45.10,900,12,2\n"


def _utf16_tsv(text: str) -> bytes:
    return b"\xff\xfe" + text.replace(",", "\t").encode("utf-16-le")


CASES = {
    "utf8_us_dates": (PREAMBLE + HEADER + US_DATES).encode(),
    "utf8_iso_dates": (HEADER + ISO_DATES).encode(),
    "utf16_tsv": _utf16_tsv(PREAMBLE + HEADER + US_DATES),
}


@pytest.mark.parametrize("content", CASES.values(), ids=CASES.keys())
def test_linkedin_formats_load(write, ingest, con, content):
    write("linkedin_ads/campaigns.csv", content)
    result = ingest("linkedin_ads")
    assert result.failures == []
    assert rows(
        con,
        "select start_date, account_name, campaign_group_name, campaign_name, campaign_id, "
        "currency, total_spent, impressions, clicks, leads from raw.linkedin_ads__campaign_stats",
    ) == [
        (
            date(2026, 11, 3),
            "Acme",
            "Q4",
            "ABM Director",
            "987654",
            "USD",
            Decimal("45.1"),
            900,
            12,
            2,
        )
    ]


def test_linkedin_bad_date_rejected(write, ingest, con):
    write("linkedin_ads/campaigns.csv", HEADER + "13/45/2026,Acme,Q4,X,1,USD,1,1,1,1\n" + ISO_DATES)
    result = ingest("linkedin_ads")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 1, 1)
    [(reason,)] = rows(con, "select reason from raw.rejected_rows")
    assert reason.startswith('column "Start Date (in UTC)": "13/45/2026" is not a date')
