{#- One row per (snapshot, object) whose file loaded, from raw.ingest_log. A file loaded more
    than once (re-delivered in place) counts once, with its newest load. -#}
{%- set log = source('ingest', 'ingest_log') -%}
with

loaded as (

    select
        file_path,
        {{ revops.salesforce_snapshot_of_path('file_path') }} as snapshot_id,
        {{ revops.salesforce_object_of_path('file_path') }} as object_name,
        {{ revops.column_or_null(log, 'header_columns', dbt.type_string()) }} as header_columns,
        rows_loaded,
        finished_at,
        row_number() over (
            partition by file_path
            order by finished_at desc nulls last
        ) as load_rank
    from {{ log }}
    where source = 'salesforce'
        and status = 'loaded'

),

final as (

    select
        snapshot_id,
        {{ revops.salesforce_snapshot_at('snapshot_id') }} as snapshot_at,
        object_name,
        file_path,
        header_columns,
        rows_loaded
    from loaded
    where load_rank = 1
        and object_name is not null

)

select * from final
