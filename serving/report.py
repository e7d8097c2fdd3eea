"""The funnel report: one self-contained HTML page drawn from the published marts (SPEC 6.1).

Every publish writes ``REVOPS_REPORT`` (default: ``report.html`` beside the serving database,
so ``data/report.html``) from the serving database, opened read-only as BI opens it. The page
needs no network: its charts are Vega-Lite specs made with Altair, and the Vega, Vega-Lite and
vega-embed JavaScript that draws them is inlined once (the bundle vl-convert-python ships, the
one Altair's ``chart.save(..., inline=True)`` uses). Each spec carries its data as a named
dataset, so the numbers a chart shows can be read back from the page.

Every chart is drawn from a SQL aggregate: DuckDB aggregates, Python only passes the few
resulting rows to Altair. A chart whose mart is not published yet (a serving database of an
older build) is replaced by a short "not available yet" note; the page is still written.

The file is written atomically, like the serving database: a temporary file in the same
folder, then ``os.replace``. This module never imports dagster: the publish asset calls
:func:`write_report`, and so can a script (``python -m serving.report``) or a test.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import glob
import html
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

MARTS_SCHEMA = "marts"
#: The attribution models the report compares (SPEC 3.1 ``attribution_model`` values).
ATTRIBUTION_MODELS = ("first_touch", "last_touch", "w_shaped")
#: vega-embed options: SVG (crisp, testable) and only the offline actions (no editor link).
EMBED_OPTIONS = {
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}
WIDTH = 640
STATUS_COLORS = {
    "met": "#2e7d32",
    "pending": "#9e9e9e",
    "breached, touched late": "#ef6c00",
    "breached, never touched": "#c62828",
}


@dataclass(frozen=True)
class Section:
    """One chart of the page, or the note that stands in for it."""

    key: str
    title: str
    lead: str
    spec: dict[str, Any] | None = None
    #: The mart that is not published, when the chart is a note instead.
    missing: str | None = None

    @property
    def note(self) -> str | None:
        return f"not available yet: {self.missing} is not published" if self.missing else None


@dataclass(frozen=True)
class ReportResult:
    """What was written: the page, the as-of time it states and its headline numbers."""

    path: Path
    as_of: dt.datetime | None
    run_id: str | None
    headline: dict[str, float | None]
    #: Keys of the sections drawn as charts, in page order.
    charts: list[str] = field(default_factory=list)
    #: Mart -> note, for every chart left out because its mart is not published.
    missing: dict[str, str] = field(default_factory=dict)


class _Missing(Exception):
    """A mart a chart needs is not in the serving database."""

    def __init__(self, mart: str) -> None:
        super().__init__(mart)
        self.mart = mart


class _Marts:
    """The serving database's ``marts`` schema: which tables exist, and queries as DataFrames."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.tables = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [MARTS_SCHEMA],
            ).fetchall()
        }

    def has(self, table: str) -> bool:
        return table in self.tables

    def need(self, *tables: str) -> None:
        for table in tables:
            if not self.has(table):
                raise _Missing(table)

    def columns(self, table: str) -> list[str]:
        return [
            name
            for (name,) in self.con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [MARTS_SCHEMA, table],
            ).fetchall()
        ]

    def df(self, sql: str, params: list[Any] | None = None):
        return self.con.execute(sql, params or []).df()

    def one(self, sql: str, params: list[Any] | None = None) -> tuple:
        return self.con.execute(sql, params or []).fetchone()


# --- the page's facts -----------------------------------------------------------------------


def as_of_time(marts: _Marts) -> dt.datetime | None:
    """The CRM as-of time: the newest ``as_of_at`` of any mart, else the newest snapshot."""
    tables = sorted(
        name
        for (name,) in marts.con.execute(
            "select distinct table_name from information_schema.columns "
            "where table_schema = ? and column_name = 'as_of_at'",
            [MARTS_SCHEMA],
        ).fetchall()
    )
    selects = [f"select max(as_of_at) as t from {MARTS_SCHEMA}.{name}" for name in tables]
    if marts.has("mart_pipeline_by_snapshot"):
        selects.append(f"select max(snapshot_at) from {MARTS_SCHEMA}.mart_pipeline_by_snapshot")
    if not selects:
        return None
    (value,) = marts.one(f"select max(t) from ({' union all '.join(selects)})")
    return value


