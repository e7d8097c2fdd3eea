{{ revops.hubspot_staging('calls', [
    ('hs_object_id', 'activity_id', 'id'),
    ('hs_timestamp', 'activity_at', 'portal_timestamp'),
    ('hs_createdate', 'created_at', 'portal_timestamp'),
    ('hubspot_owner_id', 'owner', 'string'),
    ('hs_call_title', 'title', 'string'),
    ('hs_call_direction', 'direction', 'string'),
    ('hs_call_status', 'status', 'string'),
]) }}
