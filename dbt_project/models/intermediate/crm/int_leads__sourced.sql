{#- One row per lead (of every CRM) with its source (docs/definitions.md#lead-source), in this
    order: the UTMs captured on the lead; else its visitor's first session in the stitching
    window; else a GCLID captured on the lead (Google paid click); else the CRM's own source
    field: Salesforce's LeadSource through the channel rules as a source with an empty medium,
    HubSpot's Original Source through the seed hubspot_original_sources (its campaign from
    Drill-Down 2 where the seed says so); an empty one gives channel Other and no campaign. -#}
with

leads as (

    select * from {{ ref('int_crm__leads') }}

),

stitched as (

    select * from {{ ref('int_leads__stitched') }}

),

sessions as (

    select * from {{ ref('int_ga4__sessions') }}

),

joined as (

    select
        leads.lead_id,
        nullif(trim(leads.utm_source), '') as utm_source,
        nullif(trim(leads.utm_medium), '') as utm_medium,
        nullif(trim(leads.utm_campaign), '') as utm_campaign,
        nullif(trim(leads.gclid), '') as lead_gclid,
        nullif(trim(leads.lead_source), '') as lead_source,
        leads.lead_source_channel,
        leads.lead_source_campaign_key,
        stitched.session_key as stitched_session_key,
        stitched.stitched_by,
        sessions.source as session_source,
        sessions.medium as session_medium,
        sessions.campaign_key as session_campaign_key,
        sessions.channel as session_channel
    from leads
    left join stitched
        on stitched.lead_id = leads.lead_id
    left join sessions
        on sessions.session_key = stitched.session_key

),

with_kind as (

    select
        joined.*,
        case
            when utm_source is not null or utm_medium is not null or utm_campaign is not null
                then 'lead_utm'
            when stitched_session_key is not null then 'web_session'
            when lead_gclid is not null then 'lead_gclid'
            when lead_source is not null then 'lead_source'
            else 'none'
        end as source_kind
    from joined

),

attributed as (

    select
        with_kind.*,
        case source_kind
            when 'lead_utm' then utm_source
            when 'web_session' then session_source
            when 'lead_gclid' then 'google'
            when 'lead_source' then lead_source
        end as source,
        case source_kind
            when 'lead_utm' then utm_medium
            when 'web_session' then session_medium
            when 'lead_gclid' then 'cpc'
        end as medium,
        case source_kind
            when 'lead_utm' then {{ revops.campaign_key('utm_campaign') }}
            when 'web_session' then session_campaign_key
            when 'lead_source' then lead_source_campaign_key
        end as campaign_key
    from with_kind

),

pairs as (

    select distinct
        {{ revops.rule_text('source') }} as source_key,
        {{ revops.rule_text('medium') }} as medium_key
    from attributed
    where source_kind in ('lead_utm', 'lead_gclid', 'lead_source')

),

channels as (
    {{ revops.classify_channels('pairs') }}
),

final as (

    select
        attributed.lead_id,
        attributed.source_kind,
        attributed.source,
        attributed.medium,
        attributed.campaign_key,
        case attributed.source_kind
            when 'web_session' then attributed.session_channel
            when 'none' then 'Other'
            when 'lead_source' then coalesce(attributed.lead_source_channel, channels.channel)
            else channels.channel
        end as channel,
        attributed.stitched_session_key,
        attributed.stitched_by
    from attributed
    left join channels
        on channels.source_key = {{ revops.rule_text('attributed.source') }}
        and channels.medium_key = {{ revops.rule_text('attributed.medium') }}

)

select * from final