def headline_numbers(marts: _Marts) -> dict[str, float | None]:
    """Totals over the whole funnel (``mart_funnel_daily``): blended CAC and ROAS."""
    marts.need("mart_funnel_daily")
    spend, leads, mqls, sqls, won_deals, won_revenue = marts.one(
        f"""
        select
            coalesce(sum(spend), 0)::double, coalesce(sum(leads), 0)::double,
            coalesce(sum(mqls), 0)::double, coalesce(sum(sqls), 0)::double,
            coalesce(sum(won_deals), 0)::double, coalesce(sum(won_revenue), 0)::double
        from {MARTS_SCHEMA}.mart_funnel_daily
        """
    )
    return {
        "spend": spend,
        "leads": leads,
        "mqls": mqls,
        "sqls": sqls,
        "won_deals": won_deals,
        "won_revenue": won_revenue,
        "cac": spend / won_deals if won_deals else None,
        "roas": won_revenue / spend if spend else None,
    }


#: metric -> (label, how to show it)
HEADLINE_LABELS: dict[str, tuple[str, str]] = {
    "spend": ("Ad spend", "money"),
    "leads": ("Leads", "count"),
    "mqls": ("MQLs", "count"),
    "sqls": ("SQLs", "count"),
    "won_deals": ("Won deals", "count"),
    "won_revenue": ("Won revenue", "money"),
    "cac": ("CAC (blended)", "money"),
    "roas": ("ROAS (blended)", "ratio"),
}


def format_number(value: float | None, kind: str) -> str:
    """How the page shows a headline number (the browser test reads it back the same way)."""
    if value is None:
        return "n/a"
    if kind == "ratio":
        return f"{value:,.2f}×"
    return f"{value:,.0f}"


# --- the charts -----------------------------------------------------------------------------


def _alt():
    import altair as alt

    return alt


def _short_axis(**options: Any) -> Any:
    """An axis of SI-prefixed numbers (2k, 1.5M) that writes zero as 0, not 0k."""
    return _alt().Axis(format="~s", labelExpr="datum.value == 0 ? '0' : datum.label", **options)


def _one_datum() -> Any:
    """Data of one empty row, for a rule or a text that must be drawn once, not once per row."""
    return _alt().Data(values=[{}])


