{#- The one model that reads GA4's nested export schema (DuckDB structs and lists):
    every later model sees flat, typed columns. -#}
with

source as (

    select * from {{ source('ga4', 'events') }}

),

renamed as (

    select
        ---------- keys
        cast(strptime(event_date, '%Y%m%d') as date) as event_date,
        make_timestamp(cast(event_timestamp as bigint)) as event_at,
        cast(event_timestamp as bigint) as event_timestamp_micros,
        event_name,
        user_pseudo_id,
        nullif(trim(user_id), '') as user_id,
        {{ revops.ga4_param('ga_session_id') }} as ga_session_id,

        ---------- page
        {{ revops.ga4_param('page_location') }} as page_location,
        nullif({{ revops.ga4_param('page_referrer') }}, '') as page_referrer,
        coalesce({{ revops.ga4_param('session_engaged') }} in ('1', 'true'), false)
            as is_session_engaged,

        ---------- traffic source (the UTMs and gclid GA4 collected)
        nullif(trim(collected_traffic_source.manual_source), '') as traffic_source,
        nullif(trim(collected_traffic_source.manual_medium), '') as traffic_medium,
        nullif(trim(collected_traffic_source.manual_campaign_name), '') as traffic_campaign_name,
        nullif(trim(collected_traffic_source.gclid), '') as gclid,

        ---------- context
        device.category as device_category,
        geo.country as geo_country,

        ---------- lineage
        _delivery_key,
        {{ revops.file_lineage_columns() }}
    from source

)

select * from renamed
