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

{#- One staging model per Salesforce object, from a field list (API name, column, kind):
    the newest snapshot of the object only (every export is a full snapshot: the newest is the truth, whole),
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

newest_snapshot as (

    select max(_snapshot_at) as snapshot_at from source

),

renamed as (

    select
        {%- for api_name, column_name, kind in fields %}
        {%- set raw_name = api_name | lower %}
        {%- if raw_name in present or not execute %}
        cast({{ raw_name }} as {{ revops.salesforce_type(kind) }}) as {{ column_name }},
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
    where _snapshot_at = (select snapshot_at from newest_snapshot)

)

select * from renamed
{%- endmacro %}
