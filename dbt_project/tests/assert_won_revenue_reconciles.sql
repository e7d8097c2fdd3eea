{{ config(meta={'dagster': {'ref': {'name': 'mart_funnel_daily'}}}, **revops.check_severity('error')) }}
{#- Won deals and revenue of fct_opportunities equal mart_funnel_daily's, per close date x
    channel x campaign_key (the funnel's grain): a failing row names that key and both sides. -#}
with

opportunities as (

    select
        close_date as date_day,
        channel,
        coalesce(campaign_key, '(none)') as campaign_key,
        sum(coalesce(won_amount, 0)) as won_revenue,
        count(*) as won_deals
    from {{ ref('fct_opportunities') }}
    where is_won
    group by close_date, channel, coalesce(campaign_key, '(none)')

),

funnel as (

    select date_day, channel, campaign_key, won_revenue, won_deals
    from {{ ref('mart_funnel_daily') }}
    where won_deals <> 0 or won_revenue <> 0

)

select
    coalesce(opportunities.date_day, funnel.date_day) as date_day,
    coalesce(opportunities.channel, funnel.channel) as channel,
    coalesce(opportunities.campaign_key, funnel.campaign_key) as campaign_key,
    coalesce(opportunities.won_revenue, 0) as fct_opportunities_won_revenue,
    coalesce(funnel.won_revenue, 0) as mart_funnel_daily_won_revenue,
    coalesce(opportunities.won_deals, 0) as fct_opportunities_won_deals,
    coalesce(funnel.won_deals, 0) as mart_funnel_daily_won_deals
from opportunities
full outer join funnel
    on funnel.date_day = opportunities.date_day
    and funnel.channel = opportunities.channel
    and funnel.campaign_key = opportunities.campaign_key
where coalesce(opportunities.won_revenue, 0) <> coalesce(funnel.won_revenue, 0)
    or coalesce(opportunities.won_deals, 0) <> coalesce(funnel.won_deals, 0)
