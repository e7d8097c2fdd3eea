with

lifecycle as (

    select * from {{ ref('int_leads__lifecycle') }}

),

sources as (

    select * from {{ ref('int_leads__sourced') }}

),

opportunities as (

    select * from {{ ref('int_opportunities__sourced') }}

),

users as (

    select owner_id, owner_name from {{ ref('dim_users') }}

),

final as (

    select
        lifecycle.lead_id,
        lifecycle.crm,
        lifecycle.created_at,
        lifecycle.email_sha256,
        lifecycle.company,
        lifecycle.country,
        lifecycle.owner_id,
        users.owner_name,
        lifecycle.status,
        sources.source_kind,
        sources.source,
        sources.medium,
        sources.campaign_key,
        sources.channel,
        lifecycle.mql_at,
        lifecycle.first_sales_touch_at,
        lifecycle.sql_at,
        lifecycle.opportunity_id,
        lifecycle.disqualified_reason,
        lifecycle.is_mql,
        lifecycle.is_sql,
        lifecycle.is_disqualified,
        coalesce(opportunities.is_won, false) as is_won,
        coalesce(opportunities.won_amount, {{ revops.money(0) }}) as won_amount,
        lifecycle.outcome,
        lifecycle.sla_status
    from lifecycle
    left join sources
        on sources.lead_id = lifecycle.lead_id
    left join opportunities
        on opportunities.opportunity_id = lifecycle.opportunity_id
    left join users
        on users.owner_id = lifecycle.owner_id

)

select * from final
