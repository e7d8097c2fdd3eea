{#- The one model that reads GA4's nested export schema (structs and lists; the engine's list
    functions through macros/portable.sql):
    every later model sees flat, typed columns.
    Traffic source: GA4 exports since mid-2023 carry it in collected_traffic_source; older
    exports have that struct NULL and put the UTMs in the event params `source`, `medium`,
    `campaign` (and `gclid`). An event takes its four traffic fields from the struct when the
    struct has any of them, else from those params. -#}
{%- set event_param_keys = ['ga_session_id', 'page_location', 'page_referrer', 'session_engaged',
                            'source', 'medium', 'campaign', 'gclid'] -%}

with

source as (

    select * from {{ source('ga4', 'events') }}

),

{#- Each parameter is looked up once per event: the list of keys is built once and each
    parameter's value struct is taken at the position of its key's first entry (what
    list_filter(...)[1] returned), instead of three list_filter passes per parameter. -#}
param_values as (

    select
        source.*,
        {%- for key in event_param_keys %}
        {{ revops.ga4_event_param('event_params', 'param_keys', key) }}.value as {{ key }}_value
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from (
        select
            *,
            {{ revops.ga4_event_param_keys('event_params') }} as param_keys
        from source
    ) as source

),

params as (

    select
        param_values.*,
        coalesce(
            nullif(trim(collected_traffic_source.manual_source), '') is not null
            or nullif(trim(collected_traffic_source.manual_medium), '') is not null
            or nullif(trim(collected_traffic_source.manual_campaign_name), '') is not null
            or nullif(trim(collected_traffic_source.gclid), '') is not null,
            false
        ) as has_collected_traffic_source,
        {%- for key in event_param_keys %}
        coalesce(
            {{ key }}_value.string_value,
            cast({{ key }}_value.int_value as {{ dbt.type_string() }}),
            cast(cast(round({{ key }}_value.double_value) as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
        ) as param_{{ key }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from param_values

),

renamed as (

    select
        ---------- keys
        {{ revops.parse_date('event_date', '%Y%m%d') }} as event_date,
        {{ revops.timestamp_from_micros('cast(event_timestamp as ' ~ dbt.type_bigint() ~ ')') }} as event_at,
        cast(event_timestamp as {{ dbt.type_bigint() }}) as event_timestamp_micros,
        event_name,
        user_pseudo_id,
        nullif(trim(user_id), '') as user_id,
        param_ga_session_id as ga_session_id,

        ---------- page
        param_page_location as page_location,
        nullif(param_page_referrer, '') as page_referrer,
        coalesce(param_session_engaged in ('1', 'true'), false)
            as is_session_engaged,

        ---------- traffic source (the UTMs and gclid GA4 collected)
        case when has_collected_traffic_source
            then nullif(trim(collected_traffic_source.manual_source), '')
            else nullif(trim(param_source), '')
        end as traffic_source,
        case when has_collected_traffic_source
            then nullif(trim(collected_traffic_source.manual_medium), '')
            else nullif(trim(param_medium), '')
        end as traffic_medium,
        case when has_collected_traffic_source
            then nullif(trim(collected_traffic_source.manual_campaign_name), '')
            {#- Pre-2023 params name the absence of a campaign `(organic)`, `(referral)`,
                `(direct)`, `(not set)`: no campaign. #}
            when trim(param_campaign) like '(%)' then null
            else nullif(trim(param_campaign), '')
        end as traffic_campaign_name,
        case when has_collected_traffic_source
            then nullif(trim(collected_traffic_source.gclid), '')
            else nullif(trim(param_gclid), '')
        end as gclid,
        case when has_collected_traffic_source then 'collected_traffic_source'
            when coalesce(param_source, param_medium, param_campaign, param_gclid) is not null
                then 'event_params'
        end as traffic_source_origin,

        ---------- context
        device.category as device_category,
        geo.country as geo_country,

        ---------- lineage
        _delivery_key,
        {{ revops.file_lineage_columns() }}
    from params

)

select * from renamed
