{{ revops.salesforce_staging('account', [
    ('Id', 'account_id', 'id'),
    ('OwnerId', 'owner_id', 'id'),
    ('CreatedDate', 'created_at', 'timestamp'),
    ('Name', 'account_name', 'string'),
    ('Type', 'account_type', 'string'),
    ('Industry', 'industry', 'string'),
    ('BillingCountry', 'billing_country', 'string'),
    ('NumberOfEmployees', 'number_of_employees', 'integer'),
    ('AnnualRevenue', 'annual_revenue', 'decimal'),
]) }}
