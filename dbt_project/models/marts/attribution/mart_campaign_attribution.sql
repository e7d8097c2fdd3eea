{#- One row per campaign and attribution model (docs/marts.md#mart_campaign_attribution): what each
    model credits the campaign with (pipeline, won deals, revenue), against its ad spend. Every
    campaign_key that has ad spend or any touch has a row for each of the six models. -#}
with

attribution as (

    select * from {{ ref('mart_attribution') }}

),

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

performance as (

    select campaign_key, channel, spend from {{ ref('mart_campaign_performance') }}

),

models as (

    {%- for model_name in ['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay'] %}
    select cast('{{ model_name }}' as {{ dbt.type_string() }}) as attribution_model
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

touched as (

    select
        coalesce(campaign_key, '(none)') as campaign_key,
        count(distinct opportunity_id) as opportunities_touched
    from touchpoints
    group by coalesce(campaign_key, '(none)')

),

campaigns as (

    select campaign_key from touched
    union
    select campaign_key from performance where spend > 0

),

{#- Sums of doubles come out in the last bits as the engine happened to add them (threads,
    an incremental build vs a full one): money is rounded to the cent and deal fractions to
    1e-9, so the same data always gives the same mart. -#}
credited as (

    select
        campaign_key,
        attribution_model,
        round(sum(attributed_pipeline), 2) as attributed_pipeline,
        round(sum(case when is_won then credit else 0 end), 9) as attributed_won_deals,
        round(sum(attributed_revenue), 2) as attributed_revenue
    from attribution
    group by campaign_key, attribution_model

),

final as (

    select
        campaigns.campaign_key,
        models.attribution_model,
        coalesce(performance.channel, 'Other') as channel,
        {{ revops.money('coalesce(performance.spend, 0)') }} as spend,
        cast(coalesce(touched.opportunities_touched, 0) as {{ dbt.type_bigint() }})
            as opportunities_touched,
        cast(coalesce(credited.attributed_pipeline, 0) as {{ revops.type_double() }})
            as attributed_pipeline,
        cast(coalesce(credited.attributed_won_deals, 0) as {{ revops.type_double() }})
            as attributed_won_deals,
        cast(coalesce(credited.attributed_revenue, 0) as {{ revops.type_double() }})
            as attributed_revenue,
        {{ revops.safe_divide('coalesce(credited.attributed_revenue, 0)', 'performance.spend') }}
            as attributed_roas,
        {{ revops.safe_divide('coalesce(performance.spend, 0)', 'credited.attributed_won_deals') }}
            as attributed_cac
    from campaigns
    cross join models
    left join performance
        on performance.campaign_key = campaigns.campaign_key
    left join touched
        on touched.campaign_key = campaigns.campaign_key
    left join credited
        on credited.campaign_key = campaigns.campaign_key
        and credited.attribution_model = models.attribution_model

)

select * from final
