{{ revops.salesforce_staging('user', [
    ('Id', 'user_id', 'id'),
    ('Name', 'user_name', 'string'),
    ('FirstName', 'first_name', 'string'),
    ('LastName', 'last_name', 'string'),
    ('Title', 'title', 'string'),
    ('Department', 'department', 'string'),
    ('UserRoleId', 'user_role_id', 'id'),
    ('IsActive', 'is_active', 'boolean'),
    ('CreatedDate', 'created_at', 'timestamp'),
]) }}
