"""City oversight actions: supervision orders (督办), escalation, accountability (问责), self-checks (举一反三),
information reporting (信息报送), notifications and the ``xingfeng sweep`` command."""
