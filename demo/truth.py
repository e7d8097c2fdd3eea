"""Ground truth: what the marts must find, from the simulation's own state.

Nothing here reads a written file. Definitions are docs/definitions.md's, applied to the
simulated records at the as-of time (the newest snapshot's time):
- ads: each campaign's final daily numbers (what the newest export holding a key shows);
  clicks only where the reports carry them (the Video report has `Interactions`, no Clicks);
- sessions: each session's channel and campaign_key are its traffic source's, by construction;
- lead source: UTM fields captured on the lead > the earliest session of its visitor in
  [created_at - 30 days, created_at] (by GA client id, or by user_id = SHA-256 of the e-mail)
  > LeadSource as a source with empty medium;
- first sales touch, SLA (24 h) and outcome per MQL; opportunity source; wins at the as-of;
- sales tasks per lead: its non-deleted tasks at or after mql_at (all of them for a non-MQL);
- touchpoints of an opportunity: the sessions of its lead's visitors (the captured GA client id,
  and every visitor logged in with the e-mail's SHA-256) and the responded CampaignMembers of the
  lead or its contact (at 00:00 UTC of FirstRespondedDate) in [lead created - 30 days,
  opportunity created], the form fill when the lead's source is its captured UTMs, else the
  lead's source; an opportunity without a lead has its own source; six attribution models
  (time decay: whole seconds from the touch's second to the opportunity's creation, as days).

Files (written by `revops generate` into the ground-truth folder):
- summary.json, campaigns.csv, leads.csv (+ `owner_id`, `sales_tasks`), opportunities.csv;
- feedback.csv (mart_campaign_feedback): campaign_key x lead_month x outcome (`not_mql` for a
  non-MQL) x disqualified_reason (a disqualified lead's, else `(none)`): channel (the one
  mart_campaign_performance gives the key), leads, sales_tasks, won_deals, won_revenue;
- owner_handoff.csv (mart_owner_handoff): owner_id (Salesforce User or queue Id) x week_start
  (Monday of mql_at, UTC): owner_name, mqls, touched, sla_met/breached/pending, sla_met_rate,
  median_response_hours (over the touched MQLs), untouched, converted, disqualified;
- pipeline_by_snapshot.csv (mart_pipeline_by_snapshot): per weekly snapshot time x channel x
  stage, from the state at each snapshot: open_opportunities, open_amount, and since the
  snapshot before (empty for the oldest) created_since_previous, won_since_previous,
  won_amount_since_previous;
- lead_cohorts.csv (mart_lead_cohorts): lead_month x channel, cohort days between UTC dates;
- touchpoints.csv (fct_touchpoints): every non-deleted opportunity's touches in order:
  opportunity_id, lead_id (empty for an opportunity without a lead), position, touch_count,
  touch_at (UTC, microseconds), touch_type, channel, campaign_key (empty: no campaign),
  is_first, is_lead_creation, is_opportunity_creation, source_id (the session's
  `user_pseudo_id|ga_session_id`, the CampaignMember Id, the lead or opportunity Id);
- attribution.csv (mart_attribution): opportunity_id x attribution_model x channel x
  campaign_key (`(none)` for no campaign), rows with credit only: credit (12 decimals),
  attributed_pipeline, attributed_revenue, is_won.
Money has 2 decimals, medians and rates 6; an empty cell is NULL.
Contract of the files: docs/ARCHITECTURE.md, "Demo generator".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from demo import catalogue as cat
from demo import state
from demo.params import DAY, HOUR, NEVER
from demo.simulate import US, World

SLA_HOURS = 24
NONE_KEY = "(none)"
LEAD_COLUMNS = [
    "lead_id",
    "channel",
    "campaign_key",
    "mql_at",
    "is_mql",
    "is_sql",
    "is_won",
    "outcome",
    "sla_status",
    "created_at",
    "first_sales_touch_at",
    "disqualified_reason",
    "opportunity_id",
    "won_amount",
]
CAMPAIGN_COLUMNS = [
    "campaign_key",
    "channel",
    "spend",
    "impressions",
    "clicks",
    "sessions",
    "leads",
    "mqls",
    "sqls",
    "won_deals",
    "won_revenue",
]


MONEY_COLUMNS = {"won_revenue", "open_amount", "won_amount_since_previous"}


@dataclass
class Truth:
    campaigns: pd.DataFrame
    leads: pd.DataFrame
    opportunities: pd.DataFrame
    totals: dict[str, float | int]
    feedback: pd.DataFrame
    owner_handoff: pd.DataFrame
    pipeline_by_snapshot: pd.DataFrame
    lead_cohorts: pd.DataFrame
    touchpoints: pd.DataFrame
    attribution: pd.DataFrame


def _ts(seconds: np.ndarray) -> np.ndarray:
    """`YYYY-MM-DD HH:MM:SS` (UTC, no zone, like the raw TIMESTAMP columns), '' for never."""
    seconds = np.asarray(seconds, dtype=np.int64)
    ok = seconds < NEVER
    text = np.datetime_as_string(np.where(ok, seconds, 0).astype("datetime64[s]"), unit="s")
    return np.where(ok, np.char.replace(text, "T", " "), "").astype(object)


def _ad_truth(w: World) -> pd.DataFrame:
    ads = w.ad_daily
    per = ads.groupby("campaign")[["spend_cents", "impressions", "clicks"]].sum()
    rows = []
    for i, c in enumerate(cat.CAMPAIGNS):
        if i not in per.index:
            continue
        rows.append(
            {
                "campaign_key": c.key,
                "channel": c.channel,
                "spend_cents": int(per.loc[i, "spend_cents"]),
                "impressions": int(per.loc[i, "impressions"]),
                "clicks": 0 if c.kind == "video" else int(per.loc[i, "clicks"]),
            }
        )
    return pd.DataFrame(rows)


def _session_truth(w: World) -> pd.DataFrame:
    src = pd.DataFrame(
        {
            "channel": [s.channel for s in w.sources],
            "campaign_key": [s.campaign_key or NONE_KEY for s in w.sources],
        }
    )
    counts = np.bincount(w.sessions["source"].to_numpy(), minlength=len(w.sources))
    src["sessions"] = counts
    return src.groupby(["campaign_key", "channel"], as_index=False)["sessions"].sum()


def _utm_channel(utm_source: str, utm_medium: str) -> str:
    """Channel of a captured UTM pair, from the catalogue's own sources (by construction)."""
    for s in cat.traffic_sources():
        if s.utm_source == utm_source and s.utm_medium == utm_medium:
            return s.channel
    for c in cat.CAMPAIGNS:
        if c.utm_source == utm_source and c.utm_medium == utm_medium:
            return c.channel
    raise ValueError(f"no channel known for {utm_source}/{utm_medium}")


