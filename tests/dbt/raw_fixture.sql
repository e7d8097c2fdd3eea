-- A tiny raw schema exactly as docs/ARCHITECTURE.md says ingest writes it, with rows chosen to
-- exercise each rule of docs/definitions.md (overlapping exports, snapshots, stitching, SLA states).
-- As-of time: the newest Salesforce snapshot, 2026-03-10 00:00 UTC.
create schema if not exists raw;

create table raw.google_ads__campaign_stats (
    day date, campaign_id varchar, campaign_name varchar, account_name varchar,
    currency_code varchar, cost decimal(18, 6), impressions bigint, clicks bigint,
    conversions double, conversion_value double,
    _source_file varchar, _file_sha256 varchar, _row_number bigint, _loaded_at timestamp,
    _file_modified_at timestamp, _extra json
);
insert into raw.google_ads__campaign_stats values
    -- older export: 03-08 and 03-09
    ('2026-03-08', '111', 'Brand  Search US', 'Acme', null, 100.00, 1000, 50, 2, 0, 'google_ads/a.csv', 'sha-a', 1, '2026-03-10 01:00', '2026-03-09 06:00', null),
    ('2026-03-09', '111', 'Brand  Search US', 'Acme', null, 90.00, 900, 45, 1, 0, 'google_ads/a.csv', 'sha-a', 2, '2026-03-10 01:00', '2026-03-09 06:00', null),
    -- newer export re-reports 03-09 (wins) and adds 03-10
    ('2026-03-09', '111', 'Brand  Search US', 'Acme', 'USD', 95.50, 950, 48, 1, 0, 'google_ads/b.csv', 'sha-b', 1, '2026-03-10 01:00', '2026-03-10 06:00', null),
    ('2026-03-10', '111', 'Brand  Search US', 'Acme', 'USD', 80.25, 800, 40, 0, 0, 'google_ads/b.csv', 'sha-b', 2, '2026-03-10 01:00', '2026-03-10 06:00', null),
    -- a campaign the campaign map re-keys to its UTM and re-channels to Display
    ('2026-03-09', '222', 'GDN Remarketing', 'Acme', 'USD', 10.00, 5000, 5, 0, 0, 'google_ads/b.csv', 'sha-b', 3, '2026-03-10 01:00', '2026-03-10 06:00', null);

create table raw.meta_ads__campaign_stats (
    reporting_starts date, reporting_ends date, campaign_name varchar, campaign_id varchar,
    account_name varchar, currency varchar, amount_spent decimal(18, 6), impressions bigint,
    reach bigint, link_clicks bigint, results double, result_indicator varchar,
    _source_file varchar, _file_sha256 varchar, _row_number bigint, _loaded_at timestamp,
    _file_modified_at timestamp, _extra json
);
insert into raw.meta_ads__campaign_stats values
    ('2026-03-09', '2026-03-09', 'Spring Promo', '23850000000001', 'Acme EU', 'EUR', 50.00, 2000, 1500, 30, 3, 'leads', 'meta_ads/m.csv', 'sha-m', 1, '2026-03-10 01:00', '2026-03-10 06:00', null),
    ('2026-03-09', '2026-03-09', 'Japan Test', '23850000000002', 'Acme JP', 'JPY', 1000.00, 100, 90, 1, 0, 'leads', 'meta_ads/m.csv', 'sha-m', 2, '2026-03-10 01:00', '2026-03-10 06:00', null);

create table raw.linkedin_ads__campaign_stats (
    start_date date, account_name varchar, campaign_group_name varchar, campaign_name varchar,
    campaign_id varchar, currency varchar, total_spent decimal(18, 6), impressions bigint,
    clicks bigint, leads bigint,
    _source_file varchar, _file_sha256 varchar, _row_number bigint, _loaded_at timestamp,
    _file_modified_at timestamp, _extra json
);
insert into raw.linkedin_ads__campaign_stats values
    ('2026-03-09', 'Acme', 'ABM', 'ABM Enterprise', '500001', 'USD', 200.00, 3000, 20, 1, 'linkedin_ads/l.csv', 'sha-l', 1, '2026-03-10 01:00', '2026-03-10 06:00', null);

