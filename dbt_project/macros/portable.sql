{#- Engine-specific SQL lives here, one dispatched macro per idiom, so that intermediate and
    mart models stay portable to Postgres and Spark (each macro says which engine forms it covers). -#}

{#- SHA-256 hex of a string (email_sha256, GA4 user_id stitching). -#}
{% macro sha256(expr) -%}
    {{ return(adapter.dispatch('sha256', 'revops')(expr)) }}
{%- endmacro %}
{% macro default__sha256(expr) -%}
    sha256({{ expr }})
{%- endmacro %}
{% macro postgres__sha256(expr) -%}
    encode(sha256(convert_to({{ expr }}, 'UTF8')), 'hex')
{%- endmacro %}
{% macro spark__sha256(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}

{#- True when the whole string matches the regular expression (patterns are anchored). -#}
{% macro regex_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'revops')(expr, pattern)) }}
{%- endmacro %}
{% macro default__regex_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, {{ pattern }})
{%- endmacro %}
{% macro postgres__regex_matches(expr, pattern) -%}
    ({{ expr }} ~ {{ pattern }})
{%- endmacro %}
{% macro spark__regex_matches(expr, pattern) -%}
    ({{ expr }} rlike {{ pattern }})
{%- endmacro %}

{#- Replace every match of a regular expression. -#}
{% macro regex_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all', 'revops')(expr, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regex_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}
{#- Spark string literals treat a backslash as an escape: double it. -#}
{% macro spark__regex_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern | replace("\\", "\\\\") }}', '{{ replacement }}')
{%- endmacro %}

{#- Value of one query-string parameter of a URL (`fbclid`, `li_fat_id`, `utm_source`),
    NULL when the URL does not carry it. -#}
{% macro url_query_param(url, name) -%}
    {{ return(adapter.dispatch('url_query_param', 'revops')(url, name)) }}
{%- endmacro %}
{% macro default__url_query_param(url, name) -%}
    nullif(regexp_extract({{ url }}, '[?&]{{ name }}=([^&#]*)', 1), '')
{%- endmacro %}
{% macro postgres__url_query_param(url, name) -%}
    nullif(substring({{ url }} from '[?&]{{ name }}=([^&#]*)'), '')
{%- endmacro %}
{% macro spark__url_query_param(url, name) -%}
    nullif(regexp_extract({{ url }}, '[?&]{{ name }}=([^&#]*)', 1), '')
{%- endmacro %}

{#- A 64-bit float. dbt.type_float() is a 32-bit `float` on DuckDB, too coarse for rates. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'revops')()) }}
{%- endmacro %}
{% macro default__type_double() -%}
    double precision
{%- endmacro %}
{% macro spark__type_double() -%}
    double
{%- endmacro %}

{#- A naive timestamp written in time zone `zone` (an IANA name from configuration, e.g.
    var hubspot_timezone), as a naive UTC timestamp. The name is validated, never pasted
    unchecked into SQL; `UTC` needs no conversion. -#}
{% macro from_time_zone(expr, zone) -%}
    {%- set zone = zone | string | trim -%}
    {%- if not modules.re.match('^[A-Za-z][A-Za-z0-9_+/-]*$', zone) -%}
        {{ exceptions.raise_compiler_error("time zone " ~ (zone | tojson) ~ " is not an IANA time zone name (e.g. UTC, Europe/Berlin, America/New_York)") }}
    {%- endif -%}
    {%- if zone | upper in ('UTC', 'ETC/UTC', 'GMT', 'Z') -%}
        {{ expr }}
    {%- else -%}
        {{ return(adapter.dispatch('from_time_zone', 'revops')(expr, zone)) }}
    {%- endif -%}
{%- endmacro %}
{#- DuckDB: timezone(zone, timestamp) reads the timestamp in that zone (a TIMESTAMPTZ);
    timezone('UTC', timestamptz) writes it as UTC wall time. -#}
{% macro default__from_time_zone(expr, zone) -%}
    cast(timezone('UTC', timezone('{{ zone }}', {{ expr }})) as {{ dbt.type_timestamp() }})
{%- endmacro %}
{% macro postgres__from_time_zone(expr, zone) -%}
    (({{ expr }}) at time zone '{{ zone }}' at time zone 'UTC')
{%- endmacro %}
{% macro spark__from_time_zone(expr, zone) -%}
    to_utc_timestamp({{ expr }}, '{{ zone }}')
{%- endmacro %}

{#- GA4's nested export (staging only): the keys of a row's event_params list, as a list column
    to look each parameter up in once (ga4_event_param). -#}
{% macro ga4_event_param_keys(params) -%}
    {{ return(adapter.dispatch('ga4_event_param_keys', 'revops')(params)) }}
{%- endmacro %}
{% macro default__ga4_event_param_keys(params) -%}
    list_transform({{ params }}, lambda p: p.key)
{%- endmacro %}
{% macro spark__ga4_event_param_keys(params) -%}
    transform({{ params }}, p -> p.key)
{%- endmacro %}

{#- The value struct of the first event_params entry whose key is `key` (NULL when none is):
    its position in the keys list from ga4_event_param_keys. DuckDB lists are 1-based and a
    NULL position gives NULL; Spark's [] is 0-based and array_position says 0 for none, and
    index -1 is NULL with ANSI mode off (dbt-spark's setting). -#}
{% macro ga4_event_param(params, keys, key) -%}
    {{ return(adapter.dispatch('ga4_event_param', 'revops')(params, keys, key)) }}
{%- endmacro %}
{% macro default__ga4_event_param(params, keys, key) -%}
    {{ params }}[list_position({{ keys }}, '{{ key }}')]
{%- endmacro %}
{% macro spark__ga4_event_param(params, keys, key) -%}
    {{ params }}[cast(array_position({{ keys }}, '{{ key }}') as int) - 1]
{%- endmacro %}

{#- A date written as text in a fixed format, given in strftime's codes (`%Y%m%d`). -#}
{% macro parse_date(expr, strftime_format) -%}
    {{ return(adapter.dispatch('parse_date', 'revops')(expr, strftime_format)) }}
{%- endmacro %}
{% macro default__parse_date(expr, strftime_format) -%}
    cast(strptime({{ expr }}, '{{ strftime_format }}') as date)
{%- endmacro %}
{% macro spark__parse_date(expr, strftime_format) -%}
    {%- set pattern = strftime_format | replace('%Y', 'yyyy') | replace('%m', 'MM') | replace('%d', 'dd') -%}
    to_date({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{#- A naive UTC timestamp from microseconds since the Unix epoch (GA4's event_timestamp). -#}
{% macro timestamp_from_micros(expr) -%}
    {{ return(adapter.dispatch('timestamp_from_micros', 'revops')(expr)) }}
{%- endmacro %}
{% macro default__timestamp_from_micros(expr) -%}
    make_timestamp({{ expr }})
{%- endmacro %}
{#- The session time zone is UTC (profiles.yml), so the instant prints as UTC wall time. -#}
{% macro spark__timestamp_from_micros(expr) -%}
    timestamp_micros({{ expr }})
{%- endmacro %}

{#- The incremental settings of a model rebuilt whole per `key` (a day, a CRM snapshot): a run
    selects every row of the keys it rebuilds, and those keys' old rows go. DuckDB: delete+insert
    on the key. Spark: no merge or delete on plain Parquet tables (that needs Delta or Iceberg),
    so the table is partitioned by the key and insert_overwrite replaces the partitions the run
    wrote (dynamic partition overwrite); the key column is the table's last column there.
    Use: config(materialized='incremental', **revops.incremental_by_key('date_day')). -#}
{% macro incremental_by_key(key) -%}
    {{ return(adapter.dispatch('incremental_by_key', 'revops')(key)) }}
{%- endmacro %}
{% macro default__incremental_by_key(key) -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': key}) }}
{%- endmacro %}
{% macro spark__incremental_by_key(key) -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [key], 'file_format': 'parquet'}) }}
{%- endmacro %}
