"""The city bureau's side: tenant provisioning from spec files and the admin API."""
