"""A case completed after its promise, or still open past it, becomes one 超时办结 problem by itself.

Working days around National Day 2024: 1-7 October are holidays; Sunday 29 September and Saturday 12 October are
working days (调休上班).
"""

from __future__ import annotations

from datetime import date

import pytest
from approval_helpers import CASES, case_body
from sqlalchemy import func, select

from core.ledger.models import Problem
from core.platform.db import db, tenant_scope
from core.tenancy.models import Tenant
from plugins.approval import service
from plugins.approval.models import ApprovalCase

RULE = "approval.late_completion"


def problems(world) -> list[Problem]:
    with tenant_scope(world.tenant.id):
        return list(db.session.scalars(select(Problem).where(Problem.domain == "approval").order_by(Problem.id)))


def sweep(app, world, today: date) -> int:
    """The plugin's sweep hook for one tenant, as ``xingfeng sweep`` calls it (inside the tenant's scope)."""
    with tenant_scope(world.tenant.id):
        tenant = db.session.get(Tenant, world.tenant.id)
        results = app.extensions["xingfeng"].hook_for("xingfeng_sweep", ["approval"])(tenant=tenant, today=today)
        db.session.commit()
    return sum(r for r in results if isinstance(r, int))


def record(client, world, role="officer", **overrides):
    resp = client.post(CASES, json=case_body(world, **overrides), headers=world.headers(role))
    assert resp.status_code == 201, resp.json
    return resp.json


@pytest.mark.parametrize(
    ("received", "days", "completed", "due", "late"),
    [
        # Friday 27 Sep + 5 working days: Sun 29 (adjusted), Mon 30, then Tue 8, Wed 9, Thu 10 Oct.
        ("2024-09-27T10:30:00", 5, "2024-10-10T17:00:00", "2024-10-10", 0),
        ("2024-09-27T10:30:00", 5, "2024-10-11T09:00:00", "2024-10-10", 1),
        # Monday 30 Sep + 1 working day is Tuesday 8 Oct: completing on a holiday (7 Oct) is in time.
        ("2024-09-30T09:00:00", 1, "2024-10-07T11:00:00", "2024-10-08", 0),
        ("2024-09-30T09:00:00", 1, "2024-10-08T18:00:00", "2024-10-08", 0),
        # Saturday 28 Sep (a rest day) + 1 is the adjusted working Sunday 29 Sep, so Monday 30 Sep is a day late.
        ("2024-09-28T10:00:00", 1, "2024-09-29T16:00:00", "2024-09-29", 0),
        ("2024-09-28T10:00:00", 1, "2024-09-30T10:00:00", "2024-09-29", 1),
        # Tuesday 8 Oct + 3 is Friday 11 Oct; Saturday 12 Oct is a working day, so completing then is late.
        ("2024-10-08T09:00:00", 3, "2024-10-12T10:00:00", "2024-10-11", 1),
        ("2024-10-08T09:00:00", 3, "2024-10-14T10:00:00", "2024-10-11", 2),
        # On the spot (即办件): due the same day; the next working day is late.
        ("2024-09-30T09:00:00", 0, "2024-09-30T17:30:00", "2024-09-30", 0),
        ("2024-09-30T09:00:00", 0, "2024-10-08T09:00:00", "2024-09-30", 1),
        # Received late in the evening Beijing time: the local date counts, not the UTC one.
        ("2024-09-29T23:30:00+08:00", 1, "2024-09-30T18:00:00", "2024-09-30", 0),
    ],
)
def test_working_days_decide_lateness(client, clock, tenant, received, days, completed, due, late):
    case = record(client, tenant, received_at=received, promised_days=days, completed_at=completed)
    assert case["due_on"] == due
    assert case["working_days_late"] == late
    found = problems(tenant)
    assert len(found) == (1 if late else 0)
    assert (case["late_problem_id"] is not None) == bool(late)


