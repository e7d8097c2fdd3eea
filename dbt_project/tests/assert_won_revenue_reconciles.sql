{{ config(meta={'dagster': {'ref': {'name': 'mart_funnel_daily'}}}) }}
with

opportunities as (

    select
        coalesce(sum(case when is_won then won_amount else 0 end), 0) as won_revenue,
        sum(case when is_won then 1 else 0 end) as won_deals
    from {{ ref('fct_opportunities') }}

),

funnel as (

    select
        coalesce(sum(won_revenue), 0) as won_revenue,
        coalesce(sum(won_deals), 0) as won_deals
    from {{ ref('mart_funnel_daily') }}

)

select
    opportunities.won_revenue as fct_opportunities_won_revenue,
    funnel.won_revenue as mart_funnel_daily_won_revenue,
    opportunities.won_deals as fct_opportunities_won_deals,
    funnel.won_deals as mart_funnel_daily_won_deals
from opportunities
cross join funnel
where opportunities.won_revenue <> funnel.won_revenue
    or opportunities.won_deals <> funnel.won_deals
