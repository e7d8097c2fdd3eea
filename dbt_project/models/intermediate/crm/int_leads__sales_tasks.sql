{#- One row per lead of every CRM with the sales effort spent on it (docs/definitions.md#sales-tasks):
    its sales activities (Salesforce Tasks on the lead, HubSpot calls, meetings, tasks and
    outgoing emails) at or after its MQL time, or all of them for a lead that is not an MQL. -#}
with

leads as (

    select lead_id, mql_at from {{ ref('int_crm__leads') }}

),

activities as (

    select lead_id, activity_at from {{ ref('int_crm__activities') }}

),

final as (

    select
        leads.lead_id,
        count(activities.lead_id) as sales_tasks
    from leads
    left join activities
        on activities.lead_id = leads.lead_id
        and (leads.mql_at is null or activities.activity_at >= leads.mql_at)
    group by leads.lead_id

)

select * from final
