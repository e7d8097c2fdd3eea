{#- One row per CRM snapshot, channel and stage (docs/marts.md#mart_pipeline_by_snapshot): the open
    pipeline as each weekly export saw it, and what changed since the export before it (deals
    created, deals won), each under its stage in that export. The channel of an opportunity is
    the one the newest export gives it (Other for one deleted since). -#}
with

snapshots as (

    select * from {{ ref('int_crm__opportunity_snapshots') }}

),

channels as (

    select opportunity_id, channel from {{ ref('fct_opportunities') }}

),

snapshot_times as (

    select distinct crm, snapshot_id, snapshot_at from snapshots

),

with_previous as (

    select
        crm,
        snapshot_id,
        snapshot_at,
        lag(snapshot_id) over (partition by crm order by snapshot_at, snapshot_id) as previous_snapshot_id,
        lag(snapshot_at) over (partition by crm order by snapshot_at, snapshot_id) as previous_snapshot_at
    from snapshot_times

),

compared as (

    select
        current_rows.snapshot_at,
        coalesce(channels.channel, 'Other') as channel,
        coalesce(current_rows.stage_name, '(no stage)') as stage_name,
        current_rows.is_closed,
        current_rows.amount,
        with_previous.previous_snapshot_id is not null as has_previous,
        current_rows.created_at > with_previous.previous_snapshot_at as is_created_since_previous,
        current_rows.is_won and not coalesce(previous_rows.is_won, false) as is_won_since_previous
    from snapshots as current_rows
    inner join with_previous
        on with_previous.crm = current_rows.crm
        and with_previous.snapshot_id = current_rows.snapshot_id
    left join snapshots as previous_rows
        on previous_rows.crm = current_rows.crm
        and previous_rows.snapshot_id = with_previous.previous_snapshot_id
        and previous_rows.opportunity_id = current_rows.opportunity_id
    left join channels
        on channels.opportunity_id = current_rows.opportunity_id

),

aggregated as (

    select
        snapshot_at,
        channel,
        stage_name,
        sum(case when not is_closed then 1 else 0 end) as open_opportunities,
        sum(case when not is_closed then coalesce(amount, 0) else 0 end) as open_amount,
        {{ dbt.bool_or('has_previous') }} as has_previous,
        sum(case when is_created_since_previous then 1 else 0 end) as created_since_previous,
        sum(case when is_won_since_previous then 1 else 0 end) as won_since_previous,
        sum(case when is_won_since_previous then coalesce(amount, 0) else 0 end)
            as won_amount_since_previous
    from compared
    group by snapshot_at, channel, stage_name

),

final as (

    select
        snapshot_at,
        channel,
        stage_name,
        cast(open_opportunities as {{ dbt.type_bigint() }}) as open_opportunities,
        {{ revops.money('open_amount') }} as open_amount,
        cast(case when has_previous then created_since_previous end as {{ dbt.type_bigint() }})
            as created_since_previous,
        cast(case when has_previous then won_since_previous end as {{ dbt.type_bigint() }})
            as won_since_previous,
        case when has_previous then {{ revops.money('won_amount_since_previous') }} end
            as won_amount_since_previous
    from aggregated
    where open_opportunities > 0
        or (has_previous and (created_since_previous > 0 or won_since_previous > 0))

)

select * from final