create table raw.ga4__events (
    event_date varchar, event_timestamp bigint, event_name varchar, user_pseudo_id varchar,
    user_id varchar,
    event_params struct(key varchar, value struct(string_value varchar, int_value bigint, double_value double))[],
    collected_traffic_source struct(manual_source varchar, manual_medium varchar, manual_campaign_name varchar, gclid varchar),
    device struct(category varchar), geo struct(country varchar),
    _delivery_key varchar, _source_file varchar, _file_sha256 varchar, _row_number bigint,
    _loaded_at timestamp, _file_modified_at timestamp
);
insert into raw.ga4__events
select
    strftime(ts, '%Y%m%d'), epoch_us(ts), event_name, user_pseudo_id, user_id,
    [
        {'key': 'ga_session_id', 'value': {'string_value': sid, 'int_value': null, 'double_value': null}},
        {'key': 'page_location', 'value': {'string_value': page, 'int_value': null, 'double_value': null}},
        {'key': 'page_referrer', 'value': {'string_value': referrer, 'int_value': null, 'double_value': null}},
        {'key': 'session_engaged', 'value': {'string_value': null, 'int_value': engaged, 'double_value': null}}
    ],
    {'manual_source': src, 'manual_medium': med, 'manual_campaign_name': camp, 'gclid': gclid},
    {'category': 'desktop'}, {'country': 'US'},
    'events_' || strftime(ts, '%Y%m%d'), 'web/events_' || strftime(ts, '%Y%m%d') || '.jsonl', 'sha', 1,
    timestamp '2026-03-10 01:00', timestamp '2026-03-10 01:00'
from (values
    -- u1: paid search via UTMs, then fills the form (lead L1)
    (timestamp '2026-03-08 09:00:00', 'session_start', 'u1', null, '1001', 'https://acme.io/pricing?utm_source=google&gclid=g1', null, 0, 'google', 'cpc', 'Brand Search US', 'g1'),
    (timestamp '2026-03-08 09:00:05', 'page_view', 'u1', null, '1001', 'https://acme.io/pricing?utm_source=google&gclid=g1', null, 1, 'google', 'cpc', 'Brand Search US', 'g1'),
    (timestamp '2026-03-08 09:03:00', 'generate_lead', 'u1', null, '1001', 'https://acme.io/demo', null, 1, null, null, null, null),
    -- u1 again later: not the first session
    (timestamp '2026-03-09 09:00:00', 'session_start', 'u1', null, '1002', 'https://acme.io/', null, 0, null, null, null, null),
    -- u2: organic search from a Google referrer
    (timestamp '2026-03-01 12:00:00', 'session_start', 'u2', null, '2001', 'https://acme.io/blog/x', 'https://www.google.com/', 0, null, null, null, null),
    (timestamp '2026-03-01 12:00:01', 'page_view', 'u2', null, '2001', 'https://acme.io/blog/x', 'https://www.google.com/', 0, null, null, null, null),
    -- u3: paid social by fbclid only
    (timestamp '2026-03-09 23:59:00', 'session_start', 'u3', null, '3001', 'https://acme.io/?fbclid=abc', null, 0, null, null, null, null),
    (timestamp '2026-03-10 00:01:00', 'page_view', 'u3', null, '3001', 'https://acme.io/?fbclid=abc', null, 1, null, null, null, null),
    -- u4: direct
    (timestamp '2026-03-07 08:00:00', 'page_view', 'u4', null, '4001', 'https://acme.io/', null, 0, null, null, null, null),
    -- u5: known by user_id = sha256('pat@example.com'): stitched to lead L5 by email
    (timestamp '2026-02-20 10:00:00', 'session_start', 'u5', 'fe9733fcc96501276776fc927df08a395835461a2c5b12c65ebab3454877e227', '5001', 'https://acme.io/?li_fat_id=zz', null, 0, null, null, null, null),
    -- u6: a LinkedIn referral (organic social)
    (timestamp '2026-03-05 10:00:00', 'session_start', 'u6', null, '6001', 'https://acme.io/', 'https://www.linkedin.com/feed/', 1, null, null, null, null)
) as t(ts, event_name, user_pseudo_id, user_id, sid, page, referrer, engaged, src, med, camp, gclid);

