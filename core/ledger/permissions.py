"""Who may do what to a problem: the rules of the ledger, shared by the API and the web pages."""

from __future__ import annotations

from core.auth.models import ROLE_NAMES, User
from core.ledger.models import Problem
from core.tenancy.models import Unit
from core.tenancy.service import ancestor_ids, subtree_ids

WHOLE_TENANT_ROLES = ("city_admin", "city_supervisor", "tenant_admin")


#: tenant roles that may act on the ledger (a viewer only reads)
TENANT_WRITERS = ("tenant_admin", "officer", "reviewer")


def _top_unit_ids(units: list[Unit]) -> set[int]:
    return {u.id for u in units if u.parent_id is None}


def visible_unit_ids(user: User, units: list[Unit]) -> set[int] | None:
    """The units whose problems a user sees: None for the whole tenant, else the user's unit and below.

    The liaison (联络员) acts for the bureau, so it also sees the top unit's (局机关) own problems.
    """
    if user.role in WHOLE_TENANT_ROLES or user.unit_id is None:
        return None
    seen = subtree_ids(user.unit_id, units)
    if user.is_liaison:
        seen |= _top_unit_ids(units)
    return seen


def _strict_ancestor(user: User, problem: Problem, units: list[Unit]) -> bool:
    if user.unit_id is None:
        return False
    unit = next((u for u in units if u.id == problem.unit_id), None)
    if unit is None:
        return False
    return user.unit_id in ancestor_ids(unit, units)[1:]


def _is_root(problem: Problem, units: list[Unit]) -> bool:
    unit = next((u for u in units if u.id == problem.unit_id), None)
    return unit is not None and unit.parent_id is None


def _bureau_acts(user: User, problem: Problem, units: list[Unit]) -> bool:
    """The county bureau acts on its own problems (those of its top unit, 局机关, that the city did not assign):
    its leadership — a tenant_admin or the liaison (联络员) — and the top unit's discipline reviewer."""
    if user.tenant_id is None or problem.city_assigned or not _is_root(problem, units):
        return False
    if user.role == "tenant_admin" or (user.is_liaison and user.role in TENANT_WRITERS):
        return True
    return user.role == "reviewer" and user.unit_id == problem.unit_id


def may_record(user: User, unit_id: int, units: list[Unit]) -> bool:
    """Officers record for their unit or a unit below it; tenant admins anywhere; city supervisors anywhere."""
    if user.role in ("city_supervisor", "tenant_admin"):
        return True
    return user.role == "officer" and user.unit_id is not None and unit_id in subtree_ids(user.unit_id, units)


def record_refusal(user: User, unit_id: int, units: list[Unit]) -> str | None:
    """Why ``user`` may not record a problem for ``unit_id`` (the real reason, in Chinese), or None if they may."""
    if may_record(user, unit_id, units):
        return None
    if user.role != "officer":
        return f"{ROLE_NAMES.get(user.role, user.role)}不登记问题，请由经办人或县区局管理员登记"
    if user.unit_id is None:
        return "当前用户未分配单位，不能登记问题"
    return "只能为本单位或下级单位登记问题"


def may_assign(user: User, problem: Problem, units: list[Unit]) -> bool:
    """交办, 不予立项, 长期坚持: the level above the responsible unit, or the city.

    The top unit has no unit above it: the bureau itself assigns its own problems (see ``_bureau_acts``); what the
    city assigned, only the city moves.
    """
    if user.role == "city_supervisor":
        return True
    if problem.city_assigned:
        return False
    if _is_root(problem, units):
        return _bureau_acts(user, problem, units)
    return user.role in TENANT_WRITERS and _strict_ancestor(user, problem, units)


def is_responsible(user: User, problem: Problem) -> bool:
    """Users of the responsible unit sign, report progress, submit and ask for extensions."""
    return user.role in ("officer", "tenant_admin") and user.unit_id == problem.unit_id


def may_close(user: User, problem: Problem, units: list[Unit]) -> bool:
    """销号, 退回 and extension decisions: the city for what the city assigned (city_assigned) and only that; the
    county bureau's leadership and the top unit's reviewer for the bureau's own problems; else a reviewer of a
    unit above the responsible unit. Whoever submitted never closes (checked with the move)."""
    if user.role == "city_supervisor":
        return problem.city_assigned
    if problem.city_assigned:
        return False
    if _is_root(problem, units):
        return _bureau_acts(user, problem, units)
    return user.role == "reviewer" and _strict_ancestor(user, problem, units)


def may_edit(user: User, problem: Problem, units: list[Unit]) -> bool:
    """The assigning level and the responsible unit keep an open problem's text current."""
    return is_responsible(user, problem) or may_assign(user, problem, units) or user.role == "tenant_admin"
