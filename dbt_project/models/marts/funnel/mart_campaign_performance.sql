{#- A cohort view per campaign_key (docs/marts.md#mart_campaign_performance): spend, impressions and clicks from the ad rows of
    the key; sessions from fct_sessions; leads, MQLs and SQLs from the leads the campaign
    brought, whatever day they happen; won deals and revenue from the opportunities whose
    source is the campaign (so deals sourced by a CRM campaign count too). -#}
{%- set reasons = var('disqualified_reasons') -%}
{%- if reasons is string -%}{%- set reasons = [reasons] -%}{%- endif -%}
with

ad_spend as (

    select * from {{ ref('fct_ad_spend_daily') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

handoff as (

    select * from {{ ref('mart_mql_handoff') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

sales_tasks as (

    select * from {{ ref('int_leads__sales_tasks') }}

),

spend_by_campaign as (

    select
        campaign_key,
        sum(coalesce(spend, 0)) as spend,
        sum(coalesce(impressions, 0)) as impressions,
        sum(coalesce(clicks, 0)) as clicks
    from ad_spend
    group by campaign_key

),

sessions_by_campaign as (

    select
        coalesce(campaign_key, '(none)') as campaign_key,
        count(*) as sessions
    from sessions
    group by coalesce(campaign_key, '(none)')

),

leads_by_campaign as (

    select
        coalesce(campaign_key, '(none)') as campaign_key,
        count(*) as leads,
        sum(case when is_mql then 1 else 0 end) as mqls,
        sum(case when is_sql then 1 else 0 end) as sqls,
        sum(case when is_mql and is_sql then 1 else 0 end) as mqls_converted,
        sum(case when is_sql and is_won then 1 else 0 end) as sqls_won,
        sum(case when is_disqualified then 1 else 0 end) as disqualified,
        {%- for reason in reasons %}
        sum(
            case
                when is_disqualified
                    and lower(trim(disqualified_reason)) = '{{ reason | string | trim | lower | replace("'", "''") }}'
                    then 1
                else 0
            end
        ) as disqualified_{{ revops.reason_column(reason) }},
        {%- endfor %}
        sum(coalesce(sales_tasks.sales_tasks, 0)) as sales_tasks,
        sum(case when not is_sql then coalesce(sales_tasks.sales_tasks, 0) else 0 end)
            as sales_tasks_on_unconverted
    from leads
    left join sales_tasks
        on sales_tasks.lead_id = leads.lead_id
    group by coalesce(campaign_key, '(none)')

),

handoff_by_campaign as (

    select
        coalesce(campaign_key, '(none)') as campaign_key,
        sum(case when sla_status = 'met' then 1 else 0 end) as sla_met,
        sum(case when sla_status = 'breached' then 1 else 0 end) as sla_breached
    from handoff
    group by coalesce(campaign_key, '(none)')

),

wins_by_campaign as (

    select
        coalesce(campaign_key, '(none)') as campaign_key,
        sum(case when is_won then 1 else 0 end) as won_deals,
        sum(case when is_won then coalesce(won_amount, 0) else 0 end) as won_revenue
    from opportunities
    group by coalesce(campaign_key, '(none)')

),

{#- channel: the channel of the campaign's ad spend when it has ad rows (the one with the most
    spend, ties alphabetical), else the most common channel of its leads, of its won-or-lost
    opportunities, of its sessions (ties alphabetical). #}
channel_candidates as (

    select campaign_key, channel, 1 as source_priority, sum(coalesce(spend, 0)) as weight
    from ad_spend
    group by campaign_key, channel
    union all
    select coalesce(campaign_key, '(none)'), channel, 2, count(*)
    from leads
    group by coalesce(campaign_key, '(none)'), channel
    union all
    select coalesce(campaign_key, '(none)'), channel, 3, count(*)
    from opportunities
    group by coalesce(campaign_key, '(none)'), channel
    union all
    select coalesce(campaign_key, '(none)'), channel, 4, count(*)
    from sessions
    group by coalesce(campaign_key, '(none)'), channel

),

channel_ranked as (

    select
        campaign_key,
        channel,
        row_number() over (
            partition by campaign_key
            order by source_priority asc nulls last, weight desc nulls last, channel asc nulls last
        ) as channel_rank
    from channel_candidates

),

campaign_channel as (

    select campaign_key, channel from channel_ranked where channel_rank = 1

),

campaigns as (

    select campaign_key from spend_by_campaign
    union
    select campaign_key from sessions_by_campaign
    union
    select campaign_key from leads_by_campaign
    union
    select campaign_key from wins_by_campaign

),

measures as (

    select
        campaigns.campaign_key,
        coalesce(campaign_channel.channel, 'Other') as channel,
        {{ revops.money('coalesce(spend_by_campaign.spend, 0)') }} as spend,
        cast(coalesce(spend_by_campaign.impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
        cast(coalesce(spend_by_campaign.clicks, 0) as {{ dbt.type_bigint() }}) as clicks,
        cast(coalesce(sessions_by_campaign.sessions, 0) as {{ dbt.type_bigint() }}) as sessions,
        cast(coalesce(leads_by_campaign.leads, 0) as {{ dbt.type_bigint() }}) as leads,
        cast(coalesce(leads_by_campaign.mqls, 0) as {{ dbt.type_bigint() }}) as mqls,
        cast(coalesce(leads_by_campaign.sqls, 0) as {{ dbt.type_bigint() }}) as sqls,
        cast(coalesce(wins_by_campaign.won_deals, 0) as {{ dbt.type_bigint() }}) as won_deals,
        {{ revops.money('coalesce(wins_by_campaign.won_revenue, 0)') }} as won_revenue,
        coalesce(leads_by_campaign.mqls_converted, 0) as mqls_converted,
        coalesce(leads_by_campaign.sqls_won, 0) as sqls_won,
        coalesce(leads_by_campaign.disqualified, 0) as disqualified_leads,
        {%- for reason in reasons %}
        coalesce(leads_by_campaign.disqualified_{{ revops.reason_column(reason) }}, 0)
            as disqualified_{{ revops.reason_column(reason) }},
        {%- endfor %}
        coalesce(leads_by_campaign.sales_tasks, 0) as sales_tasks,
        coalesce(leads_by_campaign.sales_tasks_on_unconverted, 0) as sales_tasks_on_unconverted,
        coalesce(handoff_by_campaign.sla_met, 0) as sla_met,
        coalesce(handoff_by_campaign.sla_breached, 0) as sla_breached
    from campaigns
    left join campaign_channel
        on campaign_channel.campaign_key = campaigns.campaign_key
    left join spend_by_campaign
        on spend_by_campaign.campaign_key = campaigns.campaign_key
    left join sessions_by_campaign
        on sessions_by_campaign.campaign_key = campaigns.campaign_key
    left join leads_by_campaign
        on leads_by_campaign.campaign_key = campaigns.campaign_key
    left join handoff_by_campaign
        on handoff_by_campaign.campaign_key = campaigns.campaign_key
    left join wins_by_campaign
        on wins_by_campaign.campaign_key = campaigns.campaign_key

),

final as (

    select
        campaign_key,
        channel,
        spend,
        impressions,
        clicks,
        sessions,
        leads,
        mqls,
        sqls,
        won_deals,
        won_revenue,
        {{ revops.safe_divide('clicks', 'impressions') }} as ctr,
        {{ revops.safe_divide('spend', 'clicks') }} as cpc,
        {{ revops.safe_divide('spend', 'leads') }} as cpl,
        {{ revops.safe_divide('spend', 'mqls') }} as cost_per_mql,
        {{ revops.safe_divide('spend', 'sqls') }} as cost_per_sql,
        {{ revops.safe_divide('spend', 'won_deals') }} as cac,
        {{ revops.safe_divide('won_revenue', 'spend') }} as roas,
        {{ revops.safe_divide('mqls', 'leads') }} as lead_to_mql_rate,
        {{ revops.safe_divide('mqls_converted', 'mqls') }} as mql_to_sql_rate,
        {{ revops.safe_divide('sqls_won', 'sqls') }} as sql_to_won_rate,
        {{ revops.safe_divide('sla_met', 'sla_met + sla_breached') }} as sla_met_rate,
        {%- for reason in reasons %}
        {{ revops.safe_divide('disqualified_' ~ revops.reason_column(reason), 'disqualified_leads') }}
            as disqualified_{{ revops.reason_column(reason) }}_share,
        {%- endfor %}
        cast(sales_tasks as {{ dbt.type_bigint() }}) as sales_tasks,
        {{ revops.safe_divide('sales_tasks_on_unconverted', 'sales_tasks') }}
            as sales_tasks_on_unconverted_share
    from measures

)

select * from final
