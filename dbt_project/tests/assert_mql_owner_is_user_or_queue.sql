{{ config(meta={'dagster': {'ref': {'name': 'mart_mql_handoff'}}}, **revops.check_severity('error')) }}
{#- Every MQL that is not parked in a queue (a Salesforce 00G owner, an unassigned HubSpot
    contact) has an owner who is a user of its CRM. Without any user delivered for a CRM (no
    User.csv, no owners export) the check cannot judge that CRM's MQLs and passes them;
    warn_mql_owner_unverifiable_without_users says so. -#}
with

handoff as (

    select
        handoff.lead_id,
        handoff.owner_id,
        handoff.is_owned_by_queue,
        leads.crm
    from {{ ref('mart_mql_handoff') }} as handoff
    inner join {{ ref('dim_leads') }} as leads
        on leads.lead_id = handoff.lead_id

),

users as (

    select crm, owner_id from {{ ref('int_crm__users') }}

)

select
    handoff.lead_id,
    handoff.crm,
    handoff.owner_id
from handoff
left join users
    on users.owner_id = handoff.owner_id
where users.owner_id is null
    and not handoff.is_owned_by_queue
    and exists (select 1 from users where users.crm = handoff.crm)