-- GA4 exports from before mid-2023: collected_traffic_source is NULL; the traffic source is in
-- the event params source / medium / campaign of the session's first event that has them.
insert into raw.ga4__events
select
    strftime(ts, '%Y%m%d'), epoch_us(ts), event_name, user_pseudo_id, null,
    list_filter([
        {'key': 'ga_session_id', 'value': {'string_value': sid, 'int_value': null, 'double_value': null}},
        {'key': 'page_location', 'value': {'string_value': page, 'int_value': null, 'double_value': null}},
        {'key': 'page_referrer', 'value': {'string_value': referrer, 'int_value': null, 'double_value': null}},
        {'key': 'source', 'value': {'string_value': src, 'int_value': null, 'double_value': null}},
        {'key': 'medium', 'value': {'string_value': med, 'int_value': null, 'double_value': null}},
        {'key': 'campaign', 'value': {'string_value': camp, 'int_value': null, 'double_value': null}}
    ], lambda p: p.value.string_value is not null),
    null,
    {'category': 'desktop'}, {'country': 'US'},
    'events_' || strftime(ts, '%Y%m%d'), 'web/events_' || strftime(ts, '%Y%m%d') || '.jsonl', 'sha', 2,
    timestamp '2026-03-10 01:00', timestamp '2026-03-10 01:00'
from (values
    -- u8: the session_start has no params; the page_view carries the newsletter's UTMs
    (timestamp '2026-03-06 07:00:00', 'session_start', 'u8', '8001', 'https://acme.io/news', null, null, null, null),
    (timestamp '2026-03-06 07:00:02', 'page_view', 'u8', '8001', 'https://acme.io/news', null, 'newsletter', 'email', 'March  Digest'),
    (timestamp '2026-03-06 07:05:00', 'page_view', 'u8', '8001', 'https://acme.io/other', null, 'google', 'cpc', 'Later'),
    -- u9: no params at all: the referrer decides (Bing -> Organic Search)
    (timestamp '2026-03-06 08:00:00', 'session_start', 'u9', '9001', 'https://acme.io/', 'https://www.bing.com/', null, null, null),
    -- u10: params name no campaign: '(organic)' is GA4's placeholder, not a campaign
    (timestamp '2026-03-06 09:00:00', 'page_view', 'u10', '10001', 'https://acme.io/', null, 'google', 'organic', '(organic)')
) as t(ts, event_name, user_pseudo_id, sid, page, referrer, src, med, camp);

-- Salesforce: two snapshots; the newest (2026-03-10) is the truth.
create table raw.salesforce__lead (
    id varchar, isdeleted boolean, ownerid varchar, createddate timestamp, email varchar,
    company varchar, country varchar, status varchar, leadsource varchar, isconverted boolean,
    converteddate date, convertedopportunityid varchar, convertedaccountid varchar,
    convertedcontactid varchar, mql_date__c timestamp, disqualified_reason__c varchar,
    ga_client_id__c varchar, utm_source__c varchar, utm_medium__c varchar,
    utm_campaign__c varchar, gclid__c varchar,
    _snapshot_id varchar, _snapshot_at timestamp, _source_file varchar, _file_sha256 varchar,
    _row_number bigint, _loaded_at timestamp, _file_modified_at timestamp, _extra json
);
insert into raw.salesforce__lead values
    -- older snapshot: L9 exists there only (hard-deleted later, gone from the marts)
    ('00Q000000000009', false, '005000000000001', '2026-02-01 10:00', 'gone@example.com', 'Gone', 'US', 'Open', 'Web', false, null, null, null, null, null, null, null, null, null, null, null, '2026-03-03', '2026-03-03', 'salesforce/2026-03-03/Lead.csv', 's1', 1, '2026-03-10', '2026-03-03', null),
    -- newest snapshot
    ('00Q000000000001', false, '005000000000001', '2026-03-08 09:03:00', 'Ann@Example.com ', 'Acme Corp', 'US', 'Converted', 'Web', true, '2026-03-09', '006000000000001', '001000000000001', '003000000000001', '2026-03-08 12:00:00', null, 'u1', 'google', 'cpc', 'Brand  Search US', 'g1', '2026-03-10', '2026-03-10', 'salesforce/2026-03-10/Lead.csv', 's2', 1, '2026-03-10', '2026-03-10', null),
    ('00Q000000000002', false, '005000000000002', '2026-03-02 08:00:00', 'bob@example.com', 'Bob Inc', 'DE', 'Closed - Not Converted', 'Web', false, null, null, null, null, '2026-03-02 00:00:00', 'No Budget', 'u2', null, null, null, null, '2026-03-10', '2026-03-10', 'salesforce/2026-03-10/Lead.csv', 's2', 2, '2026-03-10', '2026-03-10', null),
    ('00Q000000000003', false, '005000000000001', '2026-03-05 08:00:00', 'carol@example', 'Carol LLC', 'US', 'Open', 'Email', false, null, null, null, null, null, null, null, null, null, null, null, '2026-03-10', '2026-03-10', 'salesforce/2026-03-10/Lead.csv', 's2', 3, '2026-03-10', '2026-03-10', null),
    ('00Q000000000004', true, '005000000000001', '2026-03-05 08:00:00', 'del@example.com', 'Deleted', 'US', 'Open', 'Web', false, null, null, null, null, '2026-03-05 09:00:00', null, null, null, null, null, null, '2026-03-10', '2026-03-10', 'salesforce/2026-03-10/Lead.csv', 's2', 4, '2026-03-10', '2026-03-10', null),
    ('00Q000000000005', false, '00G000000000001', '2026-03-09 10:00:00', 'pat@example.com', 'Pat Co', 'US', 'Open', null, false, null, null, null, null, '2026-03-09 12:00:00', null, null, null, null, null, null, '2026-03-10', '2026-03-10', 'salesforce/2026-03-10/Lead.csv', 's2', 5, '2026-03-10', '2026-03-10', null),
    ('00Q000000000006', false, '005000000000002', '2026-03-06 10:00:00', 'bob@example.com', 'Bob Inc', 'DE', 'Working', '', false, null, null, null, null, '2026-03-06 10:00:00', null, null, null, null, null, null, '2026-03-10', '2026-03-10', 'salesforce/2026-03-10/Lead.csv', 's2', 6, '2026-03-10', '2026-03-10', null);

