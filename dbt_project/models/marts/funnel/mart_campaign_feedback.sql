{#- One row per campaign, month of lead creation, outcome and rejection reason
    (docs/marts.md#mart_campaign_feedback): what became of each campaign's leads, month by month,
    and how much sales effort went into them. Outcome is the MQL outcome
    (docs/definitions.md#outcome), `not_mql` for a lead that never became an MQL; the reason
    is sales' reason for every disqualified lead, MQL or not (`(no reason)` when it gave none),
    and `(none)` for a lead sales did not reject. Leads without a creation date belong to no month and are left out. -#}
with

leads as (

    select * from {{ ref('dim_leads') }}
    where created_at is not null

),

sales_tasks as (

    select * from {{ ref('int_leads__sales_tasks') }}

),

campaign_channels as (

    select campaign_key, channel from {{ ref('mart_campaign_performance') }}

),

classified as (

    select
        coalesce(leads.campaign_key, '(none)') as campaign_key,
        cast({{ dbt.date_trunc('month', 'leads.created_at') }} as date) as lead_month,
        case when leads.is_mql then leads.outcome else 'not_mql' end as outcome,
        case
            when not leads.is_disqualified then '(none)'
            else coalesce(nullif(trim(leads.disqualified_reason), ''), '(no reason)')
        end as disqualified_reason,
        coalesce(sales_tasks.sales_tasks, 0) as sales_tasks,
        leads.is_won,
        leads.won_amount
    from leads
    left join sales_tasks
        on sales_tasks.lead_id = leads.lead_id

),

aggregated as (

    select
        campaign_key,
        lead_month,
        outcome,
        disqualified_reason,
        count(*) as leads,
        sum(sales_tasks) as sales_tasks,
        sum(case when is_won then 1 else 0 end) as won_deals,
        sum(case when is_won then coalesce(won_amount, 0) else 0 end) as won_revenue
    from classified
    group by campaign_key, lead_month, outcome, disqualified_reason

),

final as (

    select
        aggregated.campaign_key,
        coalesce(campaign_channels.channel, 'Other') as channel,
        aggregated.lead_month,
        aggregated.outcome,
        aggregated.disqualified_reason,
        cast(aggregated.leads as {{ dbt.type_bigint() }}) as leads,
        cast(aggregated.sales_tasks as {{ dbt.type_bigint() }}) as sales_tasks,
        cast(aggregated.won_deals as {{ dbt.type_bigint() }}) as won_deals,
        {{ revops.money('aggregated.won_revenue') }} as won_revenue
    from aggregated
    left join campaign_channels
        on campaign_channels.campaign_key = aggregated.campaign_key

)

select * from final
