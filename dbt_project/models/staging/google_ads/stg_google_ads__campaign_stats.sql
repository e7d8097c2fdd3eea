with

source as (

    select * from {{ source('google_ads', 'campaign_stats') }}

),

renamed as (

    select
        ---------- keys
        cast(day as date) as date_day,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(campaign_name as {{ dbt.type_string() }}) as campaign_name,
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(currency_code as {{ dbt.type_string() }}) as currency_code,

        ---------- numerics
        cast(cost as decimal(18, 6)) as cost,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(conversions as {{ revops.type_double() }}) as conversions,
        cast(conversion_value as {{ revops.type_double() }}) as conversion_value,

        ---------- lineage
        {{ revops.file_lineage_columns() }}
    from source

)

select * from renamed
