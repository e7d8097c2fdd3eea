"""A short funnel summary by channel, read from the serving database as BI reads it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def funnel_summary(serving: Path) -> list[str]:
    """Spend, leads, MQLs, SQLs, wins and revenue by channel, from what BI reads."""
    import duckdb

    if not serving.exists():
        return ["  (no serving database yet)"]
    con = duckdb.connect(str(serving), read_only=True)
    try:
        rows = con.execute(
            """
            select
                channel,
                sum(spend) as spend,
                sum(leads) as leads,
                sum(mqls) as mqls,
                sum(sqls) as sqls,
                sum(won_deals) as won,
                sum(won_revenue) as revenue
            from marts.mart_funnel_daily
            group by channel
            order by sum(won_revenue) desc nulls last, channel
            """
        ).fetchall()
    except duckdb.Error as exc:
        return [f"  (no funnel summary: {str(exc).splitlines()[0]})"]
    finally:
        con.close()
    header = (
        f"  {'channel':<16}{'spend':>14}{'leads':>9}{'MQLs':>8}{'SQLs':>8}{'won':>7}{'revenue':>15}"
    )
    lines = [header]
    totals = [0.0] * 6
    for channel, *values in rows:
        values = [float(v or 0) for v in values]
        totals = [t + v for t, v in zip(totals, values, strict=True)]
        lines.append(funnel_line(str(channel), values))
    lines.append(funnel_line("total", totals))
    return lines


def funnel_line(label: str, v: Sequence[float]) -> str:
    return (
        f"  {label:<16}{v[0]:>14,.2f}{v[1]:>9,.0f}{v[2]:>8,.0f}{v[3]:>8,.0f}"
        f"{v[4]:>7,.0f}{v[5]:>15,.2f}"
    )
