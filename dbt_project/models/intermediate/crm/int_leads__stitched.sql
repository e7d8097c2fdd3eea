{#- One row per lead (of every CRM) that web stitching finds a visit for: the earliest session in
    [created_at - stitching_window_days, created_at] whose user_pseudo_id is the lead's GA
    client id, or whose GA4 user_id is the SHA-256 of the lead's lower-cased, trimmed email. -#}
{%- set window_days = var('stitching_window_days') | int -%}
with

leads as (

    select
        lead_id,
        created_at,
        nullif(trim(ga_client_id), '') as ga_client_id,
        {{ revops.email_sha256('email') }} as email_sha256
    from {{ ref('int_crm__leads') }}
    where created_at is not null

),

sessions as (

    select * from {{ ref('int_ga4__sessions') }}

),

{#- Two equi-joins instead of one join on "a or b": it keeps the join a hash join. -#}
by_client_id as (

    select
        leads.lead_id,
        leads.created_at,
        sessions.session_key,
        sessions.session_started_at,
        'ga_client_id' as stitched_by
    from leads
    inner join sessions
        on sessions.user_pseudo_id = leads.ga_client_id

),

by_email as (

    select
        leads.lead_id,
        leads.created_at,
        sessions.session_key,
        sessions.session_started_at,
        'email_sha256' as stitched_by
    from leads
    inner join sessions
        on sessions.user_id = leads.email_sha256

),

candidates as (

    select * from by_client_id
    union all
    select * from by_email

),

in_window as (

    select
        candidates.*,
        row_number() over (
            partition by lead_id
            order by
                session_started_at asc nulls last,
                session_key asc nulls last,
                stitched_by asc nulls last
        ) as session_rank
    from candidates
    where session_started_at >= {{ dbt.dateadd('day', -1 * window_days, 'created_at') }}
        and session_started_at <= created_at

),

first_session as (

    select
        lead_id,
        session_key,
        session_started_at,
        stitched_by
    from in_window
    where session_rank = 1

)

select * from first_session
