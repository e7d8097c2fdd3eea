{{ config(meta={'dagster': {'ref': {'name': 'dim_leads'}}}, **revops.check_severity('warn')) }}
/* depends_on: {{ ref('dim_leads') }}, the mart this warning is shown on */
{#- One row per Salesforce object the newest CRM export (the as-of snapshot) has no file for:
    its records are taken from the newest older snapshot that has it (named here), or the
    object is empty. Nothing when no CRM export was ever loaded (warn_sources_never_delivered
    says so). -#}
with

objects as (

    {%- for object_name, api_name in revops.salesforce_objects() %}
    select
        cast('{{ object_name }}' as {{ dbt.type_string() }}) as object_name,
        cast('{{ api_name }}.csv' as {{ dbt.type_string() }}) as expected_file
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

as_of as (

    select as_of_snapshot_id, as_of_at from {{ ref('int_salesforce__as_of') }}
    where as_of_snapshot_id is not null

),

files as (

    select snapshot_id, snapshot_at, object_name
    from {{ ref('stg_salesforce__snapshot_files') }}

),

absent as (

    select
        as_of.as_of_snapshot_id as snapshot_id,
        objects.object_name,
        objects.expected_file,
        as_of.as_of_at
    from objects
    cross join as_of
    left join files
        on files.object_name = objects.object_name
        and files.snapshot_id = as_of.as_of_snapshot_id
    where files.object_name is null

),

taken_from as (

    select
        absent.object_name,
        files.snapshot_id,
        row_number() over (
            partition by absent.object_name
            order by files.snapshot_at desc nulls last, files.snapshot_id desc nulls last
        ) as snapshot_rank
    from absent
    inner join files
        on files.object_name = absent.object_name
        and files.snapshot_at < absent.as_of_at

)

select
    absent.snapshot_id,
    absent.object_name,
    absent.expected_file,
    coalesce(
        {{ dbt.concat(["'records taken from snapshot '", 'taken_from.snapshot_id']) }},
        'no snapshot has it: the object is empty'
    ) as consequence
from absent
left join taken_from
    on taken_from.object_name = absent.object_name
    and taken_from.snapshot_rank = 1
