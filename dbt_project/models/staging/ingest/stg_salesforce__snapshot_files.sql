{{ revops.crm_snapshot_files('salesforce') }}
