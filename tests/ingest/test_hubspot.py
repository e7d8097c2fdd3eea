"""HubSpot CRM exports -> raw.hubspot__<object>, raw.hubspot__associations and
raw.hubspot__deal_stage_entries."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest
from ingest_helpers import T0, log_rows, rows

from ingest.mappings import hubspot_objects, hubspot_properties
from ingest.parsers.hubspot import objects_in_name, slug
from ingest.runner import ensure_raw_tables
from revops.sources import BY_NAME, HUBSPOT_OBJECTS, HUBSPOT_TABLES

SNAP = "hubspot/2026-11-23"

# A UI export: property labels, portal-time datetimes, `Name (id)` associations, custom
# properties of the company.
UI_CONTACTS = (
    "Record ID,First Name,Last Name,Email,Contact owner,Lifecycle Stage,Lead Status,"
    "Create Date,Became a Marketing Qualified Lead Date,Became a Sales Qualified Lead Date,"
    "Original Source,Original Source Drill-Down 2,UTM Source,GA Client ID,Associated Company,"
    "Associated Deal\n"
    "101,Jane,Doe,jane@acme.example,Ann Owner,salesqualifiedlead,Open,2026-03-04 10:22,"
    '03/05/2026 09:15 AM,2026-03-06,PAID_SEARCH,Spring Sale,google,GA1.2.3.4,"Acme, Inc. (456); '
    'Beta (Europe) GmbH (789)",Big deal (9001)\n'
    '102,"Émile ""Mo""",Roy,,,lead,,2026-03-04 08:00:13,,,DIRECT_TRAFFIC,,,,,\n'
)

UI_DEALS = (
    "Record ID,Deal Name,Pipeline,Deal Stage,Amount,Currency,Close Date,Create Date,Deal owner,"
    'Is Closed Won,Is closed,"Date entered ""Appointment Scheduled (Sales Pipeline)""",'
    '"Date entered ""Closed Won (Sales Pipeline)""","Date exited ""Appointment Scheduled '
    '(Sales Pipeline)""","Time in Appointment Scheduled (Sales Pipeline)",Associated Contact\n'
    "9001,Big deal,Sales Pipeline,Closed Won,12500.5,EUR,2026-03-31,2026-03-04 11:00,Ann Owner,"
    'true,true,2026-03-04 11:00,2026-03-31 16:30,2026-03-31 16:30,2318400000,"Jane Doe (101)"\n'
    "9002,Small deal,Sales Pipeline,Appointment Scheduled,,,,2026-03-05 09:00,,false,No,"
    "2026-03-05 09:00,,,,\n"
)

# An API-based export tool: internal names, ISO datetimes with a zone or epoch ms, plain ids.
API_DEALS = (
    "hs_object_id,dealname,pipeline,dealstage,amount,closedate,createdate,hubspot_owner_id,"
    "hs_is_closed_won,hs_v2_date_entered_appointmentscheduled,hs_v2_date_entered_closedwon,"
    "hs_v2_date_exited_appointmentscheduled,hs_date_entered_12345678,Associated Contact,"
    "Associated Company\n"
    "9001,Big deal,default,closedwon,12500.50,2026-03-31T23:30:00.000Z,"
    "2026-03-04T10:22:13.123Z,7001,TRUE,1772619733123,2026-03-31T16:30:00+01:00,"
    '2026-03-31T15:30:00Z,,"101;102",456\n'
    "9002,Small deal,default,appointmentscheduled,,,1772705400000,7002,FALSE,"
    "2026-03-05T09:00:00Z,,,2026-03-06T09:00:00Z,103,\n"
)


def write_and_ingest(write, ingest, rel: str, content: str | bytes, mtime: float = T0):
    write(rel, content, mtime=mtime)
    return ingest("hubspot")


def log(con) -> list[tuple]:
    return rows(
        con,
        "select file_path, status, rows_read, rows_loaded, rows_rejected, extra_columns, "
        "parse_notes, header_columns, error from raw.ingest_log order by started_at, file_path",
    )


def associations(con) -> list[tuple]:
    return rows(
        con,
        "select from_object, from_id, to_object, to_id, position, _row_number, _snapshot_id "
        "from raw.hubspot__associations order by from_object, from_id, to_object, position",
    )


