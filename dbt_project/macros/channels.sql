{#- Channel grouping (docs/definitions.md#channel). `pairs` names a CTE with lower-cased,
    trimmed text columns `source_key` and `medium_key` ('' when empty); the macro renders a
    select of (source_key, medium_key, channel): the channel of the first rule in seed `channel_rules`
    whose clause matches, `Other` when none does. Rules are data: edit the seed, not SQL. -#}
{% macro classify_channels(pairs) -%}
    select
        {{ pairs }}.source_key,
        {{ pairs }}.medium_key,
        coalesce(first_match.channel, 'Other') as channel
    from {{ pairs }}
    left join (
        select source_key, medium_key, channel
        from (
            select
                candidates.source_key,
                candidates.medium_key,
                rules.channel,
                row_number() over (
                    partition by candidates.source_key, candidates.medium_key
                    order by rules.rule_order asc nulls last, rules.channel asc nulls last
                ) as match_rank
            from {{ pairs }} as candidates
            cross join {{ ref('channel_rules') }} as rules
            left join {{ ref('source_categories') }} as categories
                on categories.source = candidates.source_key
                and categories.category = rules.source_category
            where
                (coalesce(rules.source_category, '') = '' or categories.source is not null)
                and (
                    coalesce(rules.source_pattern, '') = ''
                    or {{ revops.regex_matches('candidates.source_key', 'rules.source_pattern') }}
                )
                and (
                    coalesce(rules.medium_pattern, '') = ''
                    or {{ revops.regex_matches('candidates.medium_key', 'rules.medium_pattern') }}
                )
        ) as ranked
        where match_rank = 1
    ) as first_match
        on first_match.source_key = {{ pairs }}.source_key
        and first_match.medium_key = {{ pairs }}.medium_key
{%- endmacro %}

{#- Union of the ad platforms into one conformed daily campaign grain, after Fivetran's
    dbt_ad_reporting: each platform is a mapping {platform, relation, default_channel,
    fields: {conformed column: platform column}}; an unmapped column is NULL. Columns are cast
    by the conformed list below, so every branch of the union has the same types and order. -#}
{% macro union_ad_platforms(platforms) -%}
    {%- set conformed = [
        ('date_day', 'date'),
        ('account_name', dbt.type_string()),
        ('campaign_id', dbt.type_string()),
        ('campaign_name', dbt.type_string()),
        ('currency', dbt.type_string()),
        ('spend_local', 'decimal(18, 6)'),
        ('impressions', dbt.type_bigint()),
        ('clicks', dbt.type_bigint()),
        ('platform_conversions', revops.type_double()),
        ('_source_file', dbt.type_string()),
        ('_file_modified_at', dbt.type_timestamp()),
        ('_row_number', dbt.type_bigint()),
    ] -%}
    {%- for platform in platforms %}
    select
        cast('{{ platform.platform }}' as {{ dbt.type_string() }}) as platform,
        cast('{{ platform.default_channel }}' as {{ dbt.type_string() }}) as platform_channel,
        {%- for column_name, data_type in conformed %}
        cast({{ platform.fields.get(column_name, column_name if column_name.startswith('_') else 'null') }} as {{ data_type }}) as {{ column_name }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ platform.relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
