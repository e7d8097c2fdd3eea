{{ config(meta={'dagster': {'ref': {'name': 'mart_attribution'}}}, **revops.check_severity('error')) }}
{#- Every opportunity's credits of every attribution model sum to 1 (to 1e-9), and every
    opportunity has credits in every model (every opportunity has a touch). A failing row names
    the opportunity, the model and its sum. -#}
with

opportunities as (

    select opportunity_id from {{ ref('fct_opportunities') }}

),

models as (

    {%- for model_name in ['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay'] %}
    select cast('{{ model_name }}' as {{ dbt.type_string() }}) as attribution_model
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

sums as (

    select opportunity_id, attribution_model, sum(credit) as credit_sum
    from {{ ref('mart_attribution') }}
    group by opportunity_id, attribution_model

)

select
    opportunities.opportunity_id,
    models.attribution_model,
    sums.credit_sum
from opportunities
cross join models
left join sums
    on sums.opportunity_id = opportunities.opportunity_id
    and sums.attribution_model = models.attribution_model
where sums.credit_sum is null
    or abs(sums.credit_sum - 1) > 1e-9
