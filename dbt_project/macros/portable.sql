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
