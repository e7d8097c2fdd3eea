{#- Business rules written once and used by several models. -#}

{#- campaign_key = the campaign name lower-cased, trimmed, inner white space collapsed.
    An empty name gives NULL (no campaign). -#}
{% macro campaign_key(expr) -%}
    nullif(lower(trim({{ revops.regex_replace_all(expr, '\\s+', ' ') }})), '')
{%- endmacro %}

{#- Rates with a zero (or missing) denominator are NULL, never 0 and never an error;
    both sides are cast to a float first because 7/2 is 3 on Postgres. -#}
{% macro safe_divide(numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        else cast({{ numerator }} as {{ revops.type_double() }})
            / cast({{ denominator }} as {{ revops.type_double() }})
    end
{%- endmacro %}

{#- Money is decimal(18, 2) in every mart, never float. -#}
{% macro money(expr) -%}
    cast({{ expr }} as decimal(18, 2))
{%- endmacro %}

{#- email_sha256 is the SHA-256 hex of the lower-cased, trimmed email. -#}
{% macro email_sha256(expr) -%}
    case
        when nullif(trim({{ expr }}), '') is not null
            then {{ revops.sha256('lower(trim(' ~ expr ~ '))') }}
    end
{%- endmacro %}

{#- Host of a URL without `www.`, port, path or query: the referrer's source. -#}
{% macro url_host(url) -%}
    nullif(
        {{ revops.regex_replace_all(
            "lower(split_part(split_part(split_part(split_part(split_part("
            ~ url ~ ", '://', 2), '/', 1), '?', 1), '#', 1), ':', 1))",
            '^www\\.', ''
        ) }},
        ''
    )
{%- endmacro %}

{#- A URL without its query string and fragment (the landing page). -#}
{% macro url_without_query(url) -%}
    nullif(split_part(split_part({{ url }}, '?', 1), '#', 1), '')
{%- endmacro %}

{#- Lower-cased, trimmed text for rule matching; NULL becomes ''. -#}
{% macro rule_text(expr) -%}
    coalesce(lower(trim({{ expr }})), '')
{%- endmacro %}

{#- The column name part of a rejection reason (var disqualified_reasons): lower-cased, every
    run of other characters than letters and digits an underscore (`No Budget` -> `no_budget`),
    so mart_campaign_performance has disqualified_no_budget_share. -#}
{% macro reason_column(reason) -%}
    {{- modules.re.sub('[^a-z0-9]+', '_', reason | string | lower).strip('_') -}}
{%- endmacro %}
