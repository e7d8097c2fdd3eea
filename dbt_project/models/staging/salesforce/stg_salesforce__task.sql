{{ revops.salesforce_staging('task', [
    ('Id', 'task_id', 'id'),
    ('WhoId', 'who_id', 'id'),
    ('WhatId', 'what_id', 'id'),
    ('OwnerId', 'owner_id', 'id'),
    ('Subject', 'subject', 'string'),
    ('Type', 'task_type', 'string'),
    ('TaskSubtype', 'task_subtype', 'string'),
    ('Status', 'status', 'string'),
    ('ActivityDate', 'activity_date', 'date'),
    ('CreatedDate', 'created_at', 'timestamp'),
]) }}
