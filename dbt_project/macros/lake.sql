{#- The raw layer on Spark: every source table of schema `raw` is an external Parquet table over
    its folder of the lake ingest writes (REVOPS_LAKE_DIR/<raw table>/*.parquet, one file per
    landing file, plus an empty schema.parquet, so a table nothing was delivered for exists
    empty). Run as an on-run-start hook; other engines keep their raw tables as ingest wrote
    them. The table is re-created each run (metadata only: dropping an external table keeps its
    files), so columns a newer file added (Salesforce custom fields) are seen: mergeSchema. -#}
{% macro register_raw_lake() -%}
    {{ return(adapter.dispatch('register_raw_lake', 'revops')()) }}
{%- endmacro %}

{% macro default__register_raw_lake() -%}{%- endmacro %}

{% macro spark__register_raw_lake() -%}
    {%- if execute -%}
        {%- set lake = env_var('REVOPS_LAKE_DIR', env_var('REVOPS_WAREHOUSE', 'data/warehouse.duckdb') ~ '.lake') | trim -%}
        {%- set identifiers = [] -%}
        {%- for node in graph.sources.values() -%}
            {%- if node.schema == 'raw' and node.identifier not in identifiers -%}
                {%- do identifiers.append(node.identifier) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for identifier in identifiers | sort -%}
            {%- do run_query('drop table if exists raw.' ~ identifier) -%}
            {%- do run_query("create table raw." ~ identifier ~ " using parquet options (mergeSchema 'true') location '" ~ lake ~ "/" ~ identifier ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}

{%- endmacro %}

{#- `dbt run-operation revops.spark_session_ready`: starts the engine and its catalog and runs
    one query (benchmarks/bench_spark.py times Spark's JVM, session and metastore start-up). -#}
{% macro spark_session_ready() -%}
    {%- do run_query('show databases') -%}
{%- endmacro %}
