{{ config(meta={'dagster': {'ref': {'name': 'mart_mql_handoff'}}}, **revops.check_severity('warn')) }}
{#- The MQLs whose owner cannot be checked because no export of their CRM ever had its users
    (Salesforce User.csv, HubSpot owners). -#}
select
    handoff.lead_id,
    leads.crm,
    handoff.owner_id
from {{ ref('mart_mql_handoff') }} as handoff
inner join {{ ref('dim_leads') }} as leads
    on leads.lead_id = handoff.lead_id
where not handoff.is_owned_by_queue
    and not exists (
        select 1 from {{ ref('int_crm__users') }} as users
        where users.crm = leads.crm
    )