def funnel_chart(marts: _Marts) -> dict[str, Any]:
    """(a) Spend, leads, MQLs, SQLs, won deals and won revenue by channel, one panel each."""
    alt = _alt()
    marts.need("mart_funnel_daily")
    data = marts.df(
        f"""
        with by_channel as (
            select
                channel,
                sum(spend)::double as spend, sum(leads)::double as leads,
                sum(mqls)::double as mqls, sum(sqls)::double as sqls,
                sum(won_deals)::double as won_deals, sum(won_revenue)::double as won_revenue,
                row_number() over (order by sum(won_revenue) desc nulls last, channel)
                    as channel_rank
            from {MARTS_SCHEMA}.mart_funnel_daily
            group by channel
        ),
        long as (
            unpivot by_channel
            on spend, leads, mqls, sqls, won_deals, won_revenue
            into name measure value value
        )
        select
            channel, channel_rank, measure,
            case measure
                when 'spend' then '1 Ad spend' when 'leads' then '2 Leads'
                when 'mqls' then '3 MQLs' when 'sqls' then '4 SQLs'
                when 'won_deals' then '5 Won deals' else '6 Won revenue'
            end as stage,
            measure in ('spend', 'won_revenue') as is_money,
            coalesce(value, 0) as value
        from long
        order by stage, channel_rank
        """
    )
    base = alt.Chart(data).encode(
        y=alt.Y(
            "channel:N",
            sort=alt.EncodingSortField("channel_rank", op="min"),
            title=None,
        ),
        x=alt.X(
            "value:Q",
            title=None,
            axis=_short_axis(tickCount=3),
        ),
        tooltip=[
            alt.Tooltip("channel:N"),
            alt.Tooltip("measure:N"),
            alt.Tooltip("value:Q", format=",.0f"),
        ],
    )
    bars = base.mark_bar(color="#3f6fb5")
    labels = (
        base.transform_calculate(label="format(datum.value, datum.value >= 1e4 ? '.3~s' : ',.0f')")
        .mark_text(align="left", dx=3, fontSize=10, color="#333")
        .encode(text="label:N")
    )
    chart = (
        alt.layer(bars, labels, data=data)
        .properties(width=150, height=alt.Step(16))
        .facet(
            facet=alt.Facet(
                "stage:N",
                title=None,
                header=alt.Header(
                    labelExpr="substring(datum.value, 2)",
                    labelFontSize=13,
                    labelFontWeight="bold",
                ),
            ),
            columns=3,
            spacing={"row": 20, "column": 45},
        )
        .resolve_scale(x="independent")
    )
    return chart.to_dict()


def cac_roas_chart(marts: _Marts) -> dict[str, Any]:
    """(b) CAC and ROAS of paid spend by channel and by campaign (mart_campaign_performance)."""
    alt = _alt()
    marts.need("mart_campaign_performance")
    data = marts.df(
        f"""
        with paid as (
            select * from {MARTS_SCHEMA}.mart_campaign_performance where spend > 0
        ),
        rows as (
            select
                'By channel' as level, channel as name, channel,
                sum(spend)::double as spend, sum(won_deals)::double as won_deals,
                sum(won_revenue)::double as won_revenue
            from paid group by channel
            union all
            select
                'By campaign', campaign_key, channel,
                spend::double, won_deals::double, won_revenue::double
            from paid
        )
        select
            level, name, channel, spend, won_deals, won_revenue,
            spend / nullif(won_deals, 0) as cac,
            won_revenue / nullif(spend, 0) as roas,
            row_number() over (
                partition by level order by won_revenue / nullif(spend, 0) desc nulls last, name
            ) as rank
        from rows
        order by level desc, rank
        """
    )
    tooltip = [
        alt.Tooltip("name:N", title="name"),
        alt.Tooltip("channel:N"),
        alt.Tooltip("spend:Q", format=",.0f"),
        alt.Tooltip("won_deals:Q", format=",.0f", title="won deals"),
        alt.Tooltip("won_revenue:Q", format=",.0f", title="won revenue"),
        alt.Tooltip("cac:Q", format=",.0f", title="CAC"),
        alt.Tooltip("roas:Q", format=".2f", title="ROAS"),
    ]
    color = alt.Color("channel:N", legend=alt.Legend(title="channel", orient="bottom"))
    y = alt.Y("name:N", sort=alt.EncodingSortField("rank", op="min"), title=None)

    def panel(level: str) -> Any:
        base = alt.Chart(data).transform_filter(alt.datum.level == level).encode(y=y)
        value_text = {"align": "left", "dx": 3, "fontSize": 10, "color": "#333"}
        cac = alt.layer(
            base.mark_bar().encode(
                x=alt.X("cac:Q", title="CAC: spend per won deal", axis=_short_axis()),
                color=color,
                tooltip=tooltip,
            ),
            base.transform_filter("datum.cac != null")
            .mark_text(**value_text)
            .encode(x="cac:Q", text=alt.Text("cac:Q", format=",.0f")),
            base.transform_filter("datum.cac == null")
            .mark_text(**{**value_text, "color": "#c62828"})
            .encode(x=alt.datum(0), text=alt.value("no won deal")),
        ).properties(width=220, height=alt.Step(16), title=f"{level}: CAC")
        roas = alt.layer(
            base.mark_bar().encode(
                x=alt.X("roas:Q", title="ROAS: won revenue / spend"), color=color, tooltip=tooltip
            ),
            base.mark_text(**value_text).encode(x="roas:Q", text=alt.Text("roas:Q", format=".1f")),
            alt.Chart(_one_datum())
            .mark_rule(color="#333", strokeDash=[4, 3])
            .encode(x=alt.datum(1)),
        ).properties(width=220, height=alt.Step(16), title=f"{level}: ROAS (dashed: break-even)")
        return alt.hconcat(cac, roas, spacing=15)

    return alt.vconcat(panel("By channel"), panel("By campaign"), spacing=30).to_dict()


