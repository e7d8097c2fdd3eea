{#- One row per CRM user who can own records, of every CRM: Salesforce Users and HubSpot
    owners (an archived owner is inactive). -#}
with

salesforce_users as (

    select * from {{ ref('stg_salesforce__user') }}

),

hubspot_owners as (

    select * from {{ ref('stg_hubspot__owners') }}
    where owner_id is not null

),

unioned as (

    select
        cast('salesforce' as {{ dbt.type_string() }}) as crm,
        user_id as owner_id,
        {#- Data Export writes Name; Data Loader exports and the demo often only First/LastName. #}
        coalesce(
            nullif(trim(user_name), ''),
            nullif(trim(concat(coalesce(trim(first_name), ''), ' ', coalesce(trim(last_name), ''))), '')
        ) as owner_name,
        coalesce(is_active, true) as is_active
    from salesforce_users
    where user_id is not null
    union all
    select
        cast('hubspot' as {{ dbt.type_string() }}) as crm,
        owner_id,
        nullif(trim(concat(coalesce(trim(first_name), ''), ' ', coalesce(trim(last_name), ''))), '')
            as owner_name,
        not coalesce(is_archived, false) as is_active
    from hubspot_owners

)

select * from unioned