def test_a_late_completion_becomes_a_registered_system_problem(client, clock, tenant):
    case = record(client, tenant, completed_at="2024-10-11T09:00:00", intermediary=True)
    (problem,) = problems(tenant)
    assert case["late_problem_id"] == problem.id
    assert case["late_problem_number"] == problem.number
    assert problem.status == "registered"
    assert problem.category == "late_completion"
    assert problem.domain == "approval"
    assert problem.unit_id == tenant.station.id
    assert problem.created_by == f"system:{RULE}"
    assert problem.external_ref == f"{RULE}:{case['id']}"
    assert problem.rectification_type == "deadline"
    assert problem.custom_fields == {
        "matter_name": "食品经营许可（新办）",
        "case_no": "SP-2024-0001",
        "window": "综合受理3号窗口",
    }
    assert "应于2024-10-10前办结" in problem.description
    assert "超出承诺时限1个工作日" in problem.description
    assert "中介" in problem.description
    # The problem reads like any other, with its history naming the rule as the actor.
    shown = client.get(f"/api/v1/problems/{problem.id}", headers=tenant.headers("officer"))
    assert shown.status_code == 200
    assert shown.json["category_name"] == "超时办结"
    history = client.get(f"/api/v1/problems/{problem.id}/history", headers=tenant.headers("officer")).json["items"]
    assert history[0]["actor"] == f"system:{RULE}"
    assert history[0]["data"]["rule"] == RULE


def test_recorded_exactly_once_however_often_the_rule_runs(app, client, clock, tenant):
    case = record(client, tenant, completed_at="2024-10-14T09:00:00")
    with tenant_scope(tenant.tenant.id):
        row = db.session.get(ApprovalCase, case["id"])
        world_tenant = db.session.get(Tenant, tenant.tenant.id)
        assert service.check_late(world_tenant, row) is None  # already linked
        row.late_problem_id = None  # even if the link were lost, the rule's key holds, and the link comes back
        assert service.check_late(world_tenant, row) is None
        assert row.late_problem_id == case["late_problem_id"]
        db.session.rollback()
    for day in (date(2024, 10, 14), date(2024, 10, 14), date(2024, 10, 20)):
        assert sweep(app, tenant, day) == 0
    assert len(problems(tenant)) == 1


def test_an_open_case_is_caught_by_the_sweep_once(app, client, clock, tenant):
    # Received Monday 30 Sep with 1 working day promised: due Tuesday 8 Oct, after the holiday.
    case = record(client, tenant, received_at="2024-09-30T09:00:00", promised_days=1)
    assert case["late_problem_id"] is None
    assert sweep(app, tenant, date(2024, 10, 5)) == 0  # a holiday
    assert sweep(app, tenant, date(2024, 10, 8)) == 0  # the promised day itself
    assert problems(tenant) == []
    assert sweep(app, tenant, date(2024, 10, 9)) == 1
    assert sweep(app, tenant, date(2024, 10, 9)) == 0
    assert sweep(app, tenant, date(2024, 10, 12)) == 0
    (problem,) = problems(tenant)
    assert "截至2024-10-09仍未办结" in problem.description
    # Completing it late afterwards records nothing more.
    done = client.post(
        f"{CASES}/{case['id']}/completion",
        json={"completed_at": "2024-10-12T10:00:00"},
        headers=tenant.headers("officer"),
    )
    assert done.status_code == 200, done.json
    assert done.json["late_problem_id"] == problem.id
    assert len(problems(tenant)) == 1


def test_an_open_case_already_late_when_recorded_becomes_a_problem_at_once(client, clock, tenant):
    # The clock says Monday 30 Sep 2024; a case received 20 Sep with 3 working days was due 25 Sep.
    case = record(client, tenant, received_at="2024-09-20T09:00:00", promised_days=3)
    assert case["due_on"] == "2024-09-25"
    assert case["working_days_late"] == 4  # 26, 27, the adjusted Sunday 29 and today, 30 Sep
    assert case["late_problem_id"] is not None
    (problem,) = problems(tenant)
    assert "截至2024-09-30仍未办结" in problem.description


