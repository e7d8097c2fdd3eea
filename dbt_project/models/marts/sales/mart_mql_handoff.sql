with

leads as (

    select * from {{ ref('dim_leads') }}
    where is_mql

),

lifecycle as (

    select * from {{ ref('int_leads__lifecycle') }}

),

users as (

    select owner_id, owner_name from {{ ref('dim_users') }}

),

final as (

    select
        leads.lead_id,
        leads.mql_at,
        leads.owner_id,
        users.owner_name,
        lifecycle.is_owned_by_queue,
        leads.channel,
        leads.campaign_key,
        leads.first_sales_touch_at,
        lifecycle.response_hours,
        cast({{ var('sla_hours') }} as {{ dbt.type_int() }}) as sla_hours,
        lifecycle.sla_status,
        lifecycle.outcome,
        leads.disqualified_reason,
        leads.opportunity_id,
        leads.is_won,
        leads.won_amount,
        lifecycle.as_of_at
    from leads
    inner join lifecycle
        on lifecycle.lead_id = leads.lead_id
    left join users
        on users.owner_id = leads.owner_id

)

select * from final
