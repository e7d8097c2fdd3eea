"""`revops generate --crm hubspot`: the same company's CRM as HubSpot exports.

The HubSpot files are checked against the Salesforce writer's snapshots of the same World
(the business facts must be equal, so that the marts are), against the raw contract's headers
written out here by hand, and for a portal time zone with a daylight-saving change inside the
simulated period (America/New_York, 1 November 2026).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from demo.cli import main
from demo.generate import generate
from demo.params import Params, snapshot_folder
from demo.simulate import simulate
from demo.writers import salesforce

TZ = "America/New_York"
# Seed 4 at this size has won, lost and deleted opportunities, sales-sourced ones, soft- and
# hard-deleted leads and queue-owned leads (asserted in test_the_sample_has_every_case).
PARAMS = Params(seed=4, scale=0.2, days=75, start=dt.date(2026, 8, 20))
OBJECTS = ("contacts", "companies", "deals", "owners", "calls", "emails", "meetings", "tasks")

# The raw contract's headers (UI labels), in the order the UI export writes them.
STAGE_LABELS = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)
UI_HEADERS = {
    "contacts": [
        "Record ID",
        "First Name",
        "Last Name",
        "Email",
        "Company Name",
        "Country/Region",
        "Job Title",
        "Contact owner",
        "Lifecycle Stage",
        "Lead Status",
        "Create Date",
        "Last Modified Date",
        "Original Source",
        "Original Source Drill-Down 1",
        "Original Source Drill-Down 2",
        "Became a Lead Date",
        "Became a Marketing Qualified Lead Date",
        "Became a Sales Qualified Lead Date",
        "Became an Opportunity Date",
        "Became a Customer Date",
        "UTM Source",
        "UTM Medium",
        "UTM Campaign",
        "GCLID",
        "GA Client ID",
        "Disqualification Reason",
        "Associated Company",
        "Associated Deal",
    ],
    "companies": [
        "Record ID",
        "Company name",
        "Company Domain Name",
        "Country/Region",
        "Industry",
        "Company owner",
        "Create Date",
    ],
    "deals": [
        "Record ID",
        "Deal Name",
        "Pipeline",
        "Deal Stage",
        "Amount",
        "Close Date",
        "Create Date",
        "Deal owner",
        "Is Closed Won",
        "Is closed",
        "HubSpot Campaign",
        "Associated Contact",
        "Associated Company",
    ]
    + [f'Date entered "{s} (Sales Pipeline)"' for s in STAGE_LABELS],
    "owners": ["Owner ID", "First Name", "Last Name", "Email", "User ID", "Archived"],
    "calls": [
        "Record ID",
        "Activity date",
        "Create Date",
        "Activity assigned to",
        "Call Title",
        "Call direction",
        "Call status",
        "Associated Contact",
    ],
    "emails": [
        "Record ID",
        "Activity date",
        "Create Date",
        "Activity assigned to",
        "Email subject",
        "Email direction",
        "Associated Contact",
    ],
    "meetings": [
        "Record ID",
        "Activity date",
        "Create Date",
        "Activity assigned to",
        "Meeting name",
        "Meeting start time",
        "Meeting outcome",
        "Associated Contact",
    ],
    "tasks": [
        "Record ID",
        "Create Date",
        "Due date",
        "Assigned to",
        "Task Title",
        "Task status",
        "Task Type",
        "Associated Contact",
    ],
}
STAGE_IDS = (
    "prospecting",
    "qualification",
    "needsanalysis",
    "proposalpricequote",
    "negotiationreview",
    "closedwon",
    "closedlost",
)
API_HEADERS = {
    "contacts": {
        "hs_object_id",
        "firstname",
        "lastname",
        "email",
        "company",
        "country",
        "jobtitle",
        "hubspot_owner_id",
        "lifecyclestage",
        "hs_lead_status",
        "createdate",
        "lastmodifieddate",
        "hs_analytics_source",
        "hs_analytics_source_data_1",
        "hs_analytics_source_data_2",
        "hs_lifecyclestage_lead_date",
        "hs_lifecyclestage_marketingqualifiedlead_date",
        "hs_lifecyclestage_salesqualifiedlead_date",
        "hs_lifecyclestage_opportunity_date",
        "hs_lifecyclestage_customer_date",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "gclid",
        "ga_client_id",
        "disqualification_reason",
        "Associated Company",
        "Associated Deal",
    },
    "companies": {
        "hs_object_id",
        "name",
        "domain",
        "country",
        "industry",
        "hubspot_owner_id",
        "createdate",
    },
    "deals": {
        "hs_object_id",
        "dealname",
        "pipeline",
        "dealstage",
        "amount",
        "closedate",
        "createdate",
        "hubspot_owner_id",
        "hs_is_closed_won",
        "hs_is_closed",
        "hs_campaign",
        "Associated Contact",
        "Associated Company",
    }
    | {f"hs_v2_date_entered_{s}" for s in STAGE_IDS},
    "owners": {"id", "firstName", "lastName", "email", "userId", "archived"},
    "calls": {
        "hs_object_id",
        "hs_timestamp",
        "hs_createdate",
        "hubspot_owner_id",
        "hs_call_title",
        "hs_call_direction",
        "hs_call_status",
        "Associated Contact",
    },
    "emails": {
        "hs_object_id",
        "hs_timestamp",
        "hs_createdate",
        "hubspot_owner_id",
        "hs_email_subject",
        "hs_email_direction",
        "Associated Contact",
    },
    "meetings": {
        "hs_object_id",
        "hs_timestamp",
        "hs_createdate",
        "hubspot_owner_id",
        "hs_meeting_title",
        "hs_meeting_start_time",
        "hs_meeting_outcome",
        "Associated Contact",
    },
    "tasks": {
        "hs_object_id",
        "hs_createdate",
        "hs_timestamp",
        "hubspot_owner_id",
        "hs_task_subject",
        "hs_task_status",
        "hs_task_type",
        "Associated Contact",
    },
}
# Channel of each HubSpot Original Source (the dbt seed's rows) and of each Salesforce
# LeadSource read as a source with an empty medium (SPEC 2: Email -> Email, else Other).
SOURCE_CHANNEL = {
    "PAID_SEARCH": "Paid Search",
    "PAID_SOCIAL": "Paid Social",
    "ORGANIC_SEARCH": "Organic Search",
    "SOCIAL_MEDIA": "Organic Social",
    "EMAIL_MARKETING": "Email",
    "REFERRALS": "Referral",
    "DIRECT_TRAFFIC": "Direct",
    "OFFLINE": "Other",
    "OTHER_CAMPAIGNS": "Other",
    "Paid search": "Paid Search",
    "Paid social": "Paid Social",
    "Organic search": "Organic Search",
    "Social media": "Organic Social",
    "Email marketing": "Email",
    "Referrals": "Referral",
    "Direct traffic": "Direct",
    "Offline sources": "Other",
    "Other campaigns": "Other",
}
LIFECYCLE_UI = {
    "lead": "Lead",
    "mql": "Marketing Qualified Lead",
    "opportunity": "Opportunity",
    "customer": "Customer",
    "other": "Other",
}
LIFECYCLE_API = {
    "lead": "lead",
    "mql": "marketingqualifiedlead",
    "opportunity": "opportunity",
    "customer": "customer",
    "other": "other",
}


@dataclass(frozen=True)
class Run:
    landing: Path
    truth: Path


def _generate(root: Path, crm: str, params: Params = PARAMS, **kw) -> Run:
    generate(root / "landing", params, root / "ground_truth", crm=crm, **kw)
    return Run(root / "landing", root / "ground_truth")


@pytest.fixture(scope="module")
def hs(tmp_path_factory) -> Run:
    return _generate(tmp_path_factory.mktemp("hs"), "hubspot", hubspot_timezone=TZ)


@pytest.fixture(scope="module")
def hs_again(tmp_path_factory) -> Run:
    return _generate(tmp_path_factory.mktemp("hs_again"), "hubspot", hubspot_timezone=TZ)


@pytest.fixture(scope="module")
def sf(tmp_path_factory) -> Run:
    return _generate(tmp_path_factory.mktemp("sf"), "salesforce")


@pytest.fixture(scope="module")
def world():
    return simulate(PARAMS)


@pytest.fixture(scope="module")
def sf_snapshots(world) -> dict[str, dict[str, pd.DataFrame]]:
    """folder -> the Salesforce writer's objects at that snapshot (Data Export style)."""
    times = PARAMS.snapshot_times()
    return {
        snapshot_folder(t, newest=i == len(times) - 1): {
            name: _read_bytes(salesforce.to_csv_bytes(frame))
            for name, frame in salesforce.snapshot_frames(world, t, "export").items()
        }
        for i, t in enumerate(times)
    }