def stage_entries(con) -> list[tuple]:
    return rows(
        con,
        "select deal_id, stage, pipeline, entered_at, _datetime_zone, _row_number "
        "from raw.hubspot__deal_stage_entries order by deal_id, entered_at, stage",
    )


def test_ui_contacts_labels_portal_time_and_named_associations(write, ingest, con):
    result = write_and_ingest(write, ingest, f"{SNAP}/contacts.csv", UI_CONTACTS)
    assert result.failures == []
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 2, 0)
    assert rows(
        con,
        "select hs_object_id, firstname, lastname, email, hubspot_owner_id, lifecyclestage, "
        "hs_lead_status, createdate, hs_lifecyclestage_marketingqualifiedlead_date, "
        "hs_lifecyclestage_salesqualifiedlead_date, hs_analytics_source, "
        "hs_analytics_source_data_2, utm_source, ga_client_id, _datetime_zone, _snapshot_id, "
        "_snapshot_at, _row_number, _source_file from raw.hubspot__contacts order by 1",
    ) == [
        (
            "101",
            "Jane",
            "Doe",
            "jane@acme.example",
            "Ann Owner",
            "salesqualifiedlead",
            "Open",
            datetime(2026, 3, 4, 10, 22),
            datetime(2026, 3, 5, 9, 15),
            datetime(2026, 3, 6),
            "PAID_SEARCH",
            "Spring Sale",
            "google",
            "GA1.2.3.4",
            None,
            "2026-11-23",
            datetime(2026, 11, 23),
            1,
            f"{SNAP}/contacts.csv",
        ),
        (
            "102",
            'Émile "Mo"',
            "Roy",
            None,
            None,
            "lead",
            None,
            datetime(2026, 3, 4, 8, 0, 13),
            None,
            None,
            "DIRECT_TRAFFIC",
            None,
            None,
            None,
            None,
            "2026-11-23",
            datetime(2026, 11, 23),
            2,
            f"{SNAP}/contacts.csv",
        ),
    ]
    # names may hold commas and parentheses: the id is the last parenthesised digits
    assert associations(con) == [
        ("contacts", "101", "companies", "456", 1, 1, "2026-11-23"),
        ("contacts", "101", "companies", "789", 2, 1, "2026-11-23"),
        ("contacts", "101", "deals", "9001", 1, 1, "2026-11-23"),
    ]
    [(_, status, read, loaded, rejected, extra, notes, header, error)] = log(con)
    assert (status, read, loaded, rejected, error) == ("loaded", 2, 2, 0, None)
    assert extra == "utm_source,ga_client_id"
    assert notes == (
        "datetimes have no time zone: portal time kept as written, _datetime_zone NULL "
        "(dbt converts them with the var hubspot_timezone)"
    )
    # the header as internal names, whatever the export called them
    assert header.startswith("|hs_object_id|firstname|lastname|email|hubspot_owner_id|")
    assert "|hs_lifecyclestage_marketingqualifiedlead_date|" in header
    assert header.endswith("|utm_source|ga_client_id|associated_company|associated_deal|")
    types = dict(
        rows(
            con,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'hubspot__contacts'",
        )
    )
    assert types["utm_source"] == "VARCHAR" and types["createdate"] == "TIMESTAMP"


