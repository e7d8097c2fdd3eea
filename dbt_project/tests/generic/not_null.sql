{#- dbt's not_null with this project's check config (macros/checks.sql): severity from var
    check_severity, failing rows named by their keys first. -#}
{% test not_null(model, column_name, default_severity='error') %}
{{ config(**revops.check_severity(default_severity)) }}
{%- set keys = revops.failing_row_keys(model, exclude=[column_name | lower]) %}
select
    {%- for key in keys %}
    {{ key }},
    {%- endfor %}
    {{ column_name }}
from {{ model }}
where {{ column_name }} is null
{% endtest %}
