{#- One row per owner of CRM records (docs/marts.md#dim_users): every user of every CRM, and
    every lead queue that owns leads (a Salesforce queue, `00G...`, named `queue <id>` because
    the export has no queue names; HubSpot's `(unassigned)`). A queue is active. -#}
with

users as (

    select * from {{ ref('int_crm__users') }}

),

leads as (

    select * from {{ ref('int_crm__leads') }}

),

queues as (

    select
        leads.crm,
        leads.owner_id,
        min(case
            when leads.owner_id = '(unassigned)' then 'Unassigned'
            else {{ dbt.concat(["'queue '", 'leads.owner_id']) }}
        end) as owner_name
    from leads
    left join users
        on users.owner_id = leads.owner_id
    where leads.is_owned_by_queue
        and leads.owner_id is not null
        and users.owner_id is null
    group by leads.crm, leads.owner_id

),

{#- A user both CRMs list (impossible by id format, but a second User row of one Id is not): one row. -#}
users_ranked as (

    select
        users.*,
        row_number() over (partition by owner_id order by crm asc, owner_name asc nulls last) as user_rank
    from users

),

final as (

    select
        owner_id,
        crm,
        coalesce(owner_name, owner_id) as owner_name,
        cast('user' as {{ dbt.type_string() }}) as owner_type,
        is_active
    from users_ranked
    where user_rank = 1
    union all
    select
        owner_id,
        crm,
        owner_name,
        cast('queue' as {{ dbt.type_string() }}) as owner_type,
        true as is_active
    from queues

)

select * from final