def test_ui_deals_stage_entries_from_date_entered_columns(write, ingest, con):
    result = write_and_ingest(write, ingest, f"{SNAP}/deals.csv", UI_DEALS)
    assert result.failures == [] and result.rows_loaded == 2
    assert rows(
        con,
        "select hs_object_id, dealname, pipeline, dealstage, amount, deal_currency_code, "
        "closedate, createdate, hubspot_owner_id, hs_is_closed_won, hs_is_closed, "
        "date_exited_appointment_scheduled_sales_pipeline, "
        "time_in_appointment_scheduled_sales_pipeline, _datetime_zone "
        "from raw.hubspot__deals order by 1",
    ) == [
        (
            "9001",
            "Big deal",
            "Sales Pipeline",
            "Closed Won",
            Decimal("12500.50"),
            "EUR",
            date(2026, 3, 31),
            datetime(2026, 3, 4, 11, 0),
            "Ann Owner",
            True,
            True,
            "2026-03-31 16:30",
            "2318400000",
            None,
        ),
        (
            "9002",
            "Small deal",
            "Sales Pipeline",
            "Appointment Scheduled",
            None,
            None,
            None,
            datetime(2026, 3, 5, 9, 0),
            None,
            False,
            False,
            None,
            None,
            None,
        ),
    ]
    assert stage_entries(con) == [
        ("9001", "Appointment Scheduled", "Sales Pipeline", datetime(2026, 3, 4, 11, 0), None, 1),
        ("9001", "Closed Won", "Sales Pipeline", datetime(2026, 3, 31, 16, 30), None, 1),
        ("9002", "Appointment Scheduled", "Sales Pipeline", datetime(2026, 3, 5, 9, 0), None, 2),
    ]
    assert associations(con) == [("deals", "9001", "contacts", "101", 1, 1, "2026-11-23")]
    # `Date exited` and `Time in` columns are ordinary custom columns, reported
    [(*_, extra, _notes, _header, _error)] = log(con)
    assert extra == (
        "date_exited_appointment_scheduled_sales_pipeline,"
        "time_in_appointment_scheduled_sales_pipeline"
    )


def test_api_export_internal_names_zoned_datetimes_and_plain_ids(write, ingest, con):
    con.execute("set TimeZone = 'America/New_York'")  # never matters
    result = write_and_ingest(write, ingest, f"{SNAP}/deals.csv", API_DEALS)
    assert result.failures == [] and result.rows_loaded == 2
    assert rows(
        con,
        "select hs_object_id, amount, closedate, createdate, hubspot_owner_id, hs_is_closed_won, "
        "hs_v2_date_exited_appointmentscheduled, _datetime_zone from raw.hubspot__deals order by 1",
    ) == [
        (
            "9001",
            Decimal("12500.50"),
            date(2026, 3, 31),  # the date written: never zone-converted
            datetime(2026, 3, 4, 10, 22, 13, 123000),
            "7001",
            True,
            "2026-03-31T15:30:00Z",
            "UTC",
        ),
        ("9002", None, None, datetime(2026, 3, 5, 10, 10), "7002", False, None, "UTC"),
    ]
    assert stage_entries(con) == [
        ("9001", "appointmentscheduled", None, datetime(2026, 3, 4, 10, 22, 13, 123000), "UTC", 1),
        ("9001", "closedwon", None, datetime(2026, 3, 31, 15, 30), "UTC", 1),
        ("9002", "appointmentscheduled", None, datetime(2026, 3, 5, 9, 0), "UTC", 2),
        ("9002", "12345678", None, datetime(2026, 3, 6, 9, 0), "UTC", 2),
    ]
    assert associations(con) == [
        ("deals", "9001", "companies", "456", 1, 1, "2026-11-23"),
        ("deals", "9001", "contacts", "101", 1, 1, "2026-11-23"),
        ("deals", "9001", "contacts", "102", 2, 1, "2026-11-23"),
        ("deals", "9002", "contacts", "103", 1, 2, "2026-11-23"),
    ]
    [(*_, extra, notes, _header, _error)] = log(con)
    assert extra == "hs_v2_date_exited_appointmentscheduled"
    assert notes == (
        "datetimes carry a time zone (Z, an offset or epoch milliseconds): converted to UTC, "
        "_datetime_zone = UTC"
    )


def test_mixed_zones_are_read_as_utc_and_said_so(write, ingest, con):
    write_and_ingest(
        write,
        ingest,
        f"{SNAP}/contacts.csv",
        "hs_object_id,createdate,lastmodifieddate\n1,2026-03-04T10:00:00Z,2026-03-05 08:00\n",
    )
    assert rows(
        con, "select createdate, lastmodifieddate, _datetime_zone from raw.hubspot__contacts"
    ) == [(datetime(2026, 3, 4, 10, 0), datetime(2026, 3, 5, 8, 0), "UTC")]
    assert log(con)[0][6].endswith(
        "_datetime_zone = UTC; datetimes without a zone in the same file are read as UTC"
    )


