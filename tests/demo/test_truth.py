"""The ground truth agrees with the files wherever that can be checked independently."""

from __future__ import annotations

import csv

import duckdb
import pandas as pd
import pytest
from ad_files import deduplicated_spend

from demo import catalogue as cat
from demo import truth as truth_mod
from demo.ids import sf_id
from demo.params import Params
from demo.simulate import simulate


def _truth(gen, name: str) -> pd.DataFrame:
    return pd.read_csv(gen.truth / name, keep_default_na=False, dtype=str)


def test_truth_files_follow_the_contract(small):
    leads = _truth(small, "leads.csv")
    assert list(leads.columns[:9]) == [
        "lead_id",
        "channel",
        "campaign_key",
        "mql_at",
        "is_mql",
        "is_sql",
        "is_won",
        "outcome",
        "sla_status",
    ]
    camp = _truth(small, "campaigns.csv")
    assert list(camp.columns) == [
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
    assert not camp.duplicated(["campaign_key", "channel"]).any()
    assert (camp["campaign_key"] != "").all()
    summary = small.summary
    assert {"seed", "scale", "days", "start"} <= set(summary["parameters"])
    assert summary["as_of"].endswith("Z") and summary["defects"] == []


def test_deduplicated_spend_in_the_ad_files_equals_truth(small):
    spend = sum(deduplicated_spend(small.landing).values())
    truth = small.summary["totals"]["spend"]
    assert spend == pytest.approx(truth, abs=0.005)
    camp = _truth(small, "campaigns.csv")
    assert camp["spend"].astype(float).sum() == pytest.approx(truth, abs=0.005)


def test_spend_is_unchanged_by_planted_defects(with_defects, small):
    spend = sum(deduplicated_spend(with_defects.landing).values())
    assert spend == pytest.approx(small.summary["totals"]["spend"], abs=0.005)


def test_sessions_in_ga4_equal_truth(small):
    web = small.landing / "web"
    n = (
        duckdb.connect()
        .execute(f"""
        select count(distinct (user_pseudo_id, list_filter(event_params,
               lambda p: p.key = 'ga_session_id')[1].value.int_value))
        from read_json('{web}/*.json*', union_by_name = true,
                       columns = {{'user_pseudo_id': 'VARCHAR', 'event_params':
                       'STRUCT(key VARCHAR, value STRUCT(string_value VARCHAR,
                        int_value BIGINT, double_value DOUBLE))[]'}})
    """)
        .fetchone()[0]
    )
    parquet = (
        duckdb.connect()
        .execute(f"""
        select count(distinct (user_pseudo_id, list_filter(event_params,
               lambda p: p.key = 'ga_session_id')[1].value.int_value))
        from read_parquet('{web}/*.parquet')""")
        .fetchone()[0]
    )
    truth = _truth(small, "campaigns.csv")["sessions"].astype(int).sum()
    assert n + parquet == truth == small.summary["totals"]["sessions"]


def _newest_leads(gen) -> pd.DataFrame:
    sf = gen.landing / "salesforce"
    newest = sorted(p.name for p in sf.iterdir())[-1]
    return pd.read_csv(sf / newest / "Lead.csv", dtype=str, keep_default_na=False)


def test_truth_leads_are_the_non_deleted_leads_of_the_newest_snapshot(small):
    crm = _newest_leads(small)
    live = crm[crm["IsDeleted"] == "false"]
    leads = _truth(small, "leads.csv")
    assert set(leads["lead_id"]) == set(live["Id"])
    mql_ids = set(live.loc[live["MQL_Date__c"] != "", "Id"])
    assert set(leads.loc[leads["is_mql"] == "true", "lead_id"]) == mql_ids
    sql_ids = set(live.loc[live["IsConverted"] == "true", "Id"])
    assert set(leads.loc[leads["is_sql"] == "true", "lead_id"]) == sql_ids


def test_truth_has_every_outcome_and_sla_status(small):
    leads = _truth(small, "leads.csv")
    mql = leads[leads["is_mql"] == "true"]
    assert set(mql["outcome"]) == {"converted", "disqualified", "working", "untouched"}
    assert set(mql["sla_status"]) == {"met", "breached", "pending"}
    assert (leads.loc[leads["is_mql"] == "false", "outcome"] == "").all()


def test_truth_leads_with_captured_utms_take_their_campaign(small):
    crm = _newest_leads(small).set_index("Id")
    leads = _truth(small, "leads.csv").set_index("lead_id")
    utm = crm[(crm["UTM_Campaign__c"] != "") & (crm["IsDeleted"] == "false")]
    expected = utm["UTM_Campaign__c"].map(cat.campaign_key)
    assert (leads.loc[utm.index, "campaign_key"] == expected).all()


@pytest.fixture(scope="module")
def year_truth() -> truth_mod.Truth:
    """A year at half scale, simulated without writing files: enough leads to see quality."""
    return truth_mod.compute(simulate(Params(seed=11, scale=0.5)))


def test_no_budget_campaign_has_the_highest_no_budget_share(year_truth):
    leads = year_truth.leads
    dq = leads[leads["outcome"] == "disqualified"]
    share = dq.groupby("campaign_key")["disqualified_reason"].agg(
        lambda r: (r == "No Budget").mean()
    )
    share = share[dq.groupby("campaign_key").size() >= 10]
    assert share.idxmax() == "lead magnet - free templates", share.sort_values()
    rate = leads.assign(dq=leads["outcome"] == "disqualified").groupby("campaign_key")["dq"].mean()
    assert rate["lead magnet - free templates"] == rate[share.index].max()


def test_enterprise_campaign_brings_few_but_valuable_leads(year_truth):
    camp = year_truth.campaigns.set_index("campaign_key")
    abm, magnet = camp.loc["li_abm_enterprise_it"], camp.loc["lead magnet - free templates"]
    assert abm["leads"] < magnet["leads"] / 3
    assert abm["won_revenue"] > magnet["won_revenue"]
    assert abm["sqls"] / abm["leads"] > 2 * magnet["sqls"] / magnet["leads"]


def test_campaign_map_seed_matches_the_catalogue(small):
    from pathlib import Path

    seed = Path(__file__).parents[2] / "dbt_project" / "seeds" / "campaign_map.csv"
    rows = list(csv.DictReader(seed.open()))
    assert list(rows[0]) == ["platform", "campaign_id", "campaign_key", "channel"]
    by_platform = {r["platform"]: r for r in rows}
    abm = next(
        c
        for c in cat.CAMPAIGNS
        if c.platform == "linkedin_ads" and c.utm_campaign == "LI_ABM_Enterprise_IT"
    )
    assert by_platform["linkedin_ads"]["campaign_id"] == abm.campaign_id
    assert by_platform["linkedin_ads"]["campaign_key"] == cat.campaign_key(abm.utm_campaign)
    partner = by_platform["salesforce"]
    assert partner["campaign_id"] == sf_id("Campaign", 4200)
    assert partner["campaign_key"] == cat.campaign_key(cat.PARTNER_EVENT_NAME)
    assert partner["channel"] == cat.PARTNER_EVENT_CHANNEL
    sf = small.landing / "salesforce"
    newest = sorted(p.name for p in sf.iterdir())[-1]
    campaigns = pd.read_csv(sf / newest / "Campaign.csv", dtype=str).set_index("Id")
    assert campaigns.loc[partner["campaign_id"], "Name"] == cat.PARTNER_EVENT_NAME
    opps = _truth(small, "opportunities.csv")
    partner_opps = opps[opps["campaign_key"] == "partner summit 2026"]
    assert len(partner_opps) >= 2 and (partner_opps["channel"] == "Referral").all()
    assert (partner_opps["lead_id"] == "").all()
