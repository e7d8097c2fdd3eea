{{ config(meta={'dagster': {'ref': {'name': 'mart_funnel_daily'}}}) }}
{#- Spend in = spend out: mart_funnel_daily = fct_ad_spend_daily = the deduplicated raw ad
    rows, recomputed here from the raw tables with the ingest rule (per platform, day and
    campaign, the newest file that has the key) and the same currency conversion. -#}
{%- set reporting_currency = var('reporting_currency') | upper -%}
{%- set platforms = [
    ('google_ads', 'day', 'cost', 'currency_code'),
    ('meta_ads', 'reporting_starts', 'amount_spent', 'currency'),
    ('linkedin_ads', 'start_date', 'total_spent', 'currency'),
] -%}
with

raw_rows as (

    {% for platform, day_column, spend_column, currency_column in platforms %}
    select
        '{{ platform }}' as platform,
        {{ day_column }} as date_day,
        campaign_id,
        upper(coalesce(nullif(trim({{ currency_column }}), ''), '{{ reporting_currency }}')) as currency,
        {{ spend_column }} as spend_local,
        _source_file,
        _file_modified_at
    from {{ source(platform, 'campaign_stats') }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

per_file as (

    select
        platform,
        date_day,
        campaign_id,
        _source_file,
        _file_modified_at,
        max(currency) as currency,
        sum(spend_local) as spend_local
    from raw_rows
    group by platform, date_day, campaign_id, _source_file, _file_modified_at

),

ranked as (

    select
        per_file.*,
        row_number() over (
            partition by platform, date_day, campaign_id
            order by _file_modified_at desc nulls last, _source_file desc nulls last
        ) as file_rank
    from per_file

),

rates as (

    select upper(trim(currency)) as currency, rate
    from {{ ref('fx_rates') }}
    where upper(trim(reporting_currency)) = '{{ reporting_currency }}'
    union all
    select '{{ reporting_currency }}', 1

),

raw_total as (

    select coalesce(sum(cast(ranked.spend_local * rates.rate as decimal(18, 2))), 0) as spend
    from ranked
    inner join rates
        on rates.currency = ranked.currency
    where ranked.file_rank = 1

),

fact_total as (

    select coalesce(sum(spend), 0) as spend from {{ ref('fct_ad_spend_daily') }}

),

funnel_total as (

    select coalesce(sum(spend), 0) as spend from {{ ref('mart_funnel_daily') }}

)

select
    raw_total.spend as raw_spend,
    fact_total.spend as fct_ad_spend_daily_spend,
    funnel_total.spend as mart_funnel_daily_spend
from raw_total
cross join fact_total
cross join funnel_total
where raw_total.spend <> fact_total.spend
    or fact_total.spend <> funnel_total.spend
