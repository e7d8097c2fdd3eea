{{ config(meta={'dagster': {'ref': {'name': 'mart_funnel_daily'}}}, **revops.check_severity('error')) }}
{#- Spend in = spend out: mart_funnel_daily = fct_ad_spend_daily = the deduplicated raw ad
    rows, recomputed here from the raw tables with the ingest rule (per platform, day and
    campaign, the newest file that has the key) and the same currency conversion. Compared
    key by key, so a failing row names what differs: a platform x day x campaign (raw rows vs
    fct_ad_spend_daily, with the raw file that won) or a day x channel x campaign_key
    (fct_ad_spend_daily vs mart_funnel_daily). -#}
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

raw_spend as (

    select
        ranked.platform,
        ranked.date_day,
        ranked.campaign_id,
        ranked._source_file,
        cast(ranked.spend_local * rates.rate as decimal(18, 2)) as spend
    from ranked
    inner join rates
        on rates.currency = ranked.currency
    where ranked.file_rank = 1

),

fact_spend as (

    select platform, date_day, campaign_id, source_file, spend, channel, campaign_key
    from {{ ref('fct_ad_spend_daily') }}

),

raw_vs_fact as (

    select
        'raw ad rows vs fct_ad_spend_daily' as compared,
        coalesce(raw_spend.platform, fact_spend.platform) as platform,
        coalesce(raw_spend.date_day, fact_spend.date_day) as date_day,
        coalesce(raw_spend.campaign_id, fact_spend.campaign_id) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as campaign_key,
        coalesce(raw_spend._source_file, fact_spend.source_file) as _source_file,
        coalesce(raw_spend.spend, 0) as expected_spend,
        coalesce(fact_spend.spend, 0) as actual_spend
    from raw_spend
    full outer join fact_spend
        on fact_spend.platform = raw_spend.platform
        and fact_spend.date_day = raw_spend.date_day
        and fact_spend.campaign_id = raw_spend.campaign_id

),

fact_by_funnel_key as (

    select
        date_day,
        channel,
        coalesce(campaign_key, '(none)') as campaign_key,
        sum(coalesce(spend, 0)) as spend
    from fact_spend
    group by date_day, channel, coalesce(campaign_key, '(none)')

),

funnel_spend as (

    select date_day, channel, campaign_key, spend
    from {{ ref('mart_funnel_daily') }}
    where spend <> 0

),

fact_vs_funnel as (

    select
        'fct_ad_spend_daily vs mart_funnel_daily' as compared,
        cast(null as {{ dbt.type_string() }}) as platform,
        coalesce(fact_by_funnel_key.date_day, funnel_spend.date_day) as date_day,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        coalesce(fact_by_funnel_key.channel, funnel_spend.channel) as channel,
        coalesce(fact_by_funnel_key.campaign_key, funnel_spend.campaign_key) as campaign_key,
        cast(null as {{ dbt.type_string() }}) as _source_file,
        coalesce(fact_by_funnel_key.spend, 0) as expected_spend,
        coalesce(funnel_spend.spend, 0) as actual_spend
    from fact_by_funnel_key
    full outer join funnel_spend
        on funnel_spend.date_day = fact_by_funnel_key.date_day
        and funnel_spend.channel = fact_by_funnel_key.channel
        and funnel_spend.campaign_key = fact_by_funnel_key.campaign_key

),

compared as (

    select * from raw_vs_fact
    union all
    select * from fact_vs_funnel

)

select * from compared
where expected_spend <> actual_spend