def test_a_completion_recorded_later_is_checked_at_once(client, clock, tenant):
    case = record(client, tenant, received_at="2024-10-08T09:00:00", promised_days=3)
    done = client.post(
        f"{CASES}/{case['id']}/completion",
        json={"completed_at": "2024-10-12T10:00:00"},
        headers=tenant.headers("officer"),
    )
    assert done.json["working_days_late"] == 1
    assert done.json["late_problem_id"] is not None
    assert len(problems(tenant)) == 1


def test_the_cli_sweep_records_once(app, runner, client, clock, tenant, other_tenant):
    record(client, tenant, received_at="2024-09-30T09:00:00", promised_days=1)
    record(client, other_tenant, received_at="2024-09-30T09:00:00", promised_days=1)
    for _ in range(2):
        result = runner.invoke(args=["sweep", "--date", "2024-10-09"])
        assert result.exit_code == 0, result.output
    assert len(problems(tenant)) == 1
    assert len(problems(other_tenant)) == 1


def test_nothing_is_recorded_where_the_domain_is_off(app, client, clock, tenant, city):
    open_case = record(client, tenant, received_at="2024-09-30T09:00:00", promised_days=1, case_no="OFF-1")
    # The tenant admin switches approval off at the station (and so at the substation below it).
    off = client.put(
        f"/api/v1/units/{tenant.station.id}/plugins/approval",
        json={"enabled": False},
        headers=tenant.headers("tenant_admin"),
    )
    assert off.status_code == 204, off.get_data(as_text=True)
    assert sweep(app, tenant, date(2024, 10, 9)) == 0
    assert problems(tenant) == []
    # The station's officer no longer has the API; the tenant admin cannot record a case for the station.
    officer = tenant.headers("officer")
    assert client.get(CASES, headers=officer).status_code == 404
    assert client.post(CASES, json=case_body(tenant, case_no="OFF-2"), headers=officer).status_code == 404
    assert client.get(f"{CASES}/{open_case['id']}", headers=officer).status_code == 404
    refused = client.post(
        CASES,
        json=case_body(tenant, case_no="OFF-3", completed_at="2024-10-14T09:00:00"),
        headers=tenant.headers("tenant_admin"),
    )
    assert refused.status_code == 422
    assert refused.json["errors"]["json"]["unit_id"] == ["该单位未启用审批服务"]
    assert problems(tenant) == []
    # Switched back on, the open late case is caught by the next sweep.
    back = client.put(
        f"/api/v1/units/{tenant.station.id}/plugins/approval",
        json={"enabled": None},
        headers=tenant.headers("tenant_admin"),
    )
    assert back.status_code == 204
    assert sweep(app, tenant, date(2024, 10, 9)) == 1


def test_a_tenant_without_the_domain_has_no_case_api(client, clock, tenant, city):
    off = client.put(
        "/api/v1/tenants/alpha/plugins/approval", json={"enabled": False}, headers=city.headers("city_admin")
    )
    assert off.status_code == 204, off.get_data(as_text=True)
    for role in ("tenant_admin", "officer", "viewer"):
        assert client.get(CASES, headers=tenant.headers(role)).status_code == 404
    assert (
        client.get("/api/v1/tenants/alpha/plugins/approval/cases", headers=city.headers("city_supervisor")).status_code
        == 404
    )


def test_problem_count_matches_cases(client, clock, tenant):
    for i, completed in enumerate(("2024-10-10T10:00:00", "2024-10-11T10:00:00", "2024-10-12T10:00:00", None)):
        record(client, tenant, case_no=f"N-{i}", completed_at=completed)
    with tenant_scope(tenant.tenant.id):
        linked = db.session.scalar(select(func.count()).where(ApprovalCase.late_problem_id.is_not(None)))
    assert linked == len(problems(tenant)) == 2
