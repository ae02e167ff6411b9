"""Who may do what to a problem: the rules of the ledger, shared by the API and the web pages."""

from __future__ import annotations

from core.auth.models import User
from core.ledger.models import Problem
from core.tenancy.models import Unit
from core.tenancy.service import ancestor_ids, subtree_ids

WHOLE_TENANT_ROLES = ("city_admin", "city_supervisor", "tenant_admin")


def visible_unit_ids(user: User, units: list[Unit]) -> set[int] | None:
    """The units whose problems a user sees: None for the whole tenant, else the user's unit and below."""
    if user.role in WHOLE_TENANT_ROLES or user.unit_id is None:
        return None
    return subtree_ids(user.unit_id, units)


def _strict_ancestor(user: User, problem: Problem, units: list[Unit]) -> bool:
    if user.unit_id is None:
        return False
    unit = next((u for u in units if u.id == problem.unit_id), None)
    if unit is None:
        return False
    # Strictly above: the county bureau's own problems have no unit above them in the tenant; the city acts.
    return user.unit_id in ancestor_ids(unit, units)[1:]


def _is_root(problem: Problem, units: list[Unit]) -> bool:
    unit = next((u for u in units if u.id == problem.unit_id), None)
    return unit is not None and unit.parent_id is None


def may_record(user: User, unit_id: int, units: list[Unit]) -> bool:
    """Officers record for their unit or a unit below it; tenant admins anywhere; city supervisors anywhere."""
    if user.role in ("city_supervisor", "tenant_admin"):
        return True
    return user.role == "officer" and user.unit_id is not None and unit_id in subtree_ids(user.unit_id, units)


def may_assign(user: User, problem: Problem, units: list[Unit]) -> bool:
    """交办, 不予立项, 长期坚持: the level above the responsible unit, or the city."""
    if user.role == "city_supervisor":
        return True
    if problem.city_assigned:
        return False
    return user.role in ("officer", "tenant_admin", "reviewer") and _strict_ancestor(user, problem, units)


def is_responsible(user: User, problem: Problem) -> bool:
    """Users of the responsible unit sign, report progress, submit and ask for extensions."""
    return user.role in ("officer", "tenant_admin") and user.unit_id == problem.unit_id


def may_close(user: User, problem: Problem, units: list[Unit]) -> bool:
    """销号, 退回 and extension decisions: a reviewer of a unit above; the city for what it assigned and for the
    county bureau's own problems (there is no unit above them in the tenant)."""
    if user.role == "city_supervisor":
        return problem.city_assigned or _is_root(problem, units)
    if problem.city_assigned:
        return False
    return user.role == "reviewer" and _strict_ancestor(user, problem, units)


def may_edit(user: User, problem: Problem, units: list[Unit]) -> bool:
    """The assigning level and the responsible unit keep an open problem's text current."""
    return is_responsible(user, problem) or may_assign(user, problem, units) or user.role == "tenant_admin"
