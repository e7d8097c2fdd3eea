"""Great Expectations suites guarding the marketing-to-sales handoff (docs/data-quality.md).

Each suite is data: the SQL that returns only the columns it checks, and the
expectations with what a failure means for RevOps. Derived columns (an MQL
still alive in the CRM, an owner that exists) are computed in SQL, where the
warehouse already knows the answer, so the expectations stay simple and fast.

The raw CRM leads suites (Salesforce leads, HubSpot contacts) read the newest
snapshot only: it is the truth the marts are built from (older snapshots are
history).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from quality.gx import Expect


@dataclass(frozen=True)
class Suite:
    """A GX suite on one table: ``asset`` is its asset key path (``("salesforce", "lead")``)."""

    name: str
    asset: tuple[str, ...]
    description: str
    blocking: bool
    id_column: str
    query: Callable[[Any], str]
    expectations: Callable[[Any], Sequence[Expect]]
    additional_deps: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class CheckConfig:
    """What the suites need to know beyond the data: configured field names, allowed values."""

    lead_mql_date_field: str
    channels: tuple[str, ...]
    #: The raw Salesforce leads have a column of that name.
    has_mql_field: bool = True


def check_config(con: Any, lead_mql_date_field: str) -> CheckConfig:
    """The configuration as the warehouse meets it: channels of the seeds, columns of raw."""
    lead_columns = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'salesforce__lead'"
        ).fetchall()
    }
    return CheckConfig(
        lead_mql_date_field=lead_mql_date_field,
        channels=tuple(allowed_channels(con)),
        has_mql_field=lead_mql_date_field.lower() in lead_columns,
    )


#: Channels the marts may hold (docs/definitions.md), before campaign-map additions.
CHANNELS = (
    "Direct",
    "Paid Search",
    "Paid Social",
    "Display",
    "Organic Search",
    "Organic Social",
    "Email",
    "Referral",
    "Other",
    "Sales Sourced",
)
OUTCOMES = ("converted", "disqualified", "working", "untouched")
SLA_STATUSES = ("met", "breached", "pending")

BLOCKING_NOTE = (
    "Blocking: when it fails, nothing downstream is built or published and BI keeps the last "
    "good marts; the metadata names each failing rule, the row count and sample rows."
)
WARNING_NOTE = (
    "Warning (set by the dbt var check_severity): a failure is shown here and in the run's "
    "output, and the marts are still published; the metadata names each failing rule, the row "
    "count and sample rows."
)


def _column(name: str) -> str:
    """Custom CRM field names come from configuration: allow identifiers only."""
    lowered = name.strip().lower()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", lowered):
        raise ValueError(f"not a Salesforce API field name: {name!r}")
    return lowered


def allowed_channels(con: Any) -> list[str]:
    """The standard channels plus any channel the campaign map seed assigns."""
    channels = set(CHANNELS)
    try:
        rows = con.execute(
            "select distinct channel from seeds.campaign_map where channel is not null"
        ).fetchall()
        channels.update(r[0] for r in rows)
    except Exception:  # no campaign map seed loaded yet
        pass
    return sorted(channels)


def _newest(table: str) -> str:
    return f"_snapshot_at = (select max(_snapshot_at) from {table})"


def _on_or_after(later: str, earlier: str, failure: str) -> Expect:
    """`later` is on or after `earlier` wherever both are set (funnel order)."""
    return Expect(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        failure,
        {
            "column_A": later,
            "column_B": earlier,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
    )


def raw_leads_query(config: Any) -> str:
    # An export without the configured MQL field has no MQLs (a dbt warning names the field).
    mql = _column(config.lead_mql_date_field) if config.has_mql_field else "null"
    return f"""
        select
            id,
            coalesce(isdeleted, false) as isdeleted,
            ownerid,
            cast(createddate as date) as created_date,
            cast({mql} as timestamp) as mql_at,
            cast({mql} as date) as mql_date,
            converteddate,
            ({mql} is not null and not coalesce(isdeleted, false)) as is_live_mql
        from raw.salesforce__lead
        where {_newest("raw.salesforce__lead")}
    """


def raw_leads_expectations(_: Any) -> Sequence[Expect]:
    return [
        Expect("ExpectColumnValuesToNotBeNull", "lead without Id", {"column": "id"}),
        Expect(
            "ExpectColumnValuesToBeUnique",
            "duplicate lead (same Id twice in one export)",
            {"column": "id"},
        ),
        Expect(
            "ExpectColumnValuesToNotBeNull",
            "MQL without owner",
            {
                "column": "ownerid",
                "row_condition": "is_live_mql == True",
                "condition_parser": "pandas",
            },
        ),
        _on_or_after("converteddate", "mql_date", "SQL dated before its MQL"),
        _on_or_after("mql_date", "created_date", "MQL dated before the lead was created"),
    ]


def raw_hubspot_contacts_query(_: Any) -> str:
    # A contact is a lead unless its lifecycle stage is subscriber or other (labels and
    # internal values read the same lower-cased) and it never became a lead. Dates compare in
    # the export's own time zone: both sides of each pair are written in it.
    return f"""
        select
            hs_object_id as id,
            cast(createdate as date) as created_date,
            cast(hs_lifecyclestage_marketingqualifiedlead_date as date) as mql_date,
            cast(coalesce(
                hs_lifecyclestage_salesqualifiedlead_date, hs_lifecyclestage_opportunity_date
            ) as date) as sql_date
        from raw.hubspot__contacts
        where {_newest("raw.hubspot__contacts")}
            and (coalesce(lower(trim(lifecyclestage)), '') not in ('subscriber', 'other')
                or hs_lifecyclestage_lead_date is not null)
    """


def raw_hubspot_contacts_expectations(_: Any) -> Sequence[Expect]:
    return [
        Expect("ExpectColumnValuesToNotBeNull", "contact without Record ID", {"column": "id"}),
        Expect(
            "ExpectColumnValuesToBeUnique",
            "duplicate contact (same Record ID twice in one export)",
            {"column": "id"},
        ),
        _on_or_after("sql_date", "mql_date", "SQL dated before its MQL"),
        _on_or_after("mql_date", "created_date", "MQL dated before the contact was created"),
    ]


def dim_leads_query(_: Any) -> str:
    return """
        select
            lead_id,
            created_at,
            cast(created_at as date) as created_date,
            mql_at,
            cast(mql_at as date) as mql_date,
            sql_at,
            first_sales_touch_at,
            channel,
            is_mql,
            (mql_at is not null) as has_mql_at
        from marts.dim_leads
    """


def dim_leads_expectations(config: Any) -> Sequence[Expect]:
    return [
        Expect("ExpectColumnValuesToNotBeNull", "lead without lead_id", {"column": "lead_id"}),
        Expect("ExpectColumnValuesToBeUnique", "duplicate lead", {"column": "lead_id"}),
        # By day: the MQL date field is often a date (00:00 UTC) on a lead created that day.
        _on_or_after("mql_date", "created_date", "MQL dated before the lead was created"),
        _on_or_after("sql_at", "mql_date", "SQL dated before its MQL"),
        _on_or_after("first_sales_touch_at", "mql_at", "first sales touch before the MQL"),
        Expect(
            "ExpectColumnPairValuesToBeEqual",
            "is_mql disagrees with mql_at",
            {"column_A": "is_mql", "column_B": "has_mql_at"},
        ),
        Expect("ExpectColumnValuesToNotBeNull", "lead without channel", {"column": "channel"}),
        Expect(
            "ExpectColumnValuesToBeInSet",
            "unknown channel",
            {"column": "channel", "value_set": list(config.channels)},
        ),
    ]


def handoff_query(_: Any) -> str:
    return """
        with newest_users as (
            select 'salesforce' as crm, id
            from raw.salesforce__user
            where _snapshot_at = (select max(_snapshot_at) from raw.salesforce__user)
            union all
            select 'hubspot' as crm, owner_id as id
            from raw.hubspot__owners
            where _snapshot_at = (select max(_snapshot_at) from raw.hubspot__owners)
        )
        select
            h.lead_id,
            h.mql_at,
            h.owner_id,
            h.is_owned_by_queue,
            -- Without any users export of the lead's CRM the owners cannot be judged: a dbt
            -- warning says so.
            (h.owner_id is null
                or h.is_owned_by_queue
                or h.owner_id in (select id from newest_users)
                or not exists (select 1 from newest_users as u where u.crm = l.crm))
                as owner_is_known,
            h.channel,
            h.first_sales_touch_at,
            h.response_hours,
            h.sla_hours,
            h.sla_status,
            h.outcome,
            h.opportunity_id
        from marts.mart_mql_handoff as h
        inner join marts.dim_leads as l
            on l.lead_id = h.lead_id
    """


def handoff_expectations(config: Any) -> Sequence[Expect]:
    return [
        Expect(
            "ExpectColumnValuesToNotBeNull", "handoff row without lead_id", {"column": "lead_id"}
        ),
        Expect("ExpectColumnValuesToBeUnique", "MQL counted twice", {"column": "lead_id"}),
        Expect("ExpectColumnValuesToNotBeNull", "MQL without MQL date", {"column": "mql_at"}),
        Expect(
            "ExpectColumnValuesToNotBeNull",
            "MQL without owner",
            {
                "column": "owner_id",
                "row_condition": "is_owned_by_queue == False",
                "condition_parser": "pandas",
            },
        ),
        Expect(
            "ExpectColumnValuesToBeInSet",
            "MQL owner is neither a CRM user nor a lead queue",
            {"column": "owner_is_known", "value_set": [True]},
        ),
        _on_or_after("first_sales_touch_at", "mql_at", "first sales touch before the MQL"),
        Expect(
            "ExpectColumnValuesToBeBetween",
            "negative response time",
            {"column": "response_hours", "min_value": 0},
        ),
        Expect("ExpectColumnValuesToNotBeNull", "SLA hours missing", {"column": "sla_hours"}),
        Expect(
            "ExpectColumnValuesToBeInSet",
            "unknown SLA status",
            {"column": "sla_status", "value_set": list(SLA_STATUSES)},
        ),
        Expect("ExpectColumnValuesToNotBeNull", "SLA status missing", {"column": "sla_status"}),
        Expect(
            "ExpectColumnValuesToBeInSet",
            "unknown outcome",
            {"column": "outcome", "value_set": list(OUTCOMES)},
        ),
        Expect("ExpectColumnValuesToNotBeNull", "outcome missing", {"column": "outcome"}),
        Expect(
            "ExpectColumnValuesToNotBeNull",
            "converted MQL without opportunity",
            {
                "column": "opportunity_id",
                "row_condition": 'outcome == "converted"',
                "condition_parser": "pandas",
            },
        ),
        Expect(
            "ExpectColumnValuesToBeInSet",
            "unknown channel",
            {"column": "channel", "value_set": list(config.channels)},
        ),
    ]


def suites() -> list[Suite]:
    return [
        Suite(
            name="gx_raw_leads_handoff_rules",
            asset=("salesforce", "lead"),
            description=(
                "Great Expectations suite on the newest Salesforce Lead export, before any model "
                "reads it: every lead has one unique Id, every live MQL has an owner, no lead is "
                "converted (SQL) before the day it became an MQL, no MQL predates the lead. A "
                "broken export here would double-count leads or put unowned MQLs in the SLA "
                "report. " + BLOCKING_NOTE
            ),
            blocking=True,
            id_column="id",
            query=raw_leads_query,
            expectations=raw_leads_expectations,
        ),
        Suite(
            name="gx_raw_hubspot_contacts_handoff_rules",
            asset=("hubspot", "contacts"),
            description=(
                "Great Expectations suite on the newest HubSpot contacts export, before any model "
                "reads it (the HubSpot twin of the Salesforce leads suite): every lead contact "
                "has one unique Record ID, none became a sales-qualified lead before the day it "
                "became an MQL, no MQL predates the contact. A broken export here would "
                "double-count leads or put impossible dates in the SLA report. An unassigned "
                "MQL is not a failure: it is HubSpot's lead queue. " + BLOCKING_NOTE
            ),
            blocking=True,
            id_column="id",
            query=raw_hubspot_contacts_query,
            expectations=raw_hubspot_contacts_expectations,
        ),
        Suite(
            name="gx_dim_leads_handoff_rules",
            asset=("dim_leads",),
            description=(
                "Great Expectations suite on dim_leads: one row per lead, events in funnel order "
                "(created, then MQL, then SQL on or after the MQL day, sales touch after the MQL), "
                "is_mql agrees with mql_at, every lead has a known channel. A failure means "
                "lead, MQL or SQL counts per campaign would be wrong. " + BLOCKING_NOTE
            ),
            blocking=True,
            id_column="lead_id",
            query=dim_leads_query,
            expectations=dim_leads_expectations,
        ),
        Suite(
            name="gx_mql_handoff_rules",
            asset=("mart_mql_handoff",),
            description=(
                "Great Expectations suite on mart_mql_handoff: one row per MQL, every MQL owned by "
                "a CRM user or a lead queue, the first sales touch after the MQL, SLA status and "
                "outcome from the agreed lists, every converted MQL linked to its opportunity. A "
                "failure means the SLA and rejection-reason reports sales and marketing review "
                "together would be wrong. " + BLOCKING_NOTE
            ),
            blocking=True,
            id_column="lead_id",
            query=handoff_query,
            expectations=handoff_expectations,
        ),
    ]
