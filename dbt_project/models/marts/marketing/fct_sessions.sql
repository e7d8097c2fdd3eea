{#- Incremental like its parent: rebuilds the days int_ga4__sessions rebuilt (the last
    ga4_lookback_days days before the newest day already here), delete + insert by day. -#}
{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns',
        **revops.incremental_by_key('date_day')
    )
}}
with

sessions as (

    select * from {{ ref('int_ga4__sessions') }}
    {% if is_incremental() %}
    where date_day >= (
        select coalesce(
            cast({{ dbt.dateadd('day', -1 * (var('ga4_lookback_days') | int), 'max(date_day)') }} as date),
            cast('1900-01-01' as date)
        )
        from {{ this }}
    )
    {% endif %}

),

final as (

    select
        session_key,
        user_pseudo_id,
        ga_session_id,
        session_started_at,
        session_ended_at,
        date_day,
        landing_page,
        referrer_host,
        source_kind,
        source,
        medium,
        campaign_key,
        channel,
        gclid,
        fbclid,
        li_fat_id,
        events,
        page_views,
        is_engaged,
        submitted_lead_form
    from sessions

)

select * from final
