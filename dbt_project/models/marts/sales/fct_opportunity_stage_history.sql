with

stage_visits as (

    select * from {{ ref('int_opportunity_stages__historized') }}

),

final as (

    select
        opportunity_id,
        stage_name,
        stage_order,
        entered_at,
        exited_at,
        days_in_stage
    from stage_visits

)

select * from final
