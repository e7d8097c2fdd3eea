{{ revops.hubspot_staging('tasks', [
    ('hs_object_id', 'activity_id', 'id'),
    ('hs_createdate', 'created_at', 'portal_timestamp'),
    ('hs_timestamp', 'due_at', 'portal_timestamp'),
    ('hubspot_owner_id', 'owner', 'string'),
    ('hs_task_subject', 'title', 'string'),
    ('hs_task_status', 'status', 'string'),
    ('hs_task_type', 'task_type', 'string'),
]) }}
