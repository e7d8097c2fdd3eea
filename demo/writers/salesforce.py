"""Salesforce weekly snapshots: `salesforce/<export time>/<Object>.csv`, one per object.

Each snapshot is the full state of the CRM at its time (demo/state.py), with API field names,
the custom lead fields (MQL date, disqualified reason, GA client id, UTMs, GCLID), every
cell quoted and multi-line text kept. Styles:
- `export`: Data Export (`true`/`false`, `2026-03-04T10:22:13.000Z`, dates `2026-03-04`);
- `dataloader`: Data Loader (`1`/`0`, `2026-03-04 10:22:13`, dates as midnight datetimes,
  null Ids `000000000000000AAA` / `000000000000000` in empty lookups);
- `export_mql_date`: Data Export where MQL_Date__c was still a Date field (`2026-03-04`).
The newest snapshot is `export` style and named `YYYY-MM-DDTHHMMSSZ`; the second newest is the
Data Loader one; the oldest writes MQL_Date__c as a date.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from demo import catalogue as cat
from demo import state
from demo.ids import NULL_ID, NULL_ID_15, sf_ids
from demo.params import NEVER, snapshot_folder
from demo.simulate import World
from demo.writers.common import Written, write_file

OBJECTS = (
    "Lead",
    "Contact",
    "Account",
    "Opportunity",
    "OpportunityHistory",
    "Campaign",
    "CampaignMember",
    "Task",
    "User",
)
ID_OFFSET = 1_000_000  # counters start here so Ids look like a used org's


def _excel_text(seconds: np.ndarray, ok: np.ndarray, fmt: str) -> np.ndarray:
    """US-style text as Excel re-saves it (`11/24/26 9:05 AM`): minutes, no zone (UTC)."""
    stamps = pd.to_datetime(np.where(ok, seconds, 0), unit="s")
    text = pd.Series(stamps.strftime(fmt)).str.replace(r"(^|/| )0(\d)", r"\1\2", regex=True)
    return np.where(ok, text.to_numpy(dtype=object), "").astype(object)


class Fmt:
    """Cell formatting for one snapshot style; every method takes and returns arrays.
    `excel` (only with `revops generate --variants`): a Data Export re-saved by Excel."""

    def __init__(self, style: str) -> None:
        self.style = style
        self.loader = style == "dataloader"
        self.excel = style == "excel"

    def dt(self, seconds: np.ndarray) -> np.ndarray:
        seconds = np.asarray(seconds, dtype=np.int64)
        ok = seconds < NEVER
        if self.excel:
            return _excel_text(seconds, ok, "%m/%d/%y %I:%M %p")
        text = np.datetime_as_string(np.where(ok, seconds, 0).astype("datetime64[s]"), unit="s")
        text = np.char.replace(text, "T", " ") if self.loader else np.char.add(text, ".000Z")
        return np.where(ok, text, "").astype(object)

    def date(self, seconds: np.ndarray) -> np.ndarray:
        seconds = np.asarray(seconds, dtype=np.int64)
        ok = seconds < NEVER
        if self.excel:
            return _excel_text(seconds, ok, "%m/%d/%y")
        text = np.datetime_as_string(np.where(ok, seconds, 0).astype("datetime64[s]"), unit="D")
        if self.loader:
            text = np.char.add(text, " 00:00:00")
        return np.where(ok, text, "").astype(object)

    def mql(self, seconds: np.ndarray) -> np.ndarray:
        return self.date(seconds) if self.style == "export_mql_date" else self.dt(seconds)

    def bool(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=bool)
        if self.excel:  # Excel writes TRUE/FALSE
            return np.where(values, "TRUE", "FALSE").astype(object)
        return np.where(
            values, "1" if self.loader else "true", "0" if self.loader else "false"
        ).astype(object)

    def lookup(self, ids: np.ndarray, short: bool = False) -> np.ndarray:
        ids = np.asarray(ids, dtype=object)
        empty = (ids == "") | pd.isna(ids)
        if self.loader:
            return np.where(empty, NULL_ID_15 if short else NULL_ID, ids).astype(object)
        return np.where(empty, "", ids).astype(object)


def _ids(obj: str, counters: np.ndarray) -> np.ndarray:
    return sf_ids(obj, np.asarray(counters, dtype=np.int64) + ID_OFFSET).astype(object)


def _owner_ids(w: World, owner: np.ndarray) -> np.ndarray:
    users = w.users["Id"].to_numpy().astype(object)
    owner = np.asarray(owner)
    return np.where(owner >= 0, users[np.maximum(owner, 0)], cat.LEAD_QUEUE_ID).astype(object)


def _pick(ids: np.ndarray, idx: np.ndarray) -> np.ndarray:
    idx = np.asarray(idx, dtype=np.int64)
    return np.where(idx >= 0, ids[np.maximum(idx, 0)] if ids.size else "", "").astype(object)


def _accounts(w: World) -> pd.DataFrame:
    """One account per opportunity: the converted lead's company, or one sales brought in."""
    opps_df = w.opportunities
    lead = opps_df["lead"].to_numpy()
    companies = w.leads["company"].to_numpy()
    n = opps_df["opp"].to_numpy()
    synthetic = (
        np.array(cat.COMPANY_PREFIXES)[n % len(cat.COMPANY_PREFIXES)]
        + " "
        + np.array(cat.COMPANY_SUFFIXES)[(n // 7) % len(cat.COMPANY_SUFFIXES)]
        + " Group"
    )
    return pd.DataFrame(
        {
            "name": np.where(lead >= 0, companies[np.maximum(lead, 0)], synthetic),
            "created_s": np.where(
                lead >= 0, opps_df["created_s"], opps_df["created_s"] - 30 * 86_400
            ),
        }
    )


def _lead_frame(w: World, t: int, f: Fmt) -> pd.DataFrame:
    L = state.leads_at(w, t)
    opp_ids = _ids("Opportunity", w.opportunities["opp"].to_numpy())
    conv_opp = _pick(opp_ids, L["opp"].to_numpy())
    acc_ids = _ids("Account", w.opportunities["opp"].to_numpy())
    con_ids = _ids("Contact", w.opportunities["opp"].to_numpy())
    return pd.DataFrame(
        {
            "Id": _ids("Lead", L["lead"].to_numpy()),
            "IsDeleted": f.bool(L["is_deleted"]),
            "FirstName": L["first_name"].to_numpy(),
            "LastName": L["last_name"].to_numpy(),
            "Company": L["company"].to_numpy(),
            "Title": L["title"].to_numpy(),
            "Email": L["email_written"].to_numpy(),
            "Country": L["country"].to_numpy(),
            "Industry": L["industry"].to_numpy(),
            "LeadSource": L["lead_source"].to_numpy(),
            "Status": L["status"].to_numpy(),
            "OwnerId": _owner_ids(w, L["owner"].to_numpy()),
            "IsConverted": f.bool(L["is_converted"]),
            "ConvertedDate": f.date(np.where(L["is_converted"], L["decision_s"], NEVER)),
            "ConvertedAccountId": f.lookup(_pick(acc_ids, L["opp"].to_numpy())),
            "ConvertedContactId": f.lookup(_pick(con_ids, L["opp"].to_numpy())),
            "ConvertedOpportunityId": f.lookup(conv_opp),
            "CreatedDate": f.dt(L["created_s"]),
            "LastModifiedDate": f.dt(L["last_modified_s"]),
            "Description": L["description"].to_numpy(),
            "MQL_Date__c": f.mql(np.where(L["is_mql"], L["mql_s"], NEVER)),
            "Disqualified_Reason__c": np.where(L["is_disqualified"], L["dq_reason"], ""),
            "GA_Client_ID__c": L["ga_client_id"].to_numpy(),
            "UTM_Source__c": L["utm_source"].to_numpy(),
            "UTM_Medium__c": L["utm_medium"].to_numpy(),
            "UTM_Campaign__c": L["utm_campaign"].to_numpy(),
            "GCLID__c": L["gclid"].to_numpy(),
        }
    )


def _opportunity_frames(w: World, t: int, f: Fmt) -> dict[str, pd.DataFrame]:
    opps_df = state.opportunities_at(w, t)
    opp = opps_df["opp"].to_numpy()
    accounts = _accounts(w)
    lead = opps_df["lead"].to_numpy()
    lead_source = np.where(lead >= 0, w.leads["lead_source"].to_numpy()[np.maximum(lead, 0)], "")
    sf_campaign_ids = w.sf_campaigns["Id"].to_numpy().astype(object)
    forecast = np.select(
        [opps_df["is_won"], opps_df["is_closed"], opps_df["probability"] >= 60],
        ["Closed", "Omitted", "Commit"],
        "Pipeline",
    )
    opp_ids = _ids("Opportunity", opp)
    owners = _owner_ids(w, opps_df["owner"].to_numpy())
    opportunity = pd.DataFrame(
        {
            "Id": opp_ids,
            "IsDeleted": f.bool(opps_df["is_deleted"]),
            "AccountId": _ids("Account", opp),
            "Name": accounts["name"].to_numpy()[opp] + " - New Business",
            "StageName": opps_df["stage"].to_numpy(),
            "Amount": np.char.mod("%.2f", opps_df["amount"].to_numpy().astype(float)).astype(
                object
            ),
            "Probability": opps_df["probability"].astype(str).to_numpy(),
            "CloseDate": f.date(opps_df["close_s"]),
            "Type": np.where(lead >= 0, "New Business", "New Business - Sales Sourced"),
            "LeadSource": lead_source,
            "IsClosed": f.bool(opps_df["is_closed"]),
            "IsWon": f.bool(opps_df["is_won"]),
            "ForecastCategory": forecast,
            "CampaignId": f.lookup(_pick(sf_campaign_ids, opps_df["sf_campaign"].to_numpy())),
            "OwnerId": owners,
            "CreatedDate": f.dt(opps_df["created_s"]),
            "LastModifiedDate": f.dt(opps_df["stage_entered_s"]),
            "Description": np.where(
                lead >= 0, "", 'Sourced by sales.\nIntro from partner network, see "notes".'
            ),
        }
    )
    account = pd.DataFrame(
        {
            "Id": _ids("Account", opp),
            "IsDeleted": f.bool(np.zeros(len(opps_df), dtype=bool)),
            "Name": accounts["name"].to_numpy()[opp],
            "Industry": np.array(cat.INDUSTRIES)[opp % len(cat.INDUSTRIES)],
            "BillingCountry": np.array(cat.COUNTRIES)[opp % len(cat.COUNTRIES)],
            "OwnerId": owners,
            "CreatedDate": f.dt(
                np.minimum(accounts["created_s"].to_numpy()[opp], opps_df["created_s"])
            ),
            "LastModifiedDate": f.dt(opps_df["created_s"]),
        }
    )
    first = np.where(
        lead >= 0,
        w.leads["first_name"].to_numpy()[np.maximum(lead, 0)],
        np.array(cat.FIRST_NAMES)[opp % len(cat.FIRST_NAMES)],
    )
    last = np.where(
        lead >= 0,
        w.leads["last_name"].to_numpy()[np.maximum(lead, 0)],
        np.array(cat.LAST_NAMES)[(opp // 3) % len(cat.LAST_NAMES)],
    )
    email = np.where(
        lead >= 0,
        w.leads["email"].to_numpy()[np.maximum(lead, 0)],
        pd.Series(opp).astype(str).radd("contact").add("@example.org").to_numpy(),
    )
    contact = pd.DataFrame(
        {
            "Id": _ids("Contact", opp),
            "IsDeleted": f.bool(np.zeros(len(opps_df), dtype=bool)),
            "AccountId": _ids("Account", opp),
            "FirstName": first,
            "LastName": last,
            "Email": email,
            "LeadSource": lead_source,
            "OwnerId": owners,
            "CreatedDate": f.dt(opps_df["created_s"]),
            "LastModifiedDate": f.dt(opps_df["created_s"]),
        }
    )
    H = state.history_at(w, t)
    H = H[H["opp"].isin(opp)]
    h_opp = H["opp"].to_numpy()
    amount = H["amount"].to_numpy()  # the Amount when the stage was entered
    history = pd.DataFrame(
        {
            "Id": _ids("OpportunityHistory", H.index.to_numpy()),
            "IsDeleted": f.bool(np.zeros(len(H), dtype=bool)),
            "OpportunityId": _ids("Opportunity", h_opp),
            "CreatedById": _owner_ids(w, w.opportunities["owner"].to_numpy()[h_opp]),
            "CreatedDate": f.dt(H["entered_s"]),
            "StageName": H["stage"].to_numpy(),
            "Amount": np.char.mod("%.2f", amount.astype(float)).astype(object),
            "ExpectedRevenue": np.char.mod(
                "%.2f", amount * H["probability"].to_numpy() / 100
            ).astype(object),
            "CloseDate": f.date(w.opportunities["close_s"].to_numpy()[h_opp]),
            "Probability": H["probability"].astype(str).to_numpy(),
            "ForecastCategory": np.where(
                H["is_close"], np.where(H["probability"] > 0, "Closed", "Omitted"), "Pipeline"
            ),
        }
    )
    return {
        "Opportunity": opportunity,
        "Account": account,
        "Contact": contact,
        "OpportunityHistory": history,
    }


def _campaign_frame(w: World, t: int, f: Fmt) -> pd.DataFrame:
    C = w.sf_campaigns[w.sf_campaigns["created_s"] <= t]
    active = (C["start_s"] <= t) & (C["end_s"] + 86_400 > t)
    status = np.where(
        C["end_s"] + 86_400 <= t, "Completed", np.where(active, "In Progress", "Planned")
    )
    return pd.DataFrame(
        {
            "Id": C["Id"].to_numpy().astype(object),
            "IsDeleted": f.bool(np.zeros(len(C), dtype=bool)),
            "Name": C["name"].to_numpy(),
            "ParentId": f.lookup(np.full(len(C), "", dtype=object)),
            "Type": C["type"].to_numpy(),
            "Status": status,
            "StartDate": f.date(C["start_s"]),
            "EndDate": f.date(C["end_s"]),
            "IsActive": f.bool(active),
            "OwnerId": np.full(len(C), w.users["Id"].iloc[len(cat.SALES_REPS)], dtype=object),
            "CreatedDate": f.dt(C["created_s"]),
            "LastModifiedDate": f.dt(C["created_s"]),
        }
    )


def _member_frame(w: World, t: int, f: Fmt) -> pd.DataFrame:
    """CampaignMembers at t: a lead's rows name its contact once it is converted; a contact's
    row (webinar during the deal, roadshow import) has no LeadId. Webinar and event members are
    `Registered` until they attend."""
    M = state.members_at(w, t)
    responded = M["has_responded"].to_numpy()
    series = np.isin(
        w.sf_campaigns["name"].to_numpy()[M["sf_campaign"].to_numpy()],
        [cat.WEBINAR_SERIES[0], cat.ROADSHOW_SERIES[0]],
    )
    return pd.DataFrame(
        {
            "Id": _ids("CampaignMember", M.index.to_numpy()),
            "IsDeleted": f.bool(np.zeros(len(M), dtype=bool)),
            "CampaignId": w.sf_campaigns["Id"]
            .to_numpy()[M["sf_campaign"].to_numpy()]
            .astype(object),
            "LeadId": f.lookup(_pick(_ids("Lead", w.leads["lead"].to_numpy()), M["lead"])),
            "ContactId": f.lookup(
                _pick(_ids("Contact", w.opportunities["opp"].to_numpy()), M["contact"])
            ),
            "Status": np.where(
                responded, np.where(series, "Attended", "Responded"), "Registered"
            ).astype(object),
            "HasResponded": f.bool(responded),
            "CreatedDate": f.dt(M["created_s"]),
            "FirstRespondedDate": f.date(np.where(responded, M["responded_s"], NEVER)),
        }
    )


def _task_frame(w: World, t: int, f: Fmt) -> pd.DataFrame:
    T = state.tasks_at(w, t)
    hard = w.leads["hard_deleted_s"].to_numpy()[T["lead"].to_numpy()]
    T = T[hard > t]
    call = T["is_call"].to_numpy()
    return pd.DataFrame(
        {
            "Id": _ids("Task", T["task"].to_numpy()),
            "IsDeleted": f.bool(T["deleted"]),
            "WhoId": _ids("Lead", T["lead"].to_numpy()),
            "WhatId": f.lookup(np.full(len(T), "", dtype=object), short=True),
            "Subject": np.where(call, "Call", "Email: Following up on your request"),
            "ActivityDate": f.date(T["created_s"]),
            "Status": "Completed",
            "Priority": "Normal",
            "OwnerId": _owner_ids(w, T["owner"].to_numpy()),
            "Type": np.where(call, "Call", "Email"),
            "TaskSubtype": np.where(call, "Call", "Email"),
            "Description": T["description"].to_numpy(),
            "IsClosed": f.bool(np.ones(len(T), dtype=bool)),
            "CreatedDate": f.dt(T["created_s"]),
            "LastModifiedDate": f.dt(T["created_s"]),
        }
    )


def _user_frame(w: World, f: Fmt) -> pd.DataFrame:
    U = w.users
    first, last = U["first_name"].to_numpy(), U["last_name"].to_numpy()
    email = (
        pd.Series(first).str.lower() + "." + pd.Series(last).str.lower() + "@acmeflow.io"
    ).to_numpy()
    return pd.DataFrame(
        {
            "Id": U["Id"].to_numpy().astype(object),
            "Username": email,
            "FirstName": first,
            "LastName": last,
            "Name": pd.Series(first).str.cat(pd.Series(last), sep=" ").to_numpy(),
            "Email": email,
            "Title": U["title"].to_numpy(),
            "Department": np.where(U["title"] == "Sales Development Rep", "Sales", "Marketing"),
            "IsActive": f.bool(U["active"]),
            "UserType": "Standard",
            "TimeZoneSidKey": "America/New_York",
            "CreatedDate": f.dt(U["created_s"]),
            "LastModifiedDate": f.dt(U["created_s"]),
        }
    )


def snapshot_frames(w: World, t: int, style: str) -> dict[str, pd.DataFrame]:
    f = Fmt(style)
    frames = {"Lead": _lead_frame(w, t, f)}
    frames.update(_opportunity_frames(w, t, f))
    frames["Campaign"] = _campaign_frame(w, t, f)
    frames["CampaignMember"] = _member_frame(w, t, f)
    frames["Task"] = _task_frame(w, t, f)
    frames["User"] = _user_frame(w, f)
    return {name: frames[name] for name in OBJECTS}


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, quoting=csv.QUOTE_ALL, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def snapshot_styles(n: int) -> list[str]:
    """Styles oldest first: the oldest has MQL_Date__c as a date, the second newest is Data
    Loader, the newest is always a standard Data Export."""
    styles = ["export"] * n
    if n >= 2:
        styles[-2] = "dataloader"
    if n >= 3:
        styles[0] = "export_mql_date"
    return styles


def write(out: Path, w: World, written: Written) -> list[str]:
    """Write every snapshot; returns the snapshot folder names, oldest first."""
    times = w.params.snapshot_times()
    folders = []
    for i, (t, style) in enumerate(zip(times, snapshot_styles(len(times)), strict=True)):
        folder = snapshot_folder(t, newest=i == len(times) - 1)
        folders.append(folder)
        for name, frame in snapshot_frames(w, t, style).items():
            rel = f"salesforce/{folder}/{name}.csv"
            write_file(out / rel, to_csv_bytes(frame), t)
            written.add("salesforce", rel, len(frame))
    return folders
