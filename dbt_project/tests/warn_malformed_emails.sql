{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'dim_leads'}}}) }}
{#- Reads staging, the last layer that holds the raw email; the failing rows show lead ids
    only, never the address. -#}
select lead_id
from {{ ref('stg_salesforce__lead') }}
where not is_deleted
    and nullif(trim(email), '') is not null
    and (
        trim(email) not like '%_@_%._%'
        or trim(email) like '% %'
        or trim(email) like '%@%@%'
    )
