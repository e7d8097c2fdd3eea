{#- The associations of the newest export of each object: a row of an older export of the
    object its cell was in does not count. -#}
{{ revops.hubspot_staging('associations', [
    ('from_object', 'from_object', 'string'),
    ('from_id', 'from_id', 'id'),
    ('to_object', 'to_object', 'string'),
    ('to_id', 'to_id', 'id'),
    ('position', 'position', 'integer'),
], snapshot_object='column:from_object') }}
