{#- One row per stage visit of an opportunity of every CRM, from its stage changes
    (int_crm__stage_changes): consecutive changes in the same stage (amount or close date
    edits in Salesforce's OpportunityHistory) are one visit. A visit ends when
    the next one begins; the current stage's visit is open (exited_at NULL) and its duration is
    measured to the as-of time, except the closing stage of a closed deal (NULL). -#}
with

history as (

    select * from {{ ref('int_crm__stage_changes') }}

),

opportunities as (

    select opportunity_id, is_closed from {{ ref('int_crm__opportunities') }}

),

as_of as (

    select * from {{ ref('int_crm__as_of') }}

),

ordered as (

    select
        history.opportunity_id,
        history.stage_name,
        history.changed_at as created_at,
        opportunities.is_closed,
        lag(history.stage_name) over (
            partition by history.opportunity_id
            order by
                history.changed_at asc nulls last,
                history.tiebreak_order asc,
                history.change_id asc nulls last
        ) as previous_stage_name,
        row_number() over (
            partition by history.opportunity_id
            order by
                history.changed_at asc nulls last,
                history.tiebreak_order asc,
                history.change_id asc nulls last
        ) as history_order
    from history
    inner join opportunities
        on opportunities.opportunity_id = history.opportunity_id

),

visit_starts as (

    select
        opportunity_id,
        stage_name,
        created_at as entered_at,
        is_closed,
        history_order
    from ordered
    where previous_stage_name is null
        or previous_stage_name <> stage_name

),

visits as (

    select
        opportunity_id,
        stage_name,
        entered_at,
        is_closed,
        {#- row_number() is a bigint on DuckDB, an int on Spark: one type on both. #}
        cast(row_number() over (
            partition by opportunity_id
            order by history_order asc nulls last
        ) as {{ dbt.type_bigint() }}) as stage_order,
        lead(entered_at) over (
            partition by opportunity_id
            order by history_order asc nulls last
        ) as exited_at
    from visit_starts

),

final as (

    select
        visits.opportunity_id,
        visits.stage_name,
        visits.stage_order,
        visits.entered_at,
        visits.exited_at,
        case
            when visits.exited_at is not null then cast(
                {{ dbt.datediff('visits.entered_at', 'visits.exited_at', 'second') }}
                as {{ revops.type_double() }}
            ) / 86400
            {#- The closing stage of a closed deal is where it ends, not a stage it sits in. #}
            when not visits.is_closed then cast(
                {{ dbt.datediff('visits.entered_at', 'as_of.as_of_at', 'second') }}
                as {{ revops.type_double() }}
            ) / 86400
        end as days_in_stage
    from visits
    cross join as_of

)

select * from final
