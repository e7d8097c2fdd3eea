with

opportunities as (

    select * from {{ ref('int_opportunities__sourced') }}

),

users as (

    select owner_id, owner_name from {{ ref('dim_users') }}

),

final as (

    select
        opportunity_id,
        crm,
        account_id,
        opportunities.owner_id,
        users.owner_name,
        opportunity_name,
        created_at,
        close_date,
        stage_name,
        is_closed,
        is_won,
        currency,
        {{ revops.money('amount_local') }} as amount_in_currency,
        amount,
        won_amount,
        lead_id,
        crm_campaign_id,
        source_kind,
        channel,
        campaign_key,
        days_to_close
    from opportunities
    left join users
        on users.owner_id = opportunities.owner_id

)

select * from final
