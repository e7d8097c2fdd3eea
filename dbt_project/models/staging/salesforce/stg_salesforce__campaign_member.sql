{{ revops.salesforce_staging('campaign_member', [
    ('Id', 'campaign_member_id', 'id'),
    ('CampaignId', 'campaign_id', 'id'),
    ('LeadId', 'lead_id', 'id'),
    ('ContactId', 'contact_id', 'id'),
    ('Status', 'status', 'string'),
    ('HasResponded', 'has_responded', 'boolean'),
    ('FirstRespondedDate', 'first_responded_date', 'date'),
    ('CreatedDate', 'created_at', 'timestamp'),
]) }}
