{#- The data's as-of time is the newest CRM snapshot's export time (docs/definitions.md#as-of-time).
    SLA states and open durations are measured to it, never to the wall clock, so a rerun on
    the same files gives the same marts. One row. -#}
with

snapshots as (

    select * from {{ ref('stg_salesforce__snapshots') }}

),

as_of as (

    select max(snapshot_at) as as_of_at from snapshots

)

select * from as_of