@pytest.mark.parametrize(
    "name, table",
    [
        ("contacts.csv", "hubspot__contacts"),
        ("Contacts.csv", "hubspot__contacts"),
        ("hubspot-crm-exports-all-contacts-2026-11-23.csv", "hubspot__contacts"),
        ("all-deals (1).csv", "hubspot__deals"),
        ("contact.csv", "hubspot__contacts"),
        ("COMPANY.CSV", "hubspot__companies"),
        ("hubspot-crm-exports-all-meetings-2026-11-23 (2).csv", "hubspot__meetings"),
    ],
)
def test_file_name_to_object(write, ingest, con, name, table):
    result = write_and_ingest(write, ingest, f"{SNAP}/{name}", "Record ID\n1\n")
    assert result.failures == []
    assert rows(con, f"select hs_object_id, _source_file from raw.{table}") == [
        ("1", f"{SNAP}/{name}")
    ]


def test_file_names_match_objects_as_words():
    assert objects_in_name("hubspot-crm-exports-all-contacts-2026-11-23.csv") == ["contacts"]
    assert objects_in_name("deals-with-contacts.csv") == ["contacts", "deals"]  # first wins
    assert objects_in_name("contactless.csv") == []
    assert slug(" UTM Source ") == "utm_source" and slug("GA Client ID") == "ga_client_id"
    assert slug("Country/Region") == "country_region" and slug("¿?") == ""


def test_file_naming_no_object_fails_naming_the_objects(write, ingest, con):
    write(f"{SNAP}/leads.csv", "Record ID\n1\n")
    write(f"{SNAP}/contacts.csv", "Record ID\n1\n")
    write("hubspot/contacts.csv", "Record ID\n1\n")
    write("hubspot/last-week/contacts.csv", "Record ID\n1\n")
    result = ingest("hubspot")
    assert result.files_loaded == 1
    assert dict(result.failures) == {
        f"{SNAP}/leads.csv": (
            f"{SNAP}/leads.csv: the file name names no HubSpot object; expected one of "
            "contacts, companies, deals, owners, calls, emails, meetings, tasks in it "
            "(e.g. contacts.csv)"
        ),
        "hubspot/contacts.csv": (
            "hubspot/contacts.csv: HubSpot files belong in hubspot/<export date>/<object>.csv "
            "(export date YYYY-MM-DD or YYYY-MM-DDTHHMMSSZ)"
        ),
        "hubspot/last-week/contacts.csv": (
            "hubspot/last-week/contacts.csv: export folder 'last-week' is not an export date "
            "(YYYY-MM-DD or YYYY-MM-DDTHHMMSSZ)"
        ),
    }


def test_cp1252_file_is_read_as_cp1252_and_said_so(write, ingest, con):
    text = "Record ID,Company name,Industry\n456,Café Müller – Köln,Food €\n"
    result = write_and_ingest(write, ingest, f"{SNAP}/companies.csv", text.encode("cp1252"))
    assert result.failures == []
    assert rows(con, "select hs_object_id, name, industry from raw.hubspot__companies") == [
        ("456", "Café Müller – Köln", "Food €")
    ]
    assert "encoding cp1252 (Windows Latin-1): the file is not valid UTF-8" in log(con)[0][6]


def test_utf8_bom_header_is_read(write, ingest, con):
    result = write_and_ingest(
        write, ingest, f"{SNAP}/owners.csv", "\ufeffOwner ID,First Name,Email\n7001,Ann,a@x.org\n"
    )
    assert result.failures == []
    assert rows(con, "select owner_id, first_name, email from raw.hubspot__owners") == [
        ("7001", "Ann", "a@x.org")
    ]


def test_owners_api_names(write, ingest, con):
    write_and_ingest(
        write,
        ingest,
        f"{SNAP}/owners.csv",
        "id,firstName,lastName,email,userId,archived,createdAt\n"
        "7001,Ann,Owner,ann@x.org,9,false,2026-01-01T00:00:00Z\n7002,Bo,,,,true,\n",
    )
    assert rows(
        con,
        "select owner_id, first_name, last_name, email, user_id, archived, createdat "
        "from raw.hubspot__owners order by 1",
    ) == [
        ("7001", "Ann", "Owner", "ann@x.org", "9", False, "2026-01-01T00:00:00Z"),
        ("7002", "Bo", None, None, None, True, None),
    ]


