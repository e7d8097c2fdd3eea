{#- Freshness against the data's as-of time (the newest CRM export), never the wall clock:
    fails when the newest value of `column_name` is older than `max_age_days` days before it,
    or when there is no data at all. -#}
{% test fresh_as_of(model, column_name, max_age_days) %}
with

newest as (

    select max(cast({{ column_name }} as date)) as newest_date from {{ model }}

),

as_of as (

    select cast(as_of_at as date) as as_of_date from {{ ref('int_salesforce__as_of') }}

)

select
    newest.newest_date,
    as_of.as_of_date,
    {{ max_age_days }} as max_age_days
from newest
cross join as_of
where newest.newest_date is null
    or newest.newest_date < cast({{ dbt.dateadd('day', -1 * (max_age_days | int), 'as_of.as_of_date') }} as date)
{% endtest %}
