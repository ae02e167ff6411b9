"""Who acts: the signed-in user, the tenant in scope and its unit tree, loaded once per request."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import g

from core.auth.models import User
from core.platform.errors import NotFound
from core.tenancy.models import Tenant, Unit
from core.tenancy.service import domain_states, units_of_tenant


@dataclass
class Caller:
    """Who acts, in which tenant, with the tenant's unit tree loaded once."""

    user: User
    tenant: Tenant
    units: list[Unit] = field(default_factory=list)

    @property
    def actor(self) -> str:
        return f"user:{self.user.id}"

    def unit(self, unit_id: int) -> Unit | None:
        if not hasattr(self, "_by_id"):
            self._by_id = {u.id: u for u in self.units}
        return self._by_id.get(unit_id)

    def filter_unit(self, unit_id: int) -> Unit:
        """The unit a list or read is narrowed to (``?unit_id=``); another tenant's or an unknown id is 404 alike."""
        unit = self.unit(unit_id)
        if unit is None:
            raise NotFound("未找到该单位")
        return unit

    def domain_states(self, unit: Unit) -> dict:
        """The domains' states at a unit, read once per request and unit."""
        cache = self.__dict__.setdefault("_states", {})
        if unit.id not in cache:
            cache[unit.id] = domain_states(unit, self.units)
        return cache[unit.id]

    def enabled_domains(self, unit: Unit | None) -> set[str]:
        if unit is None:
            return set()
        return {slug for slug, state in self.domain_states(unit).items() if state.enabled}

    @classmethod
    def current(cls) -> Caller:
        caller = g.get("ledger_caller")
        if caller is None:
            units = g.get("units")
            caller = g.ledger_caller = cls(g.user, g.tenant, units if units is not None else units_of_tenant())
        return caller
