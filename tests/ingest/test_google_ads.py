"""Google Ads UI downloads and API-shaped exports -> raw.google_ads__campaign_stats."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from ingest_helpers import log_rows, rows

PREAMBLE = "Campaign performance report\nNovember 1, 2026 - November 10, 2026\n"
UI_CSV = (
    PREAMBLE
    + "Day,Campaign ID,Campaign,Currency code,Cost,Impr.,Clicks,Conversions,Conv. value,CTR\n"
    + '2026-11-03,111,Brand US,USD,"1,234.50","12,000",300,4.5,900.00,2.50%\n'
    + "2026-11-04,111,Brand US,USD,$10.00,100, --,--,--,< 10%\n"
    + "Total: Account,,,,1244.50,12100,300,4.5,900.00,2.48%\n"
    + "Total: Campaigns,,,,1244.50,12100,300,4.5,900.00,2.48%\n"
)
EXPECTED_UI = [
    (date(2026, 11, 3), "111", "Brand US", "USD", Decimal("1234.5"), 12000, 300),
    (date(2026, 11, 4), "111", "Brand US", "USD", Decimal("10"), 100, None),
]


def _utf16_tsv(text: str) -> bytes:
    tsv = text.replace('"1,234.50"', '"1,234.50"').replace(",", "\t")
    # put the comma-bearing numbers back as quoted cells, as the UI does
    tsv = tsv.replace('"1\t234.50"', '"1,234.50"').replace('"12\t000"', '"12,000"')
    return b"\xff\xfe" + tsv.encode("utf-16-le")


CASES = {
    "utf8": (UI_CSV.encode(), EXPECTED_UI),
    "utf8_bom": (b"\xef\xbb\xbf" + UI_CSV.encode(), EXPECTED_UI),
    "utf16_tsv": (_utf16_tsv(UI_CSV), EXPECTED_UI),
    "utf16_tsv_no_bom": (_utf16_tsv(UI_CSV)[2:], EXPECTED_UI),
    "utf16_big_endian": (
        b"\xfe\xff" + _utf16_tsv(UI_CSV)[2:].decode("utf-16-le").encode("utf-16-be"),
        EXPECTED_UI,
    ),
    "locale_dates": (
        (
            "Report\n1 November 2026 - 10 November 2026\n"
            "Campaign,Day,Campaign ID,Cost,Impr.,Clicks\n"
            'Brand US,"Nov 3, 2026",111,€5.00,10,1\n'
            "Brand US,4 November 2026,111,£6.00,20,2\n"
            "Brand US,11/5/2026,111,7,30,3\n"
        ).encode(),
        [
            (date(2026, 11, 3), "111", "Brand US", None, Decimal("5"), 10, 1),
            (date(2026, 11, 4), "111", "Brand US", None, Decimal("6"), 20, 2),
            (date(2026, 11, 5), "111", "Brand US", None, Decimal("7"), 30, 3),
        ],
    ),
    "no_campaign_id": (
        (PREAMBLE + "Day,Campaign,Cost,Impr.,Clicks\n2026-11-03,Brand US,1,2,3\n").encode(),
        [(date(2026, 11, 3), "Brand US", "Brand US", None, Decimal("1"), 2, 3)],
    ),
    "no_clicks_interactions": (
        (
            b"Video report\nAll time\nDay,Campaign,Campaign ID,Cost,Impr.,Interactions\n"
            b"2026-11-03,Video,222,1,2,3\n"
        ),
        [(date(2026, 11, 3), "222", "Video", None, Decimal("1"), 2, None)],
    ),
    "api_export": (
        (
            b"segments.date,campaign.id,campaign.name,metrics.impressions,metrics.clicks,"
            b"metrics.cost_micros,metrics.conversions\n"
            b"2026-11-03,333,Generic,1000,50,12340000,2.0\n"
        ),
        [(date(2026, 11, 3), "333", "Generic", None, Decimal("12.34"), 1000, 50)],
    ),
}


@pytest.mark.parametrize("content, expected", CASES.values(), ids=CASES.keys())
def test_google_ads_formats_load(write, ingest, con, content, expected):
    write("google_ads/report.csv", content)
    result = ingest("google_ads")
    assert result.files_failed == 0, result.failures
    got = rows(
        con,
        "select day, campaign_id, campaign_name, currency_code, cost, impressions, clicks "
        "from raw.google_ads__campaign_stats order by _row_number",
    )
    assert got == expected
    assert result.rows_read == len(expected) == result.rows_loaded


def test_google_ads_total_rows_are_not_rows_read(write, ingest, con):
    write("google_ads/report.csv", UI_CSV)
    result = ingest("google_ads")
    assert (result.rows_read, result.rows_rejected) == (2, 0)
    assert rows(con, "select count(*) from raw.rejected_rows") == [(0,)]


def test_google_ads_unknown_columns_kept_in_extra(write, ingest, con):
    write("google_ads/report.csv", UI_CSV)
    ingest("google_ads")
    assert rows(con, "select _extra->>'CTR' from raw.google_ads__campaign_stats order by 1") == [
        ("2.50%",),
        ("< 10%",),
    ]
    assert rows(con, "select extra_columns from raw.ingest_log") == [("CTR",)]


def test_google_ads_bad_number_rejected_with_reason(write, ingest, con):
    write(
        "google_ads/report.csv",
        PREAMBLE + "Day,Campaign,Cost,Impr.,Clicks\n2026-11-03,A,1,2,12a\n2026-11-03,B,1,2,3\n",
    )
    result = ingest("google_ads")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 1, 1)
    assert rows(con, "select row_number, raw_line, reason from raw.rejected_rows") == [
        (1, "2026-11-03,A,1,2,12a", 'column "Clicks": "12a" is not a number')
    ]


def test_google_ads_without_day_fails_with_fix(write, ingest, con):
    write("google_ads/unsegmented.csv", PREAMBLE + "Campaign,Cost,Impr.\nA,1,2\n")
    result = ingest("google_ads")
    [(path, error)] = result.failures
    assert path == "google_ads/unsegmented.csv"
    assert "missing required column(s) Day" in error
    assert "columns found: Campaign, Cost, Impr." in error
    assert "Segment -> Time -> Day" in error
    assert log_rows(con)[0][1] == "failed"
