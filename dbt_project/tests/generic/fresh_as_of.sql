{#- Freshness against the data's as-of time (the newest CRM export), never the wall clock:
    fails when the model has no row at all (`never delivered`: the source has sent no file
    yet), or when the newest value of `column_name` is older than `max_age_days` days before
    the as-of time (`stale`), or when no row has the date (`no dated rows`: the export lacks
    the field). Without any CRM export there is no as-of time to measure staleness against:
    only `never delivered` can fail then. -#}
{% test fresh_as_of(model, column_name, max_age_days, default_severity='warn') %}
{{ config(**revops.check_severity(default_severity)) }}
with

newest as (

    select
        count(*) as row_count,
        max(cast({{ column_name }} as date)) as newest_date
    from {{ model }}

),

as_of as (

    select cast(as_of_at as date) as as_of_date from {{ ref('int_crm__as_of') }}

),

judged as (

    select
        case
            when newest.row_count = 0 then 'never delivered'
            when newest.newest_date is null then 'no dated rows'
            when newest.newest_date < cast({{ dbt.dateadd('day', -1 * (max_age_days | int), 'as_of.as_of_date') }} as date)
                then 'stale'
        end as problem,
        newest.newest_date,
        as_of.as_of_date,
        {{ max_age_days }} as max_age_days
    from newest
    cross join as_of

)

select * from judged where problem is not null
{% endtest %}
