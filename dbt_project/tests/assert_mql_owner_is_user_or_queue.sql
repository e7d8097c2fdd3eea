{{ config(meta={'dagster': {'ref': {'name': 'mart_mql_handoff'}}}, **revops.check_severity('error')) }}
{#- Without any CRM user delivered (no User.csv in any snapshot) the check cannot judge and
    passes; warn_mql_owner_unverifiable_without_users says so. -#}
with

handoff as (

    select * from {{ ref('mart_mql_handoff') }}

),

users as (

    select user_id from {{ ref('stg_salesforce__user') }}

)

select
    handoff.lead_id,
    handoff.owner_id
from handoff
left join users
    on users.user_id = handoff.owner_id
where users.user_id is null
    and coalesce(substring(handoff.owner_id, 1, 3), '') <> '00G'
    and exists (select 1 from users)
