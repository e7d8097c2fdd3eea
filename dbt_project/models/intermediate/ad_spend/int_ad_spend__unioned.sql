{#- Every ad platform's export rows in one conformed shape. The per-platform differences are
    this mapping (data), conformed by one macro; overlaps are still in: see
    int_ad_spend__deduplicated. Turn a platform off with var `ad_platforms`. -#}
{%- set platforms = [
    {
        'platform': 'google_ads',
        'relation': ref('stg_google_ads__campaign_stats'),
        'default_channel': 'Paid Search',
        'fields': {
            'date_day': 'date_day', 'account_name': 'account_name',
            'campaign_id': 'campaign_id', 'campaign_name': 'campaign_name',
            'currency': 'currency_code', 'spend_local': 'cost',
            'impressions': 'impressions', 'clicks': 'clicks',
            'platform_conversions': 'conversions',
        },
    },
    {
        'platform': 'meta_ads',
        'relation': ref('stg_meta_ads__campaign_stats'),
        'default_channel': 'Paid Social',
        'fields': {
            'date_day': 'date_day', 'account_name': 'account_name',
            'campaign_id': 'campaign_id', 'campaign_name': 'campaign_name',
            'currency': 'currency_code', 'spend_local': 'amount_spent',
            'impressions': 'impressions', 'clicks': 'link_clicks',
            'platform_conversions': 'results',
        },
    },
    {
        'platform': 'linkedin_ads',
        'relation': ref('stg_linkedin_ads__campaign_stats'),
        'default_channel': 'Paid Social',
        'fields': {
            'date_day': 'date_day', 'account_name': 'account_name',
            'campaign_id': 'campaign_id', 'campaign_name': 'campaign_name',
            'currency': 'currency_code', 'spend_local': 'total_spent',
            'impressions': 'impressions', 'clicks': 'clicks',
            'platform_conversions': 'leads',
        },
    },
] -%}
{%- set enabled = var('ad_platforms', ['google_ads', 'meta_ads', 'linkedin_ads']) -%}
{%- set selected = [] -%}
{%- for platform in platforms if platform.platform in enabled -%}
    {%- do selected.append(platform) -%}
{%- endfor -%}

with

unioned as (
    {{ revops.union_ad_platforms(selected) }}
)

select * from unioned