def response_time_chart(marts: _Marts) -> dict[str, Any]:
    """(c) Hours from MQL to the first sales touch, binned, with a rule at the SLA; statuses."""
    alt = _alt()
    marts.need("mart_mql_handoff")
    source = f"{MARTS_SCHEMA}.mart_mql_handoff"
    (sla_hours,) = marts.one(f"select coalesce(max(sla_hours), 24)::double from {source}")
    step, cap = sla_hours / 12, 3 * sla_hours
    bins = marts.df(
        f"""
        select
            least(floor(response_hours / $step), $bins) * $step as bin_start,
            least(floor(response_hours / $step), $bins) * $step + $step as bin_end,
            case when sla_status = 'met' then 'met' else 'breached, touched late' end
                as status,
            count(*) as mqls
        from {source}
        where response_hours is not null
        group by all
        order by bin_start
        """.replace("$step", repr(step)).replace("$bins", repr(cap / step))
    )
    statuses = marts.df(
        f"""
        select
            case
                when sla_status = 'breached' and first_sales_touch_at is null
                    then 'breached, never touched'
                when sla_status = 'breached' then 'breached, touched late'
                else sla_status
            end as status,
            count(*) as mqls,
            count(*) / sum(count(*)) over () as share
        from {source}
        group by all
        order by status
        """
    )
    status_scale = alt.Scale(domain=list(STATUS_COLORS), range=list(STATUS_COLORS.values()))
    status_color = alt.Color(
        "status:N", scale=status_scale, legend=alt.Legend(title="SLA status", orient="bottom")
    )
    histogram = alt.layer(
        alt.Chart(bins)
        .mark_bar(binSpacing=1)
        .encode(
            x=alt.X(
                "bin_start:Q",
                bin="binned",
                title="hours from MQL to first sales touch",
                scale=alt.Scale(domain=[0, cap + step]),
                axis=alt.Axis(
                    values=[sla_hours * i / 2 for i in range(7)],
                    labelExpr=f"datum.value >= {cap} ? '≥ {cap:g}' : datum.label",
                ),
            ),
            x2="bin_end:Q",
            y=alt.Y("sum(mqls):Q", title="MQLs"),
            color=status_color,
            tooltip=[
                alt.Tooltip("bin_start:Q", title="from hour", format=".1f"),
                alt.Tooltip("bin_end:Q", title="to hour", format=".1f"),
                alt.Tooltip("status:N"),
                alt.Tooltip("mqls:Q"),
            ],
        ),
        alt.Chart(_one_datum())
        .mark_rule(color="#333", strokeDash=[4, 3])
        .encode(x=alt.datum(sla_hours)),
        alt.Chart(_one_datum())
        .mark_text(align="left", dx=4, dy=-4, baseline="top", fontSize=11)
        .encode(x=alt.datum(sla_hours), y=alt.value(0), text=alt.value(f"SLA {sla_hours:g} h")),
    ).properties(width=WIDTH - 40, height=180, title="Touched MQLs by response time")
    counts = (
        alt.Chart(statuses)
        .mark_bar()
        .encode(
            y=alt.Y("status:N", sort=list(STATUS_COLORS), title=None),
            x=alt.X("mqls:Q", title="MQLs"),
            color=status_color,
            tooltip=["status:N", "mqls:Q", alt.Tooltip("share:Q", format=".1%")],
        )
    )
    count_labels = counts.mark_text(align="left", dx=3, fontSize=10, color="#333").encode(
        text=alt.Text("share:Q", format=".0%"), color=alt.value("#333")
    )
    status_chart = alt.layer(counts, count_labels).properties(
        width=WIDTH - 200, height=alt.Step(18), title="Every MQL by SLA status"
    )
    return alt.vconcat(histogram, status_chart, spacing=25).to_dict()


