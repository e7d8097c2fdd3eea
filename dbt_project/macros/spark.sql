{#- Where dbt-spark's own macros would make the project's results differ from DuckDB's, the
    project overrides them for Spark here (dbt searches the root project first for `spark__`
    macros of the dbt namespace). -#}

{#- Model contracts (the mart yml files) name their column types as DuckDB and the serving
    database know them: varchar, double, decimal(18,2), timestamp, bigint, integer, boolean, date.
    dbt checks a contract by casting NULL to each declared type and comparing the column types
    the engine reports for that query and for the model's query, so a declared type only has to be
    one the engine can cast to. Spark has no unsized varchar: contract_type() maps it (and text)
    to string for Spark; every other name is the same on both engines. -#}
{% macro contract_type(data_type) -%}
    {{ return(adapter.dispatch('contract_type', 'revops')(data_type)) }}
{%- endmacro %}

{% macro default__contract_type(data_type) -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro spark__contract_type(data_type) -%}
    {%- set normalized = (data_type or '') | trim | lower -%}
    {%- if normalized in ('varchar', 'text', 'character varying') -%}
        {{ return(dbt.type_string()) }}
    {%- endif -%}
    {{ return(data_type) }}
{%- endmacro %}

{#- dbt's contract check on Spark, with the declared types through contract_type(). -#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set translated = {} -%}
    {%- for name in columns -%}
        {%- set column = {} -%}
        {%- do column.update(columns[name]) -%}
        {%- if column.get('data_type') is not none -%}
            {%- do column.update({'data_type': revops.contract_type(column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: column}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{%- endmacro %}

{#- Seeds on Spark: dbt-spark's session method pastes each bound CSV value into the insert as
    '<value>' unescaped, so a backslash is eaten as a string escape (the channel rules'
    patterns `^(\(direct\))?$` lost theirs) and a quote breaks the statement. The same insert with
    every value written as an escaped literal and cast to the column's type. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- if value is none -%}
                        cast(null as {{ types[loop.index0] }})
                    {%- else -%}
                        cast('{{ dbt.escape_single_quotes(value | string) }}' as {{ types[loop.index0] }})
                    {%- endif -%}
                    {%- if not loop.last %},{% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#- A string literal's content on Spark: Spark reads a backslash in a literal as an escape, so
    dbt-spark's version (quotes only) turned unit-test fixtures and seed values such as the
    channel rules' `^(\(direct\))?$` into different patterns. -#}
{% macro spark__escape_single_quotes(expression) -%}
{{ expression | replace("\\", "\\\\") | replace("'", "\\'") }}
{%- endmacro %}

{#- Tables on Spark are external tables at the place Spark would keep them anyway (the live
    session's spark.sql.warehouse.dir, then <schema>.db/<name>). A run killed while Spark wrote
    a managed table leaves that folder without a table in the metastore, and Spark refuses to
    create a managed table over an existing folder (LOCATION_ALREADY_EXISTS): the next run could
    not build it. An external table is written over its folder instead (profiles.yml allows a
    non-empty location for create-table-as-select), and dropping one keeps its files, which the
    next create writes over. Models and stored test failures only: a seed is created empty and
    then inserted into, which must not find an older seed's files. A `location_root` config
    still wins, as in dbt-spark. -#}
{% macro spark__location_clause() -%}
    {%- set location_root = config.get('location_root', validator=validation.any[basestring]) -%}
    {%- if location_root is not none -%}
        location '{{ location_root }}/{{ model['alias'] }}'
    {%- elif model['resource_type'] in ('model', 'test') -%}
        {%- set warehouse = run_query('set spark.sql.warehouse.dir').columns[1].values()[0] -%}
        location '{{ warehouse.rstrip('/') }}/{{ model['schema'] }}.db/{{ model['alias'] }}'
    {%- endif -%}
{%- endmacro %}
