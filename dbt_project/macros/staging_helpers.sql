{#- Staging helpers: reading raw tables as ingest wrote them. Staging is the one layer
    allowed DuckDB-specific reads (GA4 structs); everything after it is portable. -#}

{#- Lower-cased column names of a relation, [] while dbt parses (nothing is queried then). -#}
{% macro relation_column_names(relation) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do names.append(column.name | lower) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#- The lineage columns ingest stamps on every row of a file-loaded raw table (one export
    file per row group), passed through by each file-based staging model as they are. Salesforce
    snapshots carry a different set (no file mtime), listed in salesforce_staging. -#}
{% macro file_lineage_columns() -%}
        _source_file,
        _file_sha256,
        _row_number,
        _loaded_at,
        _file_modified_at
{%- endmacro %}

{% macro crm_type(kind) -%}
    {%- if kind in ('timestamp', 'portal_timestamp') -%} {{ dbt.type_timestamp() }}
    {%- elif kind == 'date' -%} date
    {%- elif kind == 'boolean' -%} {{ dbt.type_boolean() }}
    {%- elif kind == 'decimal' -%} decimal(18, 2)
    {%- elif kind == 'integer' -%} {{ dbt.type_bigint() }}
    {%- else -%} {{ dbt.type_string() }}
    {%- endif -%}
{%- endmacro %}

{#- A column of a relation, or NULL of `data_type` when the relation does not have it (a custom
    field named by a dbt var that this org's export never had, a column an older ingest did not
    write): the model compiles and the field is simply empty. Column names compare lower-cased. -#}
{% macro column_or_null(relation, column_name, data_type, prefix='') -%}
    {%- set name = column_name | lower -%}
    {%- if not execute or name in revops.relation_column_names(relation) -%}
        cast({{ prefix }}{{ name }} as {{ data_type }})
    {%- else -%}
        cast(null as {{ data_type }})
    {%- endif -%}
{%- endmacro %}

{#- The Salesforce objects staged, as (object name in snake_case, API name). -#}
{% macro salesforce_objects() -%}
    {{ return([
        ('lead', 'Lead'), ('contact', 'Contact'), ('account', 'Account'),
        ('opportunity', 'Opportunity'), ('opportunity_history', 'OpportunityHistory'),
        ('campaign', 'Campaign'), ('campaign_member', 'CampaignMember'), ('task', 'Task'),
        ('user', 'User'),
    ]) }}
{%- endmacro %}

{#- The HubSpot export objects staged, in the order a file name is matched against them. -#}
{% macro hubspot_objects() -%}
    {{ return(['contacts', 'companies', 'deals', 'owners', 'calls', 'emails', 'meetings', 'tasks']) }}
{%- endmacro %}

{#- The object of a HubSpot landing path (`hubspot/<snapshot>/<file>.csv`): the first object
    whose name, singular or plural, is a word of the file name (`contacts.csv`, `Deal.csv`,
    `hubspot-crm-exports-all-contacts-2026-11-23.csv`), as ingest matches it; NULL for
    another file. -#}
{% macro hubspot_object_of_path(path) -%}
    {%- set name = "'-' || " ~ revops.regex_replace_all("lower(split_part(" ~ path ~ ", '/', 3))", '[^a-z0-9]+', '-') ~ " || '-'" -%}
    case
        {%- for object_name in revops.hubspot_objects() %}
        {%- set singular = 'company' if object_name == 'companies' else object_name[:-1] %}
        when {{ name }} like '%-{{ object_name }}-%' or {{ name }} like '%-{{ singular }}-%'
            then '{{ object_name }}'
        {%- endfor %}
    end
{%- endmacro %}

{#- The snapshot folder of a CRM landing path (`salesforce/<snapshot>/<Object>.csv`,
    `hubspot/<snapshot>/<file>.csv`). -#}
{% macro crm_snapshot_of_path(path) -%}
    split_part({{ path }}, '/', 2)
{%- endmacro %}

{#- The object (snake_case, as in salesforce_objects) of a Salesforce landing path: the file
    name lower-cased without `.csv`, a ` (1)` copy suffix and underscores (`Lead.csv`,
    `lead.csv`, `OpportunityHistory.csv`, `Opportunity_History (1).csv`); NULL for another file. -#}
{% macro salesforce_object_of_path(path) -%}
    {%- set stem = "replace(split_part(split_part(lower(split_part(" ~ path ~ ", '/', 3)), '.', 1), ' ', 1), '_', '')" -%}
    case {{ stem }}
        {%- for object_name, api_name in revops.salesforce_objects() %}
        when '{{ api_name | lower }}' then '{{ object_name }}'
        {%- endfor %}
    end
{%- endmacro %}

{#- A CRM snapshot folder name as the time it stands for (UTC): `YYYY-MM-DD` -> 00:00,
    `YYYY-MM-DDTHHMMSSZ` -> that time (what ingest writes as _snapshot_at). -#}
{% macro crm_snapshot_at(folder) -%}
    case
        when {{ dbt.length(folder) }} >= 17 then cast(
            substring({{ folder }}, 1, 10) || ' ' || substring({{ folder }}, 12, 2) || ':'
            || substring({{ folder }}, 14, 2) || ':' || substring({{ folder }}, 16, 2)
            as {{ dbt.type_timestamp() }})
        else cast(substring({{ folder }}, 1, 10) as {{ dbt.type_timestamp() }})
    end
{%- endmacro %}

{#- One staging model per Salesforce object: crm_snapshot_staging with the Salesforce rules
    (API names lower-cased; `IsDeleted` rows kept and flagged). -#}
{% macro salesforce_staging(object_name, fields) -%}
    {{ revops.crm_snapshot_staging('salesforce', object_name, fields) }}
{%- endmacro %}

{#- One staging model per HubSpot export object: crm_snapshot_staging with the HubSpot rules
    (internal property names; exports hold no deleted records; `portal_timestamp` fields are
    converted from the portal's time zone, var hubspot_timezone, unless the file's datetimes
    carried their zone and ingest already wrote them in UTC: _datetime_zone = 'UTC'). -#}
{% macro hubspot_staging(object_name, fields, snapshot_object=none) -%}
    {{ revops.crm_snapshot_staging('hubspot', object_name, fields, snapshot_object) }}
{%- endmacro %}

{#- A CRM snapshot object staged (Salesforce or HubSpot), from a field list (name in the raw
    table, column, kind): the object's records of the newest snapshot that has the object's file
    (an export that left an object out keeps the one of the newest older snapshot that has it;
    the newest snapshot is the truth, whole, for each object it has: a record missing from it
    was hard-deleted). Which snapshots have which file comes from raw.ingest_log
    (stg_<crm>__snapshot_files), so a snapshot whose file has a header and no rows empties
    the object; snapshots found only in the raw rows count too (a raw schema without log).
    Fields renamed to snake_case and cast. Fields that an export does not have (custom fields,
    CurrencyIsoCode without multi-currency, IsDeleted on User) are NULL, so one project reads
    every company's exports. Deleted rows are kept and flagged `is_deleted`.
    `snapshot_object` names the object whose snapshots decide (the child tables of HubSpot
    exports follow their parent file's object: a column `from_object` or a fixed name). -#}
{% macro crm_snapshot_staging(crm, object_name, fields, snapshot_object=none) -%}
{%- set relation = source(crm, object_name) -%}
{%- set present = revops.relation_column_names(relation) -%}
{%- set parent = snapshot_object or object_name -%}
{%- set by_column = parent.startswith('column:') -%}
with

source as (

    select * from {{ relation }}

),

object_snapshots as (

    select object_name, snapshot_id, snapshot_at
    from {{ ref('stg_' ~ crm ~ '__snapshot_files') }}
    {%- if not by_column %}
    where object_name = '{{ parent }}'
    {%- endif %}
    union all
    select distinct
        {% if by_column %}{{ parent[7:] }}{% else %}'{{ parent }}'{% endif %} as object_name,
        _snapshot_id as snapshot_id,
        _snapshot_at as snapshot_at
    from source

),

newest_snapshot as (

    select object_name, snapshot_id
    from (
        select
            object_name,
            snapshot_id,
            row_number() over (
                partition by object_name
                order by snapshot_at desc nulls last, snapshot_id desc nulls last
            ) as snapshot_rank
        from object_snapshots
    ) as ranked
    where snapshot_rank = 1

),

renamed as (

    select
        {%- for field_name, column_name, kind in fields %}
        {%- set name = field_name | lower %}
        {%- if name in present or not execute %}
        {%- if kind == 'portal_timestamp' %}
        case
            when source._datetime_zone = 'UTC' then cast(source.{{ name }} as {{ dbt.type_timestamp() }})
            else {{ revops.from_time_zone('cast(source.' ~ name ~ ' as ' ~ dbt.type_timestamp() ~ ')', var('hubspot_timezone')) }}
        end as {{ column_name }},
        {%- else %}
        cast(source.{{ name }} as {{ revops.crm_type(kind) }}) as {{ column_name }},
        {%- endif %}
        {%- else %}
        cast(null as {{ revops.crm_type(kind) }}) as {{ column_name }},
        {%- endif %}
        {%- endfor %}
        {%- if 'isdeleted' in present %}
        coalesce(cast(source.isdeleted as {{ dbt.type_boolean() }}), false) as is_deleted,
        {%- else %}
        false as is_deleted,
        {%- endif %}
        source._snapshot_id as snapshot_id,
        source._snapshot_at as snapshot_at,
        source._source_file,
        source._file_sha256,
        source._row_number,
        source._loaded_at
    from source
    inner join newest_snapshot
        on newest_snapshot.snapshot_id = source._snapshot_id
        {%- if by_column %}
        and newest_snapshot.object_name = source.{{ parent[7:] }}
        {%- endif %}

)

select * from renamed
{%- endmacro %}

{#- One row per (snapshot, object) of a CRM whose file loaded, from raw.ingest_log. A file
    loaded more than once (re-delivered in place) counts once, with its newest load. -#}
{% macro crm_snapshot_files(crm) -%}
{%- set log = source('ingest', 'ingest_log') -%}
with

loaded as (

    select
        file_path,
        {{ revops.crm_snapshot_of_path('file_path') }} as snapshot_id,
        {%- if crm == 'salesforce' %}
        {{ revops.salesforce_object_of_path('file_path') }} as object_name,
        {%- else %}
        {{ revops.hubspot_object_of_path('file_path') }} as object_name,
        {%- endif %}
        {{ revops.column_or_null(log, 'header_columns', dbt.type_string()) }} as header_columns,
        rows_loaded,
        finished_at,
        row_number() over (
            partition by file_path
            order by finished_at desc nulls last
        ) as load_rank
    from {{ log }}
    where source = '{{ crm }}'
        and status = 'loaded'

),

final as (

    select
        snapshot_id,
        {{ revops.crm_snapshot_at('snapshot_id') }} as snapshot_at,
        object_name,
        file_path,
        header_columns,
        rows_loaded
    from loaded
    where load_rank = 1
        and object_name is not null

)

select * from final
{%- endmacro %}

{#- The body of a CTE that finds a HubSpot deal stage in the seed hubspot_deal_stages: one row
    per way a stage can be named (stage_key, pipeline_key NULL = any pipeline), key_rank 1 for
    its id, 2 for its label within a pipeline (by the pipeline's id or label), 3 for its label
    in any pipeline. Join on stage_key and pipeline_key, keep the lowest key_rank. -#}
{% macro hubspot_stage_keys() -%}
    select
        upper(trim(stage_id)) as stage_key,
        cast(null as {{ dbt.type_string() }}) as pipeline_key,
        stage_name, display_order, is_closed, is_won, 1 as key_rank
    from {{ ref('hubspot_deal_stages') }}
    union all
    select upper(trim(stage_label)), upper(trim(pipeline_id)), stage_name, display_order, is_closed, is_won, 2
    from {{ ref('hubspot_deal_stages') }}
    union all
    select upper(trim(stage_label)), upper(trim(pipeline_label)), stage_name, display_order, is_closed, is_won, 2
    from {{ ref('hubspot_deal_stages') }}
    union all
    select upper(trim(stage_label)), cast(null as {{ dbt.type_string() }}), stage_name, display_order, is_closed, is_won, 3
    from {{ ref('hubspot_deal_stages') }}
{%- endmacro %}

{#- A where-clause condition: the deal's pipeline (id or label) is one of var hubspot_pipelines;
    true for every deal when the var is empty. -#}
{% macro hubspot_in_pipelines(pipeline) -%}
    {%- set pipelines = var('hubspot_pipelines') -%}
    {%- if pipelines is string -%}{%- set pipelines = [pipelines] -%}{%- endif -%}
    {%- if pipelines | length == 0 -%}
        true
    {%- else -%}
        upper(trim({{ pipeline }})) in (
            {%- for name in pipelines -%}
            '{{ name | string | trim | upper | replace("'", "''") }}'{{ ", " if not loop.last }}
            {%- endfor -%}
        )
    {%- endif -%}
{%- endmacro %}
