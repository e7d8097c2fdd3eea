{{ config(meta={'dagster': {'ref': {'name': 'mart_funnel_daily'}}}, **revops.check_severity('warn')) }}
/* depends_on: {{ ref('mart_funnel_daily') }}, the mart this warning is shown on */
{#- One row per loaded landing file whose header names a column twice: ingest used the first
    and kept the other in _extra, as its parse notes say. -#}
select
    file_path,
    source,
    parse_notes
from {{ source('ingest', 'ingest_log') }}
where status = 'loaded'
    and parse_notes like '%duplicate header%'
