"""Variants of the tiny raw schema (raw_fixture.sql) for real companies' exports:
some sources never delivered, a CRM snapshot without some objects, a Lead export without
fields the marts use. Each is SQL run on a fresh copy of the fixture."""

from __future__ import annotations

from pathlib import Path

import duckdb

SOURCE_TABLES = {
    "google_ads": ["google_ads__campaign_stats"],
    "meta_ads": ["meta_ads__campaign_stats"],
    "linkedin_ads": ["linkedin_ads__campaign_stats"],
    "ga4": ["ga4__events"],
    "salesforce": [
        "salesforce__lead",
        "salesforce__contact",
        "salesforce__account",
        "salesforce__opportunity",
        "salesforce__opportunity_history",
        "salesforce__campaign",
        "salesforce__campaign_member",
        "salesforce__task",
        "salesforce__user",
    ],
}


def never_delivered(*sources: str) -> str:
    """The sources' raw tables empty (as ingest creates them) and no file of theirs in the log."""
    statements = []
    for source in sources:
        statements += [f"delete from raw.{table};" for table in SOURCE_TABLES[source]]
        statements.append(f"delete from raw.ingest_log where source = '{source}';")
    return "\n".join(statements)


# A newer CRM export (2026-03-12) that chose only Lead, Opportunity and OpportunityHistory:
# - Lead: L3 is missing (hard-deleted); the others as on 2026-03-10.
# - Opportunity: the three deals; 006...2 back-dated by an import: closed 2026-03-01, created
#   2026-03-03 (a negative days_to_close, a warning, not a blocking failure).
# - OpportunityHistory: one record of a deal the export does not have (a warning); the
#   2026-03-10 history is not used: the newest snapshot has the object.
# - Contact, Account, Campaign, CampaignMember, Task, User: absent, taken from 2026-03-10.
SNAPSHOT_WITHOUT_SOME_OBJECTS = """
insert into raw.salesforce__lead
select * replace (
    '2026-03-12' as _snapshot_id, timestamp '2026-03-12' as _snapshot_at,
    'salesforce/2026-03-12/Lead.csv' as _source_file)
from raw.salesforce__lead
where _snapshot_id = '2026-03-10' and id <> '00Q000000000003';

insert into raw.salesforce__opportunity
select * replace (
    '2026-03-12' as _snapshot_id, timestamp '2026-03-12' as _snapshot_at,
    'salesforce/2026-03-12/Opportunity.csv' as _source_file,
    case when id = '006000000000002' then date '2026-03-01' else closedate end as closedate)
from raw.salesforce__opportunity
where _snapshot_id = '2026-03-10';

insert into raw.salesforce__opportunity_history values
    ('008000000000099', false, '006000000000099', '2026-03-11 10:00', 'Qualification', 100,
     '2026-05-01', '2026-03-12', '2026-03-12', 'salesforce/2026-03-12/OpportunityHistory.csv',
     'h3', 1, '2026-03-12', '2026-03-12', null);

insert into raw.ingest_log
select * replace (
    replace(file_path, '2026-03-10', '2026-03-12') as file_path,
    timestamp '2026-03-12 01:00' as finished_at)
from raw.ingest_log
where file_path in ('salesforce/2026-03-10/Lead.csv', 'salesforce/2026-03-10/Opportunity.csv',
                    'salesforce/2026-03-10/OpportunityHistory.csv');
"""

# A newer CRM export (2026-03-12) whose Lead.csv lacks MQL_Date__c, Email and CreatedDate
# (ingest loads it with those columns NULL); the other objects are taken from 2026-03-10.
LEAD_EXPORT_WITHOUT_FIELDS = """
insert into raw.salesforce__lead
select * replace (
    '2026-03-12' as _snapshot_id, timestamp '2026-03-12' as _snapshot_at,
    'salesforce/2026-03-12/Lead.csv' as _source_file,
    null as mql_date__c, null as email, null as createddate)
from raw.salesforce__lead
where _snapshot_id = '2026-03-10';

insert into raw.ingest_log
select * replace (
    'salesforce/2026-03-12/Lead.csv' as file_path,
    timestamp '2026-03-12 01:00' as finished_at,
    replace(replace(replace(header_columns, '|mql_date__c|', '|'), '|email|', '|'),
            '|createddate|', '|') as header_columns)
from raw.ingest_log
where file_path = 'salesforce/2026-03-10/Lead.csv';
"""


def apply_sql(warehouse: Path, sql: str) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(sql)
    finally:
        con.close()
