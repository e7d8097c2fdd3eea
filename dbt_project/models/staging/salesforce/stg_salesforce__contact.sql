{{ revops.salesforce_staging('contact', [
    ('Id', 'contact_id', 'id'),
    ('AccountId', 'account_id', 'id'),
    ('OwnerId', 'owner_id', 'id'),
    ('CreatedDate', 'created_at', 'timestamp'),
    ('FirstName', 'first_name', 'string'),
    ('LastName', 'last_name', 'string'),
    ('Email', 'email', 'string'),
    ('Title', 'title', 'string'),
    ('LeadSource', 'lead_source', 'string'),
]) }}
