{{ revops.hubspot_staging('emails', [
    ('hs_object_id', 'activity_id', 'id'),
    ('hs_timestamp', 'activity_at', 'portal_timestamp'),
    ('hs_createdate', 'created_at', 'portal_timestamp'),
    ('hubspot_owner_id', 'owner', 'string'),
    ('hs_email_subject', 'title', 'string'),
    ('hs_email_direction', 'direction', 'string'),
]) }}