BAD_CONTACTS = (
    "Record ID,Create Date,Associated Company,Associated Deal\n"
    "1.23E+11,2026-03-04 10:22,Acme (456),\n"
    "12a,2026-03-04 10:22,,\n"
    "103,2026-02-30 10:22,Acme (456),9001\n"
    '104,2026-03-04 10:22,"Acme (456); Beta GmbH",9001\n'
    "105,2026-03-04 10:22,Acme (456),9001\n"
    ",2026-03-04 10:22,,\n"
    "106,2026-03-04 10:22,,,surplus\n"
)


def test_bad_cells_are_rejected_rows_with_reasons_and_no_child_rows(write, ingest, con):
    result = write_and_ingest(write, ingest, f"{SNAP}/contacts.csv", BAD_CONTACTS)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (7, 1, 6)
    assert rows(
        con, "select row_number, reason, raw_line from raw.rejected_rows order by row_number"
    ) == [
        (
            1,
            'column "Record ID": "1.23E+11" is in scientific notation: the ID was rounded by a '
            "spreadsheet",
            "1.23E+11,2026-03-04 10:22,Acme (456),",
        ),
        (
            2,
            'column "Record ID": "12a" is not a HubSpot ID (digits only)',
            "12a,2026-03-04 10:22,,",
        ),
        (
            3,
            'column "Create Date": "2026-02-30 10:22" is not a datetime (expected e.g. '
            "2026-03-04 10:22, 2026-03-04T10:22:13Z, 03/04/2026 10:22 AM or epoch milliseconds)",
            "103,2026-02-30 10:22,Acme (456),9001",
        ),
        (
            4,
            'column "Associated Company": item "Beta GmbH" has no record ID (expected e.g. '
            "Jane Doe (123) or 123)",
            "104,2026-03-04 10:22,Acme (456); Beta GmbH,9001",
        ),
        (6, 'column "Record ID" is empty', ",2026-03-04 10:22,,"),
        (
            7,
            "the row has more cells than the header (4)",
            "106,2026-03-04 10:22,,,surplus",
        ),
    ]
    assert rows(con, "select hs_object_id, _row_number from raw.hubspot__contacts") == [("105", 5)]
    # a rejected row adds no association
    assert associations(con) == [
        ("contacts", "105", "companies", "456", 1, 5, "2026-11-23"),
        ("contacts", "105", "deals", "9001", 1, 5, "2026-11-23"),
    ]
    [(_, status, read, loaded, rejected, *_)] = log(con)
    assert (status, read, loaded, rejected) == ("loaded", 7, 1, 6)


def test_bad_deal_values_and_stage_entry_are_rejected(write, ingest, con):
    write_and_ingest(
        write,
        ingest,
        f"{SNAP}/deals.csv",
        'Record ID,Amount,Is Closed Won,Close Date,"Date entered ""Won (Sales)"""\n'
        "1,12a,true,2026-03-31,2026-03-31 10:00\n"
        "2,5,maybe,2026-03-31,2026-03-31 10:00\n"
        "3,5,true,31.03.2026,2026-03-31 10:00\n"
        "4,5,true,2026-03-31,soon\n"
        "5,5,1,2026-03-31 10:00,2026-03-31 10:00\n",
    )
    assert rows(con, "select row_number, reason from raw.rejected_rows order by 1") == [
        (1, 'column "Amount": "12a" is not a number'),
        (2, 'column "Is Closed Won": "maybe" is not a boolean (true/false, Yes/No or 1/0)'),
        (3, 'column "Close Date": "31.03.2026" is not a date'),
        (
            4,
            'column "Date entered "Won (Sales)"": "soon" is not a datetime (expected e.g. '
            "2026-03-04 10:22, 2026-03-04T10:22:13Z, 03/04/2026 10:22 AM or epoch milliseconds)",
        ),
    ]
    assert rows(
        con, "select hs_object_id, closedate, hs_is_closed_won from raw.hubspot__deals"
    ) == [("5", date(2026, 3, 31), True)]
    assert stage_entries(con) == [("5", "Won", "Sales", datetime(2026, 3, 31, 10, 0), None, 5)]