def disqualification_chart(marts: _Marts) -> dict[str, Any]:
    """(d) Disqualified leads of each campaign by reason, as shares (``dim_leads``)."""
    alt = _alt()
    marts.need("dim_leads")
    data = marts.df(
        f"""
        select
            coalesce(campaign_key, '(none)') as campaign_key,
            coalesce(campaign_key, '(none)')
                || ' (' || sum(count(*)) over (partition by campaign_key) || ')' as campaign,
            disqualified_reason as reason,
            count(*) as leads,
            count(*) / sum(count(*)) over (partition by campaign_key) as share,
            sum(count(*)) over (partition by campaign_key) as disqualified
        from {MARTS_SCHEMA}.dim_leads
        where disqualified_reason is not null
        group by campaign_key, disqualified_reason
        order by disqualified desc, campaign_key, reason
        """
    )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(
                "campaign:N",
                sort=alt.EncodingSortField("disqualified", op="max", order="descending"),
                title=None,
                axis=alt.Axis(labelLimit=260),
            ),
            x=alt.X(
                "sum(leads):Q",
                stack="normalize",
                title="share of the campaign's disqualified leads",
                axis=alt.Axis(format="%", tickCount=5),
            ),
            color=alt.Color(
                "reason:N",
                scale=alt.Scale(scheme="tableau10"),
                legend=alt.Legend(title="reason", orient="bottom", columns=3),
            ),
            tooltip=[
                alt.Tooltip("campaign_key:N", title="campaign"),
                "reason:N",
                "leads:Q",
                alt.Tooltip("share:Q", format=".0%"),
            ],
        )
        .properties(width=WIDTH - 260, height=alt.Step(17))
    )
    return chart.to_dict()


def pipeline_chart(marts: _Marts) -> dict[str, Any]:
    """(e) Open pipeline amount by stage, as each weekly CRM snapshot saw it."""
    alt = _alt()
    marts.need("mart_pipeline_by_snapshot")
    data = marts.df(
        f"""
        select
            strftime(snapshot_at, '%Y-%m-%d') as snapshot,
            stage_name,
            sum(open_opportunities)::double as open_opportunities,
            sum(open_amount)::double as open_amount,
            sum(won_amount_since_previous)::double as won_amount_since_previous
        from {MARTS_SCHEMA}.mart_pipeline_by_snapshot
        group by all
        order by snapshot, stage_name
        """
    )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "snapshot:O",
                title="CRM snapshot",
                axis=alt.Axis(labelAngle=-45, labelOverlap=True),
            ),
            y=alt.Y("sum(open_amount):Q", title="open pipeline amount", axis=_short_axis()),
            color=alt.Color("stage_name:N", legend=alt.Legend(title="stage", orient="bottom")),
            tooltip=[
                "snapshot:N",
                alt.Tooltip("stage_name:N", title="stage"),
                alt.Tooltip("open_opportunities:Q", title="open opportunities", format=",.0f"),
                alt.Tooltip("open_amount:Q", title="open amount", format=",.0f"),
                alt.Tooltip(
                    "won_amount_since_previous:Q", title="won since previous", format=",.0f"
                ),
            ],
        )
        .properties(width=WIDTH - 40, height=240)
    )
    return chart.to_dict()


