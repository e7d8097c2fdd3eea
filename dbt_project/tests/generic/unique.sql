{#- dbt's unique with this project's check config (macros/checks.sql): the duplicated value is
    the key of the failing records, listed with how often it occurs. -#}
{% test unique(model, column_name, default_severity='error') %}
{{ config(**revops.check_severity(default_severity)) }}
select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1
{% endtest %}
