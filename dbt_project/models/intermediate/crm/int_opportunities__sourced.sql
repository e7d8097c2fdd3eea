{#- One row per opportunity of every CRM with its source (docs/definitions.md#opportunity-source): the
    converted lead's source; else its primary CRM campaign (name as campaign_key, channel from
    the campaign map's row for that CRM, else Other); else Sales Sourced. Amounts are converted
    to the reporting currency. -#}
with

opportunities as (

    select * from {{ ref('int_crm__opportunities') }}

),

leads as (

    select * from {{ ref('int_crm__leads') }}

),

lead_sources as (

    select * from {{ ref('int_leads__sourced') }}

),

campaign_map as (

    select * from {{ ref('campaign_map') }}
    where platform in ('salesforce', 'hubspot')

),

fx_rates as (

    select * from {{ ref('int_fx_rates__to_reporting') }}

),

as_of as (

    select * from {{ ref('int_crm__as_of') }}

),

{#- Merged leads can convert into one opportunity: the earliest-created lead is its source. #}
converting_leads as (

    select
        opportunity_id,
        lead_id,
        row_number() over (
            partition by opportunity_id
            order by created_at asc nulls last, lead_id asc nulls last
        ) as lead_rank
    from leads
    where is_converted
        and opportunity_id is not null

),

source_lead as (

    select opportunity_id, lead_id from converting_leads where lead_rank = 1

),

joined as (

    select
        opportunities.*,
        source_lead.lead_id,
        lead_sources.channel as lead_channel,
        lead_sources.campaign_key as lead_campaign_key,
        campaign_map.campaign_key as mapped_campaign_key,
        campaign_map.channel as mapped_channel,
        upper(coalesce(nullif(trim(opportunities.currency_code), ''), '{{ var("reporting_currency") }}'))
            as currency,
        as_of.as_of_at
    from opportunities
    cross join as_of
    left join source_lead
        on source_lead.opportunity_id = opportunities.opportunity_id
    left join lead_sources
        on lead_sources.lead_id = source_lead.lead_id
    left join campaign_map
        on campaign_map.platform = opportunities.crm
        and campaign_map.campaign_id = opportunities.crm_campaign_id

),

sourced as (

    select
        joined.*,
        case
            when lead_id is not null then 'converted_lead'
            when crm_campaign_id is not null then 'crm_campaign'
            else 'sales'
        end as source_kind
    from joined

),

final as (

    select
        sourced.crm,
        sourced.opportunity_id,
        sourced.account_id,
        sourced.owner_id,
        sourced.opportunity_name,
        sourced.created_at,
        sourced.close_date,
        sourced.stage_name,
        coalesce(sourced.is_closed, false) as is_closed,
        coalesce(sourced.is_won, false) as is_won,
        sourced.currency,
        sourced.amount as amount_local,
        {{ revops.money('sourced.amount * fx_rates.rate_to_reporting') }} as amount,
        case
            when coalesce(sourced.is_won, false)
                then {{ revops.money('sourced.amount * fx_rates.rate_to_reporting') }}
            else {{ revops.money(0) }}
        end as won_amount,
        sourced.lead_id,
        sourced.crm_campaign_id,
        sourced.source_kind,
        case sourced.source_kind
            when 'converted_lead' then sourced.lead_channel
            when 'crm_campaign' then coalesce(nullif(trim(sourced.mapped_channel), ''), 'Other')
            else 'Sales Sourced'
        end as channel,
        case sourced.source_kind
            when 'converted_lead' then sourced.lead_campaign_key
            when 'crm_campaign' then coalesce(
                nullif(trim(sourced.mapped_campaign_key), ''),
                {{ revops.campaign_key('sourced.crm_campaign_name') }}
            )
        end as campaign_key,
        case
            when coalesce(sourced.is_closed, false) then
                cast({{ dbt.datediff('cast(sourced.created_at as date)', 'sourced.close_date', 'day') }} as {{ dbt.type_bigint() }})
        end as days_to_close,
        sourced.as_of_at
    from sourced
    left join fx_rates
        on fx_rates.currency = sourced.currency

)

select * from final
