{#- The stage entry times of the newest deals export. -#}
{{ revops.hubspot_staging('deal_stage_entries', [
    ('deal_id', 'deal_id', 'id'),
    ('stage', 'stage', 'string'),
    ('pipeline', 'pipeline', 'string'),
    ('entered_at', 'entered_at', 'portal_timestamp'),
], snapshot_object='deals') }}
