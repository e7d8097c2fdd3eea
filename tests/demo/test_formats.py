"""Every landing file is the format it claims to be (the formats the parsers accept)."""

from __future__ import annotations

import csv
import gzip
import io
import json

import duckdb
from ad_files import decode

from demo.ids import NULL_ID


def _lines(data: bytes) -> tuple[list[list[str]], str]:
    text, delim = decode(data)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delim)), delim


def test_google_ads_files_have_every_ui_quirk(small):
    files = {k: v for k, v in small.files().items() if k.startswith("google_ads/")}
    kinds = set()
    for rel, path in files.items():
        data = path.read_bytes()
        rows, delim = _lines(data)
        if rows[0][0] == "segments.date":
            kinds.add("api")
            assert rows[0] == [
                "segments.date",
                "campaign.id",
                "campaign.name",
                "metrics.impressions",
                "metrics.clicks",
                "metrics.cost_micros",
                "metrics.conversions",
            ]
            continue
        if data.startswith(b"\xff\xfe"):
            kinds.add("utf16")
            assert delim == "\t" and "\t" in data[2:].decode("utf-16-le").splitlines()[2]
        elif data.startswith(b"\xef\xbb\xbf"):
            kinds.add("bom")
        title, date_range, header = rows[0], rows[1], rows[2]
        assert len(title) == 1 and "report" in title[0]
        assert date_range[0] == "All time" or " - " in date_range[0]
        assert {"Day", "Campaign", "Cost", "Impr."} <= set(header), rel
        if "Campaign ID" not in header:
            kinds.add("no_campaign_id")
        if "Clicks" not in header:
            kinds.add("no_clicks")
        assert rows[-1][0].startswith("Total:") and any(r[0] == "Total: Account" for r in rows)
        body = [r for r in rows[3:] if not r[0].startswith("Total:")]
        days = {r[header.index("Day")] for r in body}
        if any("," in d for d in days):
            kinds.add("day_us")
        if any(d[:1].isdigit() and " " in d for d in days):
            kinds.add("day_uk")
        if any("," in r[header.index("Cost")] for r in body):
            kinds.add("thousands")
        if any(c.strip() == "--" for r in body for c in r):
            kinds.add("dashes")
    assert {
        "api",
        "utf16",
        "bom",
        "no_campaign_id",
        "no_clicks",
        "day_us",
        "day_uk",
        "dashes",
    } <= kinds


def test_google_ads_column_orders_vary(small):
    headers = set()
    for rel, path in small.files().items():
        if rel.startswith("google_ads/"):
            rows, _ = _lines(path.read_bytes())
            if rows[0][0] != "segments.date":
                headers.add(tuple(rows[2]))
    assert len(headers) >= 4


def test_meta_exports_have_currency_header_total_row_and_string_ids(small):
    with_total = 0
    for rel, path in small.files().items():
        if not rel.startswith("meta_ads/"):
            continue
        rows, _ = _lines(path.read_bytes())
        assert rows[0][:5] == [
            "Reporting starts",
            "Reporting ends",
            "Campaign name",
            "Campaign ID",
            "Amount spent (USD)",
        ]
        if rows[1][2] == "":
            with_total += 1
        ids = {r[3] for r in rows[1:] if r[2]}
        assert all(i.isdigit() and len(i) == 18 for i in ids)
    assert with_total > 0


def test_linkedin_exports_have_preamble_in_utf8_and_utf16(small):
    encodings = set()
    for rel, path in small.files().items():
        if not rel.startswith("linkedin_ads/"):
            continue
        data = path.read_bytes()
        encodings.add("utf16" if data.startswith(b"\xff\xfe") else "utf8")
        rows, delim = _lines(data)
        assert rows[0] == ["Campaign Performance Report"]
        assert rows[1][0].startswith("Report Start:")
        assert rows[2][0].startswith("Time Zone:")
        assert rows[3][0] == "Start Date (in UTC)" and "Total Spent" in rows[3]
        assert delim == ("\t" if data.startswith(b"\xff\xfe") else ",")
    assert encodings == {"utf8", "utf16"}


