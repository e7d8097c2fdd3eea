{#- Checks (dbt data tests): severity as configuration, and failing rows that name their records.

    Every generic test of this project (including the overridden built-ins unique, not_null,
    accepted_values, relationships in tests/generic/) and every singular test calls
    `config(**revops.check_severity(default))` once. The check's name is the test node's name
    (what Dagster shows as the asset check; give a test `name:` in yml to make it readable).
    The var `check_severity` (dbt_project.yml) maps that name to:
      - 'error' or 'warn'
      - {severity: error|warn, error_if: '>10'}         block only when more than 10 rows fail
      - {severity: error|warn, error_if: '>5%'}         block only when more than 5 % of the rows
                                                        of the model the check guards fail
      - {threshold: 10} / {threshold: '5%'}             the same as error_if '>10' / '>5%'
      (warn_if works the same way; both default to '!= 0'.)
    Names the var does not list keep the default written next to the test (`default_severity`
    argument of a generic test, or the singular test's config call).
    Severity is read when dbt parses the project, so the manifest (and Dagster's blocking flag)
    agrees with it; a new --vars value makes dbt parse again. -#}
{% macro check_severity(default='error', name=none) -%}
    {%- set check_name = name or (model.name if model is mapping else none) -%}
    {%- set settings = var('check_severity', {}) or {} -%}
    {%- set entry = settings.get(check_name) if check_name else none -%}
    {%- set severity = default -%}
    {%- set error_if = '!= 0' -%}
    {%- set warn_if = '!= 0' -%}
    {%- if entry is string -%}
        {%- set severity = entry -%}
    {%- elif entry is mapping -%}
        {%- set severity = entry.get('severity', default) -%}
        {%- set threshold = entry.get('threshold') -%}
        {%- if threshold is not none -%}
            {%- set error_if = '>' ~ threshold -%}
        {%- endif -%}
        {%- set error_if = entry.get('error_if', error_if) -%}
        {%- set warn_if = entry.get('warn_if', warn_if) -%}
    {%- endif -%}
    {%- set severity = severity | string | lower | trim -%}
    {%- if severity not in ['error', 'warn'] -%}
        {{ exceptions.raise_compiler_error(
            "var check_severity: '" ~ check_name ~ "' must be error or warn, not '" ~ severity ~ "'"
        ) }}
    {%- endif -%}
    {{ return({'severity': severity, 'error_if': error_if | string, 'warn_if': warn_if | string}) }}
{%- endmacro %}

{#- A threshold ending in % (`>5%`) compares the failing rows with that share of the rows of
    the model the check guards; any other threshold is used as dbt writes it (`>10`, `!= 0`). -#}
{% macro check_threshold_sql(condition) -%}
    {%- set text = condition | string | trim -%}
    {%- set share = modules.re.match('^([<>=!]+)\\s*([0-9.]+)\\s*%$', text) -%}
    {%- if share is none -%}
        {{ return(text) }}
    {%- endif -%}
    {%- set guarded = revops.check_guarded_relation() -%}
    {%- if guarded is none -%}
        {{ exceptions.raise_compiler_error(
            "check " ~ model.name ~ ": a % threshold needs a model the check guards"
        ) }}
    {%- endif -%}
    {{ return(share.group(1) ~ ' (select ' ~ (share.group(2) | float / 100) ~ ' * count(*) from '
              ~ guarded ~ ')') }}
{%- endmacro %}

{#- The relation of the model a test guards: its attached model (generic tests), else the
    model its config names for Dagster (meta.dagster.ref), else its first model dependency. -#}
{% macro check_guarded_relation() -%}
    {%- set node_id = model.get('attached_node') -%}
    {%- if not node_id -%}
        {%- set dagster_ref = ((model.config.get('meta') or {}).get('dagster') or {}).get('ref') -%}
        {%- if dagster_ref -%}
            {{ return(ref(dagster_ref['name'])) }}
        {%- endif -%}
        {%- for dependency in model.depends_on.nodes if dependency.startswith('model.') -%}
            {%- if not node_id -%}{%- set node_id = dependency -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if not node_id or node_id not in graph.nodes -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set node = graph.nodes[node_id] -%}
    {{ return(api.Relation.create(database=node.database, schema=node.schema,
                                  identifier=node.alias)) }}
{%- endmacro %}

{#- dbt's test query with the % thresholds above resolved (dispatch finds the root project's
    default__ before dbt's own). -#}
{% macro default__get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
    select
      {{ fail_calc }} as failures,
      {{ fail_calc }} {{ revops.check_threshold_sql(warn_if) }} as should_warn,
      {{ fail_calc }} {{ revops.check_threshold_sql(error_if) }} as should_error
    from (
      {{ main_sql }}
      {{ "limit " ~ limit if limit != none }}
    ) dbt_internal_test
{%- endmacro %}

{#- The identifying columns of a tested model's rows, for a generic test to select first, so
    that the stored failures (schema audit) name the records to fix: its record ids (lead_id,
    opportunity_id, ...), else its grain (day x platform x campaign, ...), then the raw lineage
    (_source_file, _row_number) when it has it. [] while dbt parses. `exclude`: columns the
    test selects itself. -#}
{% macro failing_row_keys(model, exclude=[]) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set present = [] -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}
        {%- do present.append(column.name | lower) -%}
    {%- endfor -%}
    {%- set keys = [] -%}
    {#- in the model's column order: a model lists its own id first (fct_opportunities:
        opportunity_id, then lead_id) -#}
    {%- for key in present if key in ['lead_id', 'opportunity_id', 'opportunity_history_id',
                                      'task_id', 'campaign_member_id', 'session_key',
                                      'stage_order'] -%}
        {%- do keys.append(key) -%}
    {%- endfor -%}
    {%- if not keys -%}
        {%- for grain in [['date_day', 'platform', 'campaign_id'],
                          ['date_day', 'channel', 'campaign_key'],
                          ['campaign_key'], ['event_at', 'user_pseudo_id']] -%}
            {%- if not keys and grain | reject('in', present) | list | length == 0 -%}
                {%- do keys.extend(grain) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for key in ['_source_file', 'source_file', '_row_number'] if key in present -%}
        {%- do keys.append(key) -%}
    {%- endfor -%}
    {{ return(keys | reject('in', exclude) | list) }}
{%- endmacro %}

{#- Every column of a tested model, its keys (failing_row_keys) first: `*` while dbt parses. -#}
{% macro failing_row_columns(model) -%}
    {%- if not execute -%}
        {{ return('*') }}
    {%- endif -%}
    {%- set keys = revops.failing_row_keys(model) -%}
    {%- set columns = keys[:] -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}
        {%- if (column.name | lower) not in keys -%}
            {%- do columns.append(adapter.quote(column.name) if ' ' in column.name else column.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(columns | join(', ')) }}
{%- endmacro %}
