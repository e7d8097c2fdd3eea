{#- One row per stage a HubSpot deal entered (its `Date entered` cells of the newest deals
    export), with the stage name through the seed hubspot_deal_stages (matched by id, or by
    label and pipeline label). HubSpot keeps the latest entry into each stage. Two stages
    entered at the same instant are ordered by the stage's display order. -#}
with

entries as (

    select * from {{ ref('stg_hubspot__deal_stage_entries') }}
    where entered_at is not null

),

stage_keys as (

    {{ revops.hubspot_stage_keys() }}

),

matched as (

    select
        entries.deal_id,
        entries.stage,
        entries.entered_at,
        stage_keys.stage_name,
        stage_keys.display_order,
        row_number() over (
            partition by entries.deal_id, entries.stage, entries.pipeline
            order by stage_keys.key_rank asc nulls last
        ) as match_rank
    from entries
    left join stage_keys
        on stage_keys.stage_key = upper(trim(entries.stage))
        and (
            stage_keys.pipeline_key is null
            or stage_keys.pipeline_key = upper(trim(entries.pipeline))
        )

),

final as (

    select
        cast('hubspot' as {{ dbt.type_string() }}) as crm,
        deal_id as opportunity_id,
        coalesce(stage_name, trim(stage)) as stage_name,
        entered_at as changed_at,
        coalesce(display_order, 0) as tiebreak_order,
        trim(stage) as change_id
    from matched
    where match_rank = 1

)

select * from final