create table raw.salesforce__contact (
    id varchar, isdeleted boolean, accountid varchar, ownerid varchar, createddate timestamp,
    email varchar, leadsource varchar,
    _snapshot_id varchar, _snapshot_at timestamp, _source_file varchar, _file_sha256 varchar,
    _row_number bigint, _loaded_at timestamp, _file_modified_at timestamp, _extra json
);
insert into raw.salesforce__contact values
    ('003000000000001', false, '001000000000001', '005000000000001', '2026-03-09 10:00', 'ann@example.com', 'Web', '2026-03-10', '2026-03-10', 'salesforce/2026-03-10/Contact.csv', 's', 1, '2026-03-10', '2026-03-10', null);

create table raw.salesforce__account (
    id varchar, isdeleted boolean, ownerid varchar, createddate timestamp, name varchar,
    industry varchar, billingcountry varchar,
    _snapshot_id varchar, _snapshot_at timestamp, _source_file varchar, _file_sha256 varchar,
    _row_number bigint, _loaded_at timestamp, _file_modified_at timestamp, _extra json
);
insert into raw.salesforce__account values
    ('001000000000001', false, '005000000000001', '2026-03-09 10:00', 'Acme Corp', 'Software', 'US', '2026-03-10', '2026-03-10', 'salesforce/2026-03-10/Account.csv', 's', 1, '2026-03-10', '2026-03-10', null);

create table raw.salesforce__opportunity (
    id varchar, isdeleted boolean, accountid varchar, ownerid varchar, campaignid varchar,
    name varchar, leadsource varchar, createddate timestamp, closedate date, stagename varchar,
    amount decimal(18, 2), isclosed boolean, iswon boolean,
    _snapshot_id varchar, _snapshot_at timestamp, _source_file varchar, _file_sha256 varchar,
    _row_number bigint, _loaded_at timestamp, _file_modified_at timestamp, _extra json
);
insert into raw.salesforce__opportunity values
    ('006000000000001', false, '001000000000001', '005000000000001', null, 'Acme - New', 'Web', '2026-03-09 10:00', '2026-03-09', 'Closed Won', 12000.00, true, true, '2026-03-10', '2026-03-10', 'salesforce/2026-03-10/Opportunity.csv', 's', 1, '2026-03-10', '2026-03-10', null),
    ('006000000000002', false, '001000000000001', '005000000000001', '701000000000001', 'Acme - Event', null, '2026-03-03 10:00', '2026-03-08', 'Closed Won', 5000.00, true, true, '2026-03-10', '2026-03-10', 'salesforce/2026-03-10/Opportunity.csv', 's', 2, '2026-03-10', '2026-03-10', null),
    ('006000000000003', false, '001000000000001', '005000000000002', null, 'Acme - Upsell', null, '2026-03-04 10:00', '2026-04-30', 'Proposal', 7000.00, false, false, '2026-03-10', '2026-03-10', 'salesforce/2026-03-10/Opportunity.csv', 's', 3, '2026-03-10', '2026-03-10', null);

