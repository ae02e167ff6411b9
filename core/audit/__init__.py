"""The audit trail: an append-only, hash-chained log of events per tenant."""
