"""The CRM as of a moment: what a snapshot taken at time T shows.

One function per object turns the simulation's event times into record state at T. Both the
Salesforce writer (every snapshot) and the ground truth (at the as-of time) use these, so the
truth is computed from the simulation's own state, never from the files written.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo.params import DAY, NEVER
from demo.simulate import World

LEAD_STATUS_OPEN = "Open - Not Contacted"
LEAD_STATUS_WORKING = "Working - Contacted"
LEAD_STATUS_CONVERTED = "Closed - Converted"
LEAD_STATUS_DISQUALIFIED = "Closed - Not Converted"
OPP_DELETE_AFTER = DAY


def tasks_at(w: World, t: int) -> pd.DataFrame:
    return w.tasks[w.tasks["created_s"] <= t]


def leads_at(w: World, t: int) -> pd.DataFrame:
    """Lead records present in a snapshot at t, with their state then."""
    L = w.leads
    present = ((L["created_s"] <= t) & (L["hard_deleted_s"] > t)).to_numpy()
    df = L[present].copy()
    df["is_deleted"] = (df["soft_deleted_s"] <= t).to_numpy()
    df["is_mql"] = (df["mql_s"] <= t).to_numpy()
    df["is_converted"] = (df["converted"] & (df["decision_s"] <= t)).to_numpy()
    df["is_disqualified"] = (df["disqualified"] & (df["decision_s"] <= t)).to_numpy()
    live_tasks = tasks_at(w, t)
    live_tasks = live_tasks[~live_tasks["deleted"]]
    contacted = np.zeros(len(L), dtype=bool)
    contacted[live_tasks["lead"].to_numpy()] = True
    df["contacted"] = contacted[df["lead"].to_numpy()]
    df["status"] = np.select(
        [df["is_converted"], df["is_disqualified"], df["contacted"]],
        [LEAD_STATUS_CONVERTED, LEAD_STATUS_DISQUALIFIED, LEAD_STATUS_WORKING],
        LEAD_STATUS_OPEN,
    )
    opp_of_lead = np.full(len(L), -1, dtype=np.int64)
    opps = w.opportunities
    from_lead = opps["lead"].to_numpy() >= 0
    opp_of_lead[opps["lead"].to_numpy()[from_lead]] = opps["opp"].to_numpy()[from_lead]
    df["opp"] = np.where(df["is_converted"], opp_of_lead[df["lead"].to_numpy()], -1)
    last_task = live_tasks.groupby("lead")["created_s"].max()
    lt = np.full(len(L), -1, dtype=np.int64)
    lt[last_task.index.to_numpy()] = last_task.to_numpy()
    times = np.stack(
        [
            df["created_s"].to_numpy(),
            np.where(df["is_mql"], df["mql_s"], -1),
            np.where(df["is_converted"] | df["is_disqualified"], df["decision_s"], -1),
            np.where(df["is_deleted"], df["soft_deleted_s"], -1),
            lt[df["lead"].to_numpy()],
        ]
    )
    df["last_modified_s"] = times.max(axis=0)
    return df


def opportunities_at(w: World, t: int) -> pd.DataFrame:
    """Opportunities present at t: current stage and Amount, closed/won flags, deletion."""
    opps_df = w.opportunities
    df = opps_df[(opps_df["created_s"] <= t).to_numpy()].copy()
    H = history_at(w, t)
    last = H.groupby("opp").tail(1).set_index("opp")
    df["stage"] = last.loc[df["opp"].to_numpy(), "stage"].to_numpy()
    df["probability"] = last.loc[df["opp"].to_numpy(), "probability"].to_numpy()
    df["stage_entered_s"] = last.loc[df["opp"].to_numpy(), "entered_s"].to_numpy()
    df["amount"] = last.loc[df["opp"].to_numpy(), "amount"].to_numpy()  # the Amount then
    df["is_closed"] = last.loc[df["opp"].to_numpy(), "is_close"].to_numpy().astype(bool)
    df["is_won"] = df["is_closed"] & df["won"]
    df["is_deleted"] = df["soft_deleted"] & (df["created_s"] + OPP_DELETE_AFTER <= t)
    return df


def history_at(w: World, t: int) -> pd.DataFrame:
    H = w.opp_history
    return H[(H["entered_s"] <= t).to_numpy()]


def members_at(w: World, t: int) -> pd.DataFrame:
    """CampaignMembers present at t (a lead's go with the lead when it is hard-deleted), with
    `has_responded` (responded by t) and `contact` (the opportunity whose contact the row names
    by t, else -1)."""
    M = w.campaign_members
    lead = M["lead"].to_numpy()
    lead_gone = np.where(
        lead >= 0, w.leads["hard_deleted_s"].to_numpy()[np.maximum(lead, 0)], NEVER
    )
    present = (M["created_s"].to_numpy() <= t) & (lead_gone > t)
    df = M[present].copy()
    df["has_responded"] = (df["responded_s"] <= t).to_numpy()
    df["contact"] = np.where(df["contact_s"] <= t, df["contact_opp"], -1)
    return df


def never(x: np.ndarray) -> np.ndarray:
    return x >= NEVER
