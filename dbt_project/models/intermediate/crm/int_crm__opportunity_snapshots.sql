{#- One row per opportunity per CRM snapshot kept in raw (docs/definitions.md#pipeline-by-snapshot): the
    pipeline as each weekly export saw it, not only the newest. Salesforce Opportunity files
    (deleted records left out) and HubSpot deals exports (pipelines of var hubspot_pipelines,
    stage through the seed hubspot_deal_stages), amounts in the reporting currency.
    Incremental by snapshot: a run adds the snapshots loaded since the last build (a new weekly
    export, or one delivered again) and leaves the older ones as they are. -#}
{{
    config(
        materialized='incremental',
        on_schema_change='sync_all_columns',
        **revops.incremental_by_key('snapshot_key')
    )
}}
{%- set sf = source('salesforce', 'opportunity') -%}
{%- set hs = source('hubspot', 'deals') -%}
with

salesforce as (

    select
        cast('salesforce' as {{ dbt.type_string() }}) as crm,
        _snapshot_id as snapshot_id,
        _snapshot_at as snapshot_at,
        _loaded_at,
        cast(id as {{ dbt.type_string() }}) as opportunity_id,
        cast(stagename as {{ dbt.type_string() }}) as stage_name,
        coalesce(cast(isclosed as {{ dbt.type_boolean() }}), false) as is_closed,
        coalesce(cast(iswon as {{ dbt.type_boolean() }}), false) as is_won,
        cast(amount as decimal(18, 2)) as amount_local,
        {{ revops.column_or_null(sf, 'currencyisocode', dbt.type_string()) }} as currency_code,
        cast(createddate as {{ dbt.type_timestamp() }}) as created_at
    from {{ sf }}
    where not coalesce({{ revops.column_or_null(sf, 'isdeleted', dbt.type_boolean()) }}, false)

),

stage_keys as (

    {{ revops.hubspot_stage_keys() }}

),

hubspot_staged as (

    select
        deals.*,
        stage_keys.stage_name as mapped_stage_name,
        stage_keys.is_closed as stage_is_closed,
        stage_keys.is_won as stage_is_won,
        row_number() over (
            partition by deals._snapshot_id, deals.hs_object_id, deals._source_file, deals._row_number
            order by stage_keys.key_rank asc nulls last
        ) as stage_match_rank
    from {{ hs }} as deals
    left join stage_keys
        on stage_keys.stage_key = upper(trim(deals.dealstage))
        and (
            stage_keys.pipeline_key is null
            or stage_keys.pipeline_key = upper(trim(deals.pipeline))
        )
    where {{ revops.hubspot_in_pipelines('deals.pipeline') }}

),

hubspot as (

    select
        cast('hubspot' as {{ dbt.type_string() }}) as crm,
        _snapshot_id as snapshot_id,
        _snapshot_at as snapshot_at,
        _loaded_at,
        cast(hs_object_id as {{ dbt.type_string() }}) as opportunity_id,
        coalesce(mapped_stage_name, nullif(trim(dealstage), '')) as stage_name,
        coalesce(hs_is_closed, stage_is_closed, hs_is_closed_won, false) as is_closed,
        coalesce(hs_is_closed_won, stage_is_won, false) as is_won,
        cast(amount as decimal(18, 2)) as amount_local,
        cast(deal_currency_code as {{ dbt.type_string() }}) as currency_code,
        case
            when _datetime_zone = 'UTC' then cast(createdate as {{ dbt.type_timestamp() }})
            else {{ revops.from_time_zone('cast(createdate as ' ~ dbt.type_timestamp() ~ ')', var('hubspot_timezone')) }}
        end as created_at
    from hubspot_staged
    where stage_match_rank = 1

),

unioned as (

    select * from salesforce
    union all
    select * from hubspot

),

{#- A snapshot is rebuilt whole when any of its rows was loaded after the last build. -#}
snapshot_loads as (

    select crm, snapshot_id, max(_loaded_at) as loaded_at
    from unioned
    group by crm, snapshot_id

),

{% if is_incremental() %}
built as (

    select max(loaded_at) as built_until from {{ this }}

),
{% endif %}

to_build as (

    select snapshot_loads.*
    from snapshot_loads
    {%- if is_incremental() %}
    cross join built
    where built.built_until is null or snapshot_loads.loaded_at > built.built_until
    {%- endif %}

),

fx_rates as (

    select * from {{ ref('int_fx_rates__to_reporting') }}

),

final as (

    select
        {{ dbt.concat(['unioned.crm', "'/'", 'unioned.snapshot_id']) }} as snapshot_key,
        unioned.crm,
        unioned.snapshot_id,
        unioned.snapshot_at,
        to_build.loaded_at,
        unioned.opportunity_id,
        unioned.stage_name,
        unioned.is_closed,
        unioned.is_won,
        {{ revops.money('unioned.amount_local * fx_rates.rate_to_reporting') }} as amount,
        unioned.created_at
    from unioned
    inner join to_build
        on to_build.crm = unioned.crm
        and to_build.snapshot_id = unioned.snapshot_id
    left join fx_rates
        on fx_rates.currency = upper(coalesce(
            nullif(trim(unioned.currency_code), ''), '{{ var("reporting_currency") | upper }}'
        ))

)

select * from final
