{#- One rate per currency into the reporting currency: the seed's rates for the configured
    reporting currency, plus the reporting currency itself at 1. -#}
{%- set reporting_currency = var('reporting_currency') | upper -%}
with

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

configured as (

    select
        upper(trim(currency)) as currency,
        cast(rate as decimal(18, 8)) as rate_to_reporting
    from fx_rates
    where upper(trim(reporting_currency)) = '{{ reporting_currency }}'
        and upper(trim(currency)) <> '{{ reporting_currency }}'

),

reporting as (

    select
        cast('{{ reporting_currency }}' as {{ dbt.type_string() }}) as currency,
        cast(1 as decimal(18, 8)) as rate_to_reporting

),

unioned as (

    select * from reporting
    union all
    select * from configured

)

select * from unioned
