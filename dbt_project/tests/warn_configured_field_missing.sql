{{ config(meta={'dagster': {'ref': {'name': 'dim_leads'}}}, **revops.check_severity('warn')) }}
{#- One row per Lead field the marts use that the current Lead file lacks (the Lead.csv of the
    newest snapshot that has one): its header (raw.ingest_log.header_columns) does not name the
    field, or, for a file loaded without a recorded header, the raw table has no such column.
    The run goes on with the field empty; the row says what is lost and, for a custom field,
    which dbt var names it (the most common misconfiguration of a new install). -#}
{%- set relation = source('salesforce', 'lead') -%}
{%- set raw_columns = revops.relation_column_names(relation) -%}
{%- set fields = [
    (var('lead_mql_date_field'), 'lead_mql_date_field', 'no lead is an MQL: mqls, SLA and handoff marts are empty'),
    (var('lead_disqualified_reason_field'), 'lead_disqualified_reason_field', 'disqualified leads have no reason'),
    (var('lead_ga_client_id_field'), 'lead_ga_client_id_field', 'leads are stitched to web visits by email only'),
    (var('lead_utm_source_field'), 'lead_utm_source_field', 'lead sources come from web visits and LeadSource only'),
    (var('lead_utm_medium_field'), 'lead_utm_medium_field', 'lead sources come from web visits and LeadSource only'),
    (var('lead_utm_campaign_field'), 'lead_utm_campaign_field', 'leads get no campaign from the form'),
    (var('lead_gclid_field'), 'lead_gclid_field', 'no Google click id from the form'),
    ('Email', none, 'no email_sha256 and no web stitching by email'),
    ('CreatedDate', none, 'leads have no created_at: counted in dim_leads, left out of measures dated by creation'),
] -%}
with

fields as (

    {%- for field_name, var_name, consequence in fields %}
    select
        cast('{{ field_name }}' as {{ dbt.type_string() }}) as field_name,
        cast({{ "'" ~ var_name ~ "'" if var_name else 'null' }} as {{ dbt.type_string() }}) as dbt_var,
        cast('{{ consequence }}' as {{ dbt.type_string() }}) as consequence,
        {{ 'true' if (field_name | lower) in raw_columns or not execute else 'false' }} as in_raw_table
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

lead_files as (

    select
        file_path,
        header_columns,
        row_number() over (
            order by snapshot_at desc nulls last, snapshot_id desc nulls last, file_path asc
        ) as file_rank
    from {{ ref('stg_salesforce__snapshot_files') }}
    where object_name = 'lead'

),

current_file as (

    select file_path, header_columns from lead_files where file_rank = 1

)

select
    current_file.file_path,
    fields.field_name,
    fields.dbt_var,
    fields.consequence
from fields
cross join current_file
where
    case
        when current_file.header_columns is not null
            then current_file.header_columns not like {{ dbt.concat(["'%|'", 'lower(fields.field_name)', "'|%'"]) }}
        else not fields.in_raw_table
    end
