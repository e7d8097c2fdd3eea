{#- One row per campaign response of a lead or contact, of every CRM: Salesforce
    CampaignMembers that responded (HasResponded), at FirstRespondedDate (00:00 UTC), with
    the campaign's name. HubSpot exports have no campaign membership object, so a HubSpot
    company has none here. -#}
with

members as (

    select * from {{ ref('stg_salesforce__campaign_member') }}
    where not is_deleted
        and coalesce(has_responded, false)

),

campaigns as (

    select campaign_id, campaign_name from {{ ref('stg_salesforce__campaign') }}

),

final as (

    select
        cast('salesforce' as {{ dbt.type_string() }}) as crm,
        members.campaign_member_id as response_id,
        members.campaign_id,
        campaigns.campaign_name,
        members.lead_id,
        members.contact_id,
        cast(members.first_responded_date as {{ dbt.type_timestamp() }}) as responded_at
    from members
    left join campaigns
        on campaigns.campaign_id = members.campaign_id

)

select * from final
