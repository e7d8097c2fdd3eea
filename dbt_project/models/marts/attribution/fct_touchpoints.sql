{#- One row per touch of an opportunity's buyer before the opportunity (docs/definitions.md#touchpoints),
    in order. For an opportunity O with a converted lead L:
    - every web session of L's visitors (L's GA client id, and the visitors whose GA4 user_id is
      the SHA-256 of L's email) that started in [L.created_at - stitching_window_days,
      O.created_at] (touch_type `session`, the session's channel and campaign);
    - every campaign response (a responded CampaignMember) of L, or of the contact L converted
      into, dated (FirstRespondedDate, 00:00 UTC) in the same window (`campaign_response`; the
      campaign's name as campaign_key, the campaign map able to re-key it; channel from the
      campaign map, else the channel mart_campaign_performance gives the key, else Other);
    - the form fill, when L's source came from the UTMs it captured (`lead_source`, at
      L.created_at, L's channel and campaign);
    - L's source at L.created_at when none of these found a touch (`lead_source`).
    An opportunity without a converted lead has one touch: its own source at O.created_at
    (`opportunity_source`). Order: touch_at, then session, campaign response, lead source at
    the same instant, then the touch's own id. The first touch is position 1; the lead-creation
    touch the last one at or before L.created_at (else the first); the opportunity-creation touch
    the last one. Built from the sessions and the lead sources already computed: no second pass
    over GA4 events. -#}
{%- set window_days = var('stitching_window_days') | int -%}
with

opportunities as (

    select * from {{ ref('int_opportunities__sourced') }}

),

leads as (

    select
        leads.lead_id,
        leads.contact_id,
        leads.created_at,
        nullif(trim(leads.ga_client_id), '') as ga_client_id,
        {{ revops.email_sha256('leads.email') }} as email_sha256
    from {{ ref('int_crm__leads') }} as leads

),

lead_sources as (

    select * from {{ ref('int_leads__sourced') }}

),

sessions as (

    select
        session_key,
        user_pseudo_id,
        user_id,
        session_started_at,
        channel,
        campaign_key
    from {{ ref('int_ga4__sessions') }}

),

responses as (

    select * from {{ ref('int_crm__campaign_responses') }}

),

campaign_map as (

    select * from {{ ref('campaign_map') }}
    where platform in ('salesforce', 'hubspot')

),

campaign_channels as (

    select campaign_key, channel from {{ ref('mart_campaign_performance') }}

),

{#- The opportunities whose buyer is known: a converted lead, with the touch window. -#}
buyers as (

    select
        opportunities.opportunity_id,
        opportunities.created_at as opportunity_created_at,
        leads.lead_id,
        leads.contact_id,
        leads.created_at as lead_created_at,
        leads.ga_client_id,
        leads.email_sha256,
        {{ dbt.dateadd('day', -1 * window_days, 'leads.created_at') }} as window_start
    from opportunities
    inner join leads
        on leads.lead_id = opportunities.lead_id

),

{#- The lead's visitors: its GA client id, and every visitor who logged in with its email. -#}
buyer_visitors as (

    select opportunity_id, ga_client_id as user_pseudo_id
    from buyers
    where ga_client_id is not null
    union
    select distinct buyers.opportunity_id, sessions.user_pseudo_id
    from buyers
    inner join sessions
        on sessions.user_id = buyers.email_sha256

),

session_touches as (

    select
        buyers.opportunity_id,
        buyers.lead_id,
        sessions.session_started_at as touch_at,
        'session' as touch_type,
        1 as type_order,
        sessions.session_key as source_id,
        sessions.channel,
        sessions.campaign_key
    from buyers
    inner join buyer_visitors
        on buyer_visitors.opportunity_id = buyers.opportunity_id
    inner join sessions
        on sessions.user_pseudo_id = buyer_visitors.user_pseudo_id
    where sessions.session_started_at >= buyers.window_start
        and sessions.session_started_at <= buyers.opportunity_created_at

),

{#- A response of the lead or of its contact, once (a member row may name both). -#}
buyer_responses as (

    select
        buyers.opportunity_id,
        buyers.lead_id,
        responses.response_id,
        min(responses.responded_at) as responded_at,
        min(responses.campaign_id) as campaign_id,
        min(responses.campaign_name) as campaign_name
    from buyers
    inner join responses
        on responses.lead_id = buyers.lead_id
        or (buyers.contact_id is not null and responses.contact_id = buyers.contact_id)
    where responses.responded_at >= buyers.window_start
        and responses.responded_at <= buyers.opportunity_created_at
    group by buyers.opportunity_id, buyers.lead_id, responses.response_id

),

keyed_responses as (

    select
        buyer_responses.*,
        nullif(trim(campaign_map.channel), '') as mapped_channel,
        coalesce(
            nullif(trim(campaign_map.campaign_key), ''),
            {{ revops.campaign_key('buyer_responses.campaign_name') }}
        ) as campaign_key
    from buyer_responses
    left join campaign_map
        on campaign_map.campaign_id = buyer_responses.campaign_id

),

response_touches as (

    select
        keyed_responses.opportunity_id,
        keyed_responses.lead_id,
        keyed_responses.responded_at as touch_at,
        'campaign_response' as touch_type,
        2 as type_order,
        keyed_responses.response_id as source_id,
        coalesce(keyed_responses.mapped_channel, campaign_channels.channel, 'Other') as channel,
        keyed_responses.campaign_key
    from keyed_responses
    left join campaign_channels
        on campaign_channels.campaign_key = keyed_responses.campaign_key

),

form_fill_touches as (

    select
        buyers.opportunity_id,
        buyers.lead_id,
        buyers.lead_created_at as touch_at,
        'lead_source' as touch_type,
        3 as type_order,
        buyers.lead_id as source_id,
        lead_sources.channel,
        lead_sources.campaign_key
    from buyers
    inner join lead_sources
        on lead_sources.lead_id = buyers.lead_id
    where lead_sources.source_kind = 'lead_utm'

),

found as (

    select * from session_touches
    union all
    select * from response_touches
    union all
    select * from form_fill_touches

),

{#- A buyer without any touch by these rules: its lead's source at its creation. -#}
fallback_touches as (

    select
        buyers.opportunity_id,
        buyers.lead_id,
        coalesce(buyers.lead_created_at, buyers.opportunity_created_at) as touch_at,
        'lead_source' as touch_type,
        3 as type_order,
        buyers.lead_id as source_id,
        lead_sources.channel,
        lead_sources.campaign_key
    from buyers
    left join lead_sources
        on lead_sources.lead_id = buyers.lead_id
    where not exists (
        select 1 from found where found.opportunity_id = buyers.opportunity_id
    )

),

opportunity_touches as (

    select
        opportunities.opportunity_id,
        cast(null as {{ dbt.type_string() }}) as lead_id,
        opportunities.created_at as touch_at,
        'opportunity_source' as touch_type,
        4 as type_order,
        opportunities.opportunity_id as source_id,
        opportunities.channel,
        opportunities.campaign_key
    from opportunities
    where opportunities.lead_id is null
        or not exists (
            select 1 from buyers where buyers.opportunity_id = opportunities.opportunity_id
        )

),

touches as (

    select * from found
    union all
    select * from fallback_touches
    union all
    select * from opportunity_touches

),

ordered as (

    select
        touches.*,
        row_number() over (
            partition by touches.opportunity_id
            order by
                touches.touch_at asc nulls last,
                touches.type_order asc,
                touches.source_id asc nulls last
        ) as position,
        count(*) over (partition by touches.opportunity_id) as touch_count
    from touches

),

{#- The lead-creation touch: the last one at or before the lead's creation, else the first. -#}
lead_creation as (

    select
        ordered.opportunity_id,
        coalesce(
            max(case when ordered.touch_at <= buyers.lead_created_at then ordered.position end),
            1
        ) as lead_creation_position
    from ordered
    left join buyers
        on buyers.opportunity_id = ordered.opportunity_id
    group by ordered.opportunity_id

),

final as (

    select
        {{ dbt.concat(['ordered.opportunity_id', "'-'", 'cast(ordered.position as ' ~ dbt.type_string() ~ ')']) }}
            as touchpoint_id,
        ordered.opportunity_id,
        ordered.lead_id,
        ordered.touch_at,
        cast(ordered.touch_type as {{ dbt.type_string() }}) as touch_type,
        coalesce(ordered.channel, 'Other') as channel,
        ordered.campaign_key,
        cast(ordered.position as {{ dbt.type_bigint() }}) as position,
        cast(ordered.touch_count as {{ dbt.type_bigint() }}) as touch_count,
        ordered.position = 1 as is_first,
        ordered.position = lead_creation.lead_creation_position as is_lead_creation,
        ordered.position = ordered.touch_count as is_opportunity_creation,
        ordered.source_id
    from ordered
    inner join lead_creation
        on lead_creation.opportunity_id = ordered.opportunity_id

)

select * from final
