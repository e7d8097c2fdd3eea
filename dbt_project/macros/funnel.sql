{#- One select of mart_funnel_daily's union: a row per event with the measures it carries
    (`values`: measure -> expression) and 0 for the others, so every branch has the same
    columns in the same order. -#}
{% macro funnel_measure_row(date_expr, channel_expr, key_expr, values, relation, where=none) -%}
    {%- set measures = ['spend', 'impressions', 'clicks', 'sessions', 'leads', 'mqls', 'sqls',
                        'won_deals', 'won_revenue', 'pipeline_created'] -%}
    select
        cast({{ date_expr }} as date) as date_day,
        {{ channel_expr }} as channel,
        coalesce({{ key_expr }}, '(none)') as campaign_key,
        {%- for measure in measures %}
        {{ values.get(measure, '0') }} as {{ measure }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ relation }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
{%- endmacro %}
