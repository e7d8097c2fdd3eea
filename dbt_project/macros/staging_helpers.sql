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

{% macro salesforce_type(kind) -%}
    {%- if kind == 'timestamp' -%} {{ dbt.type_timestamp() }}
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

{#- The snapshot folder of a Salesforce landing path (`salesforce/<snapshot>/<Object>.csv`). -#}
{% macro salesforce_snapshot_of_path(path) -%}
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

{#- A snapshot folder name as the time it stands for (UTC): `YYYY-MM-DD` -> 00:00,
    `YYYY-MM-DDTHHMMSSZ` -> that time (what ingest writes as _snapshot_at). -#}
{% macro salesforce_snapshot_at(folder) -%}
    case
        when {{ dbt.length(folder) }} >= 17 then cast(
            substring({{ folder }}, 1, 10) || ' ' || substring({{ folder }}, 12, 2) || ':'
            || substring({{ folder }}, 14, 2) || ':' || substring({{ folder }}, 16, 2)
            as {{ dbt.type_timestamp() }})
        else cast(substring({{ folder }}, 1, 10) as {{ dbt.type_timestamp() }})
    end
{%- endmacro %}

{#- One staging model per Salesforce object, from a field list (API name, column, kind):
    the object's records of the newest snapshot that has the object's file (an export that left
    an object out keeps the one of the newest older snapshot that has it; the newest
    snapshot is the truth, whole, for each object it has: a record missing from it was
    hard-deleted). Which snapshots have which file comes from raw.ingest_log
    (stg_salesforce__snapshot_files), so a snapshot whose file has a header and no rows empties
    the object; snapshots found only in the raw rows count too (a raw schema without log).
    API names renamed to snake_case and cast. Fields that an org's export does not have
    (custom fields, CurrencyIsoCode without multi-currency, IsDeleted on User) are NULL, so
    one project reads every org's exports. Deleted rows are kept and flagged `is_deleted`. -#}
{% macro salesforce_staging(object_name, fields) -%}
{%- set relation = source('salesforce', object_name) -%}
{%- set present = revops.relation_column_names(relation) -%}
with

source as (

    select * from {{ relation }}

),

object_snapshots as (

    select snapshot_id, snapshot_at
    from {{ ref('stg_salesforce__snapshot_files') }}
    where object_name = '{{ object_name }}'
    union all
    select distinct _snapshot_id as snapshot_id, _snapshot_at as snapshot_at
    from source

),

newest_snapshot as (

    select snapshot_id
    from (
        select
            snapshot_id,
            row_number() over (
                order by snapshot_at desc nulls last, snapshot_id desc nulls last
            ) as snapshot_rank
        from object_snapshots
    ) as ranked
    where snapshot_rank = 1

),

renamed as (

    select
        {%- for api_name, column_name, kind in fields %}
        {%- if (api_name | lower) in present or not execute %}
        cast({{ api_name | lower }} as {{ revops.salesforce_type(kind) }}) as {{ column_name }},
        {%- else %}
        cast(null as {{ revops.salesforce_type(kind) }}) as {{ column_name }},
        {%- endif %}
        {%- endfor %}
        {%- if 'isdeleted' in present or not execute %}
        coalesce(cast(isdeleted as {{ dbt.type_boolean() }}), false) as is_deleted,
        {%- else %}
        false as is_deleted,
        {%- endif %}
        _snapshot_id as snapshot_id,
        _snapshot_at as snapshot_at,
        _source_file,
        _file_sha256,
        _row_number,
        _loaded_at
    from source
    where _snapshot_id = (select snapshot_id from newest_snapshot)

)

select * from renamed
{%- endmacro %}