create table raw.salesforce__opportunity_history (
    id varchar, isdeleted boolean, opportunityid varchar, createddate timestamp,
    stagename varchar, amount decimal(18, 2), closedate date,
    _snapshot_id varchar, _snapshot_at timestamp, _source_file varchar, _file_sha256 varchar,
    _row_number bigint, _loaded_at timestamp, _file_modified_at timestamp, _extra json
);
insert into raw.salesforce__opportunity_history values
    ('008000000000001', false, '006000000000003', '2026-03-04 10:00', 'Qualification', 7000, '2026-04-30', '2026-03-10', '2026-03-10', 'h', 'h', 1, '2026-03-10', '2026-03-10', null),
    ('008000000000002', false, '006000000000003', '2026-03-05 10:00', 'Qualification', 7500, '2026-04-30', '2026-03-10', '2026-03-10', 'h', 'h', 2, '2026-03-10', '2026-03-10', null),
    ('008000000000003', false, '006000000000003', '2026-03-06 10:00', 'Proposal', 7000, '2026-04-30', '2026-03-10', '2026-03-10', 'h', 'h', 3, '2026-03-10', '2026-03-10', null),
    ('008000000000004', false, '006000000000001', '2026-03-09 10:00', 'Closed Won', 12000, '2026-03-09', '2026-03-10', '2026-03-10', 'h', 'h', 4, '2026-03-10', '2026-03-10', null);

create table raw.salesforce__campaign (
    id varchar, isdeleted boolean, name varchar, type varchar, createddate timestamp,
    _snapshot_id varchar, _snapshot_at timestamp, _source_file varchar, _file_sha256 varchar,
    _row_number bigint, _loaded_at timestamp, _file_modified_at timestamp, _extra json
);
insert into raw.salesforce__campaign values
    ('701000000000001', false, 'Trade Show  Berlin', 'Event', '2026-01-01', '2026-03-10', '2026-03-10', 'c', 'c', 1, '2026-03-10', '2026-03-10', null);

create table raw.salesforce__campaign_member (
    id varchar, isdeleted boolean, campaignid varchar, leadid varchar, contactid varchar,
    status varchar, createddate timestamp,
    _snapshot_id varchar, _snapshot_at timestamp, _source_file varchar, _file_sha256 varchar,
    _row_number bigint, _loaded_at timestamp, _file_modified_at timestamp, _extra json
);
insert into raw.salesforce__campaign_member values
    ('00v000000000001', false, '701000000000001', '00Q000000000002', null, 'Responded', '2026-03-02', '2026-03-10', '2026-03-10', 'cm', 'cm', 1, '2026-03-10', '2026-03-10', null);

create table raw.salesforce__task (
    id varchar, isdeleted boolean, whoid varchar, whatid varchar, ownerid varchar,
    subject varchar, status varchar, createddate timestamp,
    _snapshot_id varchar, _snapshot_at timestamp, _source_file varchar, _file_sha256 varchar,
    _row_number bigint, _loaded_at timestamp, _file_modified_at timestamp, _extra json
);
insert into raw.salesforce__task values
    -- before the MQL: not a sales touch of the handoff
    ('00T000000000001', false, '00Q000000000001', null, '005000000000001', 'Intro', 'Completed', '2026-03-08 10:00', '2026-03-10', '2026-03-10', 't', 't', 1, '2026-03-10', '2026-03-10', null),
    -- 2 hours after the MQL: first touch, SLA met
    ('00T000000000002', false, '00Q000000000001', null, '005000000000001', 'Call', 'Completed', '2026-03-08 14:00', '2026-03-10', '2026-03-10', 't', 't', 2, '2026-03-10', '2026-03-10', null),
    -- deleted task: ignored
    ('00T000000000003', true, '00Q000000000006', null, '005000000000002', 'Call', 'Completed', '2026-03-06 11:00', '2026-03-10', '2026-03-10', 't', 't', 3, '2026-03-10', '2026-03-10', null),
    -- L6: touched 30 h after the MQL: breached, working
    ('00T000000000004', false, '00Q000000000006', null, '005000000000002', 'Call', 'Completed', '2026-03-07 16:00', '2026-03-10', '2026-03-10', 't', 't', 4, '2026-03-10', '2026-03-10', null);

