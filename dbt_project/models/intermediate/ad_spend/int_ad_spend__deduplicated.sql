{#- One row per (platform, date_day, campaign_id): overlapping exports resolved (the
    newest file that has the key wins, by modification time, ties by file name; a row of an
    older file stays when no newer file has its key), campaign_key and channel assigned
    (campaign map first), money converted to the reporting currency. -#}
with

unioned as (

    select * from {{ ref('int_ad_spend__unioned') }}

),

campaign_map as (

    select * from {{ ref('campaign_map') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates__to_reporting') }}

),

{#- A file could hold more than one row of a key (an extra segment): they add up. -#}
file_rows as (

    select
        platform,
        date_day,
        campaign_id,
        _source_file,
        _file_modified_at,
        max(platform_channel) as platform_channel,
        max(account_name) as account_name,
        max(campaign_name) as campaign_name,
        max(currency) as currency,
        sum(spend_local) as spend_local,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks,
        sum(platform_conversions) as platform_conversions
    from unioned
    group by platform, date_day, campaign_id, _source_file, _file_modified_at

),

ranked as (

    select
        file_rows.*,
        row_number() over (
            partition by platform, date_day, campaign_id
            order by _file_modified_at desc nulls last, _source_file desc nulls last
        ) as file_rank
    from file_rows

),

newest as (

    select * from ranked where file_rank = 1

),

keyed as (

    select
        newest.platform,
        newest.date_day,
        newest.account_name,
        newest.campaign_id,
        newest.campaign_name,
        coalesce(
            nullif(trim(campaign_map.campaign_key), ''),
            {{ revops.campaign_key('newest.campaign_name') }},
            {{ revops.campaign_key('newest.campaign_id') }}
        ) as campaign_key,
        coalesce(nullif(trim(campaign_map.channel), ''), newest.platform_channel) as channel,
        upper(coalesce(nullif(trim(newest.currency), ''), '{{ var("reporting_currency") }}'))
            as currency,
        newest.spend_local,
        newest.impressions,
        newest.clicks,
        newest.platform_conversions,
        newest._source_file,
        newest._file_modified_at
    from newest
    left join campaign_map
        on campaign_map.platform = newest.platform
        and campaign_map.campaign_id = newest.campaign_id

),

converted as (

    select
        keyed.*,
        fx_rates.rate_to_reporting,
        {{ revops.money('keyed.spend_local * fx_rates.rate_to_reporting') }} as spend
    from keyed
    left join fx_rates
        on fx_rates.currency = keyed.currency

)

select * from converted
