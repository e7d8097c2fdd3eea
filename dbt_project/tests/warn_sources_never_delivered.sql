{{ config(meta={'dagster': {'ref': {'name': 'mart_funnel_daily'}}}, **revops.check_severity('warn')) }}
/* depends_on: {{ ref('mart_funnel_daily') }}, the mart this warning is shown on */
{#- One row per source that has never loaded a file (raw.ingest_log has no `loaded` row for
    it): its raw tables exist empty and its marts show zeros. Names the landing folder that
    would deliver it. A company runs one CRM: the CRM is delivered when either Salesforce or
    HubSpot exports arrived. -#}
{%- set expected = [
    ('google_ads', 'google_ads/', ['google_ads']),
    ('meta_ads', 'meta_ads/', ['meta_ads']),
    ('linkedin_ads', 'linkedin_ads/', ['linkedin_ads']),
    ('ga4', 'web/', ['ga4']),
    ('salesforce or hubspot', 'salesforce/<export date>/ or hubspot/<export date>/', ['salesforce', 'hubspot']),
] -%}
with

expected_sources as (

    {%- for source_name, folder, delivered_by in expected %}
    {%- for delivering_source in delivered_by %}
    select
        cast('{{ source_name }}' as {{ dbt.type_string() }}) as source,
        cast('{{ folder }}' as {{ dbt.type_string() }}) as landing_folder,
        cast('{{ delivering_source }}' as {{ dbt.type_string() }}) as delivered_by
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

delivered as (

    select distinct source
    from {{ source('ingest', 'ingest_log') }}
    where status = 'loaded'

)

select
    expected_sources.source,
    expected_sources.landing_folder,
    'never delivered' as problem
from expected_sources
left join delivered
    on delivered.source = expected_sources.delivered_by
group by expected_sources.source, expected_sources.landing_folder
having count(delivered.source) = 0