def attribution_chart(marts: _Marts) -> dict[str, Any]:
    """(f) Won revenue credited to each channel by first touch, last touch and W-shaped."""
    alt = _alt()
    models = ", ".join(f"'{model}'" for model in ATTRIBUTION_MODELS)
    if marts.has("mart_attribution"):
        # Touch-level: the channel of each touch, also for touches without a campaign.
        sql = f"""
            select channel, attribution_model,
                   sum(attributed_revenue)::double as attributed_revenue,
                   sum(credit) filter (where is_won)::double as attributed_won_deals
            from {MARTS_SCHEMA}.mart_attribution
            where attribution_model in ({models})
            group by all
        """
    elif marts.has("mart_campaign_attribution"):
        sql = f"""
            select channel, attribution_model,
                   sum(attributed_revenue)::double as attributed_revenue,
                   sum(attributed_won_deals)::double as attributed_won_deals
            from {MARTS_SCHEMA}.mart_campaign_attribution
            where attribution_model in ({models})
            group by all
        """
    else:
        raise _Missing("mart_attribution")
    data = marts.df(
        f"""
        select *,
               sum(attributed_revenue) over (partition by channel) as channel_total
        from ({sql})
        order by channel_total desc, channel, attribution_model
        """
    )
    labels = {"first_touch": "first touch", "last_touch": "last touch", "w_shaped": "W-shaped"}
    chart = (
        alt.Chart(data)
        .transform_calculate(model=f"{json.dumps(labels)}[datum.attribution_model]")
        .mark_bar()
        .encode(
            y=alt.Y(
                "channel:N",
                sort=alt.EncodingSortField("channel_total", op="max", order="descending"),
                title=None,
            ),
            yOffset=alt.YOffset("model:N", sort=list(labels.values())),
            x=alt.X("attributed_revenue:Q", title="attributed won revenue", axis=_short_axis()),
            color=alt.Color(
                "model:N",
                sort=list(labels.values()),
                scale=alt.Scale(range=["#4e79a7", "#f28e2b", "#59a14f"]),
                legend=alt.Legend(title="model", orient="bottom"),
            ),
            tooltip=[
                "channel:N",
                "model:N",
                alt.Tooltip("attributed_revenue:Q", format=",.0f", title="revenue"),
                alt.Tooltip("attributed_won_deals:Q", format=",.1f", title="won deals"),
            ],
        )
        .properties(width=WIDTH - 160, height=alt.Step(9))
    )
    return chart.to_dict()


#: (key, title, one sentence on what it tells, builder)
SECTIONS: list[tuple[str, str, str, Callable[[_Marts], dict[str, Any]]]] = [
    (
        "funnel",
        "Where each channel's funnel narrows: spend to won revenue",
        "Totals by channel over the whole period (mart_funnel_daily), each measure dated by its "
        "own event. Channels are ordered by won revenue.",
        funnel_chart,
    ),
    (
        "cac-roas",
        "What a won customer costs and what paid spend returns",
        "Paid campaigns only (spend > 0, mart_campaign_performance): CAC = spend / won deals, "
        "ROAS = won revenue / spend. Ordered by ROAS; right of the dashed line pays back.",
        cac_roas_chart,
    ),
    (
        "response-time",
        "How fast sales picks up MQLs, against the SLA",
        "Hours from MQL to the first sales touch (mart_mql_handoff.response_hours); the dashed "
        "rule is the SLA. The second chart counts every MQL, untouched ones included.",
        response_time_chart,
    ),
    (
        "disqualification",
        "Why sales rejects each campaign's leads",
        "Disqualified leads of each campaign by reason (dim_leads), as shares; the number after "
        "a campaign is its disqualified leads.",
        disqualification_chart,
    ),
    (
        "pipeline",
        "How the open pipeline moved, snapshot by snapshot",
        "Open opportunity amount by stage as each weekly CRM snapshot saw it "
        "(mart_pipeline_by_snapshot).",
        pipeline_chart,
    ),
    (
        "attribution",
        "Which channels get the credit: first touch, last touch or W-shaped",
        "Won revenue credited to each channel by three attribution models (mart_attribution, "
        "else mart_campaign_attribution). Each model shares out the same revenue.",
        attribution_chart,
    ),
]


