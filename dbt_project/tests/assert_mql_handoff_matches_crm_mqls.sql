{{ config(meta={'dagster': {'ref': {'name': 'mart_mql_handoff'}}}, **revops.check_severity('error')) }}
{#- Reads the raw CRM leads directly (not staging) so that the check is independent of the
    models it guards: the Salesforce leads of the newest snapshot that has a Lead file, not
    deleted, MQL date present; and the HubSpot contacts of the newest snapshot that has a
    contacts file, a lead (lifecycle stage not subscriber or other, or a Became-a-Lead date),
    MQL date present. Each lead on one side only is a failing row: lead_id, its raw file and row,
    and which side has it. The MQL date field is the var's; an export without it has no MQL. -#}
{%- set relation = source('salesforce', 'lead') -%}
{%- set log = source('ingest', 'ingest_log') -%}
{%- set contacts = source('hubspot', 'contacts') -%}
with

raw_leads as (

    select * from {{ relation }}

),

lead_snapshots as (

    select
        {{ revops.crm_snapshot_of_path('file_path') }} as snapshot_id,
        {{ revops.crm_snapshot_at(revops.crm_snapshot_of_path('file_path')) }}
            as snapshot_at
    from {{ log }}
    where source = 'salesforce'
        and status = 'loaded'
        and {{ revops.salesforce_object_of_path('file_path') }} = 'lead'
    union all
    select distinct _snapshot_id, _snapshot_at from raw_leads

),

newest_snapshot as (

    select snapshot_id
    from (
        select
            snapshot_id,
            row_number() over (
                order by snapshot_at desc nulls last, snapshot_id desc nulls last
            ) as snapshot_rank
        from lead_snapshots
    ) as ranked
    where snapshot_rank = 1

),

crm_mqls as (

    select
        id as lead_id,
        _source_file,
        _row_number
    from raw_leads
    where _snapshot_id = (select snapshot_id from newest_snapshot)
        and not coalesce({{ revops.column_or_null(relation, 'isdeleted', dbt.type_boolean()) }}, false)
        and {{ revops.column_or_null(relation, var('lead_mql_date_field'), dbt.type_string()) }} is not null

),

contact_snapshots as (

    select
        {{ revops.crm_snapshot_of_path('file_path') }} as snapshot_id,
        {{ revops.crm_snapshot_at(revops.crm_snapshot_of_path('file_path')) }}
            as snapshot_at
    from {{ log }}
    where source = 'hubspot'
        and status = 'loaded'
        and {{ revops.hubspot_object_of_path('file_path') }} = 'contacts'
    union all
    select distinct _snapshot_id, _snapshot_at from {{ contacts }}

),

newest_contact_snapshot as (

    select snapshot_id
    from (
        select
            snapshot_id,
            row_number() over (
                order by snapshot_at desc nulls last, snapshot_id desc nulls last
            ) as snapshot_rank
        from contact_snapshots
    ) as ranked
    where snapshot_rank = 1

),

hubspot_mqls as (

    select
        hs_object_id as lead_id,
        _source_file,
        _row_number
    from {{ contacts }}
    where _snapshot_id = (select snapshot_id from newest_contact_snapshot)
        and hs_lifecyclestage_marketingqualifiedlead_date is not null
        and (
            coalesce(lower(trim(lifecyclestage)), '') not in ('subscriber', 'other')
            or hs_lifecyclestage_lead_date is not null
        )

),

all_crm_mqls as (

    select * from crm_mqls
    union all
    select * from hubspot_mqls

),

handoff_mqls as (

    select lead_id from {{ ref('mart_mql_handoff') }}

)

select
    coalesce(crm_mqls.lead_id, handoff_mqls.lead_id) as lead_id,
    crm_mqls._source_file,
    crm_mqls._row_number,
    case
        when handoff_mqls.lead_id is null then 'MQL in the CRM export, missing from mart_mql_handoff'
        else 'in mart_mql_handoff, not an MQL of the CRM export'
    end as problem
from all_crm_mqls as crm_mqls
full outer join handoff_mqls
    on handoff_mqls.lead_id = crm_mqls.lead_id
where crm_mqls.lead_id is null
    or handoff_mqls.lead_id is null
