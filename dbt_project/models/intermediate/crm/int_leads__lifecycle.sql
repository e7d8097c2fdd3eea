{#- One row per non-deleted lead of the newest snapshot with its handoff lifecycle (docs/definitions.md):
    MQL, first sales touch (earliest non-deleted Task on the lead created at or after mql_at),
    SQL (conversion), outcome and handoff SLA measured to the as-of time. -#}
{%- set sla_seconds = (var('sla_hours') | float) * 3600 -%}
{%- set disqualified_statuses = var('disqualified_statuses') -%}
with

leads as (

    select * from {{ ref('stg_salesforce__lead') }}
    where not is_deleted

),

tasks as (

    select * from {{ ref('stg_salesforce__task') }}
    where not is_deleted
        and who_id is not null

),

as_of as (

    select * from {{ ref('int_salesforce__as_of') }}

),

first_touches as (

    select
        leads.lead_id,
        min(tasks.created_at) as first_sales_touch_at
    from leads
    inner join tasks
        on tasks.who_id = leads.lead_id
        and tasks.created_at >= leads.mql_at
    where leads.mql_at is not null
    group by leads.lead_id

),

measured as (

    select
        leads.lead_id,
        leads.created_at,
        leads.owner_id,
        leads.status,
        leads.company,
        leads.country,
        leads.disqualified_reason,
        {{ revops.email_sha256('leads.email') }} as email_sha256,
        leads.mql_at,
        leads.mql_at is not null as is_mql,
        first_touches.first_sales_touch_at,
        coalesce(leads.is_converted, false) as is_sql,
        case when coalesce(leads.is_converted, false) then leads.converted_date end as sql_at,
        case
            when coalesce(leads.is_converted, false) then leads.converted_opportunity_id
        end as opportunity_id,
        not coalesce(leads.is_converted, false)
            and coalesce(leads.status in (
                '{{ disqualified_statuses | join("', '") }}'
            ), false) as is_disqualified,
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
