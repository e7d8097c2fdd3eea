{{ revops.salesforce_staging('opportunity_history', [
    ('Id', 'opportunity_history_id', 'id'),
    ('OpportunityId', 'opportunity_id', 'id'),
    ('CreatedById', 'created_by_id', 'id'),
    ('CreatedDate', 'created_at', 'timestamp'),
    ('StageName', 'stage_name', 'string'),
    ('Amount', 'amount', 'decimal'),
    ('CloseDate', 'close_date', 'date'),
    ('Probability', 'probability', 'decimal'),
]) }}
