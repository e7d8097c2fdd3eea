"""The demo company's causal simulation, vectorised with numpy.

Ad spend buys impressions and clicks; clicks land as sessions that carry the campaign's UTMs
and click ids; organic, referral, social, email and direct traffic arrive by weekday pattern;
some sessions submit the lead form (the lead captures the GA client id and, usually, the UTMs);
leads become MQLs; the owner's first sales task comes after a delay that depends on the owner;
touched MQLs are converted or disqualified (with a reason that depends on the campaign's
quality profile) or stay in work; opportunities move through stages and are won or lost.

What the feedback marts find, on purpose: a No Budget rejection comes after a long chase (many
follow-up tasks), so the campaign whose leads end as No Budget takes the most sales effort per
lead; reps answer at their own speed (catalogue.SALES_REPS) while the lead queue's MQLs wait
untouched; opportunities change stage and Amount from one weekly snapshot to the next, and a
deal is won between any two snapshots (_guarantee_wins).

What the attribution marts find, on purpose: buyers come back several times, through other
campaigns and channels, before and after the form fill (_journeys), and respond to webinars and
roadshow events as leads and as contacts (_responses); a prospecting campaign opens journeys and
a retargeting campaign closes them, so first- and last-touch attribution disagree about both.
Journeys re-link sessions the site had anyway and never move a lead's source.

Every event keeps its time in epoch seconds (GA4 in microseconds), with NEVER for events that
did not happen, so the state of any record at any snapshot time is a comparison away
(see demo/state.py). There are no Python loops over rows: only over days, campaigns or sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from demo import catalogue as cat
from demo.ids import sf_id
from demo.params import DAY, HOUR, NEVER, Params

US = 1_000_000
WEEKDAY_TRAFFIC = np.array([1.10, 1.15, 1.12, 1.05, 0.90, 0.42, 0.48])  # Mon..Sun
WEEKDAY_SPEND = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.72, 0.72])
WEEKDAY_SALES = np.array([1.0, 1.0, 1.0, 1.0, 0.9, 0.15, 0.1])
HOUR_WEIGHTS = np.array(
    [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 11, 11, 10, 9, 7, 5, 4, 4, 3, 2, 1], dtype=float
)
BUSINESS_HOURS = np.array(
    [0, 0, 0, 0, 0, 0, 0, 2, 8, 10, 10, 9, 6, 9, 10, 9, 7, 4, 1, 0, 0, 0, 0, 0], dtype=float
)
LANDING_RATE = 0.85  # share of ad clicks that reach the site and start a GA4 session
NO_UTM_SHARE = 0.04  # Google/Meta clicks whose URL lost its UTM template
ATTRIBUTION_WINDOW = 30 * DAY
# The feedback marts' story (No Budget chases, amounts that move) draws from a random stream of
# its own, so the simulation's main draws (volumes, outcomes, deletions) are what they were.
STORY_STREAM = 0x5354
NO_BUDGET_CHASE_DAYS = 12  # median days from the first touch to a No Budget rejection
STAGE_GAP_DAYS = 6  # median days an opportunity stays in a stage
# Buyer journeys and campaign responses (_journeys, _responses) draw from a stream of their own
# too: the leads, their outcomes and the opportunities are what they were without them.
JOURNEY_STREAM = 0x4A52
P_OPENING_VISIT = 0.85  # web leads (not stitched by client id) first seen weeks before the form
RETURNS_BEFORE = 0.9  # mean visits between the opening visit and the form fill
RETURNS_AFTER = 1.3  # mean visits of an MQL's buyer while sales works the lead
P_SECOND_DEVICE_WEB = 0.15  # MQLs of web leads who also come back, logged in, on a phone
P_SECOND_DEVICE_OTHER = 0.3  # MQLs of leads that never came through the site who visit later
P_CLOSING_VISIT = 0.7  # converted buyers who come back in the last day before the sales call
P_WEBINAR_MQL, P_WEBINAR_OTHER = 0.3, 0.08  # leads who register for the weekly webinar
P_WEBINAR_ATTEND = 0.65
P_WEBINAR_CONTACT = 0.15  # contacts who register for a webinar while their deal is open
P_ROADSHOW = 0.08  # converted buyers who had been at a roadshow event before their form fill


@dataclass
class World:
    """Everything simulated, as frames of ids, codes and times; writers and truth read it."""

    params: Params
    sources: list[cat.TrafficSource]
    ad_daily: pd.DataFrame  # campaign, day, spend_cents, impressions, clicks, ...
    sessions: pd.DataFrame  # one row per GA4 session, time-ordered
    visitors: pd.DataFrame  # one row per user_pseudo_id
    leads: pd.DataFrame  # one row per Salesforce Lead, ordered by creation
    tasks: pd.DataFrame
    opportunities: pd.DataFrame
    opp_history: pd.DataFrame
    sf_campaigns: pd.DataFrame
    campaign_members: pd.DataFrame
    users: pd.DataFrame
    hidden_google_spend_cents: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def as_of_s(self) -> int:
        return self.params.as_of_s


# ----------------------------------------------------------------------------- helpers


def _token(rng: np.random.Generator, n: int, length: int) -> np.ndarray:
    """n random [A-Za-z0-9_-] strings of one length (click ids), vectorised."""
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"))
    chars = alphabet[rng.integers(0, alphabet.size, size=(n, length))]
    return chars.view(f"<U{length}").reshape(n) if n else np.array([], dtype=f"<U{length}")


def _seconds_in_day(
    rng: np.random.Generator, n: int, weights: np.ndarray, latest: int = DAY - HOUR
) -> np.ndarray:
    """Seconds after midnight drawn from an hourly profile, never after `latest`."""
    hours = rng.choice(24, size=n, p=weights / weights.sum())
    return np.minimum(hours * HOUR + rng.integers(0, HOUR, size=n), latest)


def _lognormal_seconds(
    rng: np.random.Generator, median_s: np.ndarray | float, sigma: float, n: int
) -> np.ndarray:
    return np.maximum(1, np.round(median_s * rng.lognormal(0.0, sigma, size=n))).astype(np.int64)


def _active_days(c: cat.Campaign, days: int) -> np.ndarray:
    d = np.arange(days)
    return (d >= int(np.floor(c.start * days))) & (d < int(np.ceil(c.end * days)))


# ----------------------------------------------------------------------------- ads


def _simulate_ads(
    rng: np.random.Generator, p: Params, weekday: np.ndarray, trend: np.ndarray
) -> pd.DataFrame:
    """Daily delivery per campaign: what the platforms bill and count (final numbers)."""
    frames = []
    for i, c in enumerate(cat.CAMPAIGNS):
        active = _active_days(c, p.days)
        spend = (
            c.daily_budget
            * p.scale
            * WEEKDAY_SPEND[weekday]
            * trend
            * rng.lognormal(0, 0.18, p.days)
        )
        cents = np.where(active, np.maximum(1, np.round(spend * 100)), 0).astype(np.int64)
        expected_clicks = cents / 100 / c.cpc * rng.lognormal(0, 0.08, p.days)
        impressions = rng.poisson(expected_clicks / c.ctr * rng.lognormal(0, 0.05, p.days))
        clicks = rng.binomial(impressions, np.clip(c.ctr * rng.lognormal(0, 0.08, p.days), 0, 1))
        frames.append(
            pd.DataFrame(
                {
                    "campaign": i,
                    "day": np.arange(p.days),
                    "spend_cents": cents,
                    "impressions": impressions.astype(np.int64),
                    "clicks": clicks.astype(np.int64),
                }
            )[active]
        )
    ads = pd.concat(frames, ignore_index=True)
    ads["conversions"] = rng.binomial(ads["clicks"].to_numpy(), 0.025).astype(np.int64)
    ads["conv_value_cents"] = ads["conversions"] * rng.integers(4_000, 9_000, len(ads))
    ads["reach"] = np.maximum(
        np.minimum(ads["impressions"], 1),
        np.round(ads["impressions"] / rng.uniform(1.15, 1.6, len(ads))),
    ).astype(np.int64)
    ads["results"] = rng.binomial(ads["clicks"].to_numpy(), 0.03).astype(np.int64)
    ads["leads"] = 0  # LinkedIn Lead Gen Form leads, filled in by the lead simulation
    return ads


# ----------------------------------------------------------------------------- sessions


def _email_series(p: Params, weekday: np.ndarray, send_day_volume: float, every: int) -> np.ndarray:
    """Sessions from an email campaign: a peak on send day (a Tuesday), then decay."""
    first_tuesday = int(np.flatnonzero(weekday == 1)[0]) if p.days > 6 else 0
    sends = np.arange(first_tuesday, p.days, every)
    decay = np.array([1.0, 0.35, 0.15, 0.07, 0.03])
    series = np.zeros(p.days)
    for s in sends:
        span = decay[: max(0, min(decay.size, p.days - s))]
        series[s : s + span.size] += send_day_volume * span
    return series


def _session_counts(
    rng: np.random.Generator,
    p: Params,
    sources: list[cat.TrafficSource],
    ads: pd.DataFrame,
    weekday: np.ndarray,
    trend: np.ndarray,
) -> np.ndarray:
    """counts[source, day]: paid from the ads' clicks, the rest by weekday pattern."""
    counts = np.zeros((len(sources), p.days), dtype=np.int64)
    clicks = np.zeros((len(cat.CAMPAIGNS), p.days), dtype=np.int64)
    clicks[ads["campaign"].to_numpy(), ads["day"].to_numpy()] = ads["clicks"].to_numpy()
    landed = rng.binomial(clicks, LANDING_RATE)
    no_utm = {s.campaign_index: k for k, s in enumerate(sources) if s.name.startswith("paid_noutm")}
    for k, s in enumerate(sources):
        if s.name.startswith("paid:"):
            if s.campaign_index in no_utm:
                lost = rng.binomial(landed[s.campaign_index], NO_UTM_SHARE)
                counts[no_utm[s.campaign_index]] = lost
                counts[k] = landed[s.campaign_index] - lost
            else:
                counts[k] = landed[s.campaign_index]
        elif s.name in cat.ORGANIC_DAILY:
            lam = cat.ORGANIC_DAILY[s.name] * p.scale * WEEKDAY_TRAFFIC[weekday] * trend
            counts[k] = rng.poisson(lam * rng.lognormal(0, 0.1, p.days))
        elif s.name in cat.EMAIL_CAMPAIGNS:
            volume = cat.EMAIL_CAMPAIGNS[s.name][3]
            series = (
                _email_series(p, weekday, volume, 28)
                if s.name == "email_newsletter"
                else volume * 0.25 * WEEKDAY_SALES[weekday]
            )
            counts[k] = rng.poisson(series * p.scale)
    return counts


