{#- dbt's accepted_values with this project's check config (macros/checks.sql), one failing
    row per record (its keys first, then the value that is not accepted), not per value. -#}
{% test accepted_values(model, column_name, values, quote=True, default_severity='error') %}
{{ config(**revops.check_severity(default_severity)) }}
{%- set keys = revops.failing_row_keys(model, exclude=[column_name | lower]) %}
select
    {%- for key in keys %}
    {{ key }},
    {%- endfor %}
    {{ column_name }} as value_field
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (
        {%- for value in values -%}
            {%- if quote %}'{{ value }}'{% else %}{{ value }}{% endif -%}
            {%- if not loop.last %}, {% endif -%}
        {%- endfor -%}
    )
{% endtest %}
