{#- Order in time: fails the rows where `column_name` is earlier than `other_column` (both
    present). granularity 'day' compares calendar dates (for a CRM date field such as a
    date-only MQL date against a datetime). -#}
{% test column_not_before(model, column_name, other_column, granularity='timestamp') %}
{%- if granularity == 'day' -%}
    {%- set left = 'cast(' ~ column_name ~ ' as date)' -%}
    {%- set right = 'cast(' ~ other_column ~ ' as date)' -%}
{%- else -%}
    {%- set left = column_name -%}
    {%- set right = other_column -%}
{%- endif %}
select *
from {{ model }}
where {{ column_name }} is not null
    and {{ other_column }} is not null
    and {{ left }} < {{ right }}
{% endtest %}
