{#- One row per sales activity on a lead, of every CRM: Salesforce Tasks on a lead (WhoId; not
    deleted) at their creation time, and HubSpot calls, meetings, tasks and outgoing emails on
    a contact (int_hubspot__activities). The first sales touch of an MQL is the earliest of
    these at or after its MQL time. -#}
with

salesforce_tasks as (

    select * from {{ ref('stg_salesforce__task') }}
    where not is_deleted
        and who_id is not null

),

hubspot_activities as (

    select * from {{ ref('int_hubspot__activities') }}

),

unioned as (

    select
        cast('salesforce' as {{ dbt.type_string() }}) as crm,
        task_id as activity_id,
        lower(coalesce(nullif(trim(task_subtype), ''), nullif(trim(task_type), ''), 'task'))
            as activity_type,
        who_id as lead_id,
        created_at as activity_at
    from salesforce_tasks
    union all
    select
        crm,
        activity_id,
        activity_type,
        lead_id,
        activity_at
    from hubspot_activities

)

select * from unioned