def _read_bytes(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _folders(run: Run) -> list[str]:
    return sorted(p.name for p in (run.landing / "hubspot").iterdir())


def _read(run: Run, folder: str, obj: str) -> pd.DataFrame:
    """The snapshot's file of one object, whatever its name."""
    paths = [
        p
        for p in (run.landing / "hubspot" / folder).iterdir()
        if p.name == f"{obj}.csv" or f"-all-{obj}-" in p.name
    ]
    assert len(paths) == 1, (folder, obj, paths)
    return _read_bytes(paths[0].read_bytes())


def _ids(run: Run) -> pd.DataFrame:
    return pd.read_csv(run.truth / "hubspot_ids.csv", dtype=str, keep_default_na=False)


def _utc(text: pd.Series) -> pd.Series:
    """Salesforce or API-style datetimes (with a zone) -> UTC timestamps; '' -> NaT."""
    return pd.to_datetime(text.replace("", None), utc=True, format="ISO8601")


def _local_candidates(text: pd.Series, tz: str = TZ) -> tuple[pd.Series, pd.Series]:
    """Naive portal-local datetimes -> UTC, read as daylight time and as standard time where
    the wall clock is ambiguous (the hour repeated when daylight saving ends); elsewhere the
    two are the same instant."""
    naive = pd.to_datetime(text.replace("", None), format="%Y-%m-%d %H:%M:%S")
    n = len(naive)
    dst = naive.dt.tz_localize(tz, ambiguous=np.ones(n, dtype=bool)).dt.tz_convert("UTC")
    std = naive.dt.tz_localize(tz, ambiguous=np.zeros(n, dtype=bool)).dt.tz_convert("UTC")
    return dst, std


def _same_instant(local_text: pd.Series, utc: pd.Series) -> np.ndarray:
    dst, std = _local_candidates(local_text)
    utc = utc.reset_index(drop=True)
    dst, std = dst.reset_index(drop=True), std.reset_index(drop=True)
    both_empty = (dst.isna() & utc.isna()).to_numpy()
    return both_empty | (dst == utc).to_numpy() | (std == utc).to_numpy()


def _id_in(cell: pd.Series) -> pd.Series:
    """The Record ID in a UI association cell `Name (123)`."""
    return cell.str.extract(r"\((\d+)\)$")[0].fillna("")


def _owner_names(users: pd.DataFrame) -> dict[str, str]:
    return dict(zip(users["Id"], users["FirstName"] + " " + users["LastName"], strict=True))


def _styles(run: Run) -> dict[str, str]:
    folders = _folders(run)
    return {
        f: ("ui" if f == folders[-1] else "api" if f == folders[-2] else "ui_old") for f in folders
    }


# ----------------------------------------------------------------------------- tests


def test_the_sample_has_every_case(sf_snapshots):
    newest = sf_snapshots[max(sf_snapshots)]
    opp, lead, contact = newest["Opportunity"], newest["Lead"], newest["Contact"]
    assert (opp["IsWon"] == "true").sum() >= 2
    assert ((opp["IsClosed"] == "true") & (opp["IsWon"] == "false")).any()
    assert (opp["IsDeleted"] == "true").any()
    assert (lead["IsDeleted"] == "true").any()
    assert lead["OwnerId"].str.startswith("00G").any()
    assert (~contact["Id"].isin(lead["ConvertedContactId"])).any()
    assert (lead["Status"] == "Closed - Not Converted").any()


def test_same_seed_gives_identical_bytes_and_mtimes(hs, hs_again):
    def files(run: Run) -> dict[str, tuple[bytes, int]]:
        root = run.landing / "hubspot"
        return {
            p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    a = files(hs)
    assert a == files(hs_again) and len(a) == 8 * len(PARAMS.snapshot_times())
    for name in ("hubspot_ids.csv", "summary.json", "leads.csv"):
        assert (hs.truth / name).read_bytes() == (hs_again.truth / name).read_bytes()


def test_no_salesforce_folder_and_the_same_ground_truth(hs, sf):
    assert not (hs.landing / "salesforce").exists()
    assert not (sf.landing / "hubspot").exists() and not (sf.truth / "hubspot_ids.csv").exists()
    for name in ("leads.csv", "campaigns.csv", "opportunities.csv"):
        assert (hs.truth / name).read_bytes() == (sf.truth / name).read_bytes()
    a = json.loads((hs.truth / "summary.json").read_text())
    b = json.loads((sf.truth / "summary.json").read_text())
    assert a["totals"] == b["totals"] and a["snapshots"] == b["snapshots"]
    assert a["parameters"]["crm"] == "hubspot" and "crm" not in b["parameters"]
    assert a["hubspot"]["timezone"] == TZ and a["files"]["hubspot"] == 8 * len(a["snapshots"])


def test_snapshot_folders_times_and_file_names(hs, sf):
    folders = _folders(hs)
    assert folders == sorted(p.name for p in (sf.landing / "salesforce").iterdir())
    newest = folders[-1]
    names = sorted(p.name for p in (hs.landing / "hubspot" / newest).iterdir())
    day = newest[:10]
    assert names == sorted(f"hubspot-crm-exports-all-{o}-{day}.csv" for o in OBJECTS)
    for folder in folders[:-1]:
        names = sorted(p.name for p in (hs.landing / "hubspot" / folder).iterdir())
        assert names == sorted(f"{o}.csv" for o in OBJECTS)
    for folder in folders:  # mtimes are the export times, like Salesforce's
        t = int((hs.landing / "hubspot" / folder).iterdir().__next__().stat().st_mtime)
        sf_t = int(next((sf.landing / "salesforce" / folder).iterdir()).stat().st_mtime)
        assert t == sf_t


def test_headers_are_the_contract_s(hs):
    folders = _folders(hs)
    styles = _styles(hs)
    assert len(folders) >= 3 and set(styles.values()) == {"ui", "api", "ui_old"}
    for folder in folders:
        for obj in OBJECTS:
            header = list(_read(hs, folder, obj).columns)
            if styles[folder] == "api":
                assert set(header) == API_HEADERS[obj], (folder, obj)
            else:
                assert header == UI_HEADERS[obj], (folder, obj)
    first = (hs.landing / "hubspot" / folders[0] / "contacts.csv").read_bytes()
    newest = next((hs.landing / "hubspot" / folders[-1]).glob("*-all-contacts-*")).read_bytes()
    assert first.startswith(b"\xef\xbb\xbf") and b"\r\n" in first
    assert not newest.startswith(b"\xef\xbb\xbf")


def test_counts_equal_the_salesforce_snapshots(hs, sf_snapshots):
    summary_incoming = None
    for folder, s in sf_snapshots.items():
        lead, contact, opp, task = s["Lead"], s["Contact"], s["Opportunity"], s["Task"]
        live_leads = lead[lead["IsDeleted"] == "false"]
        not_from_lead = contact[~contact["Id"].isin(lead["ConvertedContactId"])]
        contacts = _read(hs, folder, "contacts")
        assert len(contacts) == len(live_leads) + len(not_from_lead)
        assert contacts["Record ID"].is_unique if "Record ID" in contacts else True
        assert len(_read(hs, folder, "deals")) == (opp["IsDeleted"] == "false").sum()
        assert len(_read(hs, folder, "companies")) == len(s["Account"])
        assert len(_read(hs, folder, "owners")) == len(s["User"])
        on_live = task[(task["IsDeleted"] == "false") & task["WhoId"].isin(live_leads["Id"])]
        assert len(_read(hs, folder, "calls")) == (on_live["Type"] == "Call").sum()
        emails = _read(hs, folder, "emails")
        direction = emails.get("Email direction", emails.get("hs_email_direction"))
        outgoing = direction.isin(["Outgoing email", "EMAIL"])
        incoming = direction.isin(["Incoming email", "INCOMING_EMAIL"])
        assert (outgoing | incoming).all()
        assert outgoing.sum() == (on_live["Type"] == "Email").sum()
        assert set(on_live["Type"]) <= {"Call", "Email"}  # so tasks.csv is empty
        assert len(_read(hs, folder, "tasks")) == len(_read(hs, folder, "meetings")) == 0
        summary_incoming = int(incoming.sum())
    summary = json.loads((hs.truth / "summary.json").read_text())
    assert summary["hubspot"]["incoming_emails"] == summary_incoming > 0


def _contacts_by_lead(hs: Run, folder: str, lead: pd.DataFrame) -> pd.DataFrame:
    """The live Salesforce leads joined with their HubSpot contact (by e-mail, as written)."""
    live = lead[lead["IsDeleted"] == "false"]
    contacts = _read(hs, folder, "contacts")
    email = "Email" if "Email" in contacts else "email"
    joined = live.merge(contacts, left_on="Email", right_on=email, how="left", indicator=True)
    assert (joined["_merge"] == "both").all() and len(joined) == len(live)
    return joined


def _expected_stage(lead: pd.DataFrame, opp: pd.DataFrame) -> np.ndarray:
    won = set(opp.loc[opp["IsWon"] == "true", "Id"])
    return np.select(
        [
            lead["ConvertedOpportunityId"].isin(won),
            lead["IsConverted"] == "true",
            lead["MQL_Date__c"] != "",
        ],
        ["customer", "opportunity", "mql"],
        "lead",
    )


def test_ui_contacts_carry_the_leads_facts(hs, sf_snapshots):
    styles = _styles(hs)
    for folder, s in sf_snapshots.items():
        if styles[folder] == "api":
            continue
        lead, opp, users = s["Lead"], s["Opportunity"], s["User"]
        j = _contacts_by_lead(hs, folder, lead)
        assert _same_instant(j["Create Date"], _utc(j["CreatedDate"])).all()
        assert _same_instant(j["Became a Lead Date"], _utc(j["CreatedDate"])).all()
        assert _same_instant(
            j["Became a Marketing Qualified Lead Date"], _utc(j["MQL_Date__c"])
        ).all()
        assert (
            (j["MQL_Date__c"] != "") == (j["Became a Marketing Qualified Lead Date"] != "")
        ).all()
        for col in ("Became a Sales Qualified Lead Date", "Became an Opportunity Date"):
            dst, _ = _local_candidates(j[col])
            sql_date = dst.dt.strftime("%Y-%m-%d").fillna("").to_numpy()
            assert (sql_date == j["ConvertedDate"].to_numpy()).all(), col
        stage = _expected_stage(j, opp)
        assert (j["Lifecycle Stage"].to_numpy() == pd.Series(stage).map(LIFECYCLE_UI)).all()
        unqualified = j["Lead Status"] == "Unqualified"
        assert (unqualified == (j["Status"] == "Closed - Not Converted")).all()
        assert set(j["Lead Status"]) <= {"New", "In Progress", "Open Deal", "Unqualified"}
        assert (j["Disqualification Reason"] == j["Disqualified_Reason__c"]).all()
        for hs_col, sf_col in (
            ("UTM Source", "UTM_Source__c"),
            ("UTM Medium", "UTM_Medium__c"),
            ("UTM Campaign", "UTM_Campaign__c"),
            ("GCLID", "GCLID__c"),
            ("GA Client ID", "GA_Client_ID__c"),
            ("First Name", "FirstName"),
            ("Last Name", "LastName"),
            ("Company Name", "Company"),
            ("Country/Region", "Country"),
        ):
            assert (j[hs_col] == j[sf_col]).all(), hs_col
        channel = j["Original Source"].map(SOURCE_CHANNEL)
        assert channel.notna().all()
        expected = np.where(j["LeadSource"].str.lower() == "email", "Email", "Other")
        assert (channel.to_numpy() == expected).all()
        assert (j["Original Source Drill-Down 2"] == "").all()  # never a campaign name
        owner = j["OwnerId"].map(_owner_names(users)).fillna("")
        assert (owner == j["Contact owner"]).all()
        assert (j.loc[j["OwnerId"].str.startswith("00G"), "Contact owner"] == "").all()
        # The MQL count and the disqualified leads are the Salesforce snapshot's.
        assert (j["Became a Marketing Qualified Lead Date"] != "").sum() == (
            j["MQL_Date__c"] != ""
        ).sum()


def test_api_contacts_carry_the_leads_facts(hs, sf_snapshots, world):
    folder = _folders(hs)[-2]
    s = sf_snapshots[folder]
    j = _contacts_by_lead(hs, folder, s["Lead"])
    assert (_utc(j["createdate"]) == _utc(j["CreatedDate"])).all()
    mql = _utc(j["hs_lifecyclestage_marketingqualifiedlead_date"])
    assert ((mql == _utc(j["MQL_Date__c"])) | (mql.isna() & (j["MQL_Date__c"] == ""))).all()
    assert j["createdate"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z").all()
    sql = _utc(j["hs_lifecyclestage_salesqualifiedlead_date"]).dt.strftime("%Y-%m-%d")
    assert (sql.fillna("").to_numpy() == j["ConvertedDate"].to_numpy()).all()
    stage = _expected_stage(j, s["Opportunity"])
    assert (j["lifecyclestage"].to_numpy() == pd.Series(stage).map(LIFECYCLE_API)).all()
    assert (
        (j["hs_lead_status"] == "UNQUALIFIED") == (j["Status"] == "Closed - Not Converted")
    ).all()
    channel = j["hs_analytics_source"].map(SOURCE_CHANNEL)
    assert (channel == np.where(j["LeadSource"] == "Email", "Email", "Other")).all()
    owners = _read(hs, folder, "owners")
    by_name = dict(zip(owners["firstName"] + " " + owners["lastName"], owners["id"], strict=True))
    sf_owner = j["OwnerId"].map(_owner_names(s["User"])).map(by_name).fillna("")
    assert (sf_owner == j["hubspot_owner_id"]).all()
    assert j["hubspot_owner_id"].str.fullmatch(r"\d*").all()


def test_contacts_that_are_no_leads_have_stage_other(hs, sf_snapshots):
    for folder, s in sf_snapshots.items():
        lead, contact = s["Lead"], s["Contact"]
        others = contact[~contact["Id"].isin(lead["ConvertedContactId"])]
        contacts = _read(hs, folder, "contacts")
        email = "Email" if "Email" in contacts else "email"
        stage = "Lifecycle Stage" if "Lifecycle Stage" in contacts else "lifecyclestage"
        hs_other = contacts[contacts[stage].isin(["Other", "other"])]
        assert sorted(hs_other[email]) == sorted(others["Email"])
        lead_date = "Became a Lead Date" if email == "Email" else "hs_lifecyclestage_lead_date"
        assert (hs_other[lead_date] == "").all()
        assert (contacts.loc[~contacts[stage].isin(["Other", "other"]), lead_date] != "").all()


def _deals_with_opps(hs: Run, folder: str, s: dict[str, pd.DataFrame]) -> pd.DataFrame:
    ids = _ids(hs)
    deal_of = dict(
        zip(
            ids.loc[ids["salesforce_object"] == "Opportunity", "hubspot_id"],
            ids.loc[ids["salesforce_object"] == "Opportunity", "salesforce_id"],
            strict=True,
        )
    )
    deals = _read(hs, folder, "deals").add_prefix("hs:")
    record = "hs:Record ID" if "hs:Record ID" in deals else "hs:hs_object_id"
    deals["sf_id"] = deals[record].map(deal_of)
    opp = s["Opportunity"]
    j = opp[opp["IsDeleted"] == "false"].merge(deals, left_on="Id", right_on="sf_id", how="left")
    assert j["sf_id"].notna().all()
    return j


def test_deals_carry_the_opportunities_facts(hs, sf_snapshots):
    styles = _styles(hs)
    ids = _ids(hs)
    contact_of = dict(zip(ids["salesforce_id"], ids["hubspot_id"], strict=True))
    total_won = 0
    for folder, s in sf_snapshots.items():
        j = _deals_with_opps(hs, folder, s)
        ui = styles[folder] != "api"

        def col(label: str, name: str, ui: bool = ui, j: pd.DataFrame = j) -> pd.Series:
            return j["hs:" + (label if ui else name)]

        yes = {"ui": "true", "api": "true", "ui_old": "Yes"}[styles[folder]]
        won = col("Is Closed Won", "hs_is_closed_won") == yes
        closed = col("Is closed", "hs_is_closed") == yes
        assert (won == (j["IsWon"] == "true")).all()
        assert (closed == (j["IsClosed"] == "true")).all()
        amount = col("Amount", "amount").astype(float)
        assert np.allclose(amount, j["Amount"].astype(float))
        # Won deals and won amounts equal the snapshot's.
        opp = s["Opportunity"]
        assert won.sum() == (opp["IsWon"] == "true").sum()
        total_won += int(won.sum())
        assert np.isclose(
            amount[won].sum(), opp.loc[opp["IsWon"] == "true", "Amount"].astype(float).sum()
        )
        assert (col("Close Date", "closedate").str[:10] == j["CloseDate"]).all()
        stage = col("Deal Stage", "dealstage")
        ids_of = dict(zip(STAGE_LABELS, STAGE_IDS, strict=True))
        assert (stage == (j["StageName"] if ui else j["StageName"].map(ids_of))).all()
        assert (col("Pipeline", "pipeline") == ("Sales Pipeline" if ui else "default")).all()
        created = col("Create Date", "createdate")
        if ui:
            assert _same_instant(created, _utc(j["CreatedDate"])).all()
        else:
            assert (_utc(created) == _utc(j["CreatedDate"])).all()
        # The associated contact is the converted lead's (or the Contact's for sales-sourced).
        lead = s["Lead"]
        converted = lead[lead["ConvertedOpportunityId"] != ""]
        lead_of_opp = dict(zip(converted["ConvertedOpportunityId"], converted["Id"], strict=True))
        contact_of_opp = dict(zip(s["Contact"]["AccountId"], s["Contact"]["Id"], strict=True))
        sf_contact = [
            contact_of[lead_of_opp[o]] if o in lead_of_opp else contact_of[contact_of_opp[a]]
            for o, a in zip(j["Id"], j["AccountId"], strict=True)
        ]
        cell = j["hs:Associated Contact"]
        assert ((_id_in(cell) if ui else cell) == pd.Series(sf_contact)).all()
        assert any(o in lead_of_opp for o in j["Id"]) and any(o not in lead_of_opp for o in j["Id"])
        # The primary campaign's name.
        names = dict(zip(s["Campaign"]["Id"], s["Campaign"]["Name"], strict=True))
        campaign = j["CampaignId"].map(names).fillna("")
        assert (campaign == col("HubSpot Campaign", "hs_campaign")).all()
        assert (campaign != "").any()
    assert total_won > 0


def test_stage_entries_are_the_opportunity_history(hs, sf_snapshots):
    styles = _styles(hs)
    for folder, s in sf_snapshots.items():
        j = _deals_with_opps(hs, folder, s)
        ui = styles[folder] != "api"
        history = s["OpportunityHistory"]
        assert not history.duplicated(["OpportunityId", "StageName"]).any()  # no re-entries
        n_cells = 0
        for label, stage_id in zip(STAGE_LABELS, STAGE_IDS, strict=True):
            col = "hs:" + (
                f'Date entered "{label} (Sales Pipeline)"'
                if ui
                else f"hs_v2_date_entered_{stage_id}"
            )
            rows = history[history["StageName"] == label].set_index("OpportunityId")
            expected = _utc(j["Id"].map(rows["CreatedDate"]).fillna(""))
            if ui:
                assert _same_instant(j[col], expected).all(), (folder, col)
            else:
                got = _utc(j[col])
                assert ((got == expected) | (got.isna() & expected.isna())).all(), (folder, col)
            n_cells += int((j[col] != "").sum())
        live = history["OpportunityId"].isin(j["Id"])
        assert n_cells == live.sum() > 0


def test_activities_are_the_tasks_and_incoming_emails_follow_the_mql(hs, sf_snapshots):
    styles = _styles(hs)
    ids = _ids(hs)
    contact_of = dict(zip(ids["salesforce_id"], ids["hubspot_id"], strict=True))
    for folder, s in sf_snapshots.items():
        ui = styles[folder] != "api"
        lead, task = s["Lead"], s["Task"]
        live = lead[lead["IsDeleted"] == "false"]
        task = task[(task["IsDeleted"] == "false") & task["WhoId"].isin(live["Id"])]
        names = _owner_names(s["User"])
        for obj, kind in (("calls", "Call"), ("emails", "Email")):
            frame = _read(hs, folder, obj)
            if obj == "emails":
                d = frame["Email direction" if ui else "hs_email_direction"]
                frame = frame[d == ("Outgoing email" if ui else "EMAIL")]
            sf_rows = task[task["Type"] == kind]
            cell = frame["Associated Contact"]
            got_contact = _id_in(cell) if ui else cell
            when = frame["Activity date" if ui else "hs_timestamp"]
            if ui:
                utc = _local_candidates(when)[0]
            else:
                assert when.str.fullmatch(r"\d{13}").all()  # epoch milliseconds
                utc = pd.to_datetime(when.astype("int64"), unit="ms", utc=True)
            got = pd.DataFrame({"c": got_contact.to_numpy(), "t": utc.to_numpy()})
            want = pd.DataFrame(
                {
                    "c": sf_rows["WhoId"].map(contact_of).to_numpy(),
                    "t": _utc(sf_rows["CreatedDate"]).to_numpy(),
                }
            )
            if ui:  # compare instants, allowing for the repeated hour when DST ends
                _, std = _local_candidates(when)
                got_std = pd.DataFrame({"c": got_contact.to_numpy(), "t": std.to_numpy()})
                keys = set(map(tuple, want.to_numpy()))
                assert all(
                    a in keys or b in keys
                    for a, b in zip(
                        map(tuple, got.to_numpy()), map(tuple, got_std.to_numpy()), strict=True
                    )
                )
            else:
                assert sorted(map(tuple, got.to_numpy())) == sorted(map(tuple, want.to_numpy()))
            owner = frame["Activity assigned to" if ui else "hubspot_owner_id"]
            if ui:
                expected_owner = sf_rows["OwnerId"].map(names)
                assert sorted(owner) == sorted(expected_owner)
        # Incoming emails: from a live lead's contact, after its MQL date, never a sales touch.
        emails = _read(hs, folder, "emails")
        d = emails["Email direction" if ui else "hs_email_direction"]
        inc = emails[d == ("Incoming email" if ui else "INCOMING_EMAIL")]
        cell = inc["Associated Contact"]
        inc_contact = (_id_in(cell) if ui else cell).to_numpy()
        mql_of = dict(zip(live["Id"].map(contact_of), _utc(live["MQL_Date__c"]), strict=True))
        when = inc["Activity date" if ui else "hs_timestamp"]
        utc = (
            _local_candidates(when)[1]
            if ui
            else pd.to_datetime(when.astype("int64"), unit="ms", utc=True)
        )
        for c, t in zip(inc_contact, utc, strict=True):
            assert c in mql_of and pd.notna(mql_of[c]) and t > mql_of[c]


def test_owners_are_the_users(hs, sf_snapshots):
    for folder, s in sf_snapshots.items():
        owners = _read(hs, folder, "owners")
        users = s["User"]
        first = "First Name" if "First Name" in owners else "firstName"
        last = "Last Name" if "Last Name" in owners else "lastName"
        assert sorted(owners[first] + " " + owners[last]) == sorted(
            users["FirstName"] + " " + users["LastName"]
        )
        archived = owners["Archived" if "Archived" in owners else "archived"]
        assert set(archived) <= {"false", "No"}  # every demo user is active
        record = owners["Owner ID" if "Owner ID" in owners else "id"]
        assert record.str.fullmatch(r"\d+").all() and record.is_unique


def test_ui_datetimes_are_portal_local_and_convert_back(hs, sf_snapshots):
    """New York is UTC-4 in summer and UTC-5 after 1 November 2026: naive local times read
    in that zone give the Salesforce UTC instants again; a wall-clock time inside the hour
    repeated that night is ambiguous (a real limit of HubSpot's UI export) and matches one
    of its two readings."""
    folder = _folders(hs)[-1]
    s = sf_snapshots[folder]
    j = _contacts_by_lead(hs, folder, s["Lead"])
    created_utc = _utc(j["CreatedDate"])
    naive = pd.to_datetime(j["Create Date"], format="%Y-%m-%d %H:%M:%S")
    offset_h = (naive - created_utc.dt.tz_localize(None)).dt.total_seconds() / 3600
    summer = created_utc < pd.Timestamp("2026-11-01T06:00Z")
    assert set(offset_h[summer]) == {-4.0} and set(offset_h[~summer]) == {-5.0}
    assert summer.any() and (~summer).any()
    dst, std = _local_candidates(j["Create Date"])
    assert ((dst == created_utc) | (std == created_utc)).all()
    assert (dst == std).mean() > 0.99
    # The ground truth counts the newest snapshot's ambiguous cells (this sample has some).
    summary = json.loads((hs.truth / "summary.json").read_text())
    ambiguous = 0
    for obj in OBJECTS:
        frame = _read(hs, folder, obj)
        ambiguous += sum(int(frame[c].str.startswith("2026-11-01 01:").sum()) for c in frame)
    assert summary["hubspot"]["ambiguous_local_times"] == ambiguous > 0


def test_cli_hubspot_options(tmp_path, capsys):
    small = ["--scale", "0.12", "--days", "45", "--start", "2026-09-20", "--seed", "7"]
    out = tmp_path / "landing"
    assert main(["--out", str(out), "--crm", "hubspot", "--variants", *small]) == 0
    assert "hubspot" in capsys.readouterr().out
    assert (out / "hubspot").is_dir() and not (out / "salesforce").exists()
    summary = json.loads((tmp_path / "ground_truth" / "summary.json").read_text())
    kinds = {v["kind"] for v in summary["variants"]}
    assert "meta_weekly" in kinds and not any(k.startswith("salesforce") for k in kinds)
    # UTC portal (the default): naive datetimes are the UTC ones.
    newest = sorted((out / "hubspot").iterdir())[-1]
    contacts = _read_bytes(next(newest.glob("*-all-contacts-*")).read_bytes())
    assert (contacts["Create Date"].str.len() == 19).all()
    for argv, message in (
        (["--crm", "hubspot", "--from-olist", str(tmp_path)], "--from-olist"),
        (["--crm", "hubspot", "--hubspot-timezone", "Mars/Olympus"], "time zone"),
        (["--hubspot-timezone", TZ], "--crm hubspot only"),
        (["--crm", "pipedrive"], "invalid choice"),
    ):
        with pytest.raises(SystemExit) as exc:
            main(["--out", str(tmp_path / "other"), *argv])
        assert exc.value.code == 2 and message in capsys.readouterr().err
    # --force replaces the HubSpot folder when switching back to Salesforce.
    assert main(["--out", str(out), "--force", *small]) == 0
    assert (out / "salesforce").is_dir() and not (out / "hubspot").exists()
    assert not (tmp_path / "ground_truth" / "hubspot_ids.csv").exists()
