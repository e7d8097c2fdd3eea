{{ revops.hubspot_staging('meetings', [
    ('hs_object_id', 'activity_id', 'id'),
    ('hs_timestamp', 'activity_at', 'portal_timestamp'),
    ('hs_createdate', 'created_at', 'portal_timestamp'),
    ('hubspot_owner_id', 'owner', 'string'),
    ('hs_meeting_title', 'title', 'string'),
    ('hs_meeting_start_time', 'meeting_start_at', 'portal_timestamp'),
    ('hs_meeting_outcome', 'status', 'string'),
]) }}
