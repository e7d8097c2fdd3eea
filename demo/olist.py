"""Real data: the Olist marketing funnel (8,000 MQLs, 842 closed deals; Kaggle, CC BY-NC-SA
4.0, attribution Olist) written as one Salesforce Data Export snapshot, so the pipeline runs
on a real company's funnel: `revops generate --from-olist DIR --out LANDING`.

Mapping (Olist's Brazilian B2B marketplace: sellers who asked to sell on Olist):
- every MQL is a Lead: `MQL_Date__c` and `CreatedDate` = `first_contact_date` (00:00 UTC),
  `LeadSource` from `origin` (`paid_search` -> `Paid Search`...; empty/`unknown` -> empty);
- a closed deal converts its lead: `IsConverted`, `ConvertedDate` = `won_date`, an Account
  per seller and a won Opportunity (`Closed Won`, `CloseDate` = `won_date`), with `Amount`
  = `declared_monthly_revenue` when it is above 0 (Olist left most at 0: unknown, so empty,
  never a zero-revenue win); one OpportunityHistory row for the win;
- SDRs and SRs (`sdr_id`, `sr_id`) are Users; the SDR owns the lead, the SR the opportunity;
  an MQL that never became a deal has no SDR in the data: it is held by a lead queue
  (`OLIST_QUEUE`, a Salesforce Group id), as routing rules park unworked leads.
Ids are Salesforce-shaped: the object's key prefix and the first 15 hex digits of Olist's id.
The snapshot folder is the day after the newest date in the data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

#: The lead queue that holds the MQLs no SDR worked (a Salesforce Group id: prefix 00G).
OLIST_QUEUE = "00G000000000OLIST"
MQL_FILE = "olist_marketing_qualified_leads_dataset.csv"
DEALS_FILE = "olist_closed_deals_dataset.csv"
LEAD_SOURCES = {
    "paid_search": "Paid Search",
    "organic_search": "Organic Search",
    "social": "Social",
    "direct_traffic": "Direct",
    "email": "Email",
    "referral": "Referral",
    "display": "Display",
    "other_publicities": "Other Publicity",
    "other": "Other",
}


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _sf_id(prefix: str, olist_id: str) -> str:
    return prefix + olist_id[:15]


def _datetime(text: str) -> str:
    """`2018-02-26 19:58:54` or `2018-02-01` -> `2018-02-26T19:58:54.000Z` (Olist: UTC)."""
    text = text.strip()
    if not text:
        return ""
    value = dt.datetime.fromisoformat(text)
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _amount(text: str) -> str:
    try:
        value = float(text)
    except ValueError:
        return ""
    return f"{value:.2f}" if value > 0 else ""


def write(source_dir: Path, out: Path) -> dict[str, object]:
    """Write `out/salesforce/<day>/{Lead,Account,Opportunity,OpportunityHistory,User}.csv`;
    returns counts (leads, converted, opportunities, with_amount, snapshot)."""
    mqls = _read(Path(source_dir) / MQL_FILE)
    deals = _read(Path(source_dir) / DEALS_FILE)
    deal_by_mql = {d["mql_id"]: d for d in deals}
    origin_of = {m["mql_id"]: m["origin"] for m in mqls}
    newest = max(
        [dt.date.fromisoformat(m["first_contact_date"][:10]) for m in mqls]
        + [dt.date.fromisoformat(d["won_date"][:10]) for d in deals if d["won_date"]]
    )
    snapshot = (newest + dt.timedelta(days=1)).isoformat()
    folder = Path(out) / "salesforce" / snapshot
    folder.mkdir(parents=True, exist_ok=True)

    users: dict[str, tuple[str, str]] = {}
    for d in deals:
        for key, title in (("sdr_id", "Sales Development Rep"), ("sr_id", "Sales Representative")):
            if d[key]:
                users.setdefault(d[key], (title, d["won_date"]))

    lead_rows = []
    for m in mqls:
        deal = deal_by_mql.get(m["mql_id"])
        won = deal is not None
        lead_rows.append(
            [
                _sf_id("00Q", m["mql_id"]),
                "false",
                f"MQL {m['mql_id'][:8]}",
                f"Olist seller {deal['seller_id'][:8]}" if won else f"Prospect {m['mql_id'][:8]}",
                "Converted" if won else "Open",
                LEAD_SOURCES.get(m["origin"], ""),
                _sf_id("005", deal["sdr_id"]) if won and deal["sdr_id"] else OLIST_QUEUE,
                "true" if won else "false",
                deal["won_date"][:10] if won else "",
                _sf_id("001", deal["seller_id"]) if won else "",
                _sf_id("006", m["mql_id"]) if won else "",
                _datetime(m["first_contact_date"]),
                _datetime(m["first_contact_date"]),
                m["landing_page_id"],
            ]
        )
    (folder / "Lead.csv").write_bytes(
        _csv(
            [
                "Id",
                "IsDeleted",
                "LastName",
                "Company",
                "Status",
                "LeadSource",
                "OwnerId",
                "IsConverted",
                "ConvertedDate",
                "ConvertedAccountId",
                "ConvertedOpportunityId",
                "CreatedDate",
                "MQL_Date__c",
                "Landing_Page_Id__c",
            ],
            lead_rows,
        )
    )

    accounts, opportunities, history = {}, [], []
    for d in deals:
        account = _sf_id("001", d["seller_id"])
        accounts.setdefault(
            account,
            [
                account,
                "false",
                f"Olist seller {d['seller_id'][:8]}",
                "Customer",
                d["business_segment"],
                "BR",
                _datetime(d["won_date"]),
            ],
        )
        opp = _sf_id("006", d["mql_id"])
        amount = _amount(d["declared_monthly_revenue"])
        source = origin_of.get(d["mql_id"], "")
        opportunities.append(
            [
                opp,
                "false",
                account,
                f"Olist seller {d['seller_id'][:8]}",
                "Closed Won",
                amount,
                "100",
                d["won_date"][:10],
                "New Business",
                LEAD_SOURCES.get(source, ""),
                "true",
                "true",
                _sf_id("005", d["sr_id"]) if d["sr_id"] else "",
                _datetime(d["won_date"]),
            ]
        )
        history.append(
            [
                _sf_id("008", d["mql_id"]),
                "false",
                opp,
                "Closed Won",
                amount,
                "100",
                d["won_date"][:10],
                _datetime(d["won_date"]),
            ]
        )
    (folder / "Account.csv").write_bytes(
        _csv(
            ["Id", "IsDeleted", "Name", "Type", "Industry", "BillingCountry", "CreatedDate"],
            list(accounts.values()),
        )
    )
    (folder / "Opportunity.csv").write_bytes(
        _csv(
            [
                "Id",
                "IsDeleted",
                "AccountId",
                "Name",
                "StageName",
                "Amount",
                "Probability",
                "CloseDate",
                "Type",
                "LeadSource",
                "IsClosed",
                "IsWon",
                "OwnerId",
                "CreatedDate",
            ],
            opportunities,
        )
    )
    (folder / "OpportunityHistory.csv").write_bytes(
        _csv(
            [
                "Id",
                "IsDeleted",
                "OpportunityId",
                "StageName",
                "Amount",
                "Probability",
                "CloseDate",
                "CreatedDate",
            ],
            history,
        )
    )
    (folder / "User.csv").write_bytes(
        _csv(
            ["Id", "IsActive", "LastName", "Title", "CreatedDate"],
            [
                [_sf_id("005", uid), "true", f"Rep {uid[:8]}", title, _datetime(first)]
                for uid, (title, first) in sorted(users.items())
            ],
        )
    )
    return {
        "snapshot": snapshot,
        "leads": len(lead_rows),
        "converted": sum(1 for r in lead_rows if r[7] == "true"),
        "opportunities": len(opportunities),
        "with_amount": sum(1 for o in opportunities if o[5]),
        "users": len(users),
    }