def build_sections(marts: _Marts) -> list[Section]:
    sections = []
    for key, title, lead, builder in SECTIONS:
        try:
            spec = builder(marts)
        except _Missing as missing:
            sections.append(Section(key, title, lead, missing=missing.mart))
        else:
            sections.append(Section(key, title, lead, spec=spec))
    return sections


# --- the page -------------------------------------------------------------------------------


def _script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element (no "</script>" can close it early)."""
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/").replace("<!--", "<\\!--")


def javascript_bundle() -> str:
    """vega-embed with Vega and Vega-Lite, for the Vega-Lite version Altair writes specs in.

    vl-convert bundles it in 2-3 s per process, so it is kept in the user's cache folder
    (``$XDG_CACHE_HOME/revops``), one file per vl-convert and Vega-Lite version; without a
    writable cache it is simply bundled every time.
    """
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    vl_version = vl_version_for_vl_convert()
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    cached = Path(cache_home) / "revops" / f"vega-embed-{vl_convert.__version__}-{vl_version}.js"
    try:
        bundle = cached.read_text(encoding="utf-8")
    except OSError:
        bundle = vl_convert.javascript_bundle(vl_version=vl_version)
        with contextlib.suppress(OSError):  # no cache: bundle again next time
            _write_atomically(cached, bundle)
    if "</script" in bundle.lower():
        raise RuntimeError("the vega-embed bundle contains '</script': it cannot be inlined")
    return bundle


CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       margin: 0 auto; max-width: 920px; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 4px; border-top: 1px solid #ddd; padding-top: 20px; }
.meta, .lead, footer { color: #555; }
.meta { margin: 0 0 16px; }
.lead { margin: 0 0 12px; max-width: 760px; }
dl.headline { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin: 0; }
dl.headline div { background: #f4f6fa; border-radius: 6px; padding: 8px 12px; }
dl.headline dt { font-size: 12px; color: #555; text-transform: uppercase; letter-spacing: .03em; }
dl.headline dd { margin: 0; font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.note { background: #fff8e1; border-left: 4px solid #f9a825; padding: 10px 14px; }
footer { margin-top: 40px; font-size: 13px; }
"""

RENDER_SCRIPT = """
document.querySelectorAll("script.vl-spec").forEach(function (element) {
  var target = document.getElementById(element.dataset.target);
  vegaEmbed(target, JSON.parse(element.textContent), EMBED_OPTIONS)
    .then(function () { target.dataset.rendered = "true"; })
    .catch(function (error) {
      target.dataset.rendered = "error";
      target.textContent = "This chart could not be drawn: " + error;
    });
});
"""


def _headline_html(headline: dict[str, float | None]) -> str:
    items = []
    for metric, (label, kind) in HEADLINE_LABELS.items():
        value = headline.get(metric)
        raw = "" if value is None else repr(float(value))
        items.append(
            f'<div><dt>{html.escape(label)}</dt><dd data-metric="{metric}" '
            f'data-value="{raw}">{html.escape(format_number(value, kind))}</dd></div>'
        )
    return '<dl class="headline">' + "".join(items) + "</dl>"