def lead_sources(w: World, leads: pd.DataFrame) -> pd.DataFrame:
    """channel and campaign_key (None for no campaign) per lead, by the lead-source precedence."""
    out = pd.DataFrame(index=leads.index, columns=["channel", "campaign_key"], dtype=object)
    utm = leads["utm_captured"].to_numpy()
    pairs = leads.loc[utm, ["utm_source", "utm_medium"]].drop_duplicates()
    channel_of = {(a, b): _utm_channel(a, b) for a, b in pairs.itertuples(index=False)}
    out.loc[utm, "channel"] = [
        channel_of[(a, b)]
        for a, b in leads.loc[utm, ["utm_source", "utm_medium"]].itertuples(index=False)
    ]
    out.loc[utm, "campaign_key"] = leads.loc[utm, "utm_campaign"].map(cat.campaign_key)

    # Web stitching: sessions of the captured GA client id, or with the e-mail's user_id.
    rest = leads[~utm]
    s = w.sessions
    sess = pd.DataFrame(
        {
            "visitor": s["visitor"].to_numpy(),
            "start_us": s["start_us"].to_numpy(),
            "source": s["source"].to_numpy(),
        }
    )
    by_client = rest.loc[rest["ga_client_id"] != "", ["lead", "visitor", "created_s"]]
    m1 = by_client.merge(sess, on="visitor")
    ident = s["user_id_mode"].to_numpy() > 0
    sess_uid = pd.DataFrame(
        {
            "email_sha256": w.visitors["user_id"].to_numpy()[s["visitor"].to_numpy()[ident]],
            "start_us": s["start_us"].to_numpy()[ident],
            "source": s["source"].to_numpy()[ident],
        }
    )
    m2 = rest[["lead", "email_sha256", "created_s"]].merge(sess_uid, on="email_sha256")
    cand = pd.concat(
        [
            m1[["lead", "created_s", "start_us", "source"]],
            m2[["lead", "created_s", "start_us", "source"]],
        ],
        ignore_index=True,
    )
    created_us = cand["created_s"].to_numpy() * US
    inside = (cand["start_us"].to_numpy() >= created_us - 30 * DAY * US) & (
        cand["start_us"].to_numpy() <= created_us
    )
    cand = cand[inside].sort_values(["lead", "start_us"], kind="stable")
    first = cand.drop_duplicates("lead")
    lead_to_row = pd.Series(leads.index, index=leads["lead"].to_numpy())
    rows = lead_to_row.loc[first["lead"].to_numpy()].to_numpy()
    src_channel = np.array([x.channel for x in w.sources], dtype=object)
    src_key = np.array([x.campaign_key for x in w.sources], dtype=object)
    out.loc[rows, "channel"] = src_channel[first["source"].to_numpy()]
    out.loc[rows, "campaign_key"] = src_key[first["source"].to_numpy()]

    # LeadSource as a source with an empty medium: `Email` -> Email, everything else -> Other.
    todo = out["channel"].isna().to_numpy()
    offline = {name: channel for name, _r, _p, channel in cat.OFFLINE_LEADS}
    out.loc[todo, "channel"] = (
        leads.loc[todo, "lead_source"].map(lambda v: offline.get(v, "Other")).to_numpy()
    )
    out.loc[todo, "campaign_key"] = None
    return out


