{{ config(meta={'dagster': {'ref': {'name': 'mart_mql_handoff'}}}, **revops.check_severity('warn')) }}
{#- The MQLs whose owner cannot be checked because no CRM export ever had a User file. -#}
select
    handoff.lead_id,
    handoff.owner_id
from {{ ref('mart_mql_handoff') }} as handoff
where not exists (select 1 from {{ ref('stg_salesforce__user') }})
    and coalesce(substring(handoff.owner_id, 1, 3), '') <> '00G'
