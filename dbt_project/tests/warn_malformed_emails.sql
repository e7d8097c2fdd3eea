{{ config(meta={'dagster': {'ref': {'name': 'dim_leads'}}}, **revops.check_severity('warn')) }}
{#- Reads staging, the last layer that holds the raw email; the failing rows show lead ids and
    their raw file and row only, never the address. -#}
select
    lead_id,
    _source_file,
    _row_number
from {{ ref('stg_salesforce__lead') }}
where not is_deleted
    and nullif(trim(email), '') is not null
    and (
        trim(email) not like '%_@_%._%'
        or trim(email) like '% %'
        or trim(email) like '%@%@%'
    )
