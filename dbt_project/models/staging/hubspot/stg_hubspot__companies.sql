{{ revops.hubspot_staging('companies', [
    ('hs_object_id', 'company_id', 'id'),
    ('name', 'company_name', 'string'),
    ('domain', 'domain', 'string'),
    ('country', 'country', 'string'),
    ('industry', 'industry', 'string'),
    ('hubspot_owner_id', 'owner', 'string'),
    ('createdate', 'created_at', 'portal_timestamp'),
]) }}
