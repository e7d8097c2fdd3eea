with

ad_spend as (

    select * from {{ ref('int_ad_spend__deduplicated') }}

),

final as (

    select
        date_day,
        platform,
        account_name,
        campaign_id,
        campaign_name,
        campaign_key,
        channel,
        currency,
        impressions,
        clicks,
        spend,
        {{ revops.money('spend_local') }} as spend_in_currency,
        cast(rate_to_reporting as decimal(18, 8)) as fx_rate,
        platform_conversions,
        _source_file as source_file
    from ad_spend

)

select * from final
