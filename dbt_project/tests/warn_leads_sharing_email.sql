{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'dim_leads'}}}) }}
select
    email_sha256,
    count(*) as leads
from {{ ref('dim_leads') }}
where email_sha256 is not null
group by email_sha256
having count(*) > 1
