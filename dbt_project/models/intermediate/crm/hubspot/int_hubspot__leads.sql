{#- One row per HubSpot contact that is a lead (docs/definitions.md#hubspot): its lifecycle
    stage reached lead or later (subscriber and other are not leads, unless it has a
    Became-a-Lead date), or it has no stage. Mapped to the CRM-agnostic lead columns of
    int_crm__leads: MQL = Became a Marketing Qualified Lead Date; SQL = Became a Sales Qualified
    Lead Date, else Became an Opportunity Date, converted to the contact's first associated
    deal (earliest created, of the pipelines in var hubspot_pipelines); the owner cell resolved
    through the owners export (an unassigned contact is owned by `(unassigned)`, HubSpot's
    lead queue);
    Original Source through the seed hubspot_original_sources. -#}
{%- set disqualified = var('hubspot_disqualified_statuses') -%}
{%- if disqualified is string -%}{%- set disqualified = [disqualified] -%}{%- endif -%}
with

contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

{#- Labels to values and values to labels, one row per key (a seed may list a label twice). -#}
label_values as (

    select property, upper(trim(label)) as label_key, min(value) as value
    from {{ ref('hubspot_labels') }}
    group by property, upper(trim(label))

),

value_labels as (

    select property, upper(trim(value)) as value_key, min(label) as label
    from {{ ref('hubspot_labels') }}
    group by property, upper(trim(value))

),

owner_lookup as (

    select * from {{ ref('int_hubspot__owner_lookup') }}

),

original_sources as (

    select
        upper(trim(original_source)) as source_key,
        min(channel) as channel,
        {{ dbt.bool_or('drill_down_2_is_campaign') }} as drill_down_2_is_campaign
    from {{ ref('hubspot_original_sources') }}
    group by upper(trim(original_source))

),

deals as (

    select * from {{ ref('int_hubspot__opportunities') }}

),

associations as (

    select * from {{ ref('stg_hubspot__associations') }}

),

{#- Contact -> deal, whichever side's export named the association. -#}
contact_deals as (

    select from_id as contact_id, to_id as deal_id
    from associations
    where from_object = 'contacts' and to_object = 'deals'
    union
    select to_id as contact_id, from_id as deal_id
    from associations
    where from_object = 'deals' and to_object = 'contacts'

),

first_deal as (

    select contact_id, deal_id
    from (
        select
            contact_deals.contact_id,
            contact_deals.deal_id,
            row_number() over (
                partition by contact_deals.contact_id
                order by deals.created_at asc nulls last, deals.opportunity_id asc
            ) as deal_rank
        from contact_deals
        inner join deals
            on deals.opportunity_id = contact_deals.deal_id
    ) as ranked
    where deal_rank = 1

),

normalised as (

    select
        contacts.*,
        lower(coalesce(stage_labels.value, nullif(trim(contacts.lifecycle_stage), '')))
            as lifecycle_value,
        coalesce(status_values.label, nullif(trim(contacts.lead_status), '')) as status_label,
        upper(replace(trim(coalesce(status_labels.value, contacts.lead_status)), ' ', '_'))
            as status_key,
        nullif(trim(contacts.owner), '') as owner_text
    from contacts
    left join label_values as stage_labels
        on stage_labels.property = 'lifecyclestage'
        and stage_labels.label_key = upper(trim(contacts.lifecycle_stage))
    left join label_values as status_labels
        on status_labels.property = 'hs_lead_status'
        and status_labels.label_key = upper(trim(contacts.lead_status))
    left join value_labels as status_values
        on status_values.property = 'hs_lead_status'
        and status_values.value_key = upper(trim(contacts.lead_status))

),

leads as (

    select * from normalised
    where coalesce(lifecycle_value, '') not in ('subscriber', 'other')
        or became_lead_at is not null

),

final as (

    select
        cast('hubspot' as {{ dbt.type_string() }}) as crm,
        leads.contact_id as lead_id,
        leads.contact_id,
        leads.created_at,
        coalesce(owner_lookup.owner_id, leads.owner_text, '(unassigned)') as owner_id,
        leads.owner_text is null as is_owned_by_queue,
        leads.status_label as status,
        leads.company,
        leads.country,
        leads.email,
        nullif(trim(leads.original_source), '') as lead_source,
        case
            when nullif(trim(leads.original_source), '') is not null
                then coalesce(original_sources.channel, 'Other')
        end as lead_source_channel,
        case
            when coalesce(original_sources.drill_down_2_is_campaign, false)
                then {{ revops.campaign_key('leads.original_source_drill_down_2') }}
        end as lead_source_campaign_key,
        leads.utm_source,
        leads.utm_medium,
        leads.utm_campaign,
        leads.gclid,
        leads.ga_client_id,
        leads.became_mql_at as mql_at,
        coalesce(leads.became_sql_at, leads.became_opportunity_at) is not null as is_converted,
        cast(coalesce(leads.became_sql_at, leads.became_opportunity_at) as date) as sql_at,
        case
            when coalesce(leads.became_sql_at, leads.became_opportunity_at) is not null
                then first_deal.deal_id
        end as opportunity_id,
        leads.disqualified_reason,
        coalesce(leads.status_key in (
            {%- for status in disqualified %}
            '{{ status | string | trim | upper | replace(" ", "_") | replace("'", "''") }}'{{ "," if not loop.last }}
            {%- endfor %}
        ), false) as has_disqualified_status
    from leads
    left join owner_lookup
        on owner_lookup.lookup_key = lower(leads.owner_text)
    left join original_sources
        on original_sources.source_key = upper(trim(leads.original_source))
    left join first_deal
        on first_deal.contact_id = leads.contact_id

)

select * from final
