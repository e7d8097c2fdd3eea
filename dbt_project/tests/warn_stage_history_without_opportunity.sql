{{ config(meta={'dagster': {'ref': {'name': 'fct_opportunity_stage_history'}}}, **revops.check_severity('warn')) }}
{#- OpportunityHistory records (not deleted) whose opportunity is not in the Opportunity file
    they are read with (staging: the newest snapshot that has each object). They are left out
    of fct_opportunity_stage_history. -#}
select
    history.opportunity_history_id,
    history.opportunity_id,
    history._source_file,
    history._row_number,
    history.snapshot_id
from {{ ref('stg_salesforce__opportunity_history') }} as history
left join {{ ref('stg_salesforce__opportunity') }} as opportunities
    on opportunities.opportunity_id = history.opportunity_id
where not history.is_deleted
    and opportunities.opportunity_id is null
