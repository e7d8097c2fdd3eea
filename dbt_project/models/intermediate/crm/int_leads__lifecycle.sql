{#- One row per lead of every CRM with its handoff lifecycle (docs/definitions.md):
    MQL, first sales touch (the earliest sales activity on the lead at or after mql_at),
    SQL (conversion), outcome and handoff SLA measured to the as-of time. -#}
{%- set sla_seconds = (var('sla_hours') | float) * 3600 -%}
with

leads as (

    select * from {{ ref('int_crm__leads') }}

),

activities as (

    select * from {{ ref('int_crm__activities') }}

),

as_of as (

    select * from {{ ref('int_crm__as_of') }}

),

first_touches as (

    select
        leads.lead_id,
        min(activities.activity_at) as first_sales_touch_at
    from leads
    inner join activities
        on activities.lead_id = leads.lead_id
        and activities.activity_at >= leads.mql_at
    where leads.mql_at is not null
    group by leads.lead_id

),

measured as (

    select
        leads.crm,
        leads.lead_id,
        leads.created_at,
        leads.owner_id,
        leads.is_owned_by_queue,
        leads.status,
        leads.company,
        leads.country,
        leads.disqualified_reason,
        {{ revops.email_sha256('leads.email') }} as email_sha256,
        leads.mql_at,
        leads.mql_at is not null as is_mql,
        first_touches.first_sales_touch_at,
        leads.is_converted as is_sql,
        leads.sql_at,
        leads.opportunity_id,
        not leads.is_converted and leads.has_disqualified_status as is_disqualified,
        as_of.as_of_at,
        {{ dbt.datediff('leads.mql_at', 'first_touches.first_sales_touch_at', 'second') }}
            as seconds_to_first_touch,
        {{ dbt.datediff('leads.mql_at', 'as_of.as_of_at', 'second') }} as seconds_since_mql
    from leads
    cross join as_of
    left join first_touches
        on first_touches.lead_id = leads.lead_id

),

classified as (

    select
        measured.*,
        cast(seconds_to_first_touch as {{ revops.type_double() }}) / 3600 as response_hours,
        case
            when not is_mql then null
            when first_sales_touch_at is not null and seconds_to_first_touch <= {{ sla_seconds }}
                then 'met'
            when first_sales_touch_at is not null then 'breached'
            when seconds_since_mql >= {{ sla_seconds }} then 'breached'
            else 'pending'
        end as sla_status,
        case
            when not is_mql then null
            when is_sql then 'converted'
            when is_disqualified then 'disqualified'
            when first_sales_touch_at is not null then 'working'
            else 'untouched'
        end as outcome
    from measured

)

select * from classified
