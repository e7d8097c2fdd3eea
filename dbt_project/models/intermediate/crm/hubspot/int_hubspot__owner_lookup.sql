{#- One row per text an owner cell of a HubSpot export may hold to name an owner of the newest
    owners export: its id (API exports), "First Last" (UI exports) or its email, lower-cased.
    A name two owners share resolves to the lower id. -#}
with

owners as (

    select * from {{ ref('stg_hubspot__owners') }}

),

named as (

    select
        owner_id,
        nullif(trim(concat(coalesce(trim(first_name), ''), ' ', coalesce(trim(last_name), ''))), '')
            as owner_name,
        nullif(lower(trim(email)), '') as email,
        not coalesce(is_archived, false) as is_active
    from owners
    where owner_id is not null

),

lookup_keys as (

    select owner_id, owner_id as lookup_key, 1 as key_rank from named
    union all
    select owner_id, lower(owner_name) as lookup_key, 2 as key_rank from named
    where owner_name is not null
    union all
    select owner_id, email as lookup_key, 3 as key_rank from named
    where email is not null

),

ranked as (

    select
        lookup_key,
        owner_id,
        row_number() over (
            partition by lookup_key
            order by key_rank asc, owner_id asc
        ) as lookup_rank
    from lookup_keys

),

final as (

    select
        named.owner_id,
        named.owner_name,
        named.email,
        named.is_active,
        ranked.lookup_key
    from ranked
    inner join named
        on named.owner_id = ranked.owner_id
    where ranked.lookup_rank = 1

)

select * from final