def _lead_truth(w: World) -> tuple[pd.DataFrame, pd.DataFrame]:
    as_of = w.as_of_s
    L = state.leads_at(w, as_of)
    L = L[~L["is_deleted"].to_numpy()].copy()
    src = lead_sources(w, L)
    L["channel"] = src["channel"].to_numpy()
    L["campaign_key"] = src["campaign_key"].to_numpy()

    # First sales touch: earliest non-deleted task on the lead at or after mql_at.
    T = state.tasks_at(w, as_of)
    T = T[~T["deleted"].to_numpy()]
    mql_of = np.full(len(w.leads), NEVER, dtype=np.int64)
    mql_of[L["lead"].to_numpy()] = np.where(L["is_mql"], L["mql_s"], NEVER)
    after = T[T["created_s"].to_numpy() >= mql_of[T["lead"].to_numpy()]]
    first_touch = after.groupby("lead")["created_s"].min()
    touch = np.full(len(w.leads), NEVER, dtype=np.int64)
    touch[first_touch.index.to_numpy()] = first_touch.to_numpy()
    L["touch"] = touch[L["lead"].to_numpy()]
    # Sales tasks: non-deleted tasks on the lead at or after mql_at, all of them for a non-MQL.
    since = np.zeros(len(w.leads), dtype=np.int64)
    since[L["lead"].to_numpy()] = np.where(L["is_mql"], L["mql_s"], 0)
    counted = T[T["created_s"].to_numpy() >= since[T["lead"].to_numpy()]]
    per_lead = np.bincount(counted["lead"].to_numpy(), minlength=len(w.leads))
    L["sales_tasks"] = per_lead[L["lead"].to_numpy()]

    is_mql = L["is_mql"].to_numpy()
    mql = L["mql_s"].to_numpy()
    t = L["touch"].to_numpy()
    sla = SLA_HOURS * HOUR
    has_touch = t < NEVER
    sla_status = np.select(
        [has_touch & (t - mql <= sla), has_touch, as_of - mql >= sla],
        ["met", "breached", "breached"],
        "pending",
    )
    L["sla_status"] = np.where(is_mql, sla_status, "")
    outcome = np.select(
        [L["is_converted"], L["is_disqualified"], has_touch],
        ["converted", "disqualified", "working"],
        "untouched",
    )
    L["outcome"] = np.where(is_mql, outcome, "")

    opps_df = state.opportunities_at(w, as_of)
    won_by_opp = pd.Series(opps_df["is_won"].to_numpy(), index=opps_df["opp"].to_numpy())
    amount_by_opp = pd.Series(opps_df["amount"].to_numpy(), index=opps_df["opp"].to_numpy())
    opp = L["opp"].to_numpy()
    L["is_won"] = np.where(opp >= 0, won_by_opp.reindex(opp).fillna(False).to_numpy(), False)
    L["won_amount"] = np.where(L["is_won"], amount_by_opp.reindex(opp).to_numpy(), 0.0)

    close_by_opp = pd.Series(opps_df["close_s"].to_numpy(), index=opps_df["opp"].to_numpy())
    won_close = np.where(L["is_won"], close_by_opp.reindex(opp).fillna(NEVER).to_numpy(), NEVER)

    opp_ids = w_opp_ids(w)
    lead_ids = w_lead_ids(w)
    leads = pd.DataFrame(
        {
            "lead_id": lead_ids[L["lead"].to_numpy()],
            "channel": L["channel"].to_numpy(),
            "campaign_key": L["campaign_key"].to_numpy(),
            "mql_at": _ts(np.where(is_mql, mql, NEVER)),
            "is_mql": is_mql,
            "is_sql": L["is_converted"].to_numpy(),
            "is_won": L["is_won"].to_numpy().astype(bool),
            "outcome": L["outcome"].to_numpy(),
            "sla_status": L["sla_status"].to_numpy(),
            "created_at": _ts(L["created_s"].to_numpy()),
            "first_sales_touch_at": _ts(np.where(is_mql, t, NEVER)),
            "disqualified_reason": np.where(L["is_disqualified"], L["dq_reason"], ""),
            "opportunity_id": np.where(opp >= 0, opp_ids[np.maximum(opp, 0)], ""),
            "won_amount": L["won_amount"].to_numpy().astype(float),
            "owner_id": owner_ids(w, L["owner"].to_numpy()),
            "sales_tasks": L["sales_tasks"].to_numpy().astype(np.int64),
            # Not written to leads.csv: what the feedback truths are computed from.
            "created_s": L["created_s"].to_numpy(),
            "mql_s": np.where(is_mql, mql, NEVER),
            "touch_s": np.where(is_mql, t, NEVER),
            "sql_s": np.where(L["is_converted"], L["decision_s"], NEVER),
            "won_close_s": won_close.astype(np.int64),
        }
    )

    # Opportunity source: the converted lead's; else the primary campaign's; else Sales Sourced.
    opps_df = opps_df[~opps_df["is_deleted"].to_numpy()].copy()
    src_by_lead = pd.DataFrame(
        {"channel": L["channel"].to_numpy(), "campaign_key": L["campaign_key"].to_numpy()},
        index=L["lead"].to_numpy(),
    )
    o_lead = opps_df["lead"].to_numpy()
    from_lead = o_lead >= 0
    channel = np.full(len(opps_df), "Sales Sourced", dtype=object)
    key = np.full(len(opps_df), None, dtype=object)
    channel[from_lead] = src_by_lead.loc[o_lead[from_lead], "channel"].to_numpy()
    key[from_lead] = src_by_lead.loc[o_lead[from_lead], "campaign_key"].to_numpy()
    camp = opps_df["sf_campaign"].to_numpy()
    by_campaign = ~from_lead & (camp >= 0)
    names = w.sf_campaigns["name"].to_numpy()
    channel[by_campaign] = [
        cat.PARTNER_EVENT_CHANNEL if n == cat.PARTNER_EVENT_NAME else "Other"
        for n in names[camp[by_campaign]]
    ]
    key[by_campaign] = [cat.campaign_key(n) for n in names[camp[by_campaign]]]
    opps = pd.DataFrame(
        {
            "opportunity_id": opp_ids[opps_df["opp"].to_numpy()],
            "lead_id": np.where(from_lead, lead_ids[np.maximum(o_lead, 0)], ""),
            "channel": channel,
            "campaign_key": key,
            "created_at": _ts(opps_df["created_s"].to_numpy()),
            "close_date": np.datetime_as_string(
                opps_df["close_s"].to_numpy().astype("datetime64[s]"), unit="D"
            ),
            "stage_name": opps_df["stage"].to_numpy(),
            "is_closed": opps_df["is_closed"].to_numpy(),
            "is_won": opps_df["is_won"].to_numpy(),
            "amount": opps_df["amount"].to_numpy().astype(float),
        }
    )
    return leads, opps


def owner_ids(w: World, owner: np.ndarray) -> np.ndarray:
    """Salesforce OwnerId per owner number: the user's Id, or the lead queue's (`00G...`)."""
    from demo.writers.salesforce import _owner_ids

    return _owner_ids(w, owner)


def owner_names(w: World) -> dict[str, str]:
    """owner_id -> owner_name as dim_users gives it: the user's name, `queue <id>` for the
    queue (a Salesforce export has no queue names)."""
    names = dict(
        zip(
            w.users["Id"],
            w.users["first_name"] + " " + w.users["last_name"],
            strict=True,
        )
    )
    names[cat.LEAD_QUEUE_ID] = f"queue {cat.LEAD_QUEUE_ID}"
    return names


def w_lead_ids(w: World) -> np.ndarray:
    from demo.writers.salesforce import _ids

    return _ids("Lead", w.leads["lead"].to_numpy())


def w_opp_ids(w: World) -> np.ndarray:
    from demo.writers.salesforce import _ids

    return _ids("Opportunity", w.opportunities["opp"].to_numpy())


def _sf_ids(obj: str, counters: np.ndarray) -> np.ndarray:
    """Salesforce Ids of records numbered as the simulation numbers them."""
    from demo.writers.salesforce import _ids

    return _ids(obj, counters)


# ----------------------------------------------------------------------------- feedback marts


