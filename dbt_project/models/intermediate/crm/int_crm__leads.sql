{#- One row per lead of every CRM the landing zone has, in one shape: Salesforce Leads (not
    deleted, newest snapshot) and HubSpot contacts that are leads (int_hubspot__leads). Every
    lead model after this one reads only this, so the marts never know which CRM a lead came
    from; `crm` says it. Ids do not collide: each CRM writes its own id format. -#}
{%- set disqualified_statuses = var('disqualified_statuses') -%}
{%- if disqualified_statuses is string -%}{%- set disqualified_statuses = [disqualified_statuses] -%}{%- endif -%}
with

salesforce_leads as (

    select * from {{ ref('stg_salesforce__lead') }}
    where not is_deleted

),

hubspot_leads as (

    select * from {{ ref('int_hubspot__leads') }}

),

salesforce as (

    select
        cast('salesforce' as {{ dbt.type_string() }}) as crm,
        lead_id,
        converted_contact_id as contact_id,
        created_at,
        owner_id,
        coalesce(substring(owner_id, 1, 3) = '00G', false) as is_owned_by_queue,
        status,
        company,
        country,
        email,
        nullif(trim(lead_source), '') as lead_source,
        cast(null as {{ dbt.type_string() }}) as lead_source_channel,
        cast(null as {{ dbt.type_string() }}) as lead_source_campaign_key,
        utm_source,
        utm_medium,
        utm_campaign,
        gclid,
        ga_client_id,
        mql_at,
        coalesce(is_converted, false) as is_converted,
        case when coalesce(is_converted, false) then converted_date end as sql_at,
        case when coalesce(is_converted, false) then converted_opportunity_id end as opportunity_id,
        disqualified_reason,
        coalesce(status in (
            {%- for status in disqualified_statuses %}
            '{{ status | string | replace("'", "''") }}'{{ "," if not loop.last }}
            {%- endfor %}
        ), false) as has_disqualified_status
    from salesforce_leads

),

hubspot as (

    select
        crm,
        lead_id,
        contact_id,
        created_at,
        owner_id,
        is_owned_by_queue,
        status,
        company,
        country,
        email,
        lead_source,
        lead_source_channel,
        lead_source_campaign_key,
        utm_source,
        utm_medium,
        utm_campaign,
        gclid,
        ga_client_id,
        mql_at,
        is_converted,
        sql_at,
        opportunity_id,
        disqualified_reason,
        has_disqualified_status
    from hubspot_leads

),

unioned as (

    select * from salesforce
    union all
    select * from hubspot

)

select * from unioned
