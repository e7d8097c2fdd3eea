{#- One row per HubSpot deal that is an opportunity: a deal of the pipelines in var
    hubspot_pipelines (ids or labels; [] = every pipeline), mapped to the CRM-agnostic
    opportunity columns of int_crm__opportunities. The stage (a label in UI exports, an id in
    API exports) through the seed hubspot_deal_stages (a stage it does not list keeps its
    text); won = Is Closed Won, else the stage's flag in the seed; the owner cell resolved
    through the owners export; the account is the deal's first associated company; the CRM
    campaign is its `HubSpot Campaign`. -#}
with

deals as (

    select * from {{ ref('stg_hubspot__deals') }}

),

{#- A stage is found by its id, or by its label within the deal's pipeline (id or label). -#}
stage_keys as (

    {{ revops.hubspot_stage_keys() }}

),

owner_lookup as (

    select * from {{ ref('int_hubspot__owner_lookup') }}

),

associations as (

    select * from {{ ref('stg_hubspot__associations') }}

),

deal_companies as (

    select from_id as deal_id, to_id as company_id, position, 1 as side
    from associations
    where from_object = 'deals' and to_object = 'companies'
    union all
    select to_id as deal_id, from_id as company_id, position, 2 as side
    from associations
    where from_object = 'companies' and to_object = 'deals'

),

first_company as (

    select deal_id, company_id
    from (
        select
            deal_id,
            company_id,
            row_number() over (
                partition by deal_id
                order by side asc, position asc nulls last, company_id asc
            ) as company_rank
        from deal_companies
    ) as ranked
    where company_rank = 1

),

in_pipelines as (

    select * from deals
    where {{ revops.hubspot_in_pipelines('pipeline') }}

),

staged as (

    select
        in_pipelines.*,
        stage_keys.stage_name as mapped_stage_name,
        stage_keys.is_closed as stage_is_closed,
        stage_keys.is_won as stage_is_won,
        row_number() over (
            partition by in_pipelines.deal_id
            order by stage_keys.key_rank asc nulls last
        ) as stage_match_rank
    from in_pipelines
    left join stage_keys
        on stage_keys.stage_key = upper(trim(in_pipelines.deal_stage))
        and (
            stage_keys.pipeline_key is null
            or stage_keys.pipeline_key = upper(trim(in_pipelines.pipeline))
        )

),

final as (

    select
        cast('hubspot' as {{ dbt.type_string() }}) as crm,
        staged.deal_id as opportunity_id,
        first_company.company_id as account_id,
        coalesce(owner_lookup.owner_id, nullif(trim(staged.owner), '')) as owner_id,
        staged.deal_name as opportunity_name,
        staged.created_at,
        staged.close_date,
        coalesce(staged.mapped_stage_name, nullif(trim(staged.deal_stage), '')) as stage_name,
        coalesce(staged.is_closed, staged.stage_is_closed, staged.is_closed_won, false) as is_closed,
        coalesce(staged.is_closed_won, staged.stage_is_won, false) as is_won,
        staged.amount,
        staged.currency_code,
        nullif(trim(staged.campaign), '') as crm_campaign_id,
        nullif(trim(staged.campaign), '') as crm_campaign_name
    from staged
    left join owner_lookup
        on owner_lookup.lookup_key = lower(trim(staged.owner))
    left join first_company
        on first_company.deal_id = staged.deal_id
    where staged.stage_match_rank = 1

)

select * from final
