{#- One row per month of lead creation and channel (docs/marts.md#mart_lead_cohorts): what became
    of the leads created that month, how fast (whole days between the dates of the lead's own
    events: created, MQL, SQL, won = its won opportunity's close date), and how many got there
    within 30, 60 and 90 days of creation. Leads without a creation date belong to no month and
    are left out. -#}
with

leads as (

    select * from {{ ref('dim_leads') }}
    where created_at is not null

),

opportunities as (

    select opportunity_id, close_date from {{ ref('fct_opportunities') }}

),

dated as (

    select
        cast({{ dbt.date_trunc('month', 'leads.created_at') }} as date) as lead_month,
        leads.channel,
        leads.is_mql,
        leads.is_sql,
        leads.is_won,
        leads.won_amount,
        cast({{ dbt.datediff('cast(leads.created_at as date)', 'cast(leads.mql_at as date)', 'day') }} as {{ dbt.type_bigint() }})
            as days_lead_to_mql,
        cast({{ dbt.datediff('cast(leads.created_at as date)', 'leads.sql_at', 'day') }} as {{ dbt.type_bigint() }})
            as days_lead_to_sql,
        cast({{ dbt.datediff('cast(leads.mql_at as date)', 'leads.sql_at', 'day') }} as {{ dbt.type_bigint() }})
            as days_mql_to_sql,
        case when leads.is_won then
            cast({{ dbt.datediff('cast(leads.created_at as date)', 'opportunities.close_date', 'day') }} as {{ dbt.type_bigint() }})
        end as days_lead_to_won,
        case when leads.is_won then
            cast({{ dbt.datediff('leads.sql_at', 'opportunities.close_date', 'day') }} as {{ dbt.type_bigint() }})
        end as days_sql_to_won
    from leads
    left join opportunities
        on opportunities.opportunity_id = leads.opportunity_id

),

aggregated as (

    select
        lead_month,
        channel,
        count(*) as leads,
        sum(case when is_mql then 1 else 0 end) as mqls,
        sum(case when is_sql then 1 else 0 end) as sqls,
        sum(case when is_won then 1 else 0 end) as won_deals,
        sum(case when is_won then coalesce(won_amount, 0) else 0 end) as won_revenue,
        sum(case when is_mql and days_lead_to_mql <= 30 then 1 else 0 end) as mqls_within_30d,
        sum(case when is_sql and days_lead_to_sql <= 60 then 1 else 0 end) as sqls_within_60d,
        sum(case when is_won and days_lead_to_won <= 90 then 1 else 0 end) as won_within_90d,
        percentile_cont(0.5) within group (order by days_lead_to_mql) as median_days_lead_to_mql,
        percentile_cont(0.5) within group (order by days_mql_to_sql) as median_days_mql_to_sql,
        percentile_cont(0.5) within group (order by days_sql_to_won) as median_days_sql_to_won
    from dated
    group by lead_month, channel

),

final as (

    select
        lead_month,
        channel,
        cast(leads as {{ dbt.type_bigint() }}) as leads,
        cast(mqls as {{ dbt.type_bigint() }}) as mqls,
        cast(sqls as {{ dbt.type_bigint() }}) as sqls,
        cast(won_deals as {{ dbt.type_bigint() }}) as won_deals,
        {{ revops.money('won_revenue') }} as won_revenue,
        cast(mqls_within_30d as {{ dbt.type_bigint() }}) as mqls_within_30d,
        cast(sqls_within_60d as {{ dbt.type_bigint() }}) as sqls_within_60d,
        cast(won_within_90d as {{ dbt.type_bigint() }}) as won_within_90d,
        cast(median_days_lead_to_mql as {{ revops.type_double() }}) as median_days_lead_to_mql,
        cast(median_days_mql_to_sql as {{ revops.type_double() }}) as median_days_mql_to_sql,
        cast(median_days_sql_to_won as {{ revops.type_double() }}) as median_days_sql_to_won
    from aggregated

)

select * from final
