{#- Each measure is dated by its own event and lands on the channel and campaign of its own
    source: spend on its day; sessions on their start day; leads on creation; MQLs on mql_at;
    SQLs on the conversion date; wins and won revenue on the close date; pipeline on the
    opportunity's creation date. -#}
with

ad_spend as (

    select * from {{ ref('fct_ad_spend_daily') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

events as (

    {{ revops.funnel_measure_row('date_day', 'channel', 'campaign_key',
        {'spend': 'coalesce(spend, 0)', 'impressions': 'coalesce(impressions, 0)',
         'clicks': 'coalesce(clicks, 0)'}, 'ad_spend') }}
    union all
    {{ revops.funnel_measure_row('date_day', 'channel', 'campaign_key', {'sessions': '1'}, 'sessions') }}
    union all
    {{ revops.funnel_measure_row('created_at', 'channel', 'campaign_key', {'leads': '1'}, 'leads') }}
    union all
    {{ revops.funnel_measure_row('mql_at', 'channel', 'campaign_key', {'mqls': '1'}, 'leads', 'is_mql') }}
    union all
    {{ revops.funnel_measure_row('sql_at', 'channel', 'campaign_key', {'sqls': '1'}, 'leads', 'is_sql') }}
    union all
    {{ revops.funnel_measure_row('close_date', 'channel', 'campaign_key',
        {'won_deals': '1', 'won_revenue': 'coalesce(won_amount, 0)'}, 'opportunities', 'is_won') }}
    union all
    {{ revops.funnel_measure_row('created_at', 'channel', 'campaign_key',
        {'pipeline_created': 'coalesce(amount, 0)'}, 'opportunities') }}

),

final as (

    select
        date_day,
        channel,
        campaign_key,
        {{ revops.money('sum(spend)') }} as spend,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks,
        cast(sum(sessions) as {{ dbt.type_bigint() }}) as sessions,
        cast(sum(leads) as {{ dbt.type_bigint() }}) as leads,
        cast(sum(mqls) as {{ dbt.type_bigint() }}) as mqls,
        cast(sum(sqls) as {{ dbt.type_bigint() }}) as sqls,
        cast(sum(won_deals) as {{ dbt.type_bigint() }}) as won_deals,
        {{ revops.money('sum(won_revenue)') }} as won_revenue,
        {{ revops.money('sum(pipeline_created)') }} as pipeline_created
    from events
    where date_day is not null
    group by date_day, channel, campaign_key

)

select * from final
