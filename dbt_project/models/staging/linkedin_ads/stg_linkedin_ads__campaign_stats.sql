with

source as (

    select * from {{ source('linkedin_ads', 'campaign_stats') }}

),

renamed as (

    select
        ---------- keys
        cast(start_date as date) as date_day,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(campaign_name as {{ dbt.type_string() }}) as campaign_name,
        cast(campaign_group_name as {{ dbt.type_string() }}) as campaign_group_name,
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(currency as {{ dbt.type_string() }}) as currency_code,

        ---------- numerics
        cast(total_spent as decimal(18, 6)) as total_spent,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(leads as {{ dbt.type_bigint() }}) as leads,

        ---------- lineage
        {{ revops.file_lineage_columns() }}
    from source

)

select * from renamed
