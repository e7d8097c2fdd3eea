"""HubSpot CRM exports: `hubspot/<export time>/<object>.csv`, one folder per weekly snapshot.

`revops generate --crm hubspot` writes the demo company's CRM this way instead of as
Salesforce snapshots: the same World, the same snapshot times and folder names, the same
state per snapshot (demo/state.py), so the marts built from these files equal those built
from the Salesforce ones but for ids and status texts. The raw contract both this writer and
ingest follow is the lead's HubSpot contract (headers as UI labels or internal names).

What a Salesforce record becomes:
- Lead (not deleted: HubSpot exports hold no deleted records) -> contact. A converted lead and
  the Contact it converted into are one contact; a Salesforce Contact that came from no lead
  (the contact of a sales-sourced opportunity) is a contact with Lifecycle Stage `other`.
- Lifecycle Stage: customer (deal won) > opportunity (converted) > marketingqualifiedlead
  (MQL) > lead; the `Became a ... Date`s are CreatedDate, MQL_Date__c, the conversion time
  (whose UTC date is ConvertedDate; SQL and opportunity alike) and the won close time.
- Lead Status from Status (LEAD_STATUS), the disqualification reason and the captured UTMs,
  GCLID and GA client id as custom properties, LeadSource as Original Source (ORIGINAL_SOURCE:
  a value whose channel is the one LeadSource gives through the channel rules).
- User -> owner (Archived = inactive); a lead in the Salesforce queue has no owner.
- Account -> company, Opportunity (not deleted) -> deal in the pipeline `Sales Pipeline`
  (`default`), its stage history as `Date entered "<stage> (Sales Pipeline)"` columns, its
  primary campaign's name as `HubSpot Campaign`.
- Task on a lead (not deleted) -> a call (Type Call) or an outgoing email (Type Email); the
  demo has no other Task types, so `tasks.csv` and `meetings.csv` hold no rows. A few incoming
  emails from contacts after their MQL date are added: they are no sales touch.
- CampaignMember has no HubSpot export object: not written.

Styles (SNAPSHOT_STYLES): `ui` is the CRM's export tool: property labels, owner names,
`Name (id)` associations, naive datetimes in the portal's time zone (`hubspot_timezone`),
`true`/`false`; `ui_old` is the same with a UTF-8 BOM and `Yes`/`No`; `api` is an API-based
export tool: internal names and ids, `;`-separated ids, ISO datetimes in UTC with `Z` (epoch
milliseconds in the activity files) and the close date as a midnight datetime. The newest
snapshot is `ui` with the export tool's file names (`hubspot-crm-exports-all-contacts-<date>.csv`),
the second newest `api`, older ones `ui_old`.
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from pathlib import Path

import numpy as np
import pandas as pd

from demo import catalogue as cat
from demo import state
from demo.params import NEVER, day_string, snapshot_folder
from demo.simulate import World
from demo.writers.common import UTF8_BOM, Written, write_file
from demo.writers.salesforce import _accounts, _ids

OBJECTS = ("contacts", "companies", "deals", "owners", "calls", "emails", "meetings", "tasks")
PIPELINE_LABEL, PIPELINE_ID = "Sales Pipeline", "default"

# Deterministic numeric record ids, in ranges that look like a used portal's.
CONTACT_ID_START = 10_000_001  # contacts in order of creation, leads and other contacts
COMPANY_ID_START = 9_000_000_001  # + opportunity number
DEAL_ID_START = 15_000_000_001  # + opportunity number
ENGAGEMENT_ID_START = 50_000_000_001  # + task number; incoming emails after the tasks
OWNER_ID_START = 41_000_001  # + user number
USER_ID_START = 6_100_001

LIFECYCLE_LABEL = {
    "lead": "Lead",
    "marketingqualifiedlead": "Marketing Qualified Lead",
    "salesqualifiedlead": "Sales Qualified Lead",
    "opportunity": "Opportunity",
    "customer": "Customer",
    "other": "Other",
}
# Salesforce Lead Status -> HubSpot Lead Status (internal value).
LEAD_STATUS = {
    state.LEAD_STATUS_OPEN: "NEW",
    state.LEAD_STATUS_WORKING: "IN_PROGRESS",
    state.LEAD_STATUS_CONVERTED: "OPEN_DEAL",
    state.LEAD_STATUS_DISQUALIFIED: "UNQUALIFIED",
}
LEAD_STATUS_LABEL = {
    "NEW": "New",
    "OPEN": "Open",
    "IN_PROGRESS": "In Progress",
    "OPEN_DEAL": "Open Deal",
    "UNQUALIFIED": "Unqualified",
    "ATTEMPTED_TO_CONTACT": "Attempted to Contact",
    "CONNECTED": "Connected",
}
# Salesforce LeadSource -> (Original Source, Drill-Down 1). The channel of each value (dbt
# seed) is the channel the LeadSource gives through the channel rules as a source with an
# empty medium: `Email` -> Email, everything else (and an empty LeadSource) -> Other.
ORIGINAL_SOURCE = {
    "Email": ("EMAIL_MARKETING", ""),
    cat.WEB_LEAD_SOURCE: ("OTHER_CAMPAIGNS", ""),
    cat.LEAD_GEN_LEAD_SOURCE: ("OTHER_CAMPAIGNS", ""),
    "Trade Show": ("OFFLINE", "IMPORT"),
    "Purchased List": ("OFFLINE", "IMPORT"),
    "Partner": ("OFFLINE", "INTEGRATION"),
    "": ("OFFLINE", "CRM_UI"),
}
ORIGINAL_SOURCE_LABEL = {
    "PAID_SEARCH": "Paid search",
    "PAID_SOCIAL": "Paid social",
    "ORGANIC_SEARCH": "Organic search",
    "SOCIAL_MEDIA": "Social media",
    "EMAIL_MARKETING": "Email marketing",
    "REFERRALS": "Referrals",
    "DIRECT_TRAFFIC": "Direct traffic",
    "OFFLINE": "Offline sources",
    "OTHER_CAMPAIGNS": "Other campaigns",
}
# Opportunity StageName -> deal stage id (the dbt seed ships the same table).
STAGE_ID = {
    "Prospecting": "prospecting",
    "Qualification": "qualification",
    "Needs Analysis": "needsanalysis",
    "Proposal/Price Quote": "proposalpricequote",
    "Negotiation/Review": "negotiationreview",
    cat.WON_STAGE: "closedwon",
    cat.LOST_STAGE: "closedlost",
}
STAGES = (*cat.OPEN_STAGES, cat.WON_STAGE, cat.LOST_STAGE)

# (UI label, internal name) per object, in the UI export's column order. Association columns
# have no internal name: API-style files use the label too, with ids in the cells.
ASSOCIATION = ""
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "contacts": (
        ("Record ID", "hs_object_id"),
        ("First Name", "firstname"),
        ("Last Name", "lastname"),
        ("Email", "email"),
        ("Company Name", "company"),
        ("Country/Region", "country"),
        ("Job Title", "jobtitle"),
        ("Contact owner", "hubspot_owner_id"),
        ("Lifecycle Stage", "lifecyclestage"),
        ("Lead Status", "hs_lead_status"),
        ("Create Date", "createdate"),
        ("Last Modified Date", "lastmodifieddate"),
        ("Original Source", "hs_analytics_source"),
        ("Original Source Drill-Down 1", "hs_analytics_source_data_1"),
        ("Original Source Drill-Down 2", "hs_analytics_source_data_2"),
        ("Became a Lead Date", "hs_lifecyclestage_lead_date"),
        (
            "Became a Marketing Qualified Lead Date",
            "hs_lifecyclestage_marketingqualifiedlead_date",
        ),
        ("Became a Sales Qualified Lead Date", "hs_lifecyclestage_salesqualifiedlead_date"),
        ("Became an Opportunity Date", "hs_lifecyclestage_opportunity_date"),
        ("Became a Customer Date", "hs_lifecyclestage_customer_date"),
        ("UTM Source", "utm_source"),
        ("UTM Medium", "utm_medium"),
        ("UTM Campaign", "utm_campaign"),
        ("GCLID", "gclid"),
        ("GA Client ID", "ga_client_id"),
        ("Disqualification Reason", "disqualification_reason"),
        ("Associated Company", ASSOCIATION),
        ("Associated Deal", ASSOCIATION),
    ),
    "companies": (
        ("Record ID", "hs_object_id"),
        ("Company name", "name"),
        ("Company Domain Name", "domain"),
        ("Country/Region", "country"),
        ("Industry", "industry"),
        ("Company owner", "hubspot_owner_id"),
        ("Create Date", "createdate"),
    ),
    "deals": (
        ("Record ID", "hs_object_id"),
        ("Deal Name", "dealname"),
        ("Pipeline", "pipeline"),
        ("Deal Stage", "dealstage"),
        ("Amount", "amount"),
        ("Close Date", "closedate"),
        ("Create Date", "createdate"),
        ("Deal owner", "hubspot_owner_id"),
        ("Is Closed Won", "hs_is_closed_won"),
        ("Is closed", "hs_is_closed"),
        ("HubSpot Campaign", "hs_campaign"),
        ("Associated Contact", ASSOCIATION),
        ("Associated Company", ASSOCIATION),
        *(
            (f'Date entered "{s} ({PIPELINE_LABEL})"', f"hs_v2_date_entered_{STAGE_ID[s]}")
            for s in STAGES
        ),
    ),
    "owners": (
        ("Owner ID", "id"),
        ("First Name", "firstName"),
        ("Last Name", "lastName"),
        ("Email", "email"),
        ("User ID", "userId"),
        ("Archived", "archived"),
    ),
    "calls": (
        ("Record ID", "hs_object_id"),
        ("Activity date", "hs_timestamp"),
        ("Create Date", "hs_createdate"),
        ("Activity assigned to", "hubspot_owner_id"),
        ("Call Title", "hs_call_title"),
        ("Call direction", "hs_call_direction"),
        ("Call status", "hs_call_status"),
        ("Associated Contact", ASSOCIATION),
    ),
    "emails": (
        ("Record ID", "hs_object_id"),
        ("Activity date", "hs_timestamp"),
        ("Create Date", "hs_createdate"),
        ("Activity assigned to", "hubspot_owner_id"),
        ("Email subject", "hs_email_subject"),
        ("Email direction", "hs_email_direction"),
        ("Associated Contact", ASSOCIATION),
    ),
    "meetings": (
        ("Record ID", "hs_object_id"),
        ("Activity date", "hs_timestamp"),
        ("Create Date", "hs_createdate"),
        ("Activity assigned to", "hubspot_owner_id"),
        ("Meeting name", "hs_meeting_title"),
        ("Meeting start time", "hs_meeting_start_time"),
        ("Meeting outcome", "hs_meeting_outcome"),
        ("Associated Contact", ASSOCIATION),
    ),
    "tasks": (
        ("Record ID", "hs_object_id"),
        ("Create Date", "hs_createdate"),
        ("Due date", "hs_timestamp"),
        ("Assigned to", "hubspot_owner_id"),
        ("Task Title", "hs_task_subject"),
        ("Task status", "hs_task_status"),
        ("Task Type", "hs_task_type"),
        ("Associated Contact", ASSOCIATION),
    ),
}
# Values that differ by style: (UI label, internal value).
CALL_DIRECTION = ("Outbound", "OUTBOUND")
CALL_STATUS = ("Completed", "COMPLETED")
EMAIL_OUTGOING = ("Outgoing email", "EMAIL")
EMAIL_INCOMING = ("Incoming email", "INCOMING_EMAIL")
OUTGOING_SUBJECT = "Following up on your request"  # the Salesforce Task's "Email: ..." subject
INCOMING_SUBJECT = "Re: Following up on your request"
INCOMING_SHARE = 0.08  # MQLs who write back once, some hours after their MQL date
INCOMING_STREAM = 0x4855  # their random stream: the simulation's own draws stay untouched


def check_timezone(name: str) -> str:
    """The portal time zone, validated (an IANA name such as `America/New_York`)."""
    zoneinfo.ZoneInfo(name)
    return name


# ----------------------------------------------------------------------------- ids


def contact_ids(w: World) -> tuple[np.ndarray, np.ndarray]:
    """Record IDs of every contact the company ever has: (per lead, per opportunity), the
    latter -1 for opportunities whose contact is their converted lead. Numbered in order of
    creation, so an id never changes between snapshots."""
    opps = w.opportunities
    own = opps["lead"].to_numpy() < 0
    created = np.concatenate([w.leads["created_s"].to_numpy(), opps["created_s"].to_numpy()[own]])
    order = np.argsort(created, kind="stable")
    rank = np.empty(created.size, dtype=np.int64)
    rank[order] = np.arange(created.size)
    ids = CONTACT_ID_START + rank
    n = len(w.leads)
    per_opp = np.full(len(opps), -1, dtype=np.int64)
    per_opp[own] = ids[n:]
    lead = opps["lead"].to_numpy()
    per_opp[~own] = ids[:n][lead[~own]]
    return ids[:n], per_opp


def deal_ids(opp: np.ndarray) -> np.ndarray:
    return DEAL_ID_START + np.asarray(opp, dtype=np.int64)


def company_ids(opp: np.ndarray) -> np.ndarray:
    return COMPANY_ID_START + np.asarray(opp, dtype=np.int64)


def owner_ids(w: World) -> np.ndarray:
    return OWNER_ID_START + np.arange(len(w.users), dtype=np.int64)


def incoming_emails(w: World) -> pd.DataFrame:
    """Incoming emails: a few MQLs reply once, hours after their MQL date (not sales touches).
    One row per email with its lead, time and Record ID; drawn from a stream of their own."""
    rng = np.random.default_rng([w.params.seed, INCOMING_STREAM])
    n = len(w.leads)
    mql = w.leads["mql_s"].to_numpy()
    pick = (rng.random(n) < INCOMING_SHARE) & (mql < NEVER)
    delay = np.maximum(60, np.round(3 * 3_600 * rng.lognormal(0.0, 1.0, n))).astype(np.int64)
    lead = np.flatnonzero(pick)
    return pd.DataFrame(
        {
            "lead": lead,
            "created_s": mql[lead] + delay[lead],
            "id": ENGAGEMENT_ID_START + len(w.tasks) + np.arange(lead.size, dtype=np.int64),
        }
    )


def _live_leads(w: World, t: int) -> np.ndarray:
    """Per lead: present and not deleted in the snapshot at t (a HubSpot contact)."""
    L = state.leads_at(w, t)
    live = np.zeros(len(w.leads), dtype=bool)
    live[L["lead"].to_numpy()[~L["is_deleted"].to_numpy()]] = True
    return live


def incoming_at(w: World, t: int) -> pd.DataFrame:
    """The incoming emails a snapshot at t holds: sent by then, from a live contact."""
    inc = incoming_emails(w)
    return inc[(inc["created_s"].to_numpy() <= t) & _live_leads(w, t)[inc["lead"].to_numpy()]]


def id_map(w: World) -> pd.DataFrame:
    """Salesforce id -> HubSpot Record ID for every record of the World (for the ground truth
    and e2e comparisons: the marts equal but for ids)."""
    per_lead, per_opp = contact_ids(w)
    opp = w.opportunities["opp"].to_numpy()
    own = w.opportunities["lead"].to_numpy() < 0
    parts = [
        ("Lead", "contact", _ids("Lead", w.leads["lead"].to_numpy()), per_lead),
        ("Contact", "contact", _ids("Contact", opp), per_opp),
        ("Opportunity", "deal", _ids("Opportunity", opp), deal_ids(opp)),
        ("Account", "company", _ids("Account", opp), company_ids(opp)),
        ("User", "owner", w.users["Id"].to_numpy().astype(object), owner_ids(w)),
    ]
    out = pd.concat(
        [
            pd.DataFrame(
                {
                    "salesforce_object": sf_obj,
                    "salesforce_id": sf_id,
                    "hubspot_object": hs_obj,
                    "hubspot_id": hs_id.astype(str),
                }
            )
            for sf_obj, hs_obj, sf_id, hs_id in parts
        ],
        ignore_index=True,
    )
    # A converted lead's Contact is the lead's HubSpot contact.
    is_contact = (out["salesforce_object"] == "Contact").to_numpy()
    merged = np.zeros(len(out), dtype=bool)
    merged[is_contact] = ~own
    out["converted_lead_contact"] = np.where(merged, "true", "false")
    return out


# ----------------------------------------------------------------------------- cells


class Fmt:
    """Cell formatting for one snapshot style; every method takes and returns arrays."""

    def __init__(self, style: str, timezone: str, w: World) -> None:
        self.style = style
        self.api = style == "api"
        self.timezone = timezone
        self.ambiguous = 0  # naive local cells written inside the hour repeated when DST ends
        users = w.users
        self.owner_name = (users["first_name"] + " " + users["last_name"]).to_numpy(dtype=object)
        self.owner_id = owner_ids(w).astype(str).astype(object)

    def dt(self, seconds: np.ndarray, epoch_ms: bool = False) -> np.ndarray:
        """API: `2026-03-04T10:22:13.000Z` (or epoch ms); UI: portal-local `2026-03-04 05:22:13`."""
        seconds = np.asarray(seconds, dtype=np.int64)
        ok = seconds < NEVER
        s = np.where(ok, seconds, 0)
        if self.api and epoch_ms:
            text = (s * 1000).astype(str)
        elif self.api:
            text = np.char.add(np.datetime_as_string(s.astype("datetime64[s]"), unit="s"), ".000Z")
        else:
            stamps = s.astype("datetime64[s]")
            if self.timezone != "UTC":
                local = (
                    pd.DatetimeIndex(stamps)
                    .tz_localize("UTC")
                    .tz_convert(self.timezone)
                    .tz_localize(None)
                )
                again = local.tz_localize(self.timezone, ambiguous="NaT", nonexistent="NaT")
                self.ambiguous += int((again.isna() & ok).sum())
                stamps = local.to_numpy().astype("datetime64[s]")
            text = np.char.replace(np.datetime_as_string(stamps, unit="s"), "T", " ")
        return np.where(ok, text, "").astype(object)

    def date(self, seconds: np.ndarray) -> np.ndarray:
        """The UTC date; API tools write a date property as a midnight UTC datetime."""
        seconds = np.asarray(seconds, dtype=np.int64)
        ok = seconds < NEVER
        text = np.datetime_as_string(np.where(ok, seconds, 0).astype("datetime64[s]"), unit="D")
        if self.api:
            text = np.char.add(text, "T00:00:00.000Z")
        return np.where(ok, text, "").astype(object)

    def bool(self, values: np.ndarray) -> np.ndarray:
        yes, no = ("Yes", "No") if self.style == "ui_old" else ("true", "false")
        return np.where(np.asarray(values, dtype=bool), yes, no).astype(object)

    def owner(self, idx: np.ndarray) -> np.ndarray:
        """A name in UI exports, an Owner ID in API ones; empty for the lead queue (-1)."""
        idx = np.asarray(idx, dtype=np.int64)
        values = self.owner_id if self.api else self.owner_name
        return np.where(idx >= 0, values[np.maximum(idx, 0)], "").astype(object)

    def assoc(self, names: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """One association per cell: `Name (123)` in the UI, `123` in the API; -1 is none."""
        ids = np.asarray(ids, dtype=np.int64)
        text = pd.Series(ids.astype(str))
        if not self.api:
            text = pd.Series(np.asarray(names, dtype=object)).astype(str) + " (" + text + ")"
        return np.where(ids >= 0, text.to_numpy(dtype=object), "").astype(object)

    def choice(self, values: np.ndarray, labels: dict[str, str]) -> np.ndarray:
        """Internal enumeration values (API) or their labels (UI)."""
        values = np.asarray(values, dtype=object)
        if self.api:
            return values
        return pd.Series(values).map(labels).fillna("").to_numpy(dtype=object)

    def pair(self, value: tuple[str, str], n: int) -> np.ndarray:
        return np.full(n, value[1] if self.api else value[0], dtype=object)

    def amount(self, values: np.ndarray) -> np.ndarray:
        text = np.char.mod("%.2f", np.asarray(values, dtype=float))
        if not self.api:  # the UI writes 12000 and 12000.5
            text = np.char.rstrip(np.char.rstrip(text, "0"), ".")
        return text.astype(object)


def _frame(obj: str, f: Fmt, cells: dict[str, np.ndarray], n: int) -> pd.DataFrame:
    """Columns in the style's names: labels in UI order, or internal names sorted (API tools
    write properties alphabetically, associations last)."""
    spec = COLUMNS[obj]
    if f.api:
        spec = tuple(sorted(spec, key=lambda c: (c[1] == ASSOCIATION, c[1].lower())))
    data = {}
    for label, name in spec:
        key = name or label
        data[(name or label) if f.api else label] = cells.get(key, np.full(n, "", dtype=object))
    return pd.DataFrame(data, index=pd.RangeIndex(n))


# ----------------------------------------------------------------------------- objects


def _company_names(w: World) -> tuple[np.ndarray, np.ndarray]:
    """Company name and domain per opportunity (the Salesforce Account's name)."""
    names = _accounts(w)["name"].to_numpy().astype(object)
    lead = w.opportunities["lead"].to_numpy()
    emails = w.leads["email"].to_numpy().astype(object)
    lead_domain = pd.Series(emails[np.maximum(lead, 0)]).str.split("@").str[-1]
    own_domain = pd.Series(names).str.lower().str.replace(r"[^a-z0-9]+", "", regex=True) + ".com"
    domain = np.where(lead >= 0, lead_domain.to_numpy(dtype=object), own_domain.to_numpy())
    return names, domain.astype(object)


def _sales_contact_people(opp: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First name, last name, email of the Contact of a sales-sourced opportunity (as the
    Salesforce writer makes them)."""
    first = np.array(cat.FIRST_NAMES, dtype=object)[opp % len(cat.FIRST_NAMES)]
    last = np.array(cat.LAST_NAMES, dtype=object)[(opp // 3) % len(cat.LAST_NAMES)]
    email = pd.Series(opp).astype(str).radd("contact").add("@example.org").to_numpy(dtype=object)
    return first, last, email


def _contacts(
    w: World, t: int, f: Fmt, opps_t: pd.DataFrame, live_deal: np.ndarray
) -> pd.DataFrame:
    per_lead, per_opp = contact_ids(w)
    names, _domain = _company_names(w)
    deal_names = names + " - New Business"
    n_opps = len(w.opportunities)
    won = np.zeros(n_opps, dtype=bool)
    won[opps_t["opp"].to_numpy()] = opps_t["is_won"].to_numpy()
    close = np.full(n_opps, NEVER, dtype=np.int64)
    close[opps_t["opp"].to_numpy()] = opps_t["close_s"].to_numpy()

    L = state.leads_at(w, t)
    L = L[~L["is_deleted"].to_numpy()]
    opp = L["opp"].to_numpy()  # -1 unless converted by t
    conv = opp >= 0
    is_won = conv & won[np.maximum(opp, 0)]
    mql = L["is_mql"].to_numpy()
    stage = np.select(
        [is_won, conv, mql], ["customer", "opportunity", "marketingqualifiedlead"], "lead"
    )
    source = L["lead_source"]
    original = source.map({k: v[0] for k, v in ORIGINAL_SOURCE.items()}).fillna("OTHER_CAMPAIGNS")
    drill_down = source.map({k: v[1] for k, v in ORIGINAL_SOURCE.items()}).fillna("")
    decision = np.where(conv, L["decision_s"], NEVER)
    has_deal = conv & live_deal[np.maximum(opp, 0)]
    leads = {
        "hs_object_id": per_lead[L["lead"].to_numpy()].astype(str),
        "firstname": L["first_name"].to_numpy(),
        "lastname": L["last_name"].to_numpy(),
        "email": L["email_written"].to_numpy(),
        "company": L["company"].to_numpy(),
        "country": L["country"].to_numpy(),
        "jobtitle": L["title"].to_numpy(),
        "hubspot_owner_id": f.owner(L["owner"].to_numpy()),
        "lifecyclestage": f.choice(stage, LIFECYCLE_LABEL),
        "hs_lead_status": f.choice(L["status"].map(LEAD_STATUS).to_numpy(), LEAD_STATUS_LABEL),
        "createdate": f.dt(L["created_s"]),
        "lastmodifieddate": f.dt(L["last_modified_s"]),
        "hs_analytics_source": f.choice(original.to_numpy(dtype=object), ORIGINAL_SOURCE_LABEL),
        "hs_analytics_source_data_1": drill_down.to_numpy(dtype=object),
        "hs_lifecyclestage_lead_date": f.dt(L["created_s"]),
        "hs_lifecyclestage_marketingqualifiedlead_date": f.dt(np.where(mql, L["mql_s"], NEVER)),
        "hs_lifecyclestage_salesqualifiedlead_date": f.dt(decision),
        "hs_lifecyclestage_opportunity_date": f.dt(decision),
        "hs_lifecyclestage_customer_date": f.dt(np.where(is_won, close[np.maximum(opp, 0)], NEVER)),
        "utm_source": L["utm_source"].to_numpy(),
        "utm_medium": L["utm_medium"].to_numpy(),
        "utm_campaign": L["utm_campaign"].to_numpy(),
        "gclid": L["gclid"].to_numpy(),
        "ga_client_id": L["ga_client_id"].to_numpy(),
        "disqualification_reason": np.where(L["is_disqualified"], L["dq_reason"], ""),
        "Associated Company": f.assoc(
            names[np.maximum(opp, 0)], np.where(conv, company_ids(np.maximum(opp, 0)), -1)
        ),
        "Associated Deal": f.assoc(
            deal_names[np.maximum(opp, 0)], np.where(has_deal, deal_ids(np.maximum(opp, 0)), -1)
        ),
    }
    # Contacts of sales-sourced opportunities: in the CRM, never leads.
    S = opps_t[opps_t["lead"].to_numpy() < 0]
    o = S["opp"].to_numpy()
    first, last, email = _sales_contact_people(o)
    offline = ORIGINAL_SOURCE[""]
    k = len(S)
    others = {
        "hs_object_id": per_opp[o].astype(str),
        "firstname": first,
        "lastname": last,
        "email": email,
        "company": names[o],
        "hubspot_owner_id": f.owner(S["owner"].to_numpy()),
        "lifecyclestage": f.choice(np.full(k, "other", dtype=object), LIFECYCLE_LABEL),
        "createdate": f.dt(S["created_s"]),
        "lastmodifieddate": f.dt(S["created_s"]),
        "hs_analytics_source": f.choice(
            np.full(k, offline[0], dtype=object), ORIGINAL_SOURCE_LABEL
        ),
        "hs_analytics_source_data_1": np.full(k, offline[1], dtype=object),
        "Associated Company": f.assoc(names[o], company_ids(o)),
        "Associated Deal": f.assoc(deal_names[o], np.where(live_deal[o], deal_ids(o), -1)),
    }
    frame = pd.concat(
        [_frame("contacts", f, leads, len(L)), _frame("contacts", f, others, k)],
        ignore_index=True,
    )
    created = np.concatenate([L["created_s"].to_numpy(), S["created_s"].to_numpy()])
    return frame.iloc[np.argsort(created, kind="stable")].reset_index(drop=True)


def _companies(w: World, f: Fmt, opps_t: pd.DataFrame) -> pd.DataFrame:
    names, domain = _company_names(w)
    accounts = _accounts(w)
    o = opps_t["opp"].to_numpy()
    cells = {
        "hs_object_id": company_ids(o).astype(str),
        "name": names[o],
        "domain": domain[o],
        "country": np.array(cat.COUNTRIES, dtype=object)[o % len(cat.COUNTRIES)],
        "industry": np.array(cat.INDUSTRIES, dtype=object)[o % len(cat.INDUSTRIES)],
        "hubspot_owner_id": f.owner(opps_t["owner"].to_numpy()),
        "createdate": f.dt(
            np.minimum(accounts["created_s"].to_numpy()[o], opps_t["created_s"].to_numpy())
        ),
    }
    return _frame("companies", f, cells, len(o))


def _deals(w: World, t: int, f: Fmt, opps_t: pd.DataFrame) -> pd.DataFrame:
    per_lead, per_opp = contact_ids(w)
    names, _domain = _company_names(w)
    D = opps_t[~opps_t["is_deleted"].to_numpy()]
    o = D["opp"].to_numpy()
    lead = D["lead"].to_numpy()
    first = np.where(
        lead >= 0,
        w.leads["first_name"].to_numpy()[np.maximum(lead, 0)],
        _sales_contact_people(o)[0],
    )
    last = np.where(
        lead >= 0,
        w.leads["last_name"].to_numpy()[np.maximum(lead, 0)],
        _sales_contact_people(o)[1],
    )
    campaign = D["sf_campaign"].to_numpy()
    campaign_names = w.sf_campaigns["name"].to_numpy().astype(object)
    stage_id = D["stage"].map(STAGE_ID).to_numpy(dtype=object)
    cells = {
        "hs_object_id": deal_ids(o).astype(str),
        "dealname": names[o] + " - New Business",
        "pipeline": f.pair((PIPELINE_LABEL, PIPELINE_ID), len(D)),
        "dealstage": D["stage"].to_numpy(dtype=object) if not f.api else stage_id,
        "amount": f.amount(D["amount"].to_numpy()),
        "closedate": f.date(D["close_s"]),
        "createdate": f.dt(D["created_s"]),
        "hubspot_owner_id": f.owner(D["owner"].to_numpy()),
        "hs_is_closed_won": f.bool(D["is_won"]),
        "hs_is_closed": f.bool(D["is_closed"]),
        "hs_campaign": np.where(campaign >= 0, campaign_names[np.maximum(campaign, 0)], ""),
        "Associated Contact": f.assoc(
            pd.Series(first, dtype=object) + " " + pd.Series(last, dtype=object), per_opp[o]
        ),
        "Associated Company": f.assoc(names[o], company_ids(o)),
    }
    # Stage entries: HubSpot keeps the latest time each stage was entered.
    H = state.history_at(w, t)
    row_of = np.full(len(w.opportunities), -1, dtype=np.int64)
    row_of[o] = np.arange(len(D))
    H = H[row_of[H["opp"].to_numpy()] >= 0]
    stage_index = pd.Series(np.arange(len(STAGES)), index=list(STAGES))
    entered = np.full((len(D), len(STAGES)), -1, dtype=np.int64)
    np.maximum.at(
        entered,
        (row_of[H["opp"].to_numpy()], stage_index.loc[H["stage"].to_numpy()].to_numpy()),
        H["entered_s"].to_numpy(),
    )
    for k, s in enumerate(STAGES):
        cells[f"hs_v2_date_entered_{STAGE_ID[s]}"] = f.dt(
            np.where(entered[:, k] >= 0, entered[:, k], NEVER)
        )
    return _frame("deals", f, cells, len(D))


def _owners(w: World, f: Fmt) -> pd.DataFrame:
    U = w.users
    first, last = U["first_name"].to_numpy(), U["last_name"].to_numpy()
    email = (
        pd.Series(first).str.lower() + "." + pd.Series(last).str.lower() + "@acmeflow.io"
    ).to_numpy()
    cells = {
        "id": f.owner_id,
        "firstName": first,
        "lastName": last,
        "email": email,
        "userId": (USER_ID_START + np.arange(len(U))).astype(str),
        "archived": f.bool(~U["active"].to_numpy(dtype=bool)),
    }
    return _frame("owners", f, cells, len(U))


def _activities(w: World, t: int, f: Fmt) -> dict[str, pd.DataFrame]:
    """Calls and emails from the Tasks on live leads, plus the incoming emails."""
    per_lead, _ = contact_ids(w)
    live = _live_leads(w, t)
    people = (w.leads["first_name"] + " " + w.leads["last_name"]).to_numpy(dtype=object)
    owner = w.leads["owner"].to_numpy()

    T = state.tasks_at(w, t)
    T = T[~T["deleted"].to_numpy() & live[T["lead"].to_numpy()]]

    def engagements(rows: pd.DataFrame, ids: np.ndarray) -> dict[str, np.ndarray]:
        lead = rows["lead"].to_numpy()
        return {
            "hs_object_id": ids.astype(str),
            "hs_timestamp": f.dt(rows["created_s"], epoch_ms=True),
            "hs_createdate": f.dt(rows["created_s"], epoch_ms=True),
            "hubspot_owner_id": f.owner(owner[lead]),
            "Associated Contact": f.assoc(people[lead], per_lead[lead]),
        }

    calls = T[T["is_call"].to_numpy()]
    call_cells = engagements(calls, ENGAGEMENT_ID_START + calls["task"].to_numpy())
    call_cells |= {
        "hs_call_title": np.full(len(calls), "Call", dtype=object),
        "hs_call_direction": f.pair(CALL_DIRECTION, len(calls)),
        "hs_call_status": f.pair(CALL_STATUS, len(calls)),
    }
    frames = {"calls": _frame("calls", f, call_cells, len(calls))}

    sent = T[~T["is_call"].to_numpy()]
    sent_cells = engagements(sent, ENGAGEMENT_ID_START + sent["task"].to_numpy())
    sent_cells |= {
        "hs_email_subject": np.full(len(sent), OUTGOING_SUBJECT, dtype=object),
        "hs_email_direction": f.pair(EMAIL_OUTGOING, len(sent)),
    }
    inc = incoming_at(w, t)
    inc_cells = engagements(inc, inc["id"].to_numpy())
    inc_cells |= {
        "hs_email_subject": np.full(len(inc), INCOMING_SUBJECT, dtype=object),
        "hs_email_direction": f.pair(EMAIL_INCOMING, len(inc)),
    }
    emails = pd.concat(
        [_frame("emails", f, sent_cells, len(sent)), _frame("emails", f, inc_cells, len(inc))],
        ignore_index=True,
    )
    when = np.concatenate([sent["created_s"].to_numpy(), inc["created_s"].to_numpy()])
    frames["emails"] = emails.iloc[np.argsort(when, kind="stable")].reset_index(drop=True)
    frames["meetings"] = _frame("meetings", f, {}, 0)
    frames["tasks"] = _frame("tasks", f, {}, 0)
    return frames


def snapshot_frames(
    w: World, t: int, style: str, timezone: str = "UTC", stats: dict[str, int] | None = None
) -> dict[str, pd.DataFrame]:
    """Every object of the snapshot at t, with the style's headers and cells. `stats` gets
    `ambiguous_local_times`: the naive portal-local cells whose wall-clock time occurs twice
    (the hour repeated when daylight saving ends), which no reader can convert back for sure."""
    f = Fmt(style, timezone, w)
    opps_t = state.opportunities_at(w, t)
    live_deal = np.zeros(len(w.opportunities), dtype=bool)
    live_deal[opps_t["opp"].to_numpy()[~opps_t["is_deleted"].to_numpy()]] = True
    frames = {
        "contacts": _contacts(w, t, f, opps_t, live_deal),
        "companies": _companies(w, f, opps_t),
        "deals": _deals(w, t, f, opps_t),
        "owners": _owners(w, f),
    }
    frames.update(_activities(w, t, f))
    if stats is not None:
        stats["ambiguous_local_times"] = f.ambiguous
    return {name: frames[name] for name in OBJECTS}


# ----------------------------------------------------------------------------- files


def snapshot_styles(n: int) -> list[str]:
    """Styles oldest first: the newest is the UI export, the second newest an API tool's."""
    styles = ["ui_old"] * n
    styles[-1] = "ui"
    if n >= 2:
        styles[-2] = "api"
    return styles


def file_name(obj: str, t: int, newest: bool) -> str:
    """The export tool's name in the newest snapshot, the object's name elsewhere."""
    return f"hubspot-crm-exports-all-{obj}-{day_string(t)}.csv" if newest else f"{obj}.csv"


def to_csv_bytes(frame: pd.DataFrame, style: str) -> bytes:
    buf = io.StringIO()
    if style == "ui_old":
        buf.write(UTF8_BOM)
    frame.to_csv(
        buf,
        index=False,
        quoting=csv.QUOTE_MINIMAL,
        lineterminator="\n" if style == "api" else "\r\n",
    )
    return buf.getvalue().encode("utf-8")


def write(
    out: Path,
    w: World,
    written: Written,
    timezone: str = "UTC",
    stats: dict[str, int] | None = None,
) -> list[str]:
    """Write every snapshot; returns the snapshot folder names, oldest first. `stats` gets
    the newest snapshot's (see snapshot_frames)."""
    check_timezone(timezone)
    times = w.params.snapshot_times()
    folders = []
    for i, (t, style) in enumerate(zip(times, snapshot_styles(len(times)), strict=True)):
        newest = i == len(times) - 1
        folder = snapshot_folder(t, newest=newest)
        folders.append(folder)
        frames = snapshot_frames(w, t, style, timezone, stats if newest else None)
        for obj, frame in frames.items():
            rel = f"hubspot/{folder}/{file_name(obj, t, newest)}"
            write_file(out / rel, to_csv_bytes(frame, style), t)
            written.add("hubspot", rel, len(frame))
    return folders