def _days(seconds: np.ndarray) -> np.ndarray:
    """UTC day number (days since 1970-01-01) of each time."""
    return np.asarray(seconds, dtype=np.int64) // DAY


def _date(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]"))


def _month_start(seconds: np.ndarray) -> np.ndarray:
    months = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]").astype("datetime64[M]")
    return np.datetime_as_string(months.astype("datetime64[D]"))


def _top_channel(frame: pd.DataFrame, weight: str) -> pd.Series:
    """campaign_key -> the channel with the largest weight (ties: alphabetical)."""
    ranked = frame.sort_values(["campaign_key", weight, "channel"], ascending=[True, False, True])
    return ranked.drop_duplicates("campaign_key").set_index("campaign_key")["channel"]


def campaign_channels(
    ads: pd.DataFrame, sessions: pd.DataFrame, leads: pd.DataFrame, opps: pd.DataFrame
) -> dict[str, str]:
    """campaign_key -> its channel as mart_campaign_performance gives it: the channel of its ad
    spend when it has some, else the most common channel of its leads, of its opportunities,
    of its sessions (ties alphabetical). '(none)' stands for no campaign."""
    out: dict[str, str] = {}
    sources = [
        ads.groupby(["campaign_key", "channel"], as_index=False)["spend_cents"].sum(),
        leads.assign(campaign_key=leads["campaign_key"].fillna(NONE_KEY))
        .groupby(["campaign_key", "channel"], as_index=False)
        .size(),
        opps.assign(campaign_key=opps["campaign_key"].fillna(NONE_KEY))
        .groupby(["campaign_key", "channel"], as_index=False)
        .size(),
        sessions[sessions["sessions"] > 0],
    ]
    for frame, weight in zip(sources, ["spend_cents", "size", "size", "sessions"], strict=True):
        for key, channel in _top_channel(frame, weight).items():
            out.setdefault(key, channel)
    return out


def _feedback(leads: pd.DataFrame, channels: dict[str, str]) -> pd.DataFrame:
    """mart_campaign_feedback: per campaign_key x lead_month x outcome x disqualified_reason."""
    is_mql = leads["is_mql"].to_numpy()
    outcome = np.where(is_mql, leads["outcome"], "not_mql")
    # Sales' reason for every disqualified lead, MQL or not (the simulation gives every
    # disqualified lead a reason); '(none)' for a lead sales did not reject
    # (docs/marts.md#mart_campaign_feedback).
    reason = np.where(
        (outcome == "disqualified") | (leads["disqualified_reason"].to_numpy() != ""),
        leads["disqualified_reason"].replace("", "(no reason)"),
        "(none)",
    )
    frame = pd.DataFrame(
        {
            "campaign_key": leads["campaign_key"].fillna(NONE_KEY).to_numpy(),
            "lead_month": _month_start(leads["created_s"]),
            "outcome": outcome,
            "disqualified_reason": reason,
            "sales_tasks": leads["sales_tasks"].to_numpy(),
            "is_won": leads["is_won"].to_numpy(),
            "won_amount": np.where(leads["is_won"], leads["won_amount"], 0.0),
        }
    )
    keys = ["campaign_key", "lead_month", "outcome", "disqualified_reason"]
    out = frame.groupby(keys, as_index=False).agg(
        leads=("is_won", "size"),
        sales_tasks=("sales_tasks", "sum"),
        won_deals=("is_won", "sum"),
        won_revenue=("won_amount", "sum"),
    )
    out.insert(1, "channel", out["campaign_key"].map(channels).fillna("Other"))
    out["won_deals"] = out["won_deals"].astype(np.int64)
    out["won_revenue"] = out["won_revenue"].round(2)
    return out.sort_values(keys, ignore_index=True)


def _monday(seconds: np.ndarray) -> np.ndarray:
    day = _days(seconds)
    return day - (day + 3) % 7  # 1970-01-01 was a Thursday


def _owner_handoff(w: World, leads: pd.DataFrame) -> pd.DataFrame:
    """mart_owner_handoff: per owner (Salesforce Id) x week of mql_at (Monday, UTC)."""
    m = leads[leads["is_mql"].to_numpy()]
    touched = m["touch_s"].to_numpy() < NEVER
    frame = pd.DataFrame(
        {
            "owner_id": m["owner_id"].to_numpy(),
            "week_start": _date(_monday(m["mql_s"])),
            "touched": touched,
            "response_hours": np.where(
                touched, (m["touch_s"] - m["mql_s"]).to_numpy().astype(float) / 3600, np.nan
            ),
        }
    )
    for status in ("met", "breached", "pending"):
        frame[f"sla_{status}"] = (m["sla_status"] == status).to_numpy()
    for outcome in ("untouched", "converted", "disqualified"):
        frame[outcome] = (m["outcome"] == outcome).to_numpy()
    counts = ["touched", "sla_met", "sla_breached", "sla_pending"]
    outcomes = ["untouched", "converted", "disqualified"]
    out = frame.groupby(["owner_id", "week_start"], as_index=False).agg(
        mqls=("touched", "size"),
        **{c: (c, "sum") for c in counts},
        median_response_hours=("response_hours", "median"),
        **{c: (c, "sum") for c in outcomes},
    )
    for c in ["mqls", *counts, *outcomes]:
        out[c] = out[c].astype(np.int64)
    decided = out["sla_met"] + out["sla_breached"]
    out["sla_met_rate"] = out["sla_met"] / decided.where(decided > 0, np.nan)
    out.insert(1, "owner_name", out["owner_id"].map(owner_names(w)))
    columns = ["owner_id", "owner_name", "week_start", "mqls", *counts, "sla_met_rate"]
    columns += ["median_response_hours", *outcomes]
    return out[columns].sort_values(["owner_id", "week_start"], ignore_index=True)