def test_missing_record_id_fails_the_file_naming_missing_and_found_columns(write, ingest, con):
    write(f"{SNAP}/contacts.csv", "First Name,Email\nAnn,a@x.org\n")
    write(f"{SNAP}/owners.csv", "Email,First Name\na@x.org,Ann\n")
    write(f"{SNAP}/deals.csv", "Record ID\n9001\n")
    result = ingest("hubspot")
    assert result.files_loaded == 1
    assert dict(result.failures) == {
        f"{SNAP}/contacts.csv": (
            f"{SNAP}/contacts.csv: missing required column(s) Record ID (hs_object_id); "
            "columns found: First Name, Email; a HubSpot contacts file cannot load without its "
            "Record ID"
        ),
        f"{SNAP}/owners.csv": (
            f"{SNAP}/owners.csv: missing required column(s) Owner ID (owner_id); "
            "columns found: Email, First Name; a HubSpot owners file cannot load without its "
            "Owner ID"
        ),
    }
    failed = [r for r in log(con) if r[1] == "failed"]
    assert [r[7] for r in failed] == ["|firstname|email|", "|email|first_name|"]


def test_same_file_twice_is_loaded_once_per_snapshot(write, ingest, con):
    write(f"{SNAP}/contacts.csv", UI_CONTACTS, mtime=T0)
    write(f"{SNAP}/contacts (1).csv", UI_CONTACTS, mtime=T0 + 1)
    # an unchanged object in a newer snapshot still belongs to that snapshot
    write("hubspot/2026-11-30/contacts.csv", UI_CONTACTS, mtime=T0 + 2)
    result = ingest("hubspot")
    assert (result.files_loaded, result.files_skipped) == (2, 1)
    assert [r[:3] for r in log_rows(con)] == [
        (f"{SNAP}/contacts.csv", "loaded", 2),
        (f"{SNAP}/contacts (1).csv", "skipped_duplicate", 0),
        ("hubspot/2026-11-30/contacts.csv", "loaded", 2),
    ]
    assert log_rows(con)[1][5] == f"same content as {SNAP}/contacts.csv"
    assert rows(
        con,
        "select _snapshot_id, count(*) from raw.hubspot__associations group by 1 order by 1",
    ) == [("2026-11-23", 3), ("2026-11-30", 3)]
    # a second run reads nothing again
    again = ingest("hubspot")
    assert (again.files_loaded, again.files_unchanged) == (0, 3)


def test_reloaded_file_replaces_its_rows_and_child_rows(write, ingest, con):
    write_and_ingest(write, ingest, f"{SNAP}/deals.csv", UI_DEALS, mtime=T0)
    assert len(stage_entries(con)) == 3 and len(associations(con)) == 1
    changed = (
        'Record ID,Associated Company,"Date entered ""Closed Won (Sales Pipeline)"""\n'
        "9001,456,2026-04-01 08:00\n"
    )
    result = write_and_ingest(write, ingest, f"{SNAP}/deals.csv", changed, mtime=T0 + 60)
    assert result.files_loaded == 1
    assert rows(con, "select hs_object_id, dealname from raw.hubspot__deals") == [("9001", None)]
    assert stage_entries(con) == [
        ("9001", "Closed Won", "Sales Pipeline", datetime(2026, 4, 1, 8, 0), None, 1)
    ]
    assert associations(con) == [("deals", "9001", "companies", "456", 1, 1, "2026-11-23")]
    # a version without any child cells removes the earlier child rows too
    write_and_ingest(write, ingest, f"{SNAP}/deals.csv", "Record ID\n9001\n", mtime=T0 + 120)
    assert stage_entries(con) == [] and associations(con) == []
    assert rows(con, "select count(*) from raw.hubspot__deals") == [(1,)]


def test_header_only_object_file_loads_empty(write, ingest, con):
    result = write_and_ingest(
        write,
        ingest,
        f"{SNAP}/hubspot-crm-exports-all-tasks-2026-11-23.csv",
        "Record ID,Task Title\n",
    )
    assert result.failures == []
    [(path, status, read, loaded, rejected, _extra, notes, _header, _error)] = log(con)
    assert (status, read, loaded, rejected) == ("loaded", 0, 0, 0)
    assert notes == (
        "file name hubspot-crm-exports-all-tasks-2026-11-23.csv: object tasks; "
        "no data rows: the export has no tasks (an empty object)"
    )
    assert rows(con, "select count(*) from raw.hubspot__tasks") == [(0,)]


