{{ revops.hubspot_staging('owners', [
    ('owner_id', 'owner_id', 'id'),
    ('first_name', 'first_name', 'string'),
    ('last_name', 'last_name', 'string'),
    ('email', 'email', 'string'),
    ('user_id', 'user_id', 'id'),
    ('archived', 'is_archived', 'boolean'),
]) }}
