{#- One row per HubSpot sales activity on a contact (docs/definitions.md#hubspot): every
    call, meeting and task, and every outgoing email (not an incoming or forwarded one),
    once per contact it is associated with. Its time is the activity date (when the call or
    meeting happened, when the email was sent), else its create date; a task's is its create
    date (its activity date is when it is due). -#}
with

calls as (

    select activity_id, coalesce(activity_at, created_at) as activity_at, 'call' as activity_type
    from {{ ref('stg_hubspot__calls') }}

),

meetings as (

    select activity_id, coalesce(activity_at, created_at) as activity_at, 'meeting' as activity_type
    from {{ ref('stg_hubspot__meetings') }}

),

email_directions as (

    select upper(trim(label)) as label_key, min(upper(trim(value))) as direction
    from {{ ref('hubspot_labels') }}
    where property = 'hs_email_direction'
    group by upper(trim(label))

),

emails as (

    select
        emails.activity_id,
        coalesce(emails.activity_at, emails.created_at) as activity_at,
        'email' as activity_type
    from {{ ref('stg_hubspot__emails') }} as emails
    left join email_directions
        on email_directions.label_key = upper(trim(emails.direction))
    where coalesce(email_directions.direction, upper(trim(emails.direction))) = 'EMAIL'

),

tasks as (

    select activity_id, created_at as activity_at, 'task' as activity_type
    from {{ ref('stg_hubspot__tasks') }}

),

activities as (

    select *, 'calls' as object_name from calls
    union all
    select *, 'meetings' as object_name from meetings
    union all
    select *, 'emails' as object_name from emails
    union all
    select *, 'tasks' as object_name from tasks

),

associations as (

    select * from {{ ref('stg_hubspot__associations') }}

),

{#- Activity -> contact, whichever side's export named the association. -#}
activity_contacts as (

    select from_object as object_name, from_id as activity_id, to_id as contact_id
    from associations
    where from_object in ('calls', 'meetings', 'emails', 'tasks') and to_object = 'contacts'
    union
    select to_object as object_name, to_id as activity_id, from_id as contact_id
    from associations
    where from_object = 'contacts' and to_object in ('calls', 'meetings', 'emails', 'tasks')

),

final as (

    select
        cast('hubspot' as {{ dbt.type_string() }}) as crm,
        activities.activity_id,
        activities.activity_type,
        activity_contacts.contact_id as lead_id,
        activities.activity_at
    from activities
    inner join activity_contacts
        on activity_contacts.object_name = activities.object_name
        and activity_contacts.activity_id = activities.activity_id

)

select * from final
