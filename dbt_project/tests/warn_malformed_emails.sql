{{ config(meta={'dagster': {'ref': {'name': 'dim_leads'}}}, **revops.check_severity('warn')) }}
{#- Reads staging, the last layer that holds the raw email; the failing rows show lead ids and
    their raw file and row only, never the address. -#}
with

crm_emails as (

    select lead_id, email, _source_file, _row_number
    from {{ ref('stg_salesforce__lead') }}
    where not is_deleted
    union all
    select contacts.contact_id, contacts.email, contacts._source_file, contacts._row_number
    from {{ ref('stg_hubspot__contacts') }} as contacts
    inner join {{ ref('int_hubspot__leads') }} as leads
        on leads.lead_id = contacts.contact_id

)

select
    lead_id,
    _source_file,
    _row_number
from crm_emails
where nullif(trim(email), '') is not null
    and (
        trim(email) not like '%_@_%._%'
        or trim(email) like '% %'
        or trim(email) like '%@%@%'
    )
