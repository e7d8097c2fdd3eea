{#- One row per GA4 session (user_pseudo_id, ga_session_id), dated by its first event.
    Incremental by day: a run rebuilds the sessions that started in the last
    `ga4_lookback_days` days before the newest day already built (GA4 re-delivers a day up to
    3 days later) and deletes + inserts those days whole, so a daily run reads days, not a year.
    Seeds that change channel rules apply to rebuilt days only: run with --full-refresh. -#}
{{
    config(
        materialized='incremental',
        on_schema_change='sync_all_columns',
        **revops.incremental_by_key('date_day')
    )
}}
{%- set lookback_days = var('ga4_lookback_days') | int -%}
{%- set lead_form_events = var('lead_form_events', ['generate_lead']) -%}

with

{% if is_incremental() %}
rebuild_from as (

    select
        coalesce(
            cast({{ dbt.dateadd('day', -1 * lookback_days, 'max(date_day)') }} as date),
            cast('1900-01-01' as date)
        ) as first_day
    from {{ this }}

),
{% endif %}

{#- Only the columns this model uses: the window below sorts every event it is given. #}
events as (

    select
        user_pseudo_id,
        ga_session_id,
        event_at,
        event_timestamp_micros,
        _row_number,
        event_name,
        user_id,
        is_session_engaged,
        page_location,
        page_referrer,
        traffic_source,
        traffic_medium,
        traffic_campaign_name,
        gclid
    from {{ ref('stg_ga4__events') }}
    where ga_session_id is not null
        and user_pseudo_id is not null
        {% if is_incremental() %}
        {#- Two extra days of events, so that a session that began before midnight is seen
            whole and is dated (and kept or left) by its real first event, also when GA4's
            event_date (the property's time zone) is a day off the UTC date. #}
        and event_date >= (
            select cast({{ dbt.dateadd('day', -2, 'first_day') }} as date) from rebuild_from
        )
        {#- The same days again, on the delivery key (`events_YYYYMMDD`: GA4 writes a day's
            events into that day's table) with one more day to spare. It changes no row, but
            it compares a raw column with a constant, so DuckDB skips the row groups of older
            files instead of decoding a year of events to evaluate event_date (2.3 s -> 0.1 s
            at scale 10). #}
        and _delivery_key >= (
            {%- set key_day = "cast(" ~ dbt.dateadd('day', -3, 'first_day') ~ " as date)" %}
            select {{ dbt.concat([
                "'events_'",
                dbt.replace("cast(" ~ key_day ~ " as " ~ dbt.type_string() ~ ")", "'-'", "''"),
            ]) }}
            from rebuild_from
        )
        {% endif %}

),

ordered as (

    select
        user_pseudo_id,
        ga_session_id,
        event_at,
        event_name,
        user_id,
        is_session_engaged,
        page_location,
        page_referrer,
        traffic_source,
        traffic_medium,
        traffic_campaign_name,
        gclid,
        row_number() over (
            partition by user_pseudo_id, ga_session_id
            order by
                event_at asc nulls last,
                case when event_name = 'session_start' then 0 else 1 end asc,
                event_timestamp_micros asc nulls last,
                _row_number asc nulls last
        ) as event_order,
        case
            when traffic_source is not null
                or traffic_medium is not null
                or traffic_campaign_name is not null
                or gclid is not null
                then 1
            else 0
        end as has_traffic_source
    from events

),

first_event as (

    select
        user_pseudo_id,
        ga_session_id,
        page_location,
        page_referrer
    from ordered
    where event_order = 1

),

{#- GA4 collects the traffic source on the session's first event(s): take the earliest event
    that has one. #}
traffic_ranked as (

    select
        user_pseudo_id,
        ga_session_id,
        traffic_source,
        traffic_medium,
        traffic_campaign_name,
        gclid,
        row_number() over (
            partition by user_pseudo_id, ga_session_id
            order by event_order asc nulls last
        ) as traffic_rank
    from ordered
    where has_traffic_source = 1

),

first_traffic as (

    select * from traffic_ranked where traffic_rank = 1

),

aggregated as (

    select
        user_pseudo_id,
        ga_session_id,
        min(event_at) as session_started_at,
        max(event_at) as session_ended_at,
        max(user_id) as user_id,
        count(*) as events,
        cast(sum(case when event_name = 'page_view' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as page_views,
        max(case when is_session_engaged then 1 else 0 end) as engaged_flag,
        max(
            case when event_name in ('{{ lead_form_events | join("', '") }}') then 1 else 0 end
        ) as lead_form_flag
    from ordered
    group by user_pseudo_id, ga_session_id

),

{#- The query-string parameters are parsed only from landing pages that contain them (a LIKE
    is far cheaper than the regular expression, and the result is the same NULL). #}
sessions as (

    select
        aggregated.user_pseudo_id,
        aggregated.ga_session_id,
        aggregated.user_id,
        aggregated.session_started_at,
        aggregated.session_ended_at,
        cast(aggregated.session_started_at as date) as date_day,
        aggregated.events,
        aggregated.page_views,
        aggregated.engaged_flag = 1 as is_engaged,
        aggregated.lead_form_flag = 1 as submitted_lead_form,
        first_event.page_location as landing_page_location,
        {{ revops.url_without_query('first_event.page_location') }} as landing_page,
        {{ revops.url_host('first_event.page_location') }} as landing_host,
        {{ revops.url_host('first_event.page_referrer') }} as referrer_host,
        coalesce(
            first_traffic.traffic_source,
            case when first_event.page_location like '%utm_source=%'
                then {{ revops.url_query_param('first_event.page_location', 'utm_source') }}
            end
        ) as utm_source,
        coalesce(
            first_traffic.traffic_medium,
            case when first_event.page_location like '%utm_medium=%'
                then {{ revops.url_query_param('first_event.page_location', 'utm_medium') }}
            end
        ) as utm_medium,
        coalesce(
            first_traffic.traffic_campaign_name,
            replace(replace(
                case when first_event.page_location like '%utm_campaign=%'
                    then {{ revops.url_query_param('first_event.page_location', 'utm_campaign') }}
                end,
                '+', ' '), '%20', ' ')
        ) as utm_campaign,
        coalesce(
            first_traffic.gclid,
            case when first_event.page_location like '%gclid=%'
                then {{ revops.url_query_param('first_event.page_location', 'gclid') }}
            end
        ) as gclid,
        case when first_event.page_location like '%fbclid=%'
            then {{ revops.url_query_param('first_event.page_location', 'fbclid') }}
        end as fbclid,
        case when first_event.page_location like '%li_fat_id=%'
            then {{ revops.url_query_param('first_event.page_location', 'li_fat_id') }}
        end as li_fat_id
    from aggregated
    inner join first_event
        on first_event.user_pseudo_id = aggregated.user_pseudo_id
        and first_event.ga_session_id = aggregated.ga_session_id
    left join first_traffic
        on first_traffic.user_pseudo_id = aggregated.user_pseudo_id
        and first_traffic.ga_session_id = aggregated.ga_session_id
    {% if is_incremental() %}
    where cast(aggregated.session_started_at as date) >= (select first_day from rebuild_from)
    {% endif %}

),

{#- A referrer from the site itself is no referrer. The referrer's source is the known search
    engine or social site its host belongs to (www.google.de -> google), else the host. #}
referrer_hosts as (

    select distinct referrer_host
    from sessions
    where referrer_host is not null

),

referrer_matches as (

    select
        referrer_hosts.referrer_host,
        categories.source,
        categories.category,
        row_number() over (
            partition by referrer_hosts.referrer_host
            order by {{ dbt.length('categories.source') }} desc nulls last, categories.source asc
        ) as match_rank
    from referrer_hosts
    inner join {{ ref('source_categories') }} as categories
        on referrer_hosts.referrer_host = categories.source
        or referrer_hosts.referrer_host like {{ dbt.concat(['categories.source', "'.%'"]) }}
        or referrer_hosts.referrer_host like {{ dbt.concat(["'%.'", 'categories.source', "'.%'"]) }}
        or referrer_hosts.referrer_host like {{ dbt.concat(["'%.'", 'categories.source']) }}

),

referrer_sources as (

    select
        referrer_hosts.referrer_host,
        coalesce(referrer_matches.source, referrer_hosts.referrer_host) as referrer_source,
        case referrer_matches.category
            when 'search_engine' then 'organic'
            when 'social_site' then 'social'
            else 'referral'
        end as referrer_medium
    from referrer_hosts
    left join referrer_matches
        on referrer_matches.referrer_host = referrer_hosts.referrer_host
        and referrer_matches.match_rank = 1

),

{#- Precedence (docs/definitions.md#session): explicit UTM > click id > referrer > Direct. Click ids and referrers are
    turned into the (source, medium) they stand for, so one set of rules gives every channel. #}
sourced as (

    select
        sessions.*,
        case
            when sessions.utm_source is not null or sessions.utm_medium is not null then 'utm'
            when sessions.gclid is not null then 'gclid'
            when sessions.fbclid is not null then 'fbclid'
            when sessions.li_fat_id is not null then 'li_fat_id'
            when referrer_sources.referrer_host is not null
                and referrer_sources.referrer_host <> coalesce(sessions.landing_host, '')
                then 'referrer'
            else 'direct'
        end as source_kind,
        referrer_sources.referrer_source,
        referrer_sources.referrer_medium
    from sessions
    left join referrer_sources
        on referrer_sources.referrer_host = sessions.referrer_host

),

attributed as (

    select
        sourced.*,
        case source_kind
            when 'utm' then utm_source
            when 'gclid' then 'google'
            when 'fbclid' then 'facebook'
            when 'li_fat_id' then 'linkedin'
            when 'referrer' then referrer_source
            else '(direct)'
        end as source,
        case source_kind
            when 'utm' then utm_medium
            when 'gclid' then 'cpc'
            when 'fbclid' then 'paid_social'
            when 'li_fat_id' then 'paid_social'
            when 'referrer' then referrer_medium
            else '(none)'
        end as medium,
        {{ revops.campaign_key('utm_campaign') }} as campaign_key
    from sourced

),

pairs as (

    select distinct
        {{ revops.rule_text('source') }} as source_key,
        {{ revops.rule_text('medium') }} as medium_key
    from attributed

),

channels as (
    {{ revops.classify_channels('pairs') }}
),

final as (

    select
        {{ dbt.hash(dbt.concat(['attributed.user_pseudo_id', "'|'", 'attributed.ga_session_id'])) }}
            as session_key,
        attributed.user_pseudo_id,
        attributed.ga_session_id,
        attributed.user_id,
        attributed.session_started_at,
        attributed.session_ended_at,
        attributed.date_day,
        attributed.landing_page,
        attributed.referrer_host,
        attributed.source_kind,
        attributed.source,
        attributed.medium,
        attributed.campaign_key,
        channels.channel,
        attributed.gclid,
        attributed.fbclid,
        attributed.li_fat_id,
        attributed.events,
        attributed.page_views,
        attributed.is_engaged,
        attributed.submitted_lead_form
    from attributed
    inner join channels
        on channels.source_key = {{ revops.rule_text('attributed.source') }}
        and channels.medium_key = {{ revops.rule_text('attributed.medium') }}

)

select * from final
