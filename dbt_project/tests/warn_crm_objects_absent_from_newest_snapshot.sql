{{ config(meta={'dagster': {'ref': {'name': 'dim_leads'}}}, **revops.check_severity('warn')) }}
/* depends_on: {{ ref('dim_leads') }}, the mart this warning is shown on */
{#- One row per object a CRM's newest export (Salesforce or HubSpot snapshot folder) has no file
    for: its records are taken from the newest older snapshot that has it (named here), or the
    object is empty. Nothing for a CRM that never delivered an export
    (warn_sources_never_delivered says so). -#}
{%- set expected = [] -%}
{%- for object_name, api_name in revops.salesforce_objects() -%}
    {%- do expected.append(('salesforce', object_name, api_name ~ '.csv')) -%}
{%- endfor -%}
{%- for object_name in revops.hubspot_objects() -%}
    {%- do expected.append(('hubspot', object_name, object_name ~ '.csv')) -%}
{%- endfor -%}
with

objects as (

    {%- for crm, object_name, expected_file in expected %}
    select
        cast('{{ crm }}' as {{ dbt.type_string() }}) as crm,
        cast('{{ object_name }}' as {{ dbt.type_string() }}) as object_name,
        cast('{{ expected_file }}' as {{ dbt.type_string() }}) as expected_file
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

files as (

    select 'salesforce' as crm, snapshot_id, snapshot_at, object_name
    from {{ ref('stg_salesforce__snapshot_files') }}
    union all
    select 'hubspot' as crm, snapshot_id, snapshot_at, object_name
    from {{ ref('stg_hubspot__snapshot_files') }}

),

newest as (

    select crm, snapshot_id, snapshot_at
    from (
        select
            crm,
            snapshot_id,
            snapshot_at,
            row_number() over (
                partition by crm
                order by snapshot_at desc nulls last, snapshot_id desc nulls last
            ) as snapshot_rank
        from files
    ) as ranked
    where snapshot_rank = 1

),

absent as (

    select
        newest.crm,
        newest.snapshot_id,
        newest.snapshot_at,
        objects.object_name,
        objects.expected_file
    from objects
    inner join newest
        on newest.crm = objects.crm
    left join files
        on files.crm = objects.crm
        and files.object_name = objects.object_name
        and files.snapshot_id = newest.snapshot_id
    where files.object_name is null

),

taken_from as (

    select
        absent.crm,
        absent.object_name,
        files.snapshot_id,
        row_number() over (
            partition by absent.crm, absent.object_name
            order by files.snapshot_at desc nulls last, files.snapshot_id desc nulls last
        ) as snapshot_rank
    from absent
    inner join files
        on files.crm = absent.crm
        and files.object_name = absent.object_name
        and files.snapshot_at < absent.snapshot_at

)

select
    absent.crm,
    absent.snapshot_id,
    absent.object_name,
    absent.expected_file,
    coalesce(
        {{ dbt.concat(["'records taken from snapshot '", 'taken_from.snapshot_id']) }},
        'no snapshot has it: the object is empty'
    ) as consequence
from absent
left join taken_from
    on taken_from.crm = absent.crm
    and taken_from.object_name = absent.object_name
    and taken_from.snapshot_rank = 1
