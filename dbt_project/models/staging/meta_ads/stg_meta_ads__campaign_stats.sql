with

source as (

    select * from {{ source('meta_ads', 'campaign_stats') }}

),

renamed as (

    select
        ---------- keys
        cast(reporting_starts as date) as date_day,
        cast(reporting_ends as date) as reporting_ends_date,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(campaign_name as {{ dbt.type_string() }}) as campaign_name,
        cast(account_name as {{ dbt.type_string() }}) as account_name,
        cast(currency as {{ dbt.type_string() }}) as currency_code,

        ---------- numerics
        cast(amount_spent as decimal(18, 6)) as amount_spent,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(reach as {{ dbt.type_bigint() }}) as reach,
        cast(link_clicks as {{ dbt.type_bigint() }}) as link_clicks,
        cast(results as {{ revops.type_double() }}) as results,
        cast(result_indicator as {{ dbt.type_string() }}) as result_indicator,

        ---------- lineage
        {{ revops.file_lineage_columns() }}
    from source

)

select * from renamed
