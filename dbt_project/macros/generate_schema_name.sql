{#- Schemas are the contract BI tools read (schema `marts`): a folder's custom schema is
    used as is (`staging`, `intermediate`, `marts`, `seeds`), never prefixed with the target's. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
