"""Who signs in and acts: users, tokens, roles, the Caller."""
