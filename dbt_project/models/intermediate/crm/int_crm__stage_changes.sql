{#- One row per stage change of an opportunity of every CRM: Salesforce OpportunityHistory
    records (not deleted; amount and close-date edits too, which int_opportunity_stages__historized
    folds into their stage's visit) and the stages a HubSpot deal entered. Ordered by
    changed_at, then tiebreak_order, then change_id. -#}
with

salesforce_history as (

    select * from {{ ref('stg_salesforce__opportunity_history') }}
    where not is_deleted
        and stage_name is not null

),

hubspot_changes as (

    select * from {{ ref('int_hubspot__stage_changes') }}

),

unioned as (

    select
        cast('salesforce' as {{ dbt.type_string() }}) as crm,
        opportunity_id,
        stage_name,
        created_at as changed_at,
        0 as tiebreak_order,
        opportunity_history_id as change_id
    from salesforce_history
    union all
    select
        crm,
        opportunity_id,
        stage_name,
        changed_at,
        tiebreak_order,
        change_id
    from hubspot_changes

)

select * from unioned
