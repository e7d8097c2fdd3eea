{#- dbt's relationships with this project's check config (macros/checks.sql): the child rows
    whose reference has no parent, their keys first. -#}
{% test relationships(model, column_name, to, field, default_severity='error') %}
{{ config(**revops.check_severity(default_severity)) }}
{%- set keys = revops.failing_row_keys(model, exclude=[column_name | lower]) %}
select
    {%- for key in keys %}
    child.{{ key }},
    {%- endfor %}
    child.{{ column_name }} as from_field
from {{ model }} as child
left join (select {{ field }} as to_field from {{ to }}) as parent
    on child.{{ column_name }} = parent.to_field
where child.{{ column_name }} is not null
    and parent.to_field is null
{% endtest %}
