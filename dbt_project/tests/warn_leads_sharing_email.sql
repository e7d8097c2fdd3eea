{{ config(meta={'dagster': {'ref': {'name': 'dim_leads'}}}, **revops.check_severity('warn')) }}
{#- One failing row per lead that shares its email with another lead. -#}
select
    lead_id,
    email_sha256,
    leads_with_email
from (
    select
        lead_id,
        email_sha256,
        count(*) over (partition by email_sha256) as leads_with_email
    from {{ ref('dim_leads') }}
    where email_sha256 is not null
) as counted
where leads_with_email > 1
