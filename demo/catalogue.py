"""The demo company's fixed catalogue: campaigns, traffic sources, lead-quality profiles, people.

Everything here is a constant on purpose: campaign names and ids never depend on the seed, so
tests, the campaign map seed and DECISIONLOG entries can name them. The seed only drives the
random volumes and outcomes of the simulation.

Channels are written here by construction (what the channel rules of docs/definitions.md give
for the traffic's source/medium/click id/referrer), never computed by reading the dbt channel
seed: the ground truth must be an independent statement of what the marts should find.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COMPANY = "Acmeflow"
SITE = "https://www.acmeflow.io"
EMAIL_DOMAIN_SUFFIXES = ("com", "io", "co", "net", "de", "co.uk")

GOOGLE_ACCOUNT = "Acmeflow - Google Ads"
META_ACCOUNT = "Acmeflow Ads"
LINKEDIN_ACCOUNT = "Acmeflow Inc."
CURRENCY = "USD"


def campaign_key(name: str | None) -> str | None:
    """campaign_key: lower-cased, trimmed, inner white space collapsed; empty gives None."""
    if name is None:
        return None
    key = re.sub(r"\s+", " ", name).strip().lower()
    return key or None


@dataclass(frozen=True)
class Profile:
    """How the leads a source brings behave in sales: the quality knob of the demo.

    Rates are per lead (mql_rate) or per touched MQL (sql_rate, dq_rate); dq_reasons are
    weights over DQ_REASONS; deal_median is the median opportunity Amount in USD.
    """

    mql_rate: float
    sql_rate: float
    dq_rate: float
    dq_reasons: tuple[float, float, float, float, float]
    win_rate: float
    deal_median: float


DQ_REASONS = ("No Budget", "No Interest", "Bad Data", "Competitor", "No Authority")

PROFILES: dict[str, Profile] = {
    "standard": Profile(0.45, 0.22, 0.30, (0.20, 0.35, 0.15, 0.15, 0.15), 0.25, 15_000),
    "brand": Profile(0.55, 0.35, 0.20, (0.15, 0.30, 0.10, 0.20, 0.25), 0.35, 22_000),
    "low_intent": Profile(0.35, 0.08, 0.60, (0.12, 0.58, 0.20, 0.05, 0.05), 0.15, 8_000),
    "no_budget": Profile(0.65, 0.05, 0.75, (0.80, 0.08, 0.05, 0.03, 0.04), 0.10, 5_000),
    "enterprise": Profile(0.75, 0.50, 0.15, (0.10, 0.20, 0.10, 0.30, 0.30), 0.45, 65_000),
    "webinar": Profile(0.50, 0.15, 0.40, (0.30, 0.40, 0.10, 0.10, 0.10), 0.20, 12_000),
    "referral": Profile(0.60, 0.35, 0.20, (0.20, 0.30, 0.10, 0.20, 0.20), 0.35, 25_000),
    "event": Profile(0.50, 0.20, 0.35, (0.25, 0.35, 0.10, 0.15, 0.15), 0.25, 20_000),
    "list": Profile(0.20, 0.05, 0.60, (0.20, 0.30, 0.40, 0.05, 0.05), 0.10, 10_000),
}
PROFILE_NAMES = tuple(PROFILES)


@dataclass(frozen=True)
class Campaign:
    """One ad campaign on one platform, with the economics that drive its delivery.

    `utm_campaign` is what the campaign's landing URLs carry; it normalises to the platform
    name's key except for campaigns mapped in dbt_project/seeds/campaign_map.csv.
    start/end are fractions of the simulated period so any --days keeps the same shape.
    `kind`: search, video (Google Video report: no Campaign ID, Interactions instead of
    Clicks), social, lead_gen (LinkedIn Lead Gen Form: leads arrive without a web session).
    """

    platform: str
    campaign_id: str
    name: str
    utm_campaign: str
    daily_budget: float
    cpc: float
    ctr: float
    lead_cvr: float
    profile: str
    kind: str = "search"
    start: float = 0.0
    end: float = 1.0
    group: str = ""
    p_return: float = 0.12

    @property
    def channel(self) -> str:
        return "Paid Search" if self.platform == "google_ads" else "Paid Social"

    @property
    def key(self) -> str:
        """campaign_key of the ad rows: the map's key when mapped, else the name's."""
        mapped = CAMPAIGN_MAP_KEYS.get((self.platform, self.campaign_id))
        return mapped or campaign_key(self.name)  # type: ignore[return-value]

    @property
    def utm_source(self) -> str:
        return {"google_ads": "google", "meta_ads": "facebook", "linkedin_ads": "linkedin"}[
            self.platform
        ]

    @property
    def utm_medium(self) -> str:
        return {"google_ads": "cpc", "meta_ads": "paid_social", "linkedin_ads": "cpc"}[
            self.platform
        ]


CAMPAIGNS: tuple[Campaign, ...] = (
    # Google Ads: auto-tagged (gclid) plus a manual UTM template.
    Campaign(
        "google_ads", "20431001", "Brand - Search", "Brand - Search", 120, 2.0, 0.09, 0.045, "brand"
    ),
    Campaign(
        "google_ads",
        "20431002",
        "Generic - Workflow Automation",
        "generic - workflow automation",
        260,
        7.5,
        0.035,
        0.03,
        "standard",
    ),
    Campaign(
        "google_ads",
        "20431003",
        "Competitor - Conquest",
        "competitor - conquest",
        140,
        10.0,
        0.03,
        0.025,
        "standard",
    ),
    Campaign(
        "google_ads",
        "20431004",
        "Templates - Broad Match",
        "Templates - Broad Match",
        100,
        2.2,
        0.05,
        0.05,
        "low_intent",
    ),
    Campaign(
        "google_ads",
        "20431005",
        "Search - Integrations (EMEA)",
        "Search - Integrations (EMEA)",
        90,
        6.0,
        0.04,
        0.03,
        "standard",
        start=0.40,
    ),
    Campaign(
        "google_ads",
        "20431006",
        "Generic - Process Mapping",
        "Generic - Process Mapping",
        70,
        5.0,
        0.035,
        0.03,
        "standard",
        end=0.30,
    ),
    Campaign(
        "google_ads",
        "20431007",
        "YouTube - Product Demo",
        "YouTube - Product Demo",
        60,
        16.0,
        0.002,
        0.03,
        "standard",
        kind="video",
        start=0.20,
        end=0.80,
    ),
    # Meta: IDs are 18-digit strings; one name has a double space the UTM does not.
    Campaign(
        "meta_ads",
        "120208456712340011",
        "Lead Magnet - Free Templates",
        "Lead Magnet - Free Templates",
        110,
        1.6,
        0.012,
        0.05,
        "no_budget",
        kind="social",
    ),
    Campaign(
        "meta_ads",
        "120208456712340012",
        "Retargeting  - Website Visitors",
        "retargeting - website visitors",
        40,
        1.3,
        0.015,
        0.035,
        "standard",
        kind="social",
        p_return=0.75,
    ),
    Campaign(
        "meta_ads",
        "120208456712340013",
        "Prospecting - Lookalike 1%",
        "Prospecting - Lookalike 1%",
        75,
        2.4,
        0.009,
        0.015,
        "standard",
        kind="social",
    ),
    Campaign(
        "meta_ads",
        "120208456712340014",
        "Webinar Promo - Automation Summit",
        "Webinar Promo - Automation Summit",
        90,
        2.0,
        0.014,
        0.08,
        "webinar",
        kind="social",
        start=0.35,
        end=0.45,
    ),
    # LinkedIn: the ABM campaign's UTM differs from its name (campaign_map.csv maps it).
    Campaign(
        "linkedin_ads",
        "183452761",
        "ABM | Enterprise IT Decision Makers",
        "LI_ABM_Enterprise_IT",
        150,
        12.0,
        0.006,
        0.035,
        "enterprise",
        kind="social",
        group="Enterprise ABM",
    ),
    Campaign(
        "linkedin_ads",
        "183452762",
        "Sponsored Content - Ops Leaders",
        "Sponsored Content - Ops Leaders",
        90,
        9.0,
        0.005,
        0.025,
        "standard",
        kind="social",
        group="Demand Gen",
    ),
    Campaign(
        "linkedin_ads",
        "183452763",
        "Lead Gen Form - Automation Ebook",
        "Lead Gen Form - Automation Ebook",
        70,
        7.0,
        0.007,
        0.12,
        "standard",
        kind="lead_gen",
        group="Demand Gen",
    ),
    Campaign(
        "linkedin_ads",
        "183452764",
        "Conversation Ads - Demo Request",
        "Conversation Ads - Demo Request",
        55,
        5.0,
        0.008,
        0.04,
        "brand",
        kind="social",
        end=0.50,
        group="Demand Gen",
    ),
)

# A Google campaign that spends but is in no report: it only shows in `Total: Account`,
# which is why rows must never be reconciled against that total.
HIDDEN_GOOGLE_CAMPAIGN_DAILY_SPEND = 7.5

# Salesforce Campaign of the partner event: the primary CampaignId of some opportunities that
# sales created directly (no lead), mapped in campaign_map.csv to channel Referral.
PARTNER_EVENT_NAME = "Partner Summit 2026"
PARTNER_EVENT_CHANNEL = "Referral"
PARTNER_EVENT_AT = 0.45  # fraction of the period

# Salesforce Campaigns whose members respond without a web session (simulate._responses): a
# weekly product webinar (leads register after their form fill, some contacts during their
# deal) and a roadshow of field events every three weeks, whose attendee lists marketing ops
# import onto the contacts of opportunities after the deal opened (a response dated before the
# lead existed). (name, Type, weekday of the first date (Monday 0), days between dates, hour of
# the day in UTC). Neither has spend, sessions or leads, so their touches take the channel Other
# (docs/definitions.md, Touchpoints).
WEBINAR_SERIES = ("Webinar - Automation Live", "Webinar", 3, 7, 16)
ROADSHOW_SERIES = ("Roadshow - Ops Leaders", "Event", 2, 21, 9)

# Buyer journeys (simulate._journeys): web visits of a lead's buyer before and after the form
# fill, through the traffic sources named here (TrafficSource.name) with these weights.
# `Prospecting - Lookalike 1%` reaches people who never heard of the company: it opens many
# journeys and almost never closes one. `Retargeting - Website Visitors` can only reach people
# who have been on the site: it brings buyers back just before the sales call that creates the
# opportunity, and never opens a journey. So first-touch and last-touch attribution disagree
# about both, on purpose.
OPENER_SOURCE = "paid:120208456712340013"  # Prospecting - Lookalike 1% (Meta)
CLOSER_SOURCE = "paid:120208456712340012"  # Retargeting - Website Visitors (Meta)
JOURNEY_OPEN: dict[str, float] = {
    OPENER_SOURCE: 0.60,
    "organic_google": 0.12,
    "paid:183452762": 0.08,  # Sponsored Content - Ops Leaders (LinkedIn)
    "social_linkedin": 0.07,
    "referral_g2": 0.07,
    "paid:20431002": 0.06,  # Generic - Workflow Automation (Google)
}
JOURNEY_RETURN_BEFORE: dict[str, float] = {
    "direct": 0.30,
    "organic_google": 0.24,
    "paid:20431001": 0.14,  # Brand - Search (Google)
    "email_newsletter": 0.10,
    "referral_capterra": 0.08,
    "organic_bing": 0.06,
    OPENER_SOURCE: 0.05,
    "social_linkedin": 0.03,
}
JOURNEY_RETURN_AFTER: dict[str, float] = {
    "direct": 0.34,
    "email_nurture": 0.22,
    "organic_google": 0.18,
    "paid:20431001": 0.14,
    CLOSER_SOURCE: 0.08,
    "referral_g2": 0.04,
}
JOURNEY_CLOSE: dict[str, float] = {
    CLOSER_SOURCE: 0.62,
    "paid:20431001": 0.22,
    "direct": 0.16,
}

# (platform, campaign_id) -> campaign_key for mapped campaigns: the seed rows, as data.
CAMPAIGN_MAP_KEYS: dict[tuple[str, str], str] = {
    ("linkedin_ads", "183452761"): "li_abm_enterprise_it",
}


@dataclass(frozen=True)
class TrafficSource:
    """One way visitors reach the site, with what GA4 records for it and what it means.

    channel/campaign_key are the ground truth for sessions of this source (the channel rules
    applied by hand: explicit UTM > click id > referrer > Direct).
    """

    name: str
    channel: str
    campaign_key: str | None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    click_id: str | None = None  # gclid | fbclid | li_fat_id
    referrer: str | None = None
    lead_cvr: float = 0.02
    profile: str = "standard"
    p_return: float = 0.2
    campaign_index: int = -1  # index into CAMPAIGNS for paid traffic


# Organic traffic: base sessions per day at scale 1 (before weekday and trend factors).
ORGANIC_DAILY: dict[str, float] = {
    "organic_google": 225,
    "organic_bing": 35,
    "organic_duckduckgo": 15,
    "direct": 175,
    "referral_g2": 25,
    "referral_capterra": 12,
    "referral_zapier": 13,
    "social_linkedin": 15,
    "social_twitter": 6,
    "social_reddit": 4,
}

EMAIL_CAMPAIGNS: dict[str, tuple[str, str, str, float]] = {
    # name: (utm_source, utm_medium, utm_campaign, sessions on a send day at scale 1)
    "email_newsletter": ("newsletter", "email", "Monthly Newsletter", 260),
    "email_nurture": ("hubspot", "email", "Nurture - Trial Follow-up", 45),
}


def traffic_sources() -> list[TrafficSource]:
    """Every traffic source, paid first (in CAMPAIGNS order), then organic, then email."""
    out: list[TrafficSource] = []
    for i, c in enumerate(CAMPAIGNS):
        if c.kind == "lead_gen":
            continue
        click = {"google_ads": "gclid", "meta_ads": "fbclid", "linkedin_ads": "li_fat_id"}[
            c.platform
        ]
        referrer = {
            "google_ads": "https://www.google.com/",
            "meta_ads": "https://l.facebook.com/",
            "linkedin_ads": "https://www.linkedin.com/",
        }[c.platform]
        out.append(
            TrafficSource(
                f"paid:{c.campaign_id}",
                c.channel,
                campaign_key(c.utm_campaign),
                c.utm_source,
                c.utm_medium,
                c.utm_campaign,
                click,
                referrer,
                c.lead_cvr,
                c.profile,
                c.p_return,
                i,
            )
        )
        # The same clicks without UTMs (a missing URL template): the click id alone decides
        # the channel, and no campaign is known. Not for LinkedIn (li_fat_id needs Insight Tag
        # settings we do not simulate).
        if c.platform in ("google_ads", "meta_ads"):
            out.append(
                TrafficSource(
                    f"paid_noutm:{c.campaign_id}",
                    c.channel,
                    None,
                    None,
                    None,
                    None,
                    click,
                    referrer,
                    c.lead_cvr,
                    c.profile,
                    c.p_return,
                    i,
                )
            )
    out += [
        TrafficSource(
            "organic_google",
            "Organic Search",
            None,
            referrer="https://www.google.com/",
            lead_cvr=0.025,
        ),
        TrafficSource(
            "organic_bing", "Organic Search", None, referrer="https://www.bing.com/", lead_cvr=0.025
        ),
        TrafficSource(
            "organic_duckduckgo",
            "Organic Search",
            None,
            referrer="https://duckduckgo.com/",
            lead_cvr=0.025,
        ),
        TrafficSource("direct", "Direct", None, lead_cvr=0.03, p_return=0.55),
        TrafficSource(
            "referral_g2",
            "Referral",
            None,
            referrer="https://www.g2.com/products/acmeflow/reviews",
            lead_cvr=0.045,
            profile="referral",
        ),
        TrafficSource(
            "referral_capterra",
            "Referral",
            None,
            referrer="https://www.capterra.com/p/248811/Acmeflow/",
            lead_cvr=0.04,
            profile="referral",
        ),
        TrafficSource(
            "referral_zapier",
            "Referral",
            None,
            referrer="https://zapier.com/apps/acmeflow/integrations",
            lead_cvr=0.03,
            profile="standard",
        ),
        TrafficSource(
            "social_linkedin",
            "Organic Social",
            None,
            referrer="https://www.linkedin.com/feed/",
            lead_cvr=0.015,
        ),
        TrafficSource(
            "social_twitter", "Organic Social", None, referrer="https://t.co/", lead_cvr=0.01
        ),
        TrafficSource(
            "social_reddit",
            "Organic Social",
            None,
            referrer="https://www.reddit.com/r/automation/",
            lead_cvr=0.01,
            profile="low_intent",
        ),
    ]
    for name, (src, med, camp, _) in EMAIL_CAMPAIGNS.items():
        out.append(
            TrafficSource(
                name,
                "Email",
                campaign_key(camp),
                src,
                med,
                camp,
                lead_cvr=0.03,
                profile="standard",
                p_return=0.6,
            )
        )
    return out


# Leads that never came through the website: LeadSource picklist value, leads per day at
# scale 1, quality profile. Their channel follows the lead-source rule (LeadSource as a
# source with empty medium): `Email` gives Email; picklist values no rule names give Other;
# empty gives Other.
OFFLINE_LEADS: tuple[tuple[str, float, str, str], ...] = (
    ("Trade Show", 1.2, "event", "Other"),
    ("Partner", 0.9, "referral", "Other"),
    ("Purchased List", 0.6, "list", "Other"),
    ("Email", 0.3, "standard", "Email"),
    ("", 0.5, "standard", "Other"),
)
WEB_LEAD_SOURCE = "Web"
LEAD_GEN_LEAD_SOURCE = "Advertisement"

# Sales reps: (first, last, median hours from MQL to first touch, share of MQLs never touched)
# Speeds differ on purpose so SLA met, breached and pending all occur, and mart_owner_handoff
# has a fast rep (Maya Okafor) and a slow one (Chloe Dubois) to show. MQLs in the lead queue
# (LEAD_QUEUE_ID, no owner) are never touched: they wait.
SALES_REPS: tuple[tuple[str, str, float, float], ...] = (
    ("Maya", "Okafor", 1.5, 0.02),
    ("Liam", "Schneider", 3.0, 0.03),
    ("Sofia", "Marquez", 6.0, 0.04),
    ("Noah", "Brennan", 10.0, 0.05),
    ("Aisha", "Rahman", 18.0, 0.06),
    ("Ethan", "Kowalski", 30.0, 0.08),
    ("Chloe", "Dubois", 48.0, 0.12),
    ("Ravi", "Iyer", 4.0, 0.03),
)
OTHER_USERS: tuple[tuple[str, str, str], ...] = (
    ("Dana", "Whitfield", "Marketing Ops Manager"),
    ("Integration", "User", "API"),
)
LEAD_QUEUE_ID = "00G5g000003Xq1aEAC"
LEAD_QUEUE_SHARE = 0.04

FIRST_NAMES = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "Anna",
    "Lukas",
    "Emma",
    "Mateo",
    "Yuki",
    "Priya",
    "Olivia",
    "Lucas",
    "Fatima",
    "Chen",
    "Sara",
    "Tom",
    "Ines",
    "Omar",
)
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Müller",
    "Rossi",
    "Nguyen",
    "Kim",
    "Patel",
    "Silva",
    "O'Brien",
    "Novak",
    "Jansen",
    "Larsen",
    "Tanaka",
    "Costa",
    "Weber",
    "Moreau",
    "Khan",
    "Lopez",
)
COMPANY_PREFIXES = (
    "North",
    "Blue",
    "Bright",
    "Iron",
    "Green",
    "Swift",
    "Silver",
    "Red",
    "Prime",
    "Cedar",
    "Atlas",
    "Nova",
    "Summit",
    "Harbor",
    "Polar",
    "Vertex",
)
COMPANY_SUFFIXES = (
    "Logistics",
    "Health",
    "Systems",
    "Foods",
    "Analytics",
    "Robotics",
    "Finance",
    "Retail",
    "Energy",
    "Labs",
    "Media",
    "Works",
)
COUNTRIES = (
    "United States",
    "United Kingdom",
    "Germany",
    "France",
    "Canada",
    "Netherlands",
    "Australia",
    "Spain",
    "India",
    "Brazil",
)
COUNTRY_WEIGHTS = (0.42, 0.12, 0.1, 0.06, 0.07, 0.05, 0.05, 0.04, 0.05, 0.04)
GA_COUNTRY_WEIGHTS = COUNTRY_WEIGHTS
INDUSTRIES = (
    "Technology",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Financial Services",
    "Education",
    "Logistics",
)
TITLES = (
    "Head of Operations",
    "IT Director",
    "VP Marketing",
    "Operations Manager",
    "CTO",
    "Business Analyst",
    "Student",
    "Founder",
    "Procurement Lead",
)

OPEN_STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
)
STAGE_PROBABILITY = (10, 20, 40, 60, 80)
WON_STAGE, LOST_STAGE = "Closed Won", "Closed Lost"

PAGES = (
    "/",
    "/pricing",
    "/features",
    "/integrations",
    "/templates",
    "/blog/workflow-automation",
    "/blog/process-mapping-guide",
    "/customers",
    "/demo",
    "/docs/getting-started",
)
LANDING_PAGE_BY_KIND = {
    "paid": ("/", "/pricing", "/demo", "/templates"),
    "other": (
        "/",
        "/blog/workflow-automation",
        "/pricing",
        "/blog/process-mapping-guide",
        "/integrations",
    ),
}
FORM_PAGE = "/demo"
