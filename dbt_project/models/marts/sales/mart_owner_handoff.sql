{#- One row per owner and week of MQLs (docs/marts.md#mart_owner_handoff): how each sales user
    and each queue handled the MQLs they owned, by the week the lead became an MQL (weeks start
    on Monday). SLA states and outcomes as in mart_mql_handoff, at the as-of time. -#}
with

handoff as (

    select * from {{ ref('mart_mql_handoff') }}

),

users as (

    select owner_id, owner_name from {{ ref('dim_users') }}

),

weekly as (

    select
        coalesce(handoff.owner_id, '(none)') as owner_id,
        cast({{ dbt.date_trunc('week', 'handoff.mql_at') }} as date) as week_start,
        handoff.response_hours,
        handoff.first_sales_touch_at,
        handoff.sla_status,
        handoff.outcome
    from handoff

),

aggregated as (

    select
        owner_id,
        week_start,
        count(*) as mqls,
        sum(case when first_sales_touch_at is not null then 1 else 0 end) as touched,
        sum(case when sla_status = 'met' then 1 else 0 end) as sla_met,
        sum(case when sla_status = 'breached' then 1 else 0 end) as sla_breached,
        sum(case when sla_status = 'pending' then 1 else 0 end) as sla_pending,
        percentile_cont(0.5) within group (order by response_hours) as median_response_hours,
        sum(case when outcome = 'untouched' then 1 else 0 end) as untouched,
        sum(case when outcome = 'converted' then 1 else 0 end) as converted,
        sum(case when outcome = 'disqualified' then 1 else 0 end) as disqualified
    from weekly
    group by owner_id, week_start

),

final as (

    select
        aggregated.owner_id,
        coalesce(users.owner_name, aggregated.owner_id) as owner_name,
        aggregated.week_start,
        cast(aggregated.mqls as {{ dbt.type_bigint() }}) as mqls,
        cast(aggregated.touched as {{ dbt.type_bigint() }}) as touched,
        cast(aggregated.sla_met as {{ dbt.type_bigint() }}) as sla_met,
        cast(aggregated.sla_breached as {{ dbt.type_bigint() }}) as sla_breached,
        cast(aggregated.sla_pending as {{ dbt.type_bigint() }}) as sla_pending,
        {{ revops.safe_divide('aggregated.sla_met', 'aggregated.sla_met + aggregated.sla_breached') }}
            as sla_met_rate,
        cast(aggregated.median_response_hours as {{ revops.type_double() }}) as median_response_hours,
        cast(aggregated.untouched as {{ dbt.type_bigint() }}) as untouched,
        cast(aggregated.converted as {{ dbt.type_bigint() }}) as converted,
        cast(aggregated.disqualified as {{ dbt.type_bigint() }}) as disqualified
    from aggregated
    left join users
        on users.owner_id = aggregated.owner_id

)

select * from final
