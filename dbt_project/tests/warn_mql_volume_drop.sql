{{ config(meta={'dagster': {'ref': {'name': 'mart_mql_handoff'}}}, **revops.check_severity('warn')) }}
{#- The newest day is the last full day before the as-of time (an export at 00:00 or 06:00
    covers the day before whole; the export's own day is partial and would always look low). -#}
{%- set trailing_days = var('mql_volume_trailing_days') | int -%}
with

as_of as (

    select
        cast({{ dbt.dateadd('day', -1, 'cast(as_of_at as date)') }} as date) as newest_day
    from {{ ref('int_crm__as_of') }}

),

daily as (

    select
        cast(mql_at as date) as mql_date,
        count(*) as mqls
    from {{ ref('mart_mql_handoff') }}
    group by cast(mql_at as date)

),

newest as (

    select coalesce(sum(daily.mqls), 0) as mqls
    from daily
    cross join as_of
    where daily.mql_date = as_of.newest_day

),

trailing_window as (

    select cast(coalesce(sum(daily.mqls), 0) as {{ revops.type_double() }}) / {{ trailing_days }}
        as average_mqls
    from daily
    cross join as_of
    where daily.mql_date < as_of.newest_day
        and daily.mql_date >= cast({{ dbt.dateadd('day', -1 * trailing_days, 'as_of.newest_day') }} as date)

)

select
    as_of.newest_day,
    newest.mqls as newest_day_mqls,
    trailing_window.average_mqls as trailing_average_mqls
from as_of
cross join newest
cross join trailing_window
where trailing_window.average_mqls > 0
    and newest.mqls < {{ var('mql_volume_drop_ratio') }} * trailing_window.average_mqls