def test_ga4_files_parse_with_the_nested_export_schema(small):
    web = small.landing / "web"
    names = sorted(p.name for p in web.iterdir())
    assert any(n.endswith(".jsonl.gz") for n in names)
    assert any(n.endswith(".parquet") for n in names)
    assert any(n.endswith(".json") for n in names)
    assert any(n.endswith("_000000000001.jsonl") for n in names)
    con = duckdb.connect()
    for pattern, reader in (
        ("*.jsonl", "read_json"),
        ("*.json", "read_json"),
        ("*.jsonl.gz", "read_json"),
        ("*.parquet", "read_parquet"),
    ):
        row = con.execute(f"""
            select count(*), count(distinct event_name),
                   max(len(event_params)), count(collected_traffic_source.manual_source),
                   count(device.category), count(geo.country)
            from {reader}('{web}/{pattern}', union_by_name = true)
        """).fetchone()
        assert row[0] > 0 and row[1] == 3 and row[2] >= 4 and row[3] > 0 and row[4] == row[0]
    keys = con.execute(f"""
        select distinct p.key from (select unnest(event_params) as p
        from read_json('{web}/*.jsonl'))""").fetchall()
    assert {"ga_session_id", "page_location", "page_referrer", "session_engaged"} <= {
        k[0] for k in keys
    }


def test_ga4_some_json_files_write_integers_as_strings(small):
    as_strings = 0
    for path in sorted((small.landing / "web").glob("*.json*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt") as fh:
            event = json.loads(fh.readline())
        if isinstance(event["event_timestamp"], str):
            as_strings += 1
            sid = next(p for p in event["event_params"] if p["key"] == "ga_session_id")
            assert isinstance(sid["value"]["int_value"], str)
    assert as_strings > 0


def test_ga4_click_ids_and_user_ids_are_present(small):
    con = duckdb.connect()
    web = small.landing / "web"
    row = con.execute(f"""
        with e as (select *, list_filter(event_params, lambda p: p.key = 'page_location')[1]
                   .value.string_value as loc
                   from read_json('{web}/*.jsonl', union_by_name = true))
        select count(*) filter (where loc like '%gclid=%'),
               count(*) filter (where loc like '%fbclid=%'),
               count(*) filter (where loc like '%li_fat_id=%'),
               count(*) filter (where collected_traffic_source.gclid is not null),
               count(*) filter (where length(user_id) = 64)
        from e""").fetchone()
    assert all(v > 0 for v in row), row


def test_salesforce_snapshots_have_every_style(small):
    sf = small.landing / "salesforce"
    folders = sorted(p.name for p in sf.iterdir())
    assert len(folders) >= 3 and folders[-1].endswith("Z") and "T" in folders[-1]
    for folder in folders:
        assert {p.name for p in (sf / folder).iterdir()} == {
            "Lead.csv",
            "Contact.csv",
            "Account.csv",
            "Opportunity.csv",
            "OpportunityHistory.csv",
            "Campaign.csv",
            "CampaignMember.csv",
            "Task.csv",
            "User.csv",
        }
    con = duckdb.connect()
    newest = sf / folders[-1]
    loader = sf / folders[-2]
    lead = con.execute(f"select * from read_csv('{newest}/Lead.csv', all_varchar = true)").df()
    assert {
        "MQL_Date__c",
        "Disqualified_Reason__c",
        "GA_Client_ID__c",
        "UTM_Source__c",
        "UTM_Medium__c",
        "UTM_Campaign__c",
        "GCLID__c",
    } <= set(lead.columns)
    assert set(lead["IsDeleted"]) == {"true", "false"}
    assert lead["OwnerId"].str.startswith("00G").any()
    assert lead["MQL_Date__c"].dropna().str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$").all()
    text = (newest / "Lead.csv").read_text()
    assert '\n"' in text and any("\n" in str(d) for d in lead["Description"].dropna())
    dl = con.execute(f"select * from read_csv('{loader}/Lead.csv', all_varchar = true)").df()
    assert set(dl["IsDeleted"]) <= {"0", "1"}
    assert dl["CreatedDate"].str.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$").all()
    assert dl["ConvertedDate"].dropna().str.endswith(" 00:00:00").all()
    assert (dl["ConvertedOpportunityId"] == NULL_ID).any()
    oldest = con.execute(
        f"select * from read_csv('{sf / folders[0]}/Lead.csv', all_varchar = true)"
    ).df()
    hard_deleted = set(oldest["Id"]) | set(dl["Id"])
    assert hard_deleted - set(lead["Id"]), "a lead present earlier is gone from the newest"


def test_salesforce_records_move_forward_between_snapshots(small):
    sf = small.landing / "salesforce"
    folders = sorted(p.name for p in sf.iterdir())
    con = duckdb.connect()
    counts = [
        con.execute(f"""select count(*) filter (where StageName in ('Closed Won')),
                              count(*) from read_csv('{sf / f}/Opportunity.csv')""").fetchone()
        for f in folders
    ]
    assert counts[0][1] < counts[-1][1] and counts[0][0] <= counts[-1][0]
