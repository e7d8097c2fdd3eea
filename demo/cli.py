"""`revops generate`: write the demo company's landing zone and its ground truth."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from demo.generate import CRMS, OutputNotEmpty, generate
from demo.params import Params


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from exc


def _timezone(text: str) -> str:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(text)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
        raise argparse.ArgumentTypeError(
            f"not an IANA time zone name (like America/New_York): {text!r}"
        ) from exc
    return text


def _positive(kind: type) -> object:
    def parse(text: str) -> float | int:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0: {text!r}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="revops generate",
        description="Write a realistic landing zone (Google Ads, Meta, LinkedIn, GA4, and "
        "Salesforce or HubSpot as the CRM) for one simulated B2B company, and its ground truth.",
    )
    parser.add_argument("--out", type=Path, required=True, help="landing zone to write")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--scale",
        type=_positive(float),
        default=1.0,
        help="volume multiplier; 1 = ~10,000 leads a year (default 1)",
    )
    parser.add_argument(
        "--days", type=_positive(int), default=365, help="days simulated (default 365, at least 14)"
    )
    parser.add_argument(
        "--start",
        type=_date,
        default=dt.date(2026, 1, 1),
        help="first simulated day, YYYY-MM-DD (default 2026-01-01)",
    )
    parser.add_argument(
        "--crm",
        choices=CRMS,
        default="salesforce",
        help="the CRM whose exports hold the company's leads, deals and activities: "
        "salesforce/<export date>/ (Lead.csv, Opportunity.csv...) or hubspot/<export date>/ "
        "(contacts, companies, deals, owners, calls, emails, meetings, tasks), the same weekly "
        "snapshots and the same ground truth (default salesforce)",
    )
    parser.add_argument(
        "--hubspot-timezone",
        type=_timezone,
        default="UTC",
        metavar="TZ",
        help="with --crm hubspot: the portal's time zone, in which the UI-style exports write "
        "their naive datetimes (an IANA name such as America/New_York; default UTC); set the "
        "pipeline's dbt var hubspot_timezone to the same value",
    )
    parser.add_argument(
        "--defects",
        action="store_true",
        help="plant ingest faults (docs/data-quality.md), listed in summary.json",
    )
    parser.add_argument(
        "--from-olist",
        type=Path,
        default=None,
        metavar="DIR",
        help="instead of simulating, write the real Olist marketing funnel in DIR "
        "(olist_marketing_qualified_leads_dataset.csv, olist_closed_deals_dataset.csv) as one "
        "Salesforce snapshot into --out (demo/olist.py); no ground truth is written; "
        "not with --crm hubspot",
    )
    parser.add_argument(
        "--variants",
        action="store_true",
        help="also write the real-export variants (weekly Meta rows without "
        "Campaign ID, Spanish/Portuguese LinkedIn, an Excel-style Salesforce snapshot, a "
        "snapshot without Task.csv, a GA4 day without collected_traffic_source, an empty "
        "LinkedIn period), listed in summary.json; the ground truth stays exact; with "
        "--crm hubspot the Salesforce variants are left out",
    )
    parser.add_argument(
        "--truth",
        type=Path,
        default=None,
        help="ground-truth folder (default: DIR/../ground_truth)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace the demo source folders when --out is not empty",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.crm != "hubspot" and args.hubspot_timezone != "UTC":
        parser.error("--hubspot-timezone applies to --crm hubspot only")
    if args.from_olist is not None and args.crm == "hubspot":
        parser.error(
            "--from-olist writes the Olist funnel as a Salesforce snapshot; it cannot be "
            "combined with --crm hubspot"
        )
    if args.from_olist is not None:
        from demo import olist

        counts = olist.write(args.from_olist, args.out)
        print(
            f"wrote the Olist funnel to {args.out}/salesforce/{counts['snapshot']}: "
            f"{counts['leads']:,} leads, {counts['converted']:,} converted, "
            f"{counts['opportunities']:,} won opportunities ({counts['with_amount']:,} with "
            f"an amount), {counts['users']:,} users"
        )
        return 0
    if args.days < 14:
        print(
            "revops generate: --days must be at least 14 (weekly CRM snapshots and "
            "7-day ad re-exports need two weeks)",
            file=sys.stderr,
        )
        return 2
    params = Params(
        seed=args.seed,
        scale=args.scale,
        days=args.days,
        start=args.start,
        defects=args.defects,
        variants=args.variants,
    )
    try:
        report = generate(
            args.out,
            params,
            args.truth,
            force=args.force,
            crm=args.crm,
            hubspot_timezone=args.hubspot_timezone,
        )
    except OutputNotEmpty as exc:
        print(f"revops generate: {exc}", file=sys.stderr)
        return 1
    t = report.totals
    rows = report.written.rows
    files = report.written.files
    print(
        f"wrote {len(files)} files to {report.out} "
        f"({sum(report.seconds.values()):.1f} s, seed {params.seed}, scale {params.scale}, "
        f"{params.days} days from {params.start})"
    )
    for source in ("google_ads", "meta_ads", "linkedin_ads", "ga4", args.crm):
        n_files = sum(1 for f in files if f.startswith("web/" if source == "ga4" else source + "/"))
        print(f"  {source:<13} {n_files:>4} files {rows.get(source, 0):>10,} rows")
    print(
        f"  company: spend ${t['spend']:,.2f}, {t['sessions']:,} sessions, {t['leads']:,} "
        f"leads, {t['mqls']:,} MQLs, {t['sqls']:,} SQLs, {t['won_deals']:,} won "
        f"(${t['won_revenue']:,.0f}); as of snapshot {report.snapshots[-1]}"
    )
    if params.defects:
        print(f"  defects planted: {report.defects} (listed in summary.json)")
    if params.variants:
        print(f"  export variants: {report.variants} (listed in summary.json)")
    if args.crm == "hubspot":
        print(
            f"  HubSpot portal time zone: {args.hubspot_timezone} (set the dbt var "
            "hubspot_timezone to it)"
        )
    print(f"ground truth in {report.truth_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
