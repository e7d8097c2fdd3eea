{#- Primary key over several columns: fails each combination that occurs more than once (the
    combination is the key of the failing records). -#}
{% test unique_combination_of_columns(model, combination_of_columns, default_severity='error') %}
{{ config(**revops.check_severity(default_severity)) }}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
