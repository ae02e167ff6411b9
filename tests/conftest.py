"""Fixture layers: app -> db (rolled back per test) -> client -> tenant / other_tenant / city."""

pytest_plugins = ["fixtures.app", "fixtures.data", "fixtures.ledger"]
