"""Tenancy: the tenant a request acts in, its units and the domains enabled at each unit."""

from flask import g

from core.tenancy.models import Tenant, Unit


def current_tenant() -> Tenant | None:
    """The tenant of the current request, resolved once by the auth guard."""
    return g.get("tenant")


def current_unit() -> Unit | None:
    """The unit the current user belongs to (None for city users)."""
    return g.get("unit")
