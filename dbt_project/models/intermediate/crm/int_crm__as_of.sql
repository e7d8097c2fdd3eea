{#- The data's as-of time is the newest CRM snapshot's export time (docs/definitions.md#as-of-time),
    over every CRM the landing zone has. SLA states and open durations are measured to it,
    never to the wall clock, so a rerun on the same files gives the same marts. One row;
    NULL when no CRM export was ever loaded. as_of_snapshot_id is that export's folder and
    as_of_crm its CRM (the checks name what it lacks). -#}
with

snapshots as (

    select 'salesforce' as crm, snapshot_id, snapshot_at from {{ ref('stg_salesforce__snapshots') }}
    union all
    select 'salesforce' as crm, snapshot_id, snapshot_at from {{ ref('stg_salesforce__snapshot_files') }}
    union all
    select 'hubspot' as crm, snapshot_id, snapshot_at from {{ ref('stg_hubspot__snapshot_files') }}
    union all
    select distinct 'hubspot' as crm, _snapshot_id as snapshot_id, _snapshot_at as snapshot_at
    from {{ source('hubspot', 'contacts') }}

),

ranked as (

    select
        crm,
        snapshot_id,
        snapshot_at,
        row_number() over (
            order by snapshot_at desc nulls last, snapshot_id desc nulls last, crm asc
        ) as snapshot_rank
    from snapshots

),

as_of as (

    select
        max(snapshot_at) as as_of_at,
        max(case when snapshot_rank = 1 then snapshot_id end) as as_of_snapshot_id,
        max(case when snapshot_rank = 1 then crm end) as as_of_crm
    from ranked

)

select * from as_of