def _pipeline_by_snapshot(w: World, opps: pd.DataFrame) -> pd.DataFrame:
    """mart_pipeline_by_snapshot: per snapshot time x channel x stage, from the simulation's
    state at each weekly snapshot (demo/state.py). The channel is the opportunity's in the
    newest snapshot; one deleted since has none there and shows as Other, as in the marts."""
    channel_of = dict(zip(opps["opportunity_id"], opps["channel"], strict=True))
    ids = w_opp_ids(w)
    frames = []
    previous: pd.DataFrame | None = None
    previous_at = 0
    for t in w.params.snapshot_times():
        snap = state.opportunities_at(w, t)
        snap = snap[~snap["is_deleted"].to_numpy()]
        opp_id = ids[snap["opp"].to_numpy()]
        is_open = ~snap["is_closed"].to_numpy()
        amount = snap["amount"].to_numpy().astype(float)
        frame = pd.DataFrame(
            {
                "snapshot_at": _ts(np.array([t]))[0],
                "channel": pd.Series(opp_id).map(channel_of).fillna("Other").to_numpy(),
                "stage_name": snap["stage"].to_numpy(),
                "open_opportunities": is_open,
                "open_amount": np.where(is_open, amount, 0.0),
            }
        )
        if previous is None:
            for c in ("created_since_previous", "won_since_previous"):
                frame[c] = False
            frame["won_amount_since_previous"] = 0.0
        else:
            won_before = set(previous.loc[previous["is_won"].to_numpy(), "opp"])
            won_now = snap["is_won"].to_numpy() & ~snap["opp"].isin(won_before).to_numpy()
            frame["created_since_previous"] = snap["created_s"].to_numpy() > previous_at
            frame["won_since_previous"] = won_now
            frame["won_amount_since_previous"] = np.where(won_now, amount, 0.0)
        out = frame.groupby(["snapshot_at", "channel", "stage_name"], as_index=False).sum()
        measures = ["open_opportunities", "created_since_previous", "won_since_previous"]
        out = out[(out[measures] > 0).any(axis=1).to_numpy()].copy()
        for c in measures:
            out[c] = out[c].astype("Int64")
        if previous is None:  # the oldest snapshot has no previous one to compare with
            for c in ("created_since_previous", "won_since_previous"):
                out[c] = pd.NA
            out["won_amount_since_previous"] = np.nan
        frames.append(out)
        previous, previous_at = snap, t
    result = pd.concat(frames, ignore_index=True)
    for c in ("open_amount", "won_amount_since_previous"):
        result[c] = result[c].round(2)
    return result


def _lead_cohorts(leads: pd.DataFrame) -> pd.DataFrame:
    """mart_lead_cohorts: per lead_month x channel, whole days between the UTC dates of the
    lead's own events (created, MQL, SQL = conversion date, won = its won deal's close date)."""
    created = _days(leads["created_s"])

    def since(start: np.ndarray, seconds: pd.Series) -> np.ndarray:
        s = seconds.to_numpy()
        return np.where(s < NEVER, _days(s) - start, np.nan)

    mql_day = np.where(leads["mql_s"] < NEVER, _days(leads["mql_s"]), -1)
    sql_day = np.where(leads["sql_s"] < NEVER, _days(leads["sql_s"]), -1)
    lead_to_mql = since(created, leads["mql_s"])
    lead_to_sql = since(created, leads["sql_s"])
    lead_to_won = since(created, leads["won_close_s"])
    frame = pd.DataFrame(
        {
            "lead_month": _month_start(leads["created_s"]),
            "channel": leads["channel"].to_numpy(),
            "is_mql": leads["is_mql"].to_numpy(),
            "is_sql": leads["is_sql"].to_numpy(),
            "is_won": leads["is_won"].to_numpy(),
            "won_amount": np.where(leads["is_won"], leads["won_amount"], 0.0),
            "mqls_within_30d": lead_to_mql <= 30,
            "sqls_within_60d": lead_to_sql <= 60,
            "won_within_90d": lead_to_won <= 90,
            "lead_to_mql": lead_to_mql,
            "mql_to_sql": np.where((mql_day >= 0) & (sql_day >= 0), sql_day - mql_day, np.nan),
            "sql_to_won": np.where(sql_day >= 0, lead_to_won - (sql_day - created), np.nan),
        }
    )
    out = frame.groupby(["lead_month", "channel"], as_index=False).agg(
        leads=("is_mql", "size"),
        mqls=("is_mql", "sum"),
        sqls=("is_sql", "sum"),
        won_deals=("is_won", "sum"),
        won_revenue=("won_amount", "sum"),
        mqls_within_30d=("mqls_within_30d", "sum"),
        sqls_within_60d=("sqls_within_60d", "sum"),
        won_within_90d=("won_within_90d", "sum"),
        median_days_lead_to_mql=("lead_to_mql", "median"),
        median_days_mql_to_sql=("mql_to_sql", "median"),
        median_days_sql_to_won=("sql_to_won", "median"),
    )
    for c in ("mqls", "sqls", "won_deals", "mqls_within_30d", "sqls_within_60d", "won_within_90d"):
        out[c] = out[c].astype(np.int64)
    out["won_revenue"] = out["won_revenue"].round(2)
    return out.sort_values(["lead_month", "channel"], ignore_index=True)


# ----------------------------------------------------------------------------- attribution

TOUCH_TYPES = ("session", "campaign_response", "lead_source", "opportunity_source")
ATTRIBUTION_MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay")
STITCHING_WINDOW_DAYS = 30
HALF_LIFE_DAYS = 7
TOUCH_COLUMNS = [
    "opportunity_id",
    "lead_id",
    "position",
    "touch_count",
    "touch_at",
    "touch_type",
    "channel",
    "campaign_key",
    "is_first",
    "is_lead_creation",
    "is_opportunity_creation",
    "source_id",
]
ATTRIBUTION_COLUMNS = [
    "opportunity_id",
    "attribution_model",
    "channel",
    "campaign_key",
    "credit",
    "attributed_pipeline",
    "attributed_revenue",
    "is_won",
]


def _ts_us(micros: np.ndarray) -> np.ndarray:
    """`YYYY-MM-DD HH:MM:SS.ffffff` (UTC) of epoch microseconds."""
    text = np.datetime_as_string(np.asarray(micros, dtype=np.int64).astype("datetime64[us]"))
    return np.char.replace(text, "T", " ").astype(object)


