{#- Order in time: fails the rows where `column_name` is earlier than `other_column` (both
    present). granularity 'day' compares calendar dates (for a CRM date field such as a
    date-only MQL date against a datetime). Failing rows: their keys, then both values. -#}
{% test column_not_before(model, column_name, other_column, granularity='timestamp', default_severity='error') %}
{{ config(**revops.check_severity(default_severity)) }}
{%- if granularity == 'day' -%}
    {%- set left = 'cast(' ~ column_name ~ ' as date)' -%}
    {%- set right = 'cast(' ~ other_column ~ ' as date)' -%}
{%- else -%}
    {%- set left = column_name -%}
    {%- set right = other_column -%}
{%- endif %}
{%- set keys = revops.failing_row_keys(model, exclude=[column_name | lower, other_column | lower]) %}
select
    {%- for key in keys %}
    {{ key }},
    {%- endfor %}
    {{ column_name }},
    {{ other_column }}
from {{ model }}
where {{ column_name }} is not null
    and {{ other_column }} is not null
    and {{ left }} < {{ right }}
{% endtest %}
