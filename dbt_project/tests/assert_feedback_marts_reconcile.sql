{{ config(meta={'dagster': {'ref': {'name': 'mart_campaign_feedback'}}}, **revops.check_severity('error')) }}
/* depends_on: {{ ref('mart_lead_cohorts') }}, {{ ref('mart_owner_handoff') }} */
{#- The feedback marts add up to the core marts they summarise, so a report built on them never
    disagrees with the funnel: the leads of mart_campaign_feedback and mart_lead_cohorts (and
    the cohorts' MQLs, SQLs, won deals and revenue) equal dim_leads' leads with a creation
    date; the MQLs of mart_owner_handoff equal mart_mql_handoff's rows, owner by owner; the
    sales tasks of mart_campaign_feedback and mart_campaign_performance equal the sales
    activities on leads (non-deleted tasks, calls, emails, meetings at or after the MQL time,
    all of them for a non-MQL) counted from the CRM-agnostic layer. A failing row names the
    figure, the owner where it applies, and both sides. -#}
with

leads as (

    select * from {{ ref('dim_leads') }}
    where created_at is not null

),

crm_leads as (

    select lead_id, mql_at from {{ ref('int_crm__leads') }}

),

activities as (

    select lead_id, activity_at from {{ ref('int_crm__activities') }}

),

expected_tasks as (

    select count(*) as sales_tasks
    from activities
    inner join crm_leads
        on crm_leads.lead_id = activities.lead_id
    where crm_leads.mql_at is null or activities.activity_at >= crm_leads.mql_at

),

dated_lead_tasks as (

    select count(*) as sales_tasks
    from activities
    inner join crm_leads
        on crm_leads.lead_id = activities.lead_id
    inner join leads
        on leads.lead_id = crm_leads.lead_id
    where crm_leads.mql_at is null or activities.activity_at >= crm_leads.mql_at

),

comparisons as (

    select 'mart_campaign_feedback.leads' as figure, cast(null as {{ dbt.type_string() }}) as owner_id,
        (select count(*) from leads) as expected,
        (select coalesce(sum(leads), 0) from {{ ref('mart_campaign_feedback') }}) as actual
    union all
    select 'mart_campaign_feedback.sales_tasks', null,
        (select sales_tasks from dated_lead_tasks),
        (select coalesce(sum(sales_tasks), 0) from {{ ref('mart_campaign_feedback') }})
    union all
    select 'mart_campaign_performance.sales_tasks', null,
        (select sales_tasks from expected_tasks),
        (select coalesce(sum(sales_tasks), 0) from {{ ref('mart_campaign_performance') }})
    union all
    select 'mart_lead_cohorts.leads', null,
        (select count(*) from leads),
        (select coalesce(sum(leads), 0) from {{ ref('mart_lead_cohorts') }})
    union all
    select 'mart_lead_cohorts.mqls', null,
        (select count(*) from leads where is_mql),
        (select coalesce(sum(mqls), 0) from {{ ref('mart_lead_cohorts') }})
    union all
    select 'mart_lead_cohorts.sqls', null,
        (select count(*) from leads where is_sql),
        (select coalesce(sum(sqls), 0) from {{ ref('mart_lead_cohorts') }})
    union all
    select 'mart_lead_cohorts.won_deals', null,
        (select count(*) from leads where is_won),
        (select coalesce(sum(won_deals), 0) from {{ ref('mart_lead_cohorts') }})
    union all
    select 'mart_lead_cohorts.won_revenue (cents)', null,
        (select cast(round(coalesce(sum(won_amount), 0) * 100) as {{ dbt.type_bigint() }}) from leads),
        (select cast(round(coalesce(sum(won_revenue), 0) * 100) as {{ dbt.type_bigint() }}) from {{ ref('mart_lead_cohorts') }})

),

owner_handoff as (

    select
        'mart_owner_handoff.mqls' as figure,
        coalesce(handoff.owner_id, owners.owner_id) as owner_id,
        coalesce(handoff.mqls, 0) as expected,
        coalesce(owners.mqls, 0) as actual
    from (
        select coalesce(owner_id, '(none)') as owner_id, count(*) as mqls
        from {{ ref('mart_mql_handoff') }}
        group by coalesce(owner_id, '(none)')
    ) as handoff
    full outer join (
        select owner_id, sum(mqls) as mqls
        from {{ ref('mart_owner_handoff') }}
        group by owner_id
    ) as owners
        on owners.owner_id = handoff.owner_id

)

select figure, owner_id, expected, actual
from comparisons
where expected <> actual
union all
select figure, owner_id, expected, actual
from owner_handoff
where expected <> actual
