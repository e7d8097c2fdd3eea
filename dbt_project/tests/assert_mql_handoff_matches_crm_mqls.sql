{{ config(meta={'dagster': {'ref': {'name': 'mart_mql_handoff'}}}) }}
{#- Reads the raw CRM leads directly (not staging) so that the check is independent of the
    models it guards: newest snapshot, not deleted, MQL date present. -#}
{%- set mql_field = var('lead_mql_date_field') | lower -%}
with

raw_leads as (

    select * from {{ source('salesforce', 'lead') }}

),

newest as (

    select * from raw_leads
    where _snapshot_at = (select max(_snapshot_at) from raw_leads)

),

crm_mqls as (

    select count(*) as mqls
    from newest
    where not coalesce(isdeleted, false)
        and {{ mql_field }} is not null

),

handoff_mqls as (

    select count(*) as mqls from {{ ref('mart_mql_handoff') }}

)

select
    crm_mqls.mqls as crm_mqls,
    handoff_mqls.mqls as handoff_mqls
from crm_mqls
cross join handoff_mqls
where crm_mqls.mqls <> handoff_mqls.mqls
