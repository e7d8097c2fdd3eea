{#- The reverse funnel (docs/marts.md#mart_funnel_plan): for each target of the seed
    revenue_targets and each channel, what the target needs in won deals, SQLs, MQLs, leads and
    ad spend, at the channel's share of won revenue and its rates over the trailing
    plan_trailing_days before the as-of time (each count by its own event date: leads by
    creation, MQLs by MQL time, SQLs by SQL date, wins by close date, spend by day). A rate
    that is zero or unknown leaves everything above it NULL. -#}
{%- set trailing_days = var('plan_trailing_days') | int -%}
with

targets as (

    select plan_period, target_revenue from {{ ref('revenue_targets') }}

),

as_of as (

    select
        cast(as_of_at as date) as window_end,
        cast({{ dbt.dateadd('day', -1 * trailing_days, 'as_of_at') }} as date) as window_start
    from {{ ref('int_crm__as_of') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

ad_spend as (

    select * from {{ ref('fct_ad_spend_daily') }}

),

{#- One row per counted event in the window, with its channel. -#}
events as (

    select leads.channel, 'lead' as event, cast(null as decimal(18, 2)) as amount
    from leads cross join as_of
    where cast(leads.created_at as date) >= as_of.window_start
        and cast(leads.created_at as date) < as_of.window_end
    union all
    select leads.channel, 'mql', null
    from leads cross join as_of
    where cast(leads.mql_at as date) >= as_of.window_start
        and cast(leads.mql_at as date) < as_of.window_end
    union all
    select leads.channel, 'sql', null
    from leads cross join as_of
    where leads.sql_at >= as_of.window_start
        and leads.sql_at < as_of.window_end
    union all
    select opportunities.channel, 'won', opportunities.won_amount
    from opportunities cross join as_of
    where opportunities.is_won
        and opportunities.close_date >= as_of.window_start
        and opportunities.close_date < as_of.window_end
    union all
    select ad_spend.channel, 'spend', ad_spend.spend
    from ad_spend cross join as_of
    where ad_spend.date_day >= as_of.window_start
        and ad_spend.date_day < as_of.window_end

),

observed as (

    select
        channel,
        sum(case when event = 'lead' then 1 else 0 end) as leads,
        sum(case when event = 'mql' then 1 else 0 end) as mqls,
        sum(case when event = 'sql' then 1 else 0 end) as sqls,
        sum(case when event = 'won' then 1 else 0 end) as won_deals,
        sum(case when event = 'won' then coalesce(amount, 0) else 0 end) as won_revenue,
        sum(case when event = 'spend' then coalesce(amount, 0) else 0 end) as spend
    from events
    group by channel

),

totals as (

    select sum(won_revenue) as won_revenue from observed

),

rates as (

    select
        observed.channel,
        {{ revops.safe_divide('observed.won_revenue', 'totals.won_revenue') }} as revenue_share,
        {{ revops.safe_divide('observed.won_revenue', 'observed.won_deals') }} as avg_won_amount,
        {{ revops.safe_divide('observed.won_deals', 'observed.sqls') }} as sql_to_won_rate,
        {{ revops.safe_divide('observed.sqls', 'observed.mqls') }} as mql_to_sql_rate,
        {{ revops.safe_divide('observed.mqls', 'observed.leads') }} as lead_to_mql_rate,
        case
            when observed.spend > 0 then {{ revops.safe_divide('observed.spend', 'observed.leads') }}
        end as cpl
    from observed
    cross join totals

),

planned as (

    select
        targets.plan_period,
        rates.channel,
        {{ revops.money('targets.target_revenue * rates.revenue_share') }} as target_revenue,
        rates.revenue_share,
        rates.avg_won_amount,
        rates.sql_to_won_rate,
        rates.mql_to_sql_rate,
        rates.lead_to_mql_rate,
        rates.cpl,
        case
            when rates.avg_won_amount > 0 and rates.revenue_share is not null
                then ceil(targets.target_revenue * rates.revenue_share / rates.avg_won_amount)
        end as needed_won_deals
    from targets
    cross join rates

),

{#- Each step up the funnel divides by its rate; a zero or NULL rate gives NULL from there up. -#}
needed as (

    select
        planned.*,
        case when sql_to_won_rate > 0 then ceil(needed_won_deals / sql_to_won_rate) end
            as needed_sqls
    from planned

),

needed_mqls as (

    select
        needed.*,
        case when mql_to_sql_rate > 0 then ceil(needed_sqls / mql_to_sql_rate) end as needed_mqls
    from needed

),

needed_leads as (

    select
        needed_mqls.*,
        case when lead_to_mql_rate > 0 then ceil(needed_mqls / lead_to_mql_rate) end
            as needed_leads
    from needed_mqls

),

final as (

    select
        cast(plan_period as {{ dbt.type_string() }}) as plan_period,
        channel,
        target_revenue,
        cast(revenue_share as {{ revops.type_double() }}) as revenue_share,
        {{ revops.money('avg_won_amount') }} as avg_won_amount,
        cast(needed_won_deals as {{ dbt.type_bigint() }}) as needed_won_deals,
        cast(sql_to_won_rate as {{ revops.type_double() }}) as sql_to_won_rate,
        cast(needed_sqls as {{ dbt.type_bigint() }}) as needed_sqls,
        cast(mql_to_sql_rate as {{ revops.type_double() }}) as mql_to_sql_rate,
        cast(needed_mqls as {{ dbt.type_bigint() }}) as needed_mqls,
        cast(lead_to_mql_rate as {{ revops.type_double() }}) as lead_to_mql_rate,
        cast(needed_leads as {{ dbt.type_bigint() }}) as needed_leads,
        {{ revops.money('cpl') }} as cpl,
        {{ revops.money('needed_leads * cpl') }} as needed_spend
    from needed_leads

)

select * from final
