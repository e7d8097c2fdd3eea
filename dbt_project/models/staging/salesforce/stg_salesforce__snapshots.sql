{#- One row per loaded snapshot of each Salesforce object: the CRM's as-of time and its
    freshness come from here. Reads every snapshot, not only the newest. -#}
{%- set objects = ['lead', 'contact', 'account', 'opportunity', 'opportunity_history',
                   'campaign', 'campaign_member', 'task', 'user'] -%}
with

{% for object_name in objects %}
{{ object_name }}_snapshots as (

    select
        cast('{{ object_name }}' as {{ dbt.type_string() }}) as object_name,
        _snapshot_id as snapshot_id,
        _snapshot_at as snapshot_at,
        count(*) as row_count
    from {{ source('salesforce', object_name) }}
    group by _snapshot_id, _snapshot_at

),

{% endfor %}
unioned as (

    {% for object_name in objects %}
    select * from {{ object_name }}_snapshots
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from unioned