create table raw.salesforce__user (
    id varchar, name varchar, isactive boolean, createddate timestamp,
    _snapshot_id varchar, _snapshot_at timestamp, _source_file varchar, _file_sha256 varchar,
    _row_number bigint, _loaded_at timestamp, _file_modified_at timestamp, _extra json
);
insert into raw.salesforce__user values
    ('005000000000001', 'Sam Seller', true, '2025-01-01', '2026-03-10', '2026-03-10', 'u', 'u', 1, '2026-03-10', '2026-03-10', null),
    ('005000000000002', 'Robin Rep', true, '2025-01-01', '2026-03-10', '2026-03-10', 'u', 'u', 2, '2026-03-10', '2026-03-10', null);

-- Ingest's bookkeeping: one row per loaded file. header_columns: the file's header names
-- lower-cased, each wrapped in '|' (NULL for GA4).
create table raw.ingest_log (
    file_path varchar, file_size bigint, file_sha256 varchar, source varchar, rows_read bigint,
    rows_loaded bigint, rows_rejected bigint, status varchar, error varchar,
    started_at timestamp, finished_at timestamp, file_modified_at timestamp,
    extra_columns varchar, newest_data_date date, parse_notes varchar, header_columns varchar
);
insert into raw.ingest_log
select
    file_path, 100, 'sha-' || file_path, source, rows_loaded, rows_loaded, 0, 'loaded', null,
    timestamp '2026-03-10 01:00', timestamp '2026-03-10 01:00', timestamp '2026-03-10 01:00',
    null, null, null, header_columns
from (values
    ('google_ads/a.csv', 'google_ads', 2, null),
    ('google_ads/b.csv', 'google_ads', 3, null),
    ('meta_ads/m.csv', 'meta_ads', 2, null),
    ('linkedin_ads/l.csv', 'linkedin_ads', 1, null),
    ('web/events_20260301.jsonl', 'ga4', 2, null),
    ('web/events_20260306.jsonl', 'ga4', 5, null),
    ('web/events_20260307.jsonl', 'ga4', 1, null),
    ('web/events_20260308.jsonl', 'ga4', 3, null),
    ('web/events_20260309.jsonl', 'ga4', 2, null),
    ('web/events_20260310.jsonl', 'ga4', 1, null),
    ('web/events_20260220.jsonl', 'ga4', 1, null),
    ('web/events_20260305.jsonl', 'ga4', 1, null),
    ('salesforce/2026-03-03/Lead.csv', 'salesforce', 1, '|id|isdeleted|ownerid|createddate|email|company|country|status|leadsource|isconverted|converteddate|convertedopportunityid|convertedaccountid|convertedcontactid|mql_date__c|disqualified_reason__c|ga_client_id__c|utm_source__c|utm_medium__c|utm_campaign__c|gclid__c|'),
    ('salesforce/2026-03-10/Lead.csv', 'salesforce', 6, '|id|isdeleted|ownerid|createddate|email|company|country|status|leadsource|isconverted|converteddate|convertedopportunityid|convertedaccountid|convertedcontactid|mql_date__c|disqualified_reason__c|ga_client_id__c|utm_source__c|utm_medium__c|utm_campaign__c|gclid__c|'),
    ('salesforce/2026-03-10/Contact.csv', 'salesforce', 1, '|id|isdeleted|accountid|ownerid|createddate|email|leadsource|'),
    ('salesforce/2026-03-10/Account.csv', 'salesforce', 1, '|id|isdeleted|ownerid|createddate|name|industry|billingcountry|'),
    ('salesforce/2026-03-10/Opportunity.csv', 'salesforce', 3, '|id|isdeleted|accountid|ownerid|campaignid|name|leadsource|createddate|closedate|stagename|amount|isclosed|iswon|'),
    ('salesforce/2026-03-10/OpportunityHistory.csv', 'salesforce', 4, '|id|isdeleted|opportunityid|createddate|stagename|amount|closedate|'),
    ('salesforce/2026-03-10/Campaign.csv', 'salesforce', 1, '|id|isdeleted|name|type|createddate|'),
    ('salesforce/2026-03-10/CampaignMember.csv', 'salesforce', 1, '|id|isdeleted|campaignid|leadid|contactid|status|createddate|'),
    ('salesforce/2026-03-10/Task.csv', 'salesforce', 4, '|id|isdeleted|whoid|whatid|ownerid|subject|status|createddate|'),
    ('salesforce/2026-03-10/User.csv', 'salesforce', 2, '|id|name|isactive|createddate|')
) as t(file_path, source, rows_loaded, header_columns);