def test_empty_file_fails(write, ingest, con):
    write(f"{SNAP}/calls.csv", b"")
    [(path, error)] = ingest("hubspot").failures
    assert error == f"{SNAP}/calls.csv: the file is empty (0 bytes)"


def test_duplicate_and_empty_headers_go_to_extra(write, ingest, con):
    write_and_ingest(
        write,
        ingest,
        f"{SNAP}/contacts.csv",
        "Record ID,Email,email,,UTM Source,utm_source\n1,a@x.org,b@x.org,x,g,h\n",
    )
    assert rows(con, "select email, utm_source, _extra::varchar from raw.hubspot__contacts") == [
        ("a@x.org", "g", '{"email (2)":"b@x.org","(column 4)":"x","utm_source (2)":"h"}')
    ]
    notes = log(con)[0][6]
    assert '"email" fills the same column as "Email": the first is used' in notes
    assert "empty header in column 4: kept in _extra" in notes


def test_activities_associations(write, ingest, con):
    write_and_ingest(
        write,
        ingest,
        f"{SNAP}/calls.csv",
        "Record ID,Activity date,Activity assigned to,Call direction,Associated Contact,"
        "Associated Company,Associated Deal\n"
        "501,2026-03-07 14:00,Ann Owner,OUTBOUND,Jane Doe (101),,\n",
    )
    assert rows(
        con,
        "select hs_object_id, hs_timestamp, hubspot_owner_id, hs_call_direction "
        "from raw.hubspot__calls",
    ) == [("501", datetime(2026, 3, 7, 14, 0), "Ann Owner", "OUTBOUND")]
    assert associations(con) == [("calls", "501", "contacts", "101", 1, 1, "2026-11-23")]


def test_every_hubspot_raw_table_exists_empty_with_mapped_columns(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_tables(con)
    ensure_raw_tables(con)  # twice: nothing left to add
    columns = {
        (t, c): d
        for t, c, d in rows(
            con,
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and starts_with(table_name, 'hubspot__')",
        )
    }
    assert {t for t, _ in columns} == {f"hubspot__{t}" for t in HUBSPOT_TABLES}
    for object_name in HUBSPOT_OBJECTS:
        table = f"hubspot__{object_name}"
        for prop in hubspot_properties(object_name):
            if prop.is_column:
                assert (table, prop.property) in columns
        for lineage in ("_snapshot_id", "_snapshot_at", "_datetime_zone", "_source_file"):
            assert (table, lineage) in columns
    assert columns[("hubspot__deals", "amount")] == "DECIMAL(18,2)"
    assert columns[("hubspot__deals", "closedate")] == "DATE"
    assert columns[("hubspot__contacts", "createdate")] == "TIMESTAMP"
    assert columns[("hubspot__owners", "archived")] == "BOOLEAN"
    assert columns[("hubspot__associations", "position")] == "INTEGER"
    assert columns[("hubspot__deal_stage_entries", "entered_at")] == "TIMESTAMP"
    assert columns[("hubspot__deal_stage_entries", "_datetime_zone")] == "VARCHAR"
    assert all(
        rows(con, f"select count(*) from raw.hubspot__{t}") == [(0,)] for t in HUBSPOT_TABLES
    )
    con.close()


def test_registry_and_mapping_agree():
    assert hubspot_objects() == HUBSPOT_OBJECTS
    source = BY_NAME["hubspot"]
    assert (source.folder, source.tables, source.domain) == ("hubspot", HUBSPOT_TABLES, "sales")
    assert source.raw_table("deal_stage_entries") == "raw.hubspot__deal_stage_entries"


def test_header_slugged_to_an_internal_name_is_that_property(write, ingest, con):
    write_and_ingest(
        write, ingest, f"{SNAP}/contacts.csv", "Record ID,HubSpot Owner ID,Job-Title\n1,7001,CTO\n"
    )
    assert rows(con, "select hubspot_owner_id, job_title from raw.hubspot__contacts") == [
        ("7001", "CTO")
    ]
    assert log(con)[0][5] == "job_title"
