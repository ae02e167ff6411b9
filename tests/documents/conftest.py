"""The city bureau's own tenant (is_city), which issues the city's documents."""

from __future__ import annotations

import pytest
from fixtures.data import build_tenant

from core.platform.db import tenant_scope
from core.tenancy.models import Tenant, Unit


@pytest.fixture
def city_bureau(db, tenant):
    world = build_tenant("city")
    row = db.session.get(Tenant, world.tenant.id)
    row.is_city, row.name = True, "江州市市场监督管理局（机关）"
    with tenant_scope(row.id):
        db.session.get(Unit, world.root.id).name = "江州市市场监督管理局"
        db.session.commit()
    return world
