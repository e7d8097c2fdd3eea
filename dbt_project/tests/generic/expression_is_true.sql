{#- Fails the rows for which the SQL expression is not true (false or NULL); their keys first,
    then the other columns. -#}
{% test expression_is_true(model, expression, default_severity='error') %}
{{ config(**revops.check_severity(default_severity)) }}
select {{ revops.failing_row_columns(model) }}
from {{ model }}
where not coalesce({{ expression }}, false)
{% endtest %}
