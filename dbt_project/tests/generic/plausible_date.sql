{#- Fails the rows whose date lies outside the plausible window: before var
    plausible_dates_from (2000-01-01) or after the data's as-of time (the newest CRM export).
    `future_fails_where` narrows the rows whose date after the as-of time fails (the planned
    close date of an open deal lies in the future by design). Failing rows: their keys, the
    date, the as-of time. -#}
{% test plausible_date(model, column_name, future_fails_where='true', default_severity='warn') %}
{{ config(**revops.check_severity(default_severity)) }}
{%- set keys = revops.failing_row_keys(model, exclude=[column_name | lower]) %}
select
    {%- for key in keys %}
    tested.{{ key }},
    {%- endfor %}
    tested.{{ column_name }},
    as_of.as_of_at
from {{ model }} as tested
cross join {{ ref('int_crm__as_of') }} as as_of
where tested.{{ column_name }} is not null
    and (
        cast(tested.{{ column_name }} as date) < cast('{{ var("plausible_dates_from") }}' as date)
        or (tested.{{ column_name }} > as_of.as_of_at and ({{ future_fails_where }}))
    )
{% endtest %}
