"""The checklist engine (检查清单): versioned templates from plugins, filling, scoring, findings."""