def render_html(
    sections: list[Section],
    headline: dict[str, float | None] | None,
    *,
    as_of: dt.datetime | None,
    run_id: str | None,
    serving_name: str,
    written_at: dt.datetime,
    bundle: str,
) -> str:
    as_of_text = as_of.strftime("%Y-%m-%d %H:%M UTC") if as_of else "unknown"
    meta = [f'Data as of <time id="as-of">{html.escape(as_of_text)}</time>']
    if run_id:
        meta.append(f'run <code id="run-id">{html.escape(run_id)}</code>')
    meta.append(
        f"written {written_at:%Y-%m-%d %H:%M} UTC from the published marts "
        f"({html.escape(serving_name)})"
    )
    if headline is None:
        headline_block = '<p class="note">not available yet: mart_funnel_daily is not published</p>'
    else:
        headline_block = _headline_html(headline)
    body = []
    for section in sections:
        body.append(f'<section id="{section.key}"><h2>{html.escape(section.title)}</h2>')
        body.append(f'<p class="lead">{html.escape(section.lead)}</p>')
        if section.spec is None:
            body.append(f'<p class="note">{html.escape(section.note or "")}</p>')
        else:
            target = f"chart-{section.key}"
            body.append(f'<div class="chart" id="{target}"></div>')
            body.append(
                f'<script type="application/json" class="vl-spec" data-target="{target}">'
                f"{_script_json(section.spec)}</script>"
            )
        body.append("</section>")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>RevOps funnel report</title>",
            f"<style>{CSS}</style>",
            "<script>/* vega-embed, Vega-Lite and Vega, inlined: the page needs no network */",
            bundle,
            "</script>",
            "</head>",
            "<body>",
            "<header><h1>RevOps funnel report</h1>",
            f'<p class="meta">{" · ".join(meta)}</p>',
            '<p class="lead">Money in the reporting currency. Blended CAC = all ad spend / '
            "all won deals; blended ROAS = all won revenue / all ad spend.</p>",
            headline_block,
            "</header>",
            "<main>",
            *body,
            "</main>",
            "<footer>Charts: Vega-Lite through Altair. Hover a chart for its numbers; its menu "
            "(…) saves it as PNG or SVG.</footer>",
            f"<script>var EMBED_OPTIONS = {_script_json(EMBED_OPTIONS)};{RENDER_SCRIPT}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


#: A temporary page older than this is a killed writer's, and is removed.
STALE_TMP_SECONDS = 600


def _write_atomically(path: Path, text: str) -> None:
    """``text`` to ``path`` through a temporary file in the same folder and one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stale = time.time() - STALE_TMP_SECONDS
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < stale:
                leftover.unlink()
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the report is for people to open
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_report(
    serving: Path | str, report: Path | str, *, run_id: str | None = None
) -> ReportResult:
    """Write the HTML report of the serving database ``serving`` to ``report``, atomically."""
    serving, report = Path(serving), Path(report)
    if not serving.is_file():
        raise FileNotFoundError(f"no serving database at {serving}: publish first")
    con = duckdb.connect(str(serving), read_only=True)
    try:
        marts = _Marts(con)
        as_of = as_of_time(marts)
        try:
            headline: dict[str, float | None] | None = headline_numbers(marts)
        except _Missing:
            headline = None
        sections = build_sections(marts)
    finally:
        con.close()
    written_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    page = render_html(
        sections,
        headline,
        as_of=as_of,
        run_id=run_id,
        serving_name=serving.name,
        written_at=written_at,
        bundle=javascript_bundle(),
    )
    _write_atomically(report, page)
    missing = {section.missing: section.note or "" for section in sections if section.missing}
    return ReportResult(
        path=report,
        as_of=as_of,
        run_id=run_id,
        headline=headline or {},
        charts=[section.key for section in sections if section.spec is not None],
        missing=missing,
    )


def main(argv: list[str] | None = None) -> int:
    from revops.settings import Settings

    settings = Settings.from_env()
    parser = argparse.ArgumentParser(
        prog="python -m serving.report",
        description="Write the HTML funnel report from the published serving database.",
    )
    parser.add_argument("--serving", type=Path, default=settings.serving)
    parser.add_argument("--out", type=Path, default=settings.report)
    parser.add_argument("--run-id", default=None)
    args = parser.parse_args(argv)
    result = write_report(args.serving, args.out, run_id=args.run_id)
    print(f"report: {result.path} (as of {result.as_of}; charts: {', '.join(result.charts)})")
    for note in result.missing.values():
        print(f"  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
