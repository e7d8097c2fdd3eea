{{ revops.salesforce_staging('campaign', [
    ('Id', 'campaign_id', 'id'),
    ('ParentId', 'parent_campaign_id', 'id'),
    ('OwnerId', 'owner_id', 'id'),
    ('Name', 'campaign_name', 'string'),
    ('Type', 'campaign_type', 'string'),
    ('Status', 'status', 'string'),
    ('IsActive', 'is_active', 'boolean'),
    ('StartDate', 'start_date', 'date'),
    ('EndDate', 'end_date', 'date'),
    ('CreatedDate', 'created_at', 'timestamp'),
]) }}