def _simulate_sessions(
    rng: np.random.Generator, p: Params, sources: list[cat.TrafficSource], counts: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Expand counts into time-ordered sessions and give each a visitor (new or returning)."""
    src = np.repeat(np.repeat(np.arange(len(sources)), p.days), counts.ravel())
    day = np.repeat(np.tile(np.arange(p.days), len(sources)), counts.ravel())
    n = src.size
    secs = _seconds_in_day(rng, n, HOUR_WEIGHTS)
    start_us = (p.start_s + day.astype(np.int64) * DAY + secs) * US + rng.integers(0, US, n)
    order = np.argsort(start_us, kind="stable")
    src, day, start_us = src[order], day[order], start_us[order]

    # Returning visitors pick an earlier first-time visitor of the last 30 days.
    p_return = np.array([s.p_return for s in sources])[src]
    is_new = rng.random(n) >= p_return
    new_pos = np.flatnonzero(is_new)
    new_times = start_us[new_pos]
    ret_pos = np.flatnonzero(~is_new)
    hi = np.searchsorted(new_times, start_us[ret_pos], side="left")
    lo = np.searchsorted(new_times, start_us[ret_pos] - ATTRIBUTION_WINDOW * US, side="left")
    has_candidate = hi > lo
    pick = lo + np.floor(rng.random(ret_pos.size) * (hi - lo)).astype(np.int64)
    first_session_of = np.full(n, -1, dtype=np.int64)
    first_session_of[new_pos] = new_pos
    first_session_of[ret_pos[has_candidate]] = new_pos[pick[has_candidate]]
    orphan = ret_pos[~has_candidate]
    first_session_of[orphan] = orphan  # nobody to return: a first visit after all
    firsts = np.unique(first_session_of)
    visitor = np.searchsorted(firsts, first_session_of)

    # ga_session_id is the start second; a visitor never starts two sessions in one second.
    for _ in range(5):
        sid = start_us // US
        dup = pd.DataFrame({"v": visitor, "s": sid}).duplicated().to_numpy()
        if not dup.any():
            break
        start_us[dup] += US

    sessions = pd.DataFrame(
        {
            "session": np.arange(n),
            "day": day.astype(np.int32),
            "source": src.astype(np.int32),
            "visitor": visitor,
            "start_us": start_us,
        }
    )
    sessions["session_number"] = sessions.groupby("visitor").cumcount().to_numpy() + 1
    n_pv = np.minimum(12, rng.geometric(0.45, n)).astype(np.int32)
    sessions["n_pageviews"] = n_pv
    is_paid = np.array([s.campaign_index >= 0 for s in sources])[src]
    paid_pages = np.array([cat.PAGES.index(x) for x in cat.LANDING_PAGE_BY_KIND["paid"]])
    other_pages = np.array([cat.PAGES.index(x) for x in cat.LANDING_PAGE_BY_KIND["other"]])
    sessions["landing_page"] = np.where(
        is_paid,
        paid_pages[rng.integers(0, paid_pages.size, n)],
        other_pages[rng.integers(0, other_pages.size, n)],
    ).astype(np.int32)
    sessions["engaged_draw"] = rng.random(n)
    sessions["click_id"] = ""
    click_kind = np.array([s.click_id or "" for s in sources])[src]
    has_click = click_kind != ""
    sessions.loc[has_click, "click_id"] = _token(rng, int(has_click.sum()), 32)

    nv = firsts.size
    first_start = start_us[firsts] // US
    visitors = pd.DataFrame(
        {
            "visitor": np.arange(nv),
            "pseudo_rand": rng.integers(100_000_000, 2_147_483_647, nv),
            "first_s": first_start,
            "first_source": src[firsts],
            "device": rng.choice(
                np.array(["desktop", "mobile", "tablet"]), nv, p=[0.62, 0.35, 0.03]
            ),
            "country": rng.choice(
                np.array(cat.COUNTRIES),
                nv,
                p=np.array(cat.GA_COUNTRY_WEIGHTS) / sum(cat.GA_COUNTRY_WEIGHTS),
            ),
        }
    )
    visitors["user_pseudo_id"] = (
        visitors["pseudo_rand"].astype(str) + "." + visitors["first_s"].astype(str)
    )
    return sessions, visitors


# ----------------------------------------------------------------------------- leads


def _people(rng: np.random.Generator, n: int, counter: np.ndarray) -> pd.DataFrame:
    """Names, companies and unique e-mail addresses (the counter keeps them unique)."""

    def ascii_slug(values: tuple[str, ...]) -> np.ndarray:
        return np.array([v.lower().replace("ü", "ue").replace("'", "") for v in values])

    fi = rng.integers(0, len(cat.FIRST_NAMES), n)
    li = rng.integers(0, len(cat.LAST_NAMES), n)
    ci = rng.integers(0, len(cat.COMPANY_PREFIXES), n)
    si = rng.integers(0, len(cat.COMPANY_SUFFIXES), n)
    ti = rng.integers(0, len(cat.EMAIL_DOMAIN_SUFFIXES), n)
    first = np.array(cat.FIRST_NAMES)[fi]
    last = np.array(cat.LAST_NAMES)[li]
    company = (
        pd.Series(np.array(cat.COMPANY_PREFIXES)[ci]) + " " + np.array(cat.COMPANY_SUFFIXES)[si]
    )
    domain = (
        pd.Series(ascii_slug(cat.COMPANY_PREFIXES)[ci])
        + ascii_slug(cat.COMPANY_SUFFIXES)[si]
        + "."
        + np.array(cat.EMAIL_DOMAIN_SUFFIXES)[ti]
    )
    email = (
        pd.Series(ascii_slug(cat.FIRST_NAMES)[fi])
        + "."
        + ascii_slug(cat.LAST_NAMES)[li]
        + pd.Series(counter).astype(str)
        + "@"
        + domain
    )
    return pd.DataFrame(
        {
            "first_name": first,
            "last_name": last,
            "company": company.to_numpy(),
            "email": email.to_numpy(),
            "country": rng.choice(
                np.array(cat.COUNTRIES),
                n,
                p=np.array(cat.COUNTRY_WEIGHTS) / sum(cat.COUNTRY_WEIGHTS),
            ),
            "industry": rng.choice(np.array(cat.INDUSTRIES), n),
            "title": rng.choice(np.array(cat.TITLES), n),
        }
    )


def _web_leads(
    rng: np.random.Generator,
    sources: list[cat.TrafficSource],
    sessions: pd.DataFrame,
    visitors: pd.DataFrame,
) -> pd.DataFrame:
    """Form fills: at most one lead per visitor, from its first converting session."""
    src = sessions["source"].to_numpy()
    cvr = np.array([s.lead_cvr for s in sources])[src]
    conv = np.flatnonzero(rng.random(len(sessions)) < cvr)
    _, first = np.unique(sessions["visitor"].to_numpy()[conv], return_index=True)
    lead_sessions = np.sort(conv[first])
    n = lead_sessions.size
    start = sessions["start_us"].to_numpy()[lead_sessions]
    lead_us = start + rng.integers(40, 900, n) * US + rng.integers(0, US, n)
    visitor = sessions["visitor"].to_numpy()[lead_sessions]
    lead_src = src[lead_sessions]
    has_utm = np.array([s.utm_source is not None for s in sources])[lead_src]
    first_source = visitors["first_source"].to_numpy()[visitor]
    return pd.DataFrame(
        {
            "origin": "web",
            "session": lead_sessions,
            "visitor": visitor,
            "lead_us": lead_us,
            "created_s": lead_us // US + rng.integers(2, 90, n),
            "source": lead_src,
            "profile": np.array([s.profile for s in sources])[first_source],
            "lead_source": cat.WEB_LEAD_SOURCE,
            "ga_captured": rng.random(n) < 0.8,
            "utm_captured": has_utm & (rng.random(n) < 0.8),
            "identified": rng.random(n) < 0.9,
        }
    )


def _lead_gen_leads(
    rng: np.random.Generator, p: Params, ads: pd.DataFrame, weekday: np.ndarray
) -> pd.DataFrame:
    """LinkedIn Lead Gen Form leads: created from clicks, with UTMs, never on the website."""
    frames = []
    for i, c in enumerate(cat.CAMPAIGNS):
        if c.kind != "lead_gen":
            continue
        rows = ads.index[ads["campaign"] == i]
        n_day = rng.binomial(ads.loc[rows, "clicks"].to_numpy(), c.lead_cvr)
        ads.loc[rows, "leads"] = n_day
        day = np.repeat(ads.loc[rows, "day"].to_numpy(), n_day)
        secs = _seconds_in_day(rng, day.size, HOUR_WEIGHTS)
        frames.append(
            pd.DataFrame(
                {
                    "origin": "lead_gen",
                    "campaign": i,
                    "created_s": p.start_s + day.astype(np.int64) * DAY + secs,
                    "profile": c.profile,
                    "lead_source": cat.LEAD_GEN_LEAD_SOURCE,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _offline_leads(rng: np.random.Generator, p: Params, weekday: np.ndarray) -> pd.DataFrame:
    """Trade shows, partners, purchased lists, e-mail replies, unknown: no web trace."""
    frames = []
    for lead_source, per_day, profile, _channel in cat.OFFLINE_LEADS:
        n_day = rng.poisson(per_day * p.scale * WEEKDAY_SALES[weekday] * 1.2)
        day = np.repeat(np.arange(p.days), n_day)
        secs = _seconds_in_day(rng, day.size, BUSINESS_HOURS)
        frames.append(
            pd.DataFrame(
                {
                    "origin": "offline",
                    "created_s": p.start_s + day.astype(np.int64) * DAY + secs,
                    "profile": profile,
                    "lead_source": lead_source,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _sha256(values: np.ndarray) -> np.ndarray:
    """SHA-256 hex of each string, in DuckDB (vectorised, no Python loop)."""
    con = duckdb.connect()
    con.register("frame", pd.DataFrame({"v": pd.Series(values, dtype=object)}))
    out = con.execute("select sha256(v) from frame").fetchnumpy()
    con.close()
    return np.asarray(out[next(iter(out))], dtype=object)


def _assemble_leads(
    rng: np.random.Generator,
    sources: list[cat.TrafficSource],
    sessions: pd.DataFrame,
    visitors: pd.DataFrame,
    web: pd.DataFrame,
    lead_gen: pd.DataFrame,
    offline: pd.DataFrame,
) -> pd.DataFrame:
    leads = pd.concat([web, lead_gen, offline], ignore_index=True)
    for col, default in (
        ("session", -1),
        ("visitor", -1),
        ("lead_us", -1),
        ("source", -1),
        ("campaign", -1),
    ):
        leads[col] = leads[col].fillna(default).astype(np.int64)
    for col in ("ga_captured", "utm_captured", "identified"):
        leads[col] = leads[col].fillna(False).astype(bool)
    leads = leads.sort_values(["created_s", "origin", "session"], kind="stable", ignore_index=True)
    n = len(leads)
    leads["lead"] = np.arange(n)
    people = _people(rng, n, np.arange(n) + 1001)
    leads = pd.concat([leads, people], axis=1)
    leads["email_sha256"] = _sha256(leads["email"].to_numpy())
    # A few forms store the address as typed: capitals and a stray space (email_sha256 hashes
    # the lower-cased, trimmed value, so stitching still works).
    messy = rng.random(n) < 0.05
    leads["email_written"] = np.where(
        messy, " " + leads["email"].str.capitalize() + " ", leads["email"]
    )

    # What the form captured.
    utm_src = np.array([s.utm_source or "" for s in sources] + [""])
    utm_med = np.array([s.utm_medium or "" for s in sources] + [""])
    utm_cmp = np.array([s.utm_campaign or "" for s in sources] + [""])
    s_idx = np.where(leads["source"] >= 0, leads["source"], len(sources))
    cap = leads["utm_captured"].to_numpy()
    leads["utm_source"] = np.where(cap, utm_src[s_idx], "")
    leads["utm_medium"] = np.where(cap, utm_med[s_idx], "")
    leads["utm_campaign"] = np.where(cap, utm_cmp[s_idx], "")
    is_lg = leads["origin"].to_numpy() == "lead_gen"
    lg_campaign = leads["campaign"].to_numpy()
    for i, c in enumerate(cat.CAMPAIGNS):
        m = is_lg & (lg_campaign == i)
        leads.loc[m, ["utm_source", "utm_medium", "utm_campaign"]] = (
            c.utm_source,
            c.utm_medium,
            c.utm_campaign,
        )
    leads.loc[is_lg, "utm_captured"] = True
    click_kind = np.array([s.click_id or "" for s in sources] + [""])[s_idx]
    session_click = np.where(
        leads["session"] >= 0, sessions["click_id"].to_numpy()[np.maximum(leads["session"], 0)], ""
    )
    leads["gclid"] = np.where(cap & (click_kind == "gclid"), session_click, "")
    vis = leads["visitor"].to_numpy()
    leads["ga_client_id"] = np.where(
        leads["ga_captured"] & (vis >= 0),
        visitors["user_pseudo_id"].to_numpy()[np.maximum(vis, 0)],
        "",
    )
    return leads


# ----------------------------------------------------------------------------- sales


def _simulate_sales(
    rng: np.random.Generator, story: np.random.Generator, p: Params, leads: pd.DataFrame
) -> None:
    """MQL, owner, first touch and decision per lead, in place (times in seconds).

    A prospect without budget is chased for weeks ("call me next quarter") before sales gives
    up: a No Budget rejection of an MQL comes NO_BUDGET_CHASE_DAYS after the first touch (a
    median), the others in days; _simulate_tasks logs the chase.
    """
    n = len(leads)
    prof = leads["profile"].to_numpy()
    mql_rate = np.array([cat.PROFILES[x].mql_rate for x in prof])
    sql_rate = np.array([cat.PROFILES[x].sql_rate for x in prof])
    dq_rate = np.array([cat.PROFILES[x].dq_rate for x in prof])
    created = leads["created_s"].to_numpy()

    n_reps = len(cat.SALES_REPS)
    owner = rng.integers(0, n_reps, n)
    owner[rng.random(n) < cat.LEAD_QUEUE_SHARE] = -1  # parked in the lead queue
    leads["owner"] = owner

    is_mql = rng.random(n) < mql_rate
    instant = rng.random(n) < 0.35  # demo requests score at once
    delay = np.where(instant, rng.integers(5, 1800, n), _lognormal_seconds(rng, 20 * HOUR, 1.0, n))
    mql = np.where(is_mql, created + delay, NEVER)

    median_h = np.array([r[2] for r in cat.SALES_REPS])[np.maximum(owner, 0)]
    never_rate = np.array([r[3] for r in cat.SALES_REPS])[np.maximum(owner, 0)]
    touch_delay = _lognormal_seconds(rng, median_h * HOUR, 0.9, n)
    touch_delay[touch_delay == 24 * HOUR] += 7  # never exactly on the SLA boundary
    touched = is_mql & (owner >= 0) & (rng.random(n) >= never_rate)
    touch = np.where(touched, mql + touch_delay, NEVER)

    u = rng.random(n)
    decision_delay = _lognormal_seconds(rng, 4 * DAY, 0.8, n) + HOUR
    converted = touched & (u < sql_rate)
    disqualified = touched & ~converted & (u < sql_rate + dq_rate)
    decision = np.where(converted | disqualified, touch + decision_delay, NEVER)

    # Leads that never qualify: some are rejected outright, a few converted directly by sales.
    plain = ~is_mql & (owner >= 0)
    v = rng.random(n)
    plain_dq = plain & (v < 0.12)
    plain_conv = plain & (v >= 0.12) & (v < 0.135)
    plain_delay = _lognormal_seconds(rng, 3 * DAY, 0.8, n) + HOUR
    decision = np.where(plain_dq | plain_conv, created + plain_delay, decision)
    converted |= plain_conv
    disqualified |= plain_dq

    weights = np.array([cat.PROFILES[x].dq_reasons for x in cat.PROFILE_NAMES])
    cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    prof_idx = np.searchsorted(
        np.array(cat.PROFILE_NAMES), prof, sorter=np.argsort(cat.PROFILE_NAMES)
    )
    prof_idx = np.argsort(cat.PROFILE_NAMES)[prof_idx]
    reason_idx = (rng.random(n)[:, None] > cum[prof_idx]).sum(axis=1)
    reason_idx = np.minimum(reason_idx, len(cat.DQ_REASONS) - 1)
    plain_reason = np.where(
        rng.random(n) < 0.5, cat.DQ_REASONS.index("Bad Data"), cat.DQ_REASONS.index("No Interest")
    )
    reason_idx = np.where(plain_dq, plain_reason, reason_idx)
    leads["dq_reason"] = np.where(disqualified, np.array(cat.DQ_REASONS)[reason_idx], "")
    chased = disqualified & ~plain_dq & (reason_idx == cat.DQ_REASONS.index("No Budget"))
    chase = _lognormal_seconds(story, NO_BUDGET_CHASE_DAYS * DAY, 0.5, n) + HOUR
    decision = np.where(chased, touch + chase, decision)

    leads["mql_s"] = mql
    leads["touch_s"] = touch
    leads["converted"] = converted
    leads["disqualified"] = disqualified
    leads["decision_s"] = decision

    # Deleted leads: never converted ones. Soft-deleted rows stay in exports with
    # IsDeleted=true; hard-deleted ones vanish between the last two snapshots.
    snaps = p.snapshot_times()
    cand = ~converted
    soft = cand & (rng.random(n) < 0.01)
    soft_at = created + _lognormal_seconds(rng, 2 * DAY, 1.0, n)
    leads["soft_deleted_s"] = np.where(soft & (soft_at < p.as_of_s), soft_at, NEVER)
    hard = (
        cand & ~soft & (rng.random(n) < 0.006) & (created < snaps[-2])
        if len(snaps) > 1
        else np.zeros(n, dtype=bool)
    )
    hard_at = snaps[-2] + rng.integers(HOUR, 6 * DAY, n) if len(snaps) > 1 else np.full(n, NEVER)
    leads["hard_deleted_s"] = np.where(hard, hard_at, NEVER)
    leads["description"] = _descriptions(rng, n)


def _descriptions(rng: np.random.Generator, n: int) -> np.ndarray:
    """Free text as sales and forms write it: multi-line, quotes, commas; mostly empty."""
    texts = np.array(
        [
            "",
            'Requested a demo via the website.\nInterested in: approvals, "multi-step" forms',
            "Met at the booth.\nFollow up after Q3 planning, budget owner is the CFO.",
            "Asked about SSO, SCIM and the EU data region.\r\nSecond contact: ops@ team",
            'Imported from partner list, "warm" intro',
        ],
        dtype=object,
    )
    pick = np.where(rng.random(n) < 0.15, rng.integers(1, texts.size, n), 0)
    return texts[pick]


def _simulate_tasks(
    rng: np.random.Generator, story: np.random.Generator, p: Params, leads: pd.DataFrame
) -> pd.DataFrame:
    """Sales Tasks on leads (WhoId = lead): first touches, follow-ups, early and deleted ones.

    The follow-ups of a lead that sales decided on fall between its first touch and the
    decision (after it, the work is on the contact or the opportunity); a No Budget rejection
    takes the chase: 2 to 7 more follow-ups (_chase_tasks). So the sales effort piles up on the
    campaign whose leads end as No Budget, as mart_campaign_feedback shows.
    """
    n = len(leads)
    lead = np.arange(n)
    owner = leads["owner"].to_numpy()
    created = leads["created_s"].to_numpy()
    mql = leads["mql_s"].to_numpy()
    touch = leads["touch_s"].to_numpy()
    rep = owner >= 0
    parts = []

    t = touch < NEVER
    parts.append(pd.DataFrame({"lead": lead[t], "created_s": touch[t], "deleted": False}))
    n_follow = np.where(t, np.minimum(3, rng.poisson(1.2, n)), 0)
    f_lead = np.repeat(lead, n_follow)
    f_gap = _lognormal_seconds(rng, 2 * DAY, 0.7, f_lead.size)
    f_rank = pd.Series(f_lead).groupby(f_lead).cumcount().to_numpy() + 1
    parts.append(
        pd.DataFrame(
            {
                "lead": f_lead,
                "created_s": touch[f_lead] + f_gap * f_rank,
                "deleted": False,
                "follow_up": True,
            }
        )
    )
    is_mql = mql < NEVER
    early = is_mql & rep & (rng.random(n) < 0.10) & (mql - created > 120)
    e_at = created + np.floor(rng.random(n) * (mql - created - 60)).astype(np.int64) + 1
    parts.append(pd.DataFrame({"lead": lead[early], "created_s": e_at[early], "deleted": False}))
    plain = ~is_mql & rep & (rng.random(n) < 0.25)
    pl_at = created + _lognormal_seconds(rng, 30 * HOUR, 0.8, n)
    parts.append(pd.DataFrame({"lead": lead[plain], "created_s": pl_at[plain], "deleted": False}))
    # Deleted tasks logged (by mistake) before the real first touch: must not count.
    gap = np.minimum(touch, mql + 12 * HOUR) - mql
    deleted = is_mql & rep & (rng.random(n) < 0.04) & (gap > 120)
    d_at = mql + np.floor(rng.random(n) * np.maximum(gap - 60, 1)).astype(np.int64) + 1
    parts.append(pd.DataFrame({"lead": lead[deleted], "created_s": d_at[deleted], "deleted": True}))

    tasks = pd.concat(parts, ignore_index=True)
    tasks = tasks[tasks["created_s"] < p.as_of_s + 30 * DAY]
    tasks = tasks.sort_values(["created_s", "lead"], kind="stable", ignore_index=True)
    tasks["task"] = np.arange(len(tasks))
    tasks["owner"] = owner[tasks["lead"].to_numpy()]
    k = len(tasks)
    tasks["is_call"] = rng.random(k) < 0.6
    tasks["description"] = np.where(
        rng.random(k) < 0.1, 'Left voicemail.\nWill try again "Thursday", then e-mail.', ""
    )
    return _chase_tasks(story, p, leads, tasks)


def _chase_tasks(
    story: np.random.Generator, p: Params, leads: pd.DataFrame, tasks: pd.DataFrame
) -> pd.DataFrame:
    """Add the No Budget chase and place every decided lead's follow-ups before its decision."""
    n = len(leads)
    touch = leads["touch_s"].to_numpy()
    decision = leads["decision_s"].to_numpy()
    decided = (touch < NEVER) & (decision < NEVER) & (decision > touch + 2)
    chased = decided & leads["disqualified"].to_numpy() & (leads["dq_reason"] == "No Budget")
    n_extra = np.where(chased, 2 + np.minimum(5, story.poisson(2.5, n)), 0)
    e_lead = np.repeat(np.arange(n), n_extra)
    extra = pd.DataFrame(
        {
            "lead": e_lead,
            "created_s": touch[e_lead],
            "deleted": False,
            "follow_up": True,
            "owner": leads["owner"].to_numpy()[e_lead],
            "is_call": story.random(e_lead.size) < 0.6,
            "description": np.where(
                story.random(e_lead.size) < 0.3, "Budget frozen until next quarter.", ""
            ),
        }
    )
    tasks = pd.concat([tasks.drop(columns="task"), extra], ignore_index=True)
    tasks["follow_up"] = tasks["follow_up"].eq(True).to_numpy()
    # Decided leads: follow-ups spread over (touch, decision), never on either end.
    lead = tasks["lead"].to_numpy()
    move = tasks["follow_up"].to_numpy() & decided[lead]
    m_lead = lead[move]
    span = decision[m_lead] - touch[m_lead]
    at = touch[m_lead] + 1 + np.floor(story.random(m_lead.size) * (span - 2)).astype(np.int64)
    tasks.loc[move, "created_s"] = at
    tasks = tasks[tasks["created_s"] < p.as_of_s + 30 * DAY]
    tasks = tasks.sort_values(["created_s", "lead"], kind="stable", ignore_index=True)
    tasks["task"] = np.arange(len(tasks))
    columns = ["lead", "created_s", "deleted", "task", "owner", "is_call", "description"]
    return tasks[columns]


def _guarantee_pending(
    rng: np.random.Generator, p: Params, leads: pd.DataFrame, tasks: pd.DataFrame, minimum: int = 2
) -> None:
    """Make sure a few MQLs are inside the SLA window at the as-of time, untouched.

    At small scales the last day may hold no fresh MQL; the SLA `pending` state must still
    exist for tests. We qualify the latest still-open, task-free leads a few hours before
    the as-of time, which is what a nightly scoring run does.
    """
    as_of = p.as_of_s
    mql = leads["mql_s"].to_numpy()
    pending = (mql <= as_of) & (mql > as_of - 24 * HOUR) & (leads["touch_s"] > as_of)
    missing = minimum - int(pending.sum())
    if missing <= 0:
        return
    has_task = np.zeros(len(leads), dtype=bool)
    has_task[tasks["lead"].to_numpy()] = True
    ok = (
        (leads["owner"] >= 0)
        & ~has_task
        & (leads["decision_s"] >= NEVER)
        & (leads["soft_deleted_s"] >= NEVER)
        & (leads["hard_deleted_s"] >= NEVER)
        & (leads["created_s"] < as_of - 3 * HOUR)
        & ~pending
    )
    chosen = leads.index[ok.to_numpy()][-missing:]
    new_mql = np.maximum(
        leads.loc[chosen, "created_s"].to_numpy() + 600,
        as_of - rng.integers(2 * HOUR, 20 * HOUR, chosen.size),
    )
    leads.loc[chosen, "mql_s"] = new_mql
    leads.loc[chosen, "touch_s"] = NEVER


def _simulate_opportunities(
    rng: np.random.Generator,
    story: np.random.Generator,
    p: Params,
    leads: pd.DataFrame,
    weekday: np.ndarray,
    partner_campaign: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Opportunities from conversions and from sales directly; their stage history."""
    conv = leads.index[leads["converted"].to_numpy()].to_numpy()
    from_leads = pd.DataFrame(
        {
            "lead": conv,
            "created_s": leads["decision_s"].to_numpy()[conv],
            "profile": leads["profile"].to_numpy()[conv],
            "owner": leads["owner"].to_numpy()[conv],
            "sf_campaign": -1,
        }
    )
    n_day = rng.poisson(0.55 * p.scale * WEEKDAY_SALES[weekday])
    day = np.repeat(np.arange(p.days), n_day)
    direct = pd.DataFrame(
        {
            "lead": -1,
            "created_s": p.start_s
            + day.astype(np.int64) * DAY
            + _seconds_in_day(rng, day.size, BUSINESS_HOURS),
            "profile": "referral",
            "owner": rng.integers(0, len(cat.SALES_REPS), day.size),
        }
    )
    direct["sf_campaign"] = -1
    # The partner event sources opportunities of its own (at least two, so it always shows).
    event_day = int(cat.PARTNER_EVENT_AT * p.days)
    n_event = max(2, int(rng.poisson(25 * p.scale)))
    e_day = np.minimum(p.days - 1, event_day + rng.integers(1, 31, n_event))
    from_event = pd.DataFrame(
        {
            "lead": -1,
            "created_s": p.start_s
            + e_day.astype(np.int64) * DAY
            + _seconds_in_day(rng, n_event, BUSINESS_HOURS),
            "profile": "referral",
            "owner": rng.integers(0, len(cat.SALES_REPS), n_event),
            "sf_campaign": partner_campaign,
        }
    )
    opps = pd.concat([from_leads, direct, from_event], ignore_index=True)
    opps = opps.sort_values(["created_s", "lead"], kind="stable", ignore_index=True)
    n = len(opps)
    opps["opp"] = np.arange(n)
    prof = opps["profile"].to_numpy()
    median = np.array([cat.PROFILES[x].deal_median for x in prof])
    opps["amount"] = np.maximum(1000, np.round(median * rng.lognormal(0, 0.55, n), -2))
    win = rng.random(n) < np.array([cat.PROFILES[x].win_rate for x in prof])
    n_open = np.where(win, len(cat.OPEN_STAGES), rng.integers(1, len(cat.OPEN_STAGES) + 1, n))
    opps["won"] = win
    opps["n_open_stages"] = n_open
    opps["soft_deleted"] = (opps["lead"] < 0) & (opps["sf_campaign"] < 0) & (rng.random(n) < 0.02)

    # History: one row per stage entered, the closing stage last.
    n_rows = n_open + 1
    h_opp = np.repeat(np.arange(n), n_rows)
    h_rank = pd.Series(h_opp).groupby(h_opp).cumcount().to_numpy()
    gaps = np.where(h_rank == 0, 0, _lognormal_seconds(rng, STAGE_GAP_DAYS * DAY, 0.6, h_opp.size))
    elapsed = pd.Series(gaps).groupby(h_opp).cumsum().to_numpy()
    entered = opps["created_s"].to_numpy()[h_opp] + elapsed
    is_close = h_rank == n_open[h_opp]
    stage = np.where(
        is_close,
        np.where(win[h_opp], cat.WON_STAGE, cat.LOST_STAGE),
        np.array(cat.OPEN_STAGES)[np.minimum(h_rank, len(cat.OPEN_STAGES) - 1)],
    )
    prob = np.where(
        is_close,
        np.where(win[h_opp], 100, 0),
        np.array(cat.STAGE_PROBABILITY)[np.minimum(h_rank, 4)],
    )
    history = pd.DataFrame(
        {
            "opp": h_opp,
            "rank": h_rank,
            "entered_s": entered,
            "stage": stage,
            "probability": prob,
            "is_close": is_close,
        }
    )
    _guarantee_wins(story, p, opps, history)
    # The Amount moves with the deal: re-scoped in Needs Analysis, quoted in Proposal/Price
    # Quote, discounted in Negotiation/Review; the closing stage keeps the last one. So weekly
    # snapshots show other amounts for the same opportunity, and OpportunityHistory keeps each
    # stage's. An opportunity's `amount` is its final one (demo/state.py gives the one at t).
    factor = np.ones(h_opp.size)
    rescoped, quoted, discounted = (~is_close & (h_rank == k) for k in (2, 3, 4))
    factor[rescoped] = story.lognormal(0.0, 0.2, int(rescoped.sum()))
    factor[quoted] = story.lognormal(0.05, 0.1, int(quoted.sum()))
    factor[discounted] = story.uniform(0.85, 1.0, int(discounted.sum()))
    scale = pd.Series(factor).groupby(h_opp).cumprod().to_numpy()
    first = opps["amount"].to_numpy()[h_opp]
    history["amount"] = np.maximum(1000, np.round(first * scale, -2))
    opps["close_s"] = history.loc[is_close, "entered_s"].to_numpy()
    opps["amount"] = history.loc[is_close, "amount"].to_numpy()
    return opps, history


def _guarantee_wins(
    story: np.random.Generator, p: Params, opps: pd.DataFrame, history: pd.DataFrame
) -> None:
    """Make sure every weekly CRM snapshot sees a deal won since the snapshot before it.

    At small scales a week may close no deal by chance, and the pipeline by snapshot would
    show no wins to compare. For such a week we take a deal that was open at the earlier
    snapshot, the next one to be won (else the next one to close), and let it move faster: its
    remaining stages are pulled in so that it closes inside the week, as a win. In place: the
    `won` flag and the stage history (times, closing stage and probability).
    """
    snaps = p.snapshot_times()
    h_opp = history["opp"].to_numpy()
    entered = history["entered_s"].to_numpy().copy()
    is_close = history["is_close"].to_numpy()
    close = np.full(len(opps), NEVER, dtype=np.int64)
    close[h_opp[is_close]] = entered[is_close]
    won = opps["won"].to_numpy().copy()
    live = ~opps["soft_deleted"].to_numpy()
    created = opps["created_s"].to_numpy()
    for a, b in zip(snaps, snaps[1:], strict=False):
        if (won & live & (close > a) & (close <= b)).any():
            continue
        open_at_a = np.flatnonzero(live & (created < a) & (close > a))
        if open_at_a.size == 0:
            continue
        # The next to be won first, then the next to close.
        o = open_at_a[np.lexsort((close[open_at_a], ~won[open_at_a]))[0]]
        new_close = a + int(story.integers(HOUR, max(b - a - HOUR, HOUR + 1)))
        rows = np.flatnonzero((h_opp == o) & (entered > a))
        old = entered[rows] - a
        entered[rows] = a + np.maximum(1, old * (new_close - a) // old[-1])
        close[o] = entered[rows[-1]]
        won[o] = True
    flipped = won & ~opps["won"].to_numpy()
    closing = is_close & flipped[h_opp]
    history["entered_s"] = entered
    history.loc[closing, "stage"] = cat.WON_STAGE
    history.loc[closing, "probability"] = 100
    opps["won"] = won


def _sf_campaigns(p: Params) -> pd.DataFrame:
    """Salesforce Campaign records: the partner event, a trade show, one per marketing campaign,
    the webinar series and the roadshow."""
    rows = [
        (
            cat.PARTNER_EVENT_NAME,
            "Partner",
            cat.PARTNER_EVENT_AT,
            cat.PARTNER_EVENT_AT + 0.01,
            -1,
            "",
        ),
        ("Automation Expo 2026", "Trade Show", 0.6, 0.61, -1, ""),
    ]
    for i, c in enumerate(cat.CAMPAIGNS):
        rows.append((c.name, "Advertisement", c.start, c.end, i, ""))
    for name, (_s, _m, camp, _v) in cat.EMAIL_CAMPAIGNS.items():
        rows.append((camp, "Email", 0.0, 1.0, -1, name))
    for series in (cat.WEBINAR_SERIES, cat.ROADSHOW_SERIES):
        rows.append((series[0], series[1], 0.0, 1.0, -1, ""))
    frame = pd.DataFrame(rows, columns=["name", "type", "start", "end", "campaign", "email"])
    frame["sf_campaign"] = np.arange(len(frame))
    frame["Id"] = [sf_id("Campaign", 4_200 + i) for i in range(len(frame))]
    frame["start_s"] = p.start_s + (frame["start"] * p.days).astype(int) * DAY
    frame["end_s"] = p.start_s + (np.ceil(frame["end"] * p.days).astype(int) - 1) * DAY
    frame["created_s"] = frame["start_s"] - 10 * DAY
    return frame


def _campaign_members(
    leads: pd.DataFrame, sources: list[cat.TrafficSource], sf_campaigns: pd.DataFrame
) -> pd.DataFrame:
    """Which Salesforce Campaign a lead responded to (the form's campaign, the trade show)."""
    by_campaign = {
        int(c): int(k)
        for k, c in zip(sf_campaigns["sf_campaign"], sf_campaigns["campaign"], strict=True)
        if c >= 0
    }
    by_email = {
        e: int(k)
        for k, e in zip(sf_campaigns["sf_campaign"], sf_campaigns["email"], strict=True)
        if e
    }
    source_to_sf = np.array(
        [by_campaign.get(s.campaign_index, by_email.get(s.name, -1)) for s in sources] + [-1]
    )
    s_idx = np.where(leads["source"] >= 0, leads["source"], len(sources))
    member = source_to_sf[s_idx]
    lg = leads["origin"].to_numpy() == "lead_gen"
    member = np.where(lg, [by_campaign.get(int(c), -1) for c in cat_range(leads, lg)], member)
    trade = leads["lead_source"].to_numpy() == "Trade Show"
    member = np.where(trade, 1, member)
    leads["sf_campaign"] = member
    m = member >= 0
    return pd.DataFrame(
        {
            "lead": leads.index[m].to_numpy(),
            "sf_campaign": member[m],
            "created_s": leads["created_s"].to_numpy()[m],
        }
    )


def _series_dates(p: Params, series: tuple[str, str, int, int, int]) -> np.ndarray:
    """Times of a recurring campaign's events: every `every` days from the first `weekday`
    (Monday 0) of the period, at `hour` UTC, inside the simulated days."""
    _name, _type, weekday, every, hour = series
    first = (weekday - pd.Timestamp(p.start).weekday()) % 7
    days = np.arange(first, p.days, every)
    return p.start_s + days.astype(np.int64) * DAY + hour * HOUR


def _responses(
    rng: np.random.Generator,
    p: Params,
    leads: pd.DataFrame,
    opps: pd.DataFrame,
    sf_campaigns: pd.DataFrame,
    members: pd.DataFrame,
) -> pd.DataFrame:
    """Campaign members beyond the form's campaign: webinar registrations and roadshow visits.

    - Leads register for the weekly webinar a day or two after their form fill (MQLs more
      often); two in three attend (HasResponded from the webinar on, FirstRespondedDate its
      day), the others stay `Registered`.
    - Contacts register for a webinar while their deal is open (a response after the
      opportunity's creation: no touch of it).
    - A converted buyer may have been at a roadshow event in the weeks before the form fill;
      marketing ops imports the attendee list onto the contact after the deal opened, so the
      contact's response is dated before the lead existed (a touch when it falls in the
      window, docs/definitions.md#touchpoints).
    Once a lead is converted its member rows also name the contact (`contact_s`), as
    Salesforce does on conversion.
    """
    names = sf_campaigns["name"].to_numpy()
    webinar = int(np.flatnonzero(names == cat.WEBINAR_SERIES[0])[0])
    roadshow = int(np.flatnonzero(names == cat.ROADSHOW_SERIES[0])[0])
    webinars = _series_dates(p, cat.WEBINAR_SERIES)
    roadshows = _series_dates(p, cat.ROADSHOW_SERIES)
    n = len(leads)
    created = leads["created_s"].to_numpy()
    lead_opp = np.full(n, -1, dtype=np.int64)
    from_lead = opps["lead"].to_numpy() >= 0
    lead_opp[opps["lead"].to_numpy()[from_lead]] = opps["opp"].to_numpy()[from_lead]
    opp_created = opps["created_s"].to_numpy()

    def next_webinar(after: np.ndarray) -> np.ndarray:
        i = np.searchsorted(webinars, after, side="left")
        return np.where(i < webinars.size, webinars[np.minimum(i, webinars.size - 1)], NEVER)

    parts = [members.assign(contact_opp=-1, responded_s=members["created_s"].to_numpy())]
    # Leads register for the webinar.
    is_mql = leads["mql_s"].to_numpy() < NEVER
    registers = rng.random(n) < np.where(is_mql, P_WEBINAR_MQL, P_WEBINAR_OTHER)
    reg_s = created + _lognormal_seconds(rng, 1.5 * DAY, 0.8, n)
    date = next_webinar(reg_s + 2 * HOUR)
    attends = rng.random(n) < P_WEBINAR_ATTEND
    take = registers & (date < NEVER)
    parts.append(
        pd.DataFrame(
            {
                "lead": np.flatnonzero(take),
                "sf_campaign": webinar,
                "created_s": reg_s[take],
                "contact_opp": -1,
                "responded_s": np.where(attends, date, NEVER)[take],
            }
        )
    )
    # Contacts of opportunities register for a webinar during the deal.
    conv = np.flatnonzero(lead_opp >= 0)
    o = lead_opp[conv]
    c_reg = opp_created[o] + _lognormal_seconds(rng, 3 * DAY, 0.8, conv.size)
    c_date = next_webinar(c_reg + 2 * HOUR)
    c_take = (rng.random(conv.size) < P_WEBINAR_CONTACT) & (c_date < NEVER)
    c_attends = rng.random(conv.size) < P_WEBINAR_ATTEND
    parts.append(
        pd.DataFrame(
            {
                "lead": -1,
                "sf_campaign": webinar,
                "created_s": c_reg[c_take],
                "contact_opp": o[c_take],
                "responded_s": np.where(c_attends, c_date, NEVER)[c_take],
            }
        )
    )
    # Roadshow attendees of the 45 days before the form fill, imported onto the contact.
    i = np.searchsorted(roadshows, created[conv] - DAY, side="right") - 1
    event = np.where(i >= 0, roadshows[np.maximum(i, 0)], -1)
    r_take = (rng.random(conv.size) < P_ROADSHOW) & (i >= 0) & (event >= created[conv] - 45 * DAY)
    imported = opp_created[o] + _lognormal_seconds(rng, 2 * DAY, 0.8, conv.size)
    parts.append(
        pd.DataFrame(
            {
                "lead": -1,
                "sf_campaign": roadshow,
                "created_s": imported[r_take],
                "contact_opp": o[r_take],
                "responded_s": event[r_take],
            }
        )
    )
    out = pd.concat(parts, ignore_index=True)
    for col in ("lead", "sf_campaign", "created_s", "contact_opp", "responded_s"):
        out[col] = out[col].astype(np.int64)
    # A lead's rows name its contact from its conversion on.
    lead = out["lead"].to_numpy()
    of_lead = lead >= 0
    opp = np.where(of_lead, lead_opp[np.maximum(lead, 0)], out["contact_opp"].to_numpy())
    converted_at = np.where(of_lead & (opp >= 0), opp_created[np.maximum(opp, 0)], NEVER)
    out["contact_opp"] = opp
    out["contact_s"] = np.where(of_lead, converted_at, out["created_s"].to_numpy())
    return out


def cat_range(leads: pd.DataFrame, mask: np.ndarray) -> np.ndarray:
    """Campaign index per lead (the lead-gen campaign for lead-gen leads), -1 elsewhere."""
    return np.where(mask, leads["campaign"].to_numpy(), -1)


def _users(p: Params) -> pd.DataFrame:
    rows = [(f, last, "Sales Development Rep", True) for f, last, _m, _n in cat.SALES_REPS]
    rows += [(f, last, title, True) for f, last, title in cat.OTHER_USERS]
    frame = pd.DataFrame(rows, columns=["first_name", "last_name", "title", "active"])
    frame["Id"] = [sf_id("User", 77 + i) for i in range(len(frame))]
    frame["created_s"] = p.start_s - 400 * DAY + np.arange(len(frame)) * 13 * DAY
    return frame


# ----------------------------------------------------------------------------- journeys


def _draw_sources(
    rng: np.random.Generator, mix: dict[str, float], sources: list[cat.TrafficSource], n: int
) -> np.ndarray:
    """n traffic-source indexes drawn from a {TrafficSource.name: weight} mix."""
    index = {s.name: k for k, s in enumerate(sources)}
    keys = np.array([index[name] for name in mix], dtype=np.int64)
    weights = np.array(list(mix.values()), dtype=float)
    return keys[rng.choice(keys.size, size=n, p=weights / weights.sum())]


def _relink(
    rng: np.random.Generator,
    source: np.ndarray,
    start: np.ndarray,
    free: np.ndarray,
    want_source: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> np.ndarray:
    """For each wanted visit (a traffic source, a time range [lo, hi)), a free session of that
    source that started in the range, each session used once; -1 when none is left. `free`
    is updated in place. Sessions are time-ordered, so a range is a slice per source."""
    chosen = np.full(want_source.size, -1, dtype=np.int64)
    for k in np.unique(want_source):
        pool = np.flatnonzero((source == k) & free)
        times = start[pool]
        ask = np.flatnonzero(want_source == k)
        ask = ask[rng.permutation(ask.size)]
        for _ in range(6):  # draws that hit a taken session draw again
            a = np.searchsorted(times, lo[ask], side="left")
            b = np.searchsorted(times, hi[ask], side="left")
            ask, a, b = ask[b > a], a[b > a], b[b > a]
            if ask.size == 0:
                break
            pick = pool[a + np.floor(rng.random(ask.size) * (b - a)).astype(np.int64)]
            ok = free[pick]
            ok[ok] = ~pd.Series(pick[ok]).duplicated().to_numpy()
            chosen[ask[ok]] = pick[ok]
            free[pick[ok]] = False
            ask = ask[~ok]
    return chosen


def _journeys(
    rng: np.random.Generator,
    p: Params,
    sources: list[cat.TrafficSource],
    sessions: pd.DataFrame,
    visitors: pd.DataFrame,
    leads: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The buyer's visits around the form fill, made of sessions the site had anyway.

    Before the form fill (web leads): an opening visit in the three weeks before the visitor's
    first session (cat.JOURNEY_OPEN: mostly the prospecting campaign), then returns (Direct,
    Organic, Brand search, the newsletter...). After it, while sales works an MQL: returns
    (Direct, the nurture e-mails, Organic, Brand search); a converted buyer often comes back in
    the day and a half before the sales call that creates the opportunity (cat.JOURNEY_CLOSE:
    mostly retargeting). Some buyers come back on a second device where they are logged in
    (every event carries the e-mail's user_id), also buyers whose lead never came through the
    site. Each visit is an existing session of that source and time, taken from a visitor who
    is no lead's (so sessions per campaign stay what the ad clicks gave; a visitor left without
    sessions keeps its row, no event names it). No lead's source moves: visits after the form
    fill are outside its window (which ends at the lead's creation), and a lead whose source is
    stitched from its captured GA client id (no captured UTMs) gets no opening visit and its
    earlier returns after its first visit of the window. So every truth but the touches stays
    what it was.
    """
    n = len(leads)
    created_us = leads["created_s"].to_numpy() * US
    vis = leads["visitor"].to_numpy()
    web = (leads["origin"].to_numpy() == "web") & (vis >= 0)
    source = sessions["source"].to_numpy()
    start = sessions["start_us"].to_numpy()
    s_visitor = sessions["visitor"].to_numpy()
    nv0 = len(visitors)
    lead_visitor = np.zeros(nv0, dtype=bool)
    lead_visitor[vis[vis >= 0]] = True
    free = ~lead_visitor[s_visitor] & (sessions["lead_us"].to_numpy() < 0)
    first_of_visitor = np.full(nv0, NEVER, dtype=np.int64)
    np.minimum.at(first_of_visitor, s_visitor, start)
    first_us = first_of_visitor[np.maximum(vis, 0)]
    # A lead without captured UTMs whose GA client id was captured takes its source from its
    # visitor's first session in the 30 days before its creation: its buyer's earlier visits
    # come after that one, so that no lead's source moves.
    stitched = web & ~leads["utm_captured"].to_numpy() & leads["ga_captured"].to_numpy()
    lead_of_visitor = np.full(nv0, -1, dtype=np.int64)
    lead_of_visitor[vis[web]] = np.flatnonzero(web)
    s_lead = lead_of_visitor[s_visitor]
    in_window = (s_lead >= 0) & (
        start >= leads["created_s"].to_numpy()[s_lead] * US - 30 * DAY * US
    )
    first_in_window = np.full(n, NEVER, dtype=np.int64)
    np.minimum.at(first_in_window, s_lead[in_window], start[in_window])
    form_us = start[np.maximum(leads["session"].to_numpy(), 0)]
    lo_us = created_us - (30 * DAY - HOUR) * US  # inside the 30-day window, with an hour spare
    minute = 60 * US

    # The ends of the journey first: the opening visit and the closing one.
    opens = web & ~stitched & (rng.random(n) < P_OPENING_VISIT)
    open_lo = np.maximum(lo_us, first_us - 21 * DAY * US)
    open_hi = first_us - 10 * minute
    mql = leads["mql_s"].to_numpy() < NEVER
    decision = leads["decision_s"].to_numpy()
    decided = decision < NEVER
    opp_us = np.where(decided, decision, 0) * US
    second = mql & (rng.random(n) < np.where(web, P_SECOND_DEVICE_WEB, P_SECOND_DEVICE_OTHER))
    returns = mql & (web | second)
    post_lo = created_us + minute
    closes = returns & leads["converted"].to_numpy() & decided
    closes &= rng.random(n) < P_CLOSING_VISIT
    close_lo = np.maximum(post_lo, opp_us - 36 * HOUR * US)
    close_hi = opp_us - 10 * minute
    ends = np.concatenate([np.flatnonzero(opens), np.flatnonzero(closes)])
    ends_source = np.concatenate(
        [
            _draw_sources(rng, cat.JOURNEY_OPEN, sources, int(opens.sum())),
            _draw_sources(rng, cat.JOURNEY_CLOSE, sources, int(closes.sum())),
        ]
    )
    is_open = np.arange(ends.size) < opens.sum()
    ends_lo = np.where(is_open, open_lo[ends], close_lo[ends])
    ends_hi = np.where(is_open, open_hi[ends], close_hi[ends])
    got = _relink(rng, source, start, free, ends_source, ends_lo, ends_hi)
    opened_at = np.full(n, -1, dtype=np.int64)
    closed_at = np.full(n, -1, dtype=np.int64)
    opened_at[ends[is_open & (got >= 0)]] = start[got[is_open & (got >= 0)]]
    closed_at[ends[~is_open & (got >= 0)]] = start[got[~is_open & (got >= 0)]]

    # Then the returns in between: before the form fill after the opening visit (else in the
    # week before the first visit), after it up to the closing visit (else the decision, else
    # three weeks).
    pre_lo = np.where(opened_at >= 0, opened_at, np.maximum(lo_us, first_us - 7 * DAY * US))
    pre_lo = np.where(stitched, first_in_window, pre_lo)
    pre_hi = form_us - 10 * minute
    k_pre = np.where(web, np.minimum(3, rng.poisson(RETURNS_BEFORE, n)), 0)
    post_hi = np.where(
        closed_at >= 0, closed_at, np.where(decided, opp_us, created_us + 21 * DAY * US)
    )
    k_post = np.where(returns, np.minimum(4, rng.poisson(RETURNS_AFTER, n)), 0)
    pre_lead = np.repeat(np.arange(n), k_pre)
    post_lead = np.repeat(np.arange(n), k_post)
    mids = np.concatenate([pre_lead, post_lead])
    mids_source = np.concatenate(
        [
            _draw_sources(rng, cat.JOURNEY_RETURN_BEFORE, sources, pre_lead.size),
            _draw_sources(rng, cat.JOURNEY_RETURN_AFTER, sources, post_lead.size),
        ]
    )
    before = np.arange(mids.size) < pre_lead.size
    mids_lo = np.where(before, pre_lo[mids] + minute, post_lo[mids])
    mids_hi = np.where(before, pre_hi[mids], post_hi[mids])
    got_mids = _relink(rng, source, start, free, mids_source, mids_lo, mids_hi)

    # Who each visit goes to: the lead's visitor, or after the form fill its second device
    # (half of the time for a web lead, always for one that never came through the site).
    lead = np.concatenate([ends, mids])
    taken = np.concatenate([got, got_mids])
    after = np.concatenate([~is_open, ~before])
    kept = taken >= 0
    lead, taken, after = lead[kept], taken[kept], after[kept]
    on_second = after & second[lead] & (~web[lead] | (rng.random(lead.size) < 0.5))
    device_leads = np.unique(lead[on_second])
    device_of = np.full(n, -1, dtype=np.int64)
    device_of[device_leads] = nv0 + np.arange(device_leads.size)
    new_visitor = np.where(on_second, device_of[lead], vis[lead])
    # A visitor never starts two sessions in one second: such a visit stays where it was.
    moved = s_visitor.copy()
    moved[taken] = new_visitor
    key = np.sort((moved << 32) | (start // US))
    taken_key = (moved[taken] << 32) | (start[taken] // US)
    clash = np.searchsorted(key, taken_key, side="right") - np.searchsorted(key, taken_key) > 1
    moved[taken[clash]] = s_visitor[taken[clash]]

    # Visitors: the second devices that kept a session join, logged in from their first event
    # on. A visitor whose only session went to a buyer keeps its row: no event names it.
    on_device = moved >= nv0
    dev_first = np.full(device_leads.size, NEVER, dtype=np.int64)
    np.minimum.at(dev_first, moved[on_device] - nv0, start[on_device])
    kept_device = dev_first < NEVER
    moved[on_device] = nv0 + (np.cumsum(kept_device) - 1)[moved[on_device] - nv0]
    dev_lead = device_leads[kept_device]
    dev_first = dev_first[kept_device]
    devices = pd.DataFrame(
        {
            "visitor": nv0 + np.arange(dev_lead.size),
            "pseudo_rand": rng.integers(100_000_000, 2_147_483_647, dev_lead.size),
            "first_s": dev_first // US,
            "first_source": 0,
            "device": rng.choice(
                np.array(["mobile", "desktop", "tablet"]), dev_lead.size, p=[0.8, 0.15, 0.05]
            ),
            "country": leads["country"].to_numpy()[dev_lead],
            "user_id": leads["email_sha256"].to_numpy()[dev_lead],
            "identified_from_us": dev_first - 1,
        }
    )
    out = pd.concat([visitors, devices], ignore_index=True)
    visitor = moved
    sessions["visitor"] = visitor
    # Sessions are time-ordered: within a visitor, in order of start.
    order = np.argsort(visitor, kind="stable")
    group_start = np.flatnonzero(np.r_[True, visitor[order][1:] != visitor[order][:-1]])
    size = np.diff(np.r_[group_start, order.size])
    number = np.empty(order.size, dtype=np.int64)
    number[order] = np.arange(order.size) - np.repeat(group_start, size) + 1
    sessions["session_number"] = number
    # A visitor's client id carries the time of its first visit, which may now be earlier.
    with_sessions = visitor[order[group_start]]
    first_s = out["first_s"].to_numpy().copy()
    first_s[with_sessions] = start[order[group_start]] // US
    first_source = out["first_source"].to_numpy().copy()
    first_source[with_sessions] = source[order[group_start]]
    changed = (first_s != out["first_s"].to_numpy()) | pd.isna(out["user_pseudo_id"]).to_numpy()
    out["first_s"] = first_s
    out["first_source"] = first_source
    out.loc[changed, "user_pseudo_id"] = (
        out.loc[changed, "pseudo_rand"].astype(str) + "." + out.loc[changed, "first_s"].astype(str)
    )
    leads["ga_client_id"] = np.where(
        leads["ga_captured"] & (vis >= 0),
        out["user_pseudo_id"].to_numpy()[np.maximum(vis, 0)],
        "",
    )
    return sessions, out


# ----------------------------------------------------------------------------- entry point


def simulate(p: Params) -> World:
    """Run the whole company once. Same Params, same World."""
    rng = np.random.default_rng(p.seed)
    story = np.random.default_rng([p.seed, STORY_STREAM])
    journey = np.random.default_rng([p.seed, JOURNEY_STREAM])
    start_weekday = pd.Timestamp(p.start).weekday()
    weekday = (start_weekday + np.arange(p.days)) % 7
    trend = 0.85 + 0.3 * np.arange(p.days) / max(p.days - 1, 1)
    sources = cat.traffic_sources()

    ads = _simulate_ads(rng, p, weekday, trend)
    counts = _session_counts(rng, p, sources, ads, weekday, trend)
    sessions, visitors = _simulate_sessions(rng, p, sources, counts)

    web = _web_leads(rng, sources, sessions, visitors)
    lead_gen = _lead_gen_leads(rng, p, ads, weekday)
    offline = _offline_leads(rng, p, weekday)
    leads = _assemble_leads(rng, sources, sessions, visitors, web, lead_gen, offline)

    # Lead sessions: the form page is visited, the session is engaged, the visitor identified.
    lead_session = leads.loc[
        leads["session"] >= 0, ["session", "lead_us", "identified", "email_sha256", "visitor"]
    ]
    sessions["lead_us"] = np.int64(-1)
    sessions.loc[lead_session["session"].to_numpy(), "lead_us"] = lead_session["lead_us"].to_numpy()
    is_lead = sessions["lead_us"].to_numpy() >= 0
    sessions.loc[is_lead, "n_pageviews"] = np.maximum(sessions.loc[is_lead, "n_pageviews"], 2)
    sessions["engaged"] = (
        is_lead | (sessions["n_pageviews"] >= 2) | (sessions["engaged_draw"] < 0.15)
    )
    sessions.drop(columns="engaged_draw", inplace=True)
    ident = lead_session[lead_session["identified"]]
    visitors["user_id"] = None
    visitors.loc[ident["visitor"].to_numpy(), "user_id"] = ident["email_sha256"].to_numpy()
    visitors["identified_from_us"] = np.int64(NEVER)
    visitors.loc[ident["visitor"].to_numpy(), "identified_from_us"] = ident["lead_us"].to_numpy()

    _simulate_sales(rng, story, p, leads)
    tasks = _simulate_tasks(rng, story, p, leads)
    _guarantee_pending(rng, p, leads, tasks)
    sessions, visitors = _journeys(journey, p, sources, sessions, visitors, leads)
    # user_id mode per session: 0 none, 1 from the lead event on, 2 every event.
    ident_from = visitors["identified_from_us"].to_numpy()[sessions["visitor"].to_numpy()]
    start = sessions["start_us"].to_numpy()
    sessions["user_id_mode"] = np.where(
        start > ident_from, 2, np.where(sessions["lead_us"].to_numpy() == ident_from, 1, 0)
    ).astype(np.int8)

    sf_campaigns = _sf_campaigns(p)
    members = _campaign_members(leads, sources, sf_campaigns)
    opps, history = _simulate_opportunities(rng, story, p, leads, weekday, partner_campaign=0)
    members = _responses(journey, p, leads, opps, sf_campaigns, members)
    lead_campaign = leads["sf_campaign"].to_numpy()
    from_lead = opps["lead"].to_numpy() >= 0
    opps.loc[from_lead, "sf_campaign"] = lead_campaign[opps.loc[from_lead, "lead"].to_numpy()]
    hidden = np.round(
        cat.HIDDEN_GOOGLE_CAMPAIGN_DAILY_SPEND * p.scale * 100 * rng.lognormal(0, 0.2, p.days)
    ).astype(np.int64)
    return World(
        p,
        sources,
        ads,
        sessions,
        visitors,
        leads,
        tasks,
        opps,
        history,
        sf_campaigns,
        members,
        _users(p),
        hidden,
    )
