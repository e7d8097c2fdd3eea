{#- Each opportunity's credit split over the channels and campaigns that touched it, by six
    attribution models (docs/definitions.md#attribution-models), from fct_touchpoints:
    first_touch (all to the first touch), last_touch (all to the opportunity-creation touch),
    linear (1/n each), u_shaped (0.4 first, 0.4 lead creation, 0.2 shared by the others),
    w_shaped (0.3 first, 0.3 lead creation, 0.3 opportunity creation, 0.1 shared by the
    others), time_decay (weight 2^(-days before the opportunity's creation / half-life),
    normalised). Roles on one touch add up; with no other touch left, the "others" share goes
    evenly to the distinct role touches. Credits of one opportunity that land on the same
    channel and campaign are summed; zero credits are left out. Every model's credits of one
    opportunity sum to 1, so attributed revenue summed over a model equals won revenue. -#}
{%- set half_life = var('attribution_half_life_days') | float -%}
{#- Credits are doubles from the first literal on: Spark reads 0.4 as a decimal. -#}
{%- set double = revops.type_double() -%}
with

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

opportunities as (

    select * from {{ ref('int_opportunities__sourced') }}

),

with_roles as (

    select
        touchpoints.*,
        opportunities.created_at as opportunity_created_at,
        touchpoints.is_first or touchpoints.is_lead_creation as is_u_role,
        touchpoints.is_first or touchpoints.is_lead_creation or touchpoints.is_opportunity_creation
            as is_w_role,
        cast(coalesce(
            {{ dbt.datediff('touchpoints.touch_at', 'opportunities.created_at', 'second') }}, 0
        ) as {{ revops.type_double() }}) / 86400 as days_before_opportunity
    from touchpoints
    inner join opportunities
        on opportunities.opportunity_id = touchpoints.opportunity_id

),

counted as (

    select
        with_roles.*,
        sum(case when is_u_role then 1 else 0 end) over (partition by opportunity_id) as u_roles,
        sum(case when is_w_role then 1 else 0 end) over (partition by opportunity_id) as w_roles,
        power(cast(2 as {{ double }}), -1 * greatest(days_before_opportunity, 0) / {{ half_life }}) as decay_weight
    from with_roles

),

credited as (

    select
        counted.*,
        touch_count - u_roles as u_others,
        touch_count - w_roles as w_others,
        sum(decay_weight) over (
            partition by opportunity_id
            order by position
            rows between unbounded preceding and unbounded following
        ) as decay_total
    from counted

),

by_model as (

    select opportunity_id, position, channel, campaign_key, 'first_touch' as attribution_model,
        case when is_first then cast(1.0 as {{ double }}) else cast(0.0 as {{ double }}) end as credit
    from credited
    union all
    select opportunity_id, position, channel, campaign_key, 'last_touch',
        case when is_opportunity_creation then cast(1.0 as {{ double }}) else cast(0.0 as {{ double }}) end
    from credited
    union all
    select opportunity_id, position, channel, campaign_key, 'linear',
        cast(1.0 as {{ double }}) / touch_count
    from credited
    union all
    {#- U and W shares in tenths, divided once: 0.3 + 0.3 + 0.3 + 0.1 adds up to 0.9999999999999999
        in floating point, (3 + 3 + 3 + 1) / 10 to exactly 1. #}
    select opportunity_id, position, channel, campaign_key, 'u_shaped',
        (
            (case when is_first then 4 else 0 end)
            + (case when is_lead_creation then 4 else 0 end)
            + case
                when not is_u_role then cast(2 as {{ double }}) / u_others
                when u_others = 0 then cast(2 as {{ double }}) / u_roles
                else cast(0 as {{ double }})
            end
        ) / 10
    from credited
    union all
    select opportunity_id, position, channel, campaign_key, 'w_shaped',
        (
            (case when is_first then 3 else 0 end)
            + (case when is_lead_creation then 3 else 0 end)
            + (case when is_opportunity_creation then 3 else 0 end)
            + case
                when not is_w_role then cast(1 as {{ double }}) / w_others
                when w_others = 0 then cast(1 as {{ double }}) / w_roles
                else cast(0 as {{ double }})
            end
        ) / 10
    from credited
    union all
    select opportunity_id, position, channel, campaign_key, 'time_decay',
        decay_weight / decay_total
    from credited

),

{#- Credits of one channel and campaign added in the touches' order: a plain group-by adds
    doubles in whatever order the threads meet them, and the last bit would differ from run
    to run. -#}
summed as (

    select distinct
        opportunity_id,
        attribution_model,
        channel,
        coalesce(campaign_key, '(none)') as campaign_key,
        sum(credit) over (
            partition by opportunity_id, attribution_model, channel, coalesce(campaign_key, '(none)')
            order by position
            rows between unbounded preceding and unbounded following
        ) as credit
    from by_model

),

final as (

    select
        summed.opportunity_id,
        cast(summed.attribution_model as {{ dbt.type_string() }}) as attribution_model,
        summed.channel,
        summed.campaign_key,
        summed.credit,
        cast(summed.credit * opportunities.amount as {{ revops.type_double() }}) as attributed_pipeline,
        cast(summed.credit * opportunities.won_amount as {{ revops.type_double() }}) as attributed_revenue,
        opportunities.is_won,
        opportunities.created_at as opportunity_created_at,
        opportunities.close_date
    from summed
    inner join opportunities
        on opportunities.opportunity_id = summed.opportunity_id
    where summed.credit > 0

)

select * from final