def _session_keys(pseudo_ids: np.ndarray, session_ids: np.ndarray) -> np.ndarray:
    """session_key as the pipeline hashes it (MD5 hex of `user_pseudo_id|ga_session_id`): only
    to order two sessions that start in the same microsecond, as the marts do."""
    return np.array(
        [
            hashlib.md5(f"{u}|{s}".encode()).hexdigest()
            for u, s in zip(pseudo_ids, session_ids, strict=True)
        ],
        dtype=object,
    )


def _touches(
    w: World, leads: pd.DataFrame, opps: pd.DataFrame, channels: dict[str, str]
) -> pd.DataFrame:
    """Every non-deleted opportunity's touches in order, by docs/definitions.md#touchpoints,
    from the simulated sessions, campaign members and lead sources (never from the files)."""
    as_of = w.as_of_s
    OP = state.opportunities_at(w, as_of)
    OP = OP[~OP["is_deleted"].to_numpy()]
    opp_ids, lead_ids = w_opp_ids(w), w_lead_ids(w)
    source_of_lead = leads.set_index("lead_id")[["channel", "campaign_key"]]
    source_of_opp = opps.set_index("opportunity_id")[["channel", "campaign_key"]]
    W = w.leads
    o_lead = OP["lead"].to_numpy()
    buyers = pd.DataFrame(
        {
            "opp": OP["opp"].to_numpy()[o_lead >= 0],
            "lead": o_lead[o_lead >= 0],
            "opp_s": OP["created_s"].to_numpy()[o_lead >= 0],
        }
    )
    buyers["lead_s"] = W["created_s"].to_numpy()[buyers["lead"].to_numpy()]
    buyers["lo_s"] = buyers["lead_s"] - STITCHING_WINDOW_DAYS * DAY

    # The buyer's visitors: the captured GA client id, and every visitor whose sessions carry
    # the SHA-256 of the lead's e-mail as user_id.
    b_lead = buyers["lead"].to_numpy()
    client = W["ga_captured"].to_numpy()[b_lead] & (W["visitor"].to_numpy()[b_lead] >= 0)
    by_client = pd.DataFrame(
        {
            "opp": buyers["opp"].to_numpy()[client],
            "visitor": W["visitor"].to_numpy()[b_lead][client],
        }
    )
    S = w.sessions
    logged_in = np.unique(S["visitor"].to_numpy()[S["user_id_mode"].to_numpy() > 0])
    uid = pd.DataFrame(
        {"visitor": logged_in, "email_sha256": w.visitors["user_id"].to_numpy()[logged_in]}
    )
    by_uid = buyers.assign(email_sha256=W["email_sha256"].to_numpy()[b_lead]).merge(
        uid, on="email_sha256"
    )[["opp", "visitor"]]
    pairs = pd.concat([by_client, by_uid], ignore_index=True).drop_duplicates()
    sess = pd.DataFrame(
        {
            "visitor": S["visitor"].to_numpy(),
            "start_us": S["start_us"].to_numpy(),
            "source": S["source"].to_numpy(),
        }
    )
    st = pairs.merge(sess, on="visitor").merge(buyers, on="opp")
    start_us = st["start_us"].to_numpy()
    st = st[(start_us >= st["lo_s"].to_numpy() * US) & (start_us <= st["opp_s"].to_numpy() * US)]
    src_channel = np.array([s.channel for s in w.sources], dtype=object)
    src_key = np.array([s.campaign_key for s in w.sources], dtype=object)
    pseudo = w.visitors["user_pseudo_id"].to_numpy()[st["visitor"].to_numpy()]
    sessions = pd.DataFrame(
        {
            "opp": st["opp"].to_numpy(),
            "touch_us": st["start_us"].to_numpy(),
            "type": 0,
            "order_id": _session_keys(pseudo, st["start_us"].to_numpy() // US),
            "source_id": pseudo.astype(object)
            + "|"
            + (st["start_us"] // US).astype(str).to_numpy(),
            "channel": src_channel[st["source"].to_numpy()],
            "campaign_key": src_key[st["source"].to_numpy()],
        }
    )

    # Responses of the lead, or of the contact it converted into, dated 00:00 UTC of the day.
    M = state.members_at(w, as_of)
    M = M[M["has_responded"].to_numpy()]
    members = pd.DataFrame(
        {
            "member": _sf_ids("CampaignMember", M.index.to_numpy()),
            "lead": M["lead"].to_numpy(),
            "contact": M["contact"].to_numpy(),
            "sf_campaign": M["sf_campaign"].to_numpy(),
            "day_s": M["responded_s"].to_numpy() // DAY * DAY,
        }
    )
    rs = pd.concat(
        [
            buyers.merge(members.drop(columns="contact"), on="lead"),
            buyers.merge(members.drop(columns="lead"), left_on="opp", right_on="contact"),
        ],
        ignore_index=True,
    ).drop_duplicates(["opp", "member"])
    day_s = rs["day_s"].to_numpy()
    rs = rs[(day_s >= rs["lo_s"].to_numpy()) & (day_s <= rs["opp_s"].to_numpy())]
    names = w.sf_campaigns["name"].to_numpy()[rs["sf_campaign"].to_numpy()]
    keys = np.array([cat.campaign_key(x) for x in names], dtype=object)
    responses = pd.DataFrame(
        {
            "opp": rs["opp"].to_numpy(),
            "touch_us": rs["day_s"].to_numpy() * US,
            "type": 1,
            "order_id": rs["member"].to_numpy(),
            "source_id": rs["member"].to_numpy(),
            "channel": [
                cat.PARTNER_EVENT_CHANNEL
                if name == cat.PARTNER_EVENT_NAME
                else channels.get(k, "Other")
                for name, k in zip(names, keys, strict=True)
            ],
            "campaign_key": keys,
        }
    )

    # The form fill, when the lead's source is its captured UTMs; the lead's source when the
    # buyer has no touch at all; the opportunity's own source when it has no lead.
    def lead_touch(frame: pd.DataFrame) -> pd.DataFrame:
        ids = lead_ids[frame["lead"].to_numpy()]
        src = source_of_lead.loc[ids]
        return pd.DataFrame(
            {
                "opp": frame["opp"].to_numpy(),
                "touch_us": frame["lead_s"].to_numpy() * US,
                "type": 2,
                "order_id": ids,
                "source_id": ids,
                "channel": src["channel"].to_numpy(),
                "campaign_key": src["campaign_key"].to_numpy(),
            }
        )

    form_fills = lead_touch(buyers[W["utm_captured"].to_numpy()[b_lead]])
    found = pd.concat([sessions, responses, form_fills], ignore_index=True)
    fallback = lead_touch(buyers[~buyers["opp"].isin(found["opp"]).to_numpy()])
    own = OP[o_lead < 0]
    own_ids = opp_ids[own["opp"].to_numpy()]
    own_src = source_of_opp.loc[own_ids]
    by_opp = pd.DataFrame(
        {
            "opp": own["opp"].to_numpy(),
            "touch_us": own["created_s"].to_numpy() * US,
            "type": 3,
            "order_id": own_ids,
            "source_id": own_ids,
            "channel": own_src["channel"].to_numpy(),
            "campaign_key": own_src["campaign_key"].to_numpy(),
        }
    )
    T = pd.concat([found, fallback, by_opp], ignore_index=True)
    T = T.sort_values(["opp", "touch_us", "type", "order_id"], ignore_index=True)
    opp = T["opp"].to_numpy()
    T["position"] = T.groupby("opp").cumcount().to_numpy() + 1
    T["touch_count"] = T.groupby("opp")["position"].transform("size").to_numpy()
    lead_s = pd.Series(buyers["lead_s"].to_numpy(), index=buyers["opp"].to_numpy())
    lead_us = lead_s.reindex(opp).to_numpy(dtype=float) * US  # NaN without a lead
    at_or_before = np.where(T["touch_us"].to_numpy() <= lead_us, T["position"].to_numpy(), 0)
    creation = pd.Series(at_or_before).groupby(opp).transform("max").to_numpy()
    creation = np.where(creation > 0, creation, 1)
    T["is_first"] = T["position"].to_numpy() == 1
    T["is_lead_creation"] = T["position"].to_numpy() == creation
    T["is_opportunity_creation"] = T["position"].to_numpy() == T["touch_count"].to_numpy()
    opp_s = pd.Series(OP["created_s"].to_numpy(), index=OP["opp"].to_numpy())
    # Whole seconds between the touch and the opportunity's creation (a session's start
    # counted from its second, as a datediff in seconds counts), as decimal days.
    seconds = opp_s.loc[opp].to_numpy() - T["touch_us"].to_numpy() // US
    T["days_before"] = seconds / DAY
    T["opportunity_id"] = opp_ids[opp]
    lead_of = pd.Series(OP["lead"].to_numpy(), index=OP["opp"].to_numpy()).loc[opp].to_numpy()
    T["lead_id"] = np.where(lead_of >= 0, lead_ids[np.maximum(lead_of, 0)], "")
    T["touch_type"] = np.array(TOUCH_TYPES)[T["type"].to_numpy()]
    T["touch_at"] = _ts_us(T["touch_us"].to_numpy())
    return T


def _credits(T: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each touch's credit in every model (docs/definitions.md#attribution-models)."""
    n = T["touch_count"].to_numpy().astype(float)
    first = T["is_first"].to_numpy()
    lead_c = T["is_lead_creation"].to_numpy()
    opp_c = T["is_opportunity_creation"].to_numpy()
    opp = T["opp"].to_numpy()

    def shaped(roles: list[np.ndarray], share: float, rest: float) -> np.ndarray:
        is_role = np.logical_or.reduce(roles)
        role_touches = pd.Series(is_role.astype(float)).groupby(opp).transform("sum").to_numpy()
        others = n - role_touches
        credit = share * np.sum(roles, axis=0)
        # The "other touches" share: evenly over them, else over the distinct role touches.
        credit += np.where(~is_role, rest / np.maximum(others, 1), 0.0)
        credit += np.where(is_role & (others == 0), rest / role_touches, 0.0)
        return credit

    weight = np.power(2.0, -T["days_before"].to_numpy() / HALF_LIFE_DAYS)
    total = pd.Series(weight).groupby(opp).transform("sum").to_numpy()
    return {
        "first_touch": first.astype(float),
        "last_touch": opp_c.astype(float),
        "linear": 1.0 / n,
        "u_shaped": shaped([first, lead_c], 0.4, 0.2),
        "w_shaped": shaped([first, lead_c, opp_c], 0.3, 0.1),
        "time_decay": weight / total,
    }


def _attribution(T: pd.DataFrame, opps: pd.DataFrame) -> pd.DataFrame:
    """mart_attribution: credits summed per opportunity x model x channel x campaign_key
    ('(none)' for no campaign), rows without credit left out; money = credit x amount."""
    credits = _credits(T)
    frames = []
    for model in ATTRIBUTION_MODELS:
        frames.append(
            pd.DataFrame(
                {
                    "opportunity_id": T["opportunity_id"].to_numpy(),
                    "attribution_model": model,
                    "channel": T["channel"].to_numpy(),
                    "campaign_key": T["campaign_key"].fillna(NONE_KEY).to_numpy(),
                    "credit": credits[model],
                }
            )
        )
    keys = ["opportunity_id", "attribution_model", "channel", "campaign_key"]
    out = (
        pd.concat(frames, ignore_index=True)
        .groupby(keys, as_index=False, sort=True)["credit"]
        .sum()
    )
    out = out[out["credit"].to_numpy() > 0].reset_index(drop=True)
    money = opps.set_index("opportunity_id").loc[out["opportunity_id"].to_numpy()]
    won = money["is_won"].to_numpy().astype(bool)
    amount = money["amount"].to_numpy().astype(float)
    out["attributed_pipeline"] = out["credit"].to_numpy() * amount
    out["attributed_revenue"] = out["credit"].to_numpy() * np.where(won, amount, 0.0)
    out["is_won"] = won
    order = {m: i for i, m in enumerate(ATTRIBUTION_MODELS)}
    out = out.sort_values(
        ["opportunity_id", "attribution_model", "channel", "campaign_key"],
        key=lambda c: c.map(order) if c.name == "attribution_model" else c,
        ignore_index=True,
    )
    return out[ATTRIBUTION_COLUMNS]


def compute(w: World) -> Truth:
    leads, opps = _lead_truth(w)
    ads = _ad_truth(w)
    sessions = _session_truth(w)
    lk = leads.assign(campaign_key=leads["campaign_key"].fillna(NONE_KEY))
    lead_counts = lk.groupby(["campaign_key", "channel"], as_index=False).agg(
        leads=("lead_id", "size"), mqls=("is_mql", "sum"), sqls=("is_sql", "sum")
    )
    won = opps[opps["is_won"]].assign(campaign_key=lambda d: d["campaign_key"].fillna(NONE_KEY))
    won_counts = won.groupby(["campaign_key", "channel"], as_index=False).agg(
        won_deals=("opportunity_id", "size"), won_revenue=("amount", "sum")
    )
    keys = ["campaign_key", "channel"]
    camp = (
        ads.merge(sessions, on=keys, how="outer")
        .merge(lead_counts, on=keys, how="outer")
        .merge(won_counts, on=keys, how="outer")
    )
    for col in (
        "spend_cents",
        "impressions",
        "clicks",
        "sessions",
        "leads",
        "mqls",
        "sqls",
        "won_deals",
    ):
        camp[col] = camp[col].fillna(0).astype(np.int64)
    camp["won_revenue"] = camp["won_revenue"].fillna(0.0).round(2)
    camp["spend"] = camp["spend_cents"] / 100
    camp = camp[CAMPAIGN_COLUMNS].sort_values(keys, ignore_index=True)
    camp = camp[(camp[CAMPAIGN_COLUMNS[2:]] != 0).any(axis=1)].reset_index(drop=True)

    totals: dict[str, float | int] = {
        "spend": round(int(ads["spend_cents"].sum()) / 100, 2),
        "impressions": int(ads["impressions"].sum()),
        "clicks": int(ads["clicks"].sum()),
        "sessions": int(len(w.sessions)),
        "leads": int(len(leads)),
        "mqls": int(leads["is_mql"].sum()),
        "sqls": int(leads["is_sql"].sum()),
        "opportunities": int(len(opps)),
        "won_deals": int(opps["is_won"].sum()),
        "won_revenue": round(float(opps.loc[opps["is_won"], "amount"].sum()), 2),
        "deleted_leads_in_newest_snapshot": int((state.leads_at(w, w.as_of_s)["is_deleted"]).sum()),
        "hard_deleted_leads": int((w.leads["hard_deleted_s"] <= w.as_of_s).sum()),
    }
    for name in ("met", "breached", "pending"):
        totals[f"sla_{name}"] = int((leads["sla_status"] == name).sum())
    for name in ("converted", "disqualified", "working", "untouched"):
        totals[f"outcome_{name}"] = int((leads["outcome"] == name).sum())
    totals["sales_tasks"] = int(leads["sales_tasks"].sum())
    channels = campaign_channels(ads, sessions, leads, opps)
    # A campaign response takes the channel of its key's row in mart_campaign_performance
    # (keys with spend, sessions, leads or wins), else Other.
    touches = _touches(w, leads, opps, {k: channels[k] for k in camp["campaign_key"]})
    return Truth(
        camp,
        leads,
        opps,
        totals,
        _feedback(leads, channels),
        _owner_handoff(w, leads),
        _pipeline_by_snapshot(w, opps),
        _lead_cohorts(leads),
        touches[TOUCH_COLUMNS],
        _attribution(touches, opps),
    )


def write(truth_dir: Path, truth: Truth, summary: dict) -> None:
    """summary.json, campaigns.csv, leads.csv (contract) and opportunities.csv (extra)."""
    truth_dir.mkdir(parents=True, exist_ok=True)
    leads = truth.leads.copy()
    for col in ("is_mql", "is_sql", "is_won"):
        leads[col] = np.where(leads[col], "true", "false")
    leads = leads[[*LEAD_COLUMNS, "owner_id", "sales_tasks"]]
    leads.to_csv(truth_dir / "leads.csv", index=False, lineterminator="\n")
    camp = truth.campaigns.copy()
    camp["spend"] = camp["spend"].map(lambda v: f"{v:.2f}")
    camp["won_revenue"] = camp["won_revenue"].map(lambda v: f"{v:.2f}")
    camp.to_csv(truth_dir / "campaigns.csv", index=False, lineterminator="\n")
    opps = truth.opportunities.copy()
    for col in ("is_closed", "is_won"):
        opps[col] = np.where(opps[col], "true", "false")
    opps.to_csv(truth_dir / "opportunities.csv", index=False, lineterminator="\n")
    for name, frame in (
        ("feedback.csv", truth.feedback),
        ("owner_handoff.csv", truth.owner_handoff),
        ("pipeline_by_snapshot.csv", truth.pipeline_by_snapshot),
        ("lead_cohorts.csv", truth.lead_cohorts),
    ):
        frame = frame.copy()
        for col in MONEY_COLUMNS & set(frame.columns):  # money to the cent, '' for NULL
            frame[col] = [f"{v:.2f}" if pd.notna(v) else "" for v in frame[col]]
        # Medians and rates: 6 decimals, '' for NULL.
        frame.to_csv(truth_dir / name, index=False, lineterminator="\n", float_format="%.6f")
    touches = truth.touchpoints.copy()
    for col in ("is_first", "is_lead_creation", "is_opportunity_creation"):
        touches[col] = np.where(touches[col], "true", "false")
    touches.to_csv(truth_dir / "touchpoints.csv", index=False, lineterminator="\n")
    credits = truth.attribution.copy()
    credits["credit"] = [f"{v:.12f}" for v in credits["credit"]]
    for col in ("attributed_pipeline", "attributed_revenue"):
        credits[col] = [f"{v:.2f}" for v in credits[col]]
    credits["is_won"] = np.where(credits["is_won"], "true", "false")
    credits.to_csv(truth_dir / "attribution.csv", index=False, lineterminator="\n")
    (truth_dir / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=False) + "\n")
