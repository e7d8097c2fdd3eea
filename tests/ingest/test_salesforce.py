"""Salesforce snapshots -> raw.salesforce__<object>."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from ingest_helpers import log_rows, rows

from ingest.parsers.salesforce import snapshot_at, table_name
from revops.sources import SALESFORCE_OBJECTS

DATA_EXPORT = (
    '"Id","IsDeleted","OwnerId","CreatedDate","MQL_Date__c","IsConverted","ConvertedDate",'
    '"ConvertedOpportunityId","AnnualRevenue","Description"\n'
    '"00Q000000000001AAA","false","005000000000001AAA","2026-03-04T10:22:13.000Z","2026-03-04",'
    '"true","2026-03-10","006000000000001AAA","1500000.50","Met at the fair,\nwants a demo"\n'
    '"00Q000000000002AAA","true","00G000000000001AAA","2026-03-05T08:00:00.000+0100","",'
    '"false","","","",""\n'
)
DATA_LOADER = (
    "Id,IsDeleted,OwnerId,CreatedDate,MQL_Date__c,IsConverted,ConvertedDate,"
    "ConvertedOpportunityId,AnnualRevenue,Description\n"
    "00Q000000000001AAA,0,005000000000001AAA,2026-03-04 10:22:13,2026-03-04 00:00:00,1,"
    '2026-03-10 00:00:00,006000000000001AAA,1500000.50,"Met at the fair,\nwants a demo"\n'
    "00Q000000000002AAA,1,00G000000000001AAA,2026-03-05 07:00:00,,0,,000000000000000AAA,,\n"
)
EXPECTED = [
    (
        "00Q000000000001AAA",
        False,
        "005000000000001AAA",
        datetime(2026, 3, 4, 10, 22, 13),
        datetime(2026, 3, 4),
        True,
        date(2026, 3, 10),
        "006000000000001AAA",
        Decimal("1500000.50"),
        "Met at the fair,\nwants a demo",
    ),
    (
        "00Q000000000002AAA",
        True,
        "00G000000000001AAA",
        datetime(2026, 3, 5, 7, 0),
        None,
        False,
        None,
        None,
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    "content", [DATA_EXPORT, DATA_LOADER], ids=["data_export", "data_loader_style"]
)
def test_salesforce_typed_columns(write, ingest, con, content):
    write("salesforce/2026-03-15/Lead.csv", content)
    result = ingest("salesforce")
    assert result.failures == [] and result.rows_loaded == 2
    got = rows(
        con,
        "select id, isdeleted, ownerid, createddate, mql_date__c, isconverted, converteddate, "
        "convertedopportunityid, annualrevenue, description from raw.salesforce__lead order by id",
    )
    assert got == EXPECTED
    assert rows(con, "select distinct _snapshot_id, _snapshot_at from raw.salesforce__lead") == [
        ("2026-03-15", datetime(2026, 3, 15))
    ]
    # every object's table exists (empty when not delivered): any subset of sources runs
    assert result.tables == sorted(f"salesforce__{t}" for t in SALESFORCE_OBJECTS)


def test_salesforce_null_ids_are_null(write, ingest, con):
    write(
        "salesforce/2026-03-15/Task.csv",
        "Id,WhoId,WhatId\n00T1,000000000000000AAA,000000000000000\n",
    )
    ingest("salesforce")
    assert rows(con, "select whoid, whatid from raw.salesforce__task") == [(None, None)]


def test_salesforce_new_column_in_later_snapshot_added(write, ingest, con):
    write("salesforce/2026-03-08/Account.csv", "Id,Name\n001A,Acme\n")
    ingest("salesforce")
    write("salesforce/2026-03-15/Account.csv", "Id,Name,Region__c\n001A,Acme,EMEA\n")
    result = ingest("salesforce")
    assert result.failures == []
    assert rows(con, "select _snapshot_id, region__c from raw.salesforce__account order by 1") == [
        ("2026-03-08", None),
        ("2026-03-15", "EMEA"),
    ]
    assert rows(con, "select extra_columns from raw.ingest_log order by started_at") == [
        (None,),
        ("Region__c",),
    ]


def test_salesforce_unchanged_file_in_newer_snapshot_still_loads(write, ingest, con):
    write("salesforce/2026-03-08/User.csv", "Id,Name,IsActive\n005A,Ann,true\n")
    write("salesforce/2026-03-15/User.csv", "Id,Name,IsActive\n005A,Ann,true\n")
    write("salesforce/2026-03-15/User (1).csv", "Id,Name,IsActive\n005A,Ann,true\n")
    result = ingest("salesforce")
    assert (result.files_loaded, result.files_skipped) == (2, 1)
    assert rows(
        con, "select _snapshot_id, count(*) from raw.salesforce__user group by 1 order by 1"
    ) == [
        ("2026-03-08", 1),
        ("2026-03-15", 1),
    ]


def test_salesforce_bad_value_rejected_with_reason(write, ingest, con):
    write(
        "salesforce/2026-03-15/Opportunity.csv",
        "Id,Amount,IsWon\n006A,12a,true\n006B,5,yes\n006C,5,false\n",
    )
    result = ingest("salesforce")
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 1, 2)
    assert rows(con, "select row_number, reason from raw.rejected_rows order by 1") == [
        (1, 'column "Amount": "12a" is not a number'),
        (2, 'column "IsWon": "yes" is not a boolean (true/false or 1/0)'),
    ]


@pytest.mark.parametrize(
    "rel, message",
    [
        ("salesforce/Lead.csv", "salesforce/<snapshot>/<Object>.csv"),
        ("salesforce/last-week/Lead.csv", "is not an export date"),
    ],
    ids=["no_snapshot_folder", "bad_snapshot_name"],
)
def test_salesforce_misplaced_file_fails(write, ingest, con, rel, message):
    write(rel, "Id\n00Q1\n")
    [(path, error)] = ingest("salesforce").failures
    assert path == rel and message in error


def test_salesforce_missing_id_fails(write, ingest, con):
    write("salesforce/2026-03-15/Lead.csv", "Name,Email\nAnn,a@x.org\n")
    [(_, error)] = ingest("salesforce").failures
    assert "missing required column(s) Id; columns found: Name, Email" in error
    assert log_rows(con)[0][1] == "failed"


def test_salesforce_names():
    assert table_name("OpportunityHistory") == "salesforce__opportunity_history"
    assert table_name("CampaignMember") == "salesforce__campaign_member"
    assert snapshot_at("2026-03-04T102213Z") == datetime(2026, 3, 4, 10, 22, 13)
    assert snapshot_at("2026-03-04") == datetime(2026, 3, 4)
    assert snapshot_at("2026-02-30") is None


def test_salesforce_timestamps_do_not_depend_on_session_time_zone(write, ingest, con):
    con.execute("set TimeZone = 'America/New_York'")
    write(
        "salesforce/2026-03-15/Lead.csv",
        "Id,CreatedDate,LastModifiedDate,MQL_Date__c\n"
        "00Q1,2026-03-04 10:22:13,2026-03-04T10:22:13.000-0500,2026-03-04\n",
    )
    ingest("salesforce")
    assert rows(
        con, "select createddate, lastmodifieddate, mql_date__c from raw.salesforce__lead"
    ) == [
        (datetime(2026, 3, 4, 10, 22, 13), datetime(2026, 3, 4, 15, 22, 13), datetime(2026, 3, 4))
    ]
