-- One new GA4 day (2026-03-11) plus a late event for 2026-03-09, inside the lookback.
insert into raw.ga4__events
select strftime(ts, '%Y%m%d'), epoch_us(ts), name, uid, null,
    [{'key': 'ga_session_id', 'value': {'string_value': sid, 'int_value': null, 'double_value': null}},
     {'key': 'page_location', 'value': {'string_value': page, 'int_value': null, 'double_value': null}}],
    {'manual_source': src, 'manual_medium': med, 'manual_campaign_name': camp, 'gclid': null},
    {'category': 'mobile'}, {'country': 'DE'},
    'events_' || strftime(ts, '%Y%m%d'), 'web/late.jsonl', 'sha-new', 1,
    timestamp '2026-03-11 02:00', timestamp '2026-03-11 02:00'
from (values
    (timestamp '2026-03-11 08:00:00', 'session_start', 'u7', '7001', 'https://acme.io/?x', 'bing', 'cpc', 'Spring Promo'),
    (timestamp '2026-03-11 08:01:00', 'page_view', 'u7', '7001', 'https://acme.io/p', null, null, null),
    (timestamp '2026-03-09 09:10:00', 'page_view', 'u1', '1002', 'https://acme.io/late', null, null, null)
) as t(ts, name, uid, sid, page, src, med, camp);
