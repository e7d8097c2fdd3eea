{#- One row per opportunity of every CRM, in one shape: Salesforce Opportunities (not
    deleted, newest snapshot) with their primary Campaign's name, and HubSpot deals of the
    configured pipelines (int_hubspot__opportunities). Amounts in the opportunity's own
    currency. -#}
with

salesforce_opportunities as (

    select * from {{ ref('stg_salesforce__opportunity') }}
    where not is_deleted

),

salesforce_campaigns as (

    select campaign_id, campaign_name from {{ ref('stg_salesforce__campaign') }}

),

hubspot_opportunities as (

    select * from {{ ref('int_hubspot__opportunities') }}

),

salesforce as (

    select
        cast('salesforce' as {{ dbt.type_string() }}) as crm,
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.owner_id,
        opportunities.opportunity_name,
        opportunities.created_at,
        opportunities.close_date,
        opportunities.stage_name,
        coalesce(opportunities.is_closed, false) as is_closed,
        coalesce(opportunities.is_won, false) as is_won,
        opportunities.amount,
        opportunities.currency_code,
        opportunities.campaign_id as crm_campaign_id,
        salesforce_campaigns.campaign_name as crm_campaign_name
    from salesforce_opportunities as opportunities
    left join salesforce_campaigns
        on salesforce_campaigns.campaign_id = opportunities.campaign_id

),

hubspot as (

    select
        crm,
        opportunity_id,
        account_id,
        owner_id,
        opportunity_name,
        created_at,
        close_date,
        stage_name,
        is_closed,
        is_won,
        amount,
        currency_code,
        crm_campaign_id,
        crm_campaign_name
    from hubspot_opportunities

),

unioned as (

    select * from salesforce
    union all
    select * from hubspot

)

select * from unioned
