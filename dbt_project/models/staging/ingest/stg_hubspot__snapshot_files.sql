{{ revops.crm_snapshot_files('hubspot') }}
