"""Results not published within 20 working days become a ledger problem by themselves, exactly once.

The limit counts working days: public holidays are skipped and adjusted working weekends count. The end of the
inspections on Friday 27 September 2024 gives 30 October 2024 (Sunday 29 September and Saturday 12 October are
working days; 1-7 October is the National Day holiday); Monday to Friday alone would give 25 October.
"""

from __future__ import annotations

from datetime import date

from fixtures.data import refresh_tokens
from fixtures.supervision import API, make_task
from sqlalchemy import select

from core.auth.models import User
from core.ledger.models import Problem
from core.ledger.service import Caller
from core.oversight.sweep import sweep_tenant
from core.platform.db import db, scoped_get, tenant_scope
from core.tenancy.models import Tenant
from core.tenancy.service import units_of_tenant
from plugins import supervision as plugin
from plugins.supervision import service
from plugins.supervision.models import SupervisionTask

RULE = "supervision.unpublished_result"


def ready(client, world, ended="2024-09-27", **overrides) -> int:
    """A drawn task of the world's station with every result recorded (inspections ended on ``ended``)."""
    task = make_task(client, world, **overrides)
    url, h = f"{API}/tasks/{task['id']}", world.headers("officer")
    drawn = client.post(f"{url}/draw", json={"seed": "s"}, headers=h).json
    results = [{"credit_code": t["credit_code"], "outcome": "passed"} for t in drawn["targets"]]
    resp = client.post(f"{url}/results", json={"inspection_ended_on": ended, "results": results}, headers=h)
    assert resp.status_code == 200, resp.json
    return task["id"]


def late_problems(world) -> list[Problem]:
    with tenant_scope(world.tenant.id):
        return list(db.session.scalars(select(Problem).where(Problem.external_ref.like(f"{RULE}:%"))))


def publish(world, task_id: int, on: date, today: date | None = None):
    with tenant_scope(world.tenant.id):
        caller = Caller(db.session.get(User, world.users["officer"].id), db.session.get(Tenant, world.tenant.id))
        caller.units = units_of_tenant()
        task = scoped_get(SupervisionTask, task_id)
        service.publish(caller, task, {"published_on": on, "channel": "国家企业信用信息公示系统"}, today or on)
        db.session.commit()


def sweep(world, today: date) -> int:
    with tenant_scope(world.tenant.id):
        count = plugin.xingfeng_sweep(tenant=db.session.get(Tenant, world.tenant.id), today=today)
        db.session.commit()
    return count


def test_the_limit_skips_holidays_and_counts_adjusted_working_weekends(clock, client, tenant):
    task_id = ready(client, tenant)
    detail = client.get(f"{API}/tasks/{task_id}", headers=tenant.headers("viewer")).json
    assert detail["publication_due"] == "2024-10-30"
    # published after the weekday-only count (25 October) but within the working-day limit: in time
    publish(tenant, task_id, date(2024, 10, 28))
    assert late_problems(tenant) == []
    assert sweep(tenant, date(2024, 12, 31)) == 0


def test_published_on_the_last_day_is_in_time_and_the_day_after_is_late(clock, client, tenant):
    on_time, late = ready(client, tenant), ready(client, tenant, name="第二批")
    publish(tenant, on_time, date(2024, 10, 30))
    assert late_problems(tenant) == []
    publish(tenant, late, date(2024, 10, 31))
    (problem,) = late_problems(tenant)
    assert problem.external_ref == f"{RULE}:{late}"
    assert (problem.domain, problem.category, problem.status) == ("supervision", "results_unpublished", "registered")
    assert problem.created_by == f"system:{RULE}"
    assert problem.unit_id == tenant.station.id
    assert problem.custom_fields == {"inspection_type": "双随机抽查"}
    assert "2024年10月31日公示" in problem.description
    assert "2024年10月30日" in problem.description
    detail = client.get(f"{API}/tasks/{late}", headers=tenant.headers("viewer")).json
    assert detail["late_problem"] == {"id": problem.id, "number": problem.number}
    # the sweep afterwards records nothing more, however often it runs
    assert sweep(tenant, date(2024, 11, 30)) == 0
    assert sweep(tenant, date(2024, 12, 31)) == 0
    assert len(late_problems(tenant)) == 1


def test_the_sweep_records_a_still_unpublished_task_once(clock, client, tenant):
    task_id = ready(client, tenant)
    assert sweep(tenant, date(2024, 10, 25)) == 0  # the weekday-only limit: not yet late
    assert sweep(tenant, date(2024, 10, 30)) == 0  # the last day
    assert late_problems(tenant) == []
    assert sweep(tenant, date(2024, 10, 31)) == 1
    assert sweep(tenant, date(2024, 10, 31)) == 0  # run twice
    assert sweep(tenant, date(2024, 11, 1)) == 0
    (problem,) = late_problems(tenant)
    assert "截至2024年10月31日仍未公示" in problem.description
    # publishing late afterwards does not record it again
    publish(tenant, task_id, date(2024, 11, 4))
    assert len(late_problems(tenant)) == 1


def test_a_due_date_on_an_adjusted_working_sunday(clock, client, tenant):
    """Inspections ended 27 December 2024: the 20th working day is Sunday 26 January 2025 (before Spring Festival)."""
    clock.move_to("2025-01-26 09:00:00+08:00")
    refresh_tokens(tenant)
    task_id = ready(client, tenant, ended="2024-12-27", starts_on="2024-12-02", ends_on="2024-12-27")
    detail = client.get(f"{API}/tasks/{task_id}", headers=tenant.headers("viewer")).json
    assert detail["publication_due"] == "2025-01-26"
    assert sweep(tenant, date(2025, 1, 26)) == 0
    assert sweep(tenant, date(2025, 1, 27)) == 1
    assert sweep(tenant, date(2025, 1, 27)) == 0


def test_the_sweep_through_the_core_and_a_unit_where_the_domain_is_off(clock, client, tenant):
    task_id = ready(client, tenant)
    admin = tenant.headers("tenant_admin")
    client.put(f"/api/v1/units/{tenant.station.id}/plugins/supervision", json={"enabled": False}, headers=admin)
    assert sweep(tenant, date(2024, 11, 1)) == 0  # off at the task's unit: nothing recorded there
    client.put(f"/api/v1/units/{tenant.station.id}/plugins/supervision", json={"enabled": None}, headers=admin)
    first = sweep_tenant(db.session.get(Tenant, tenant.tenant.id), date(2024, 11, 1))
    db.session.commit()
    second = sweep_tenant(db.session.get(Tenant, tenant.tenant.id), date(2024, 11, 1))
    db.session.commit()
    assert first["plugins"] >= 1
    assert second["plugins"] == 0
    (problem,) = late_problems(tenant)
    assert problem.external_ref == f"{RULE}:{task_id}"


def test_a_late_publication_through_the_api_records_the_problem_at_once(clock, client, tenant):
    task_id = ready(client, tenant)
    clock.move_to("2024-11-05 10:00:00+08:00")
    refresh_tokens(tenant)
    resp = client.post(
        f"{API}/tasks/{task_id}/publication",
        json={"published_on": "2024-11-05", "channel": "国家企业信用信息公示系统"},
        headers=tenant.headers("officer"),
    )
    assert resp.status_code == 200, resp.json
    number = resp.json["late_problem"]["number"]
    problem = client.get(f"/api/v1/problems/{resp.json['late_problem']['id']}", headers=tenant.headers("officer")).json
    assert (problem["number"], problem["category_name"], problem["status"]) == (number, "结果未公示", "registered")


def test_results_recorded_already_past_the_limit_are_a_problem_at_once(clock, client, tenant):
    clock.move_to("2024-12-02 10:00:00+08:00")
    refresh_tokens(tenant)
    ready(client, tenant)
    assert len(late_problems(tenant)) == 1


def test_an_undrawn_task_is_never_late(clock, client, tenant):
    make_task(client, tenant)
    assert sweep(tenant, date(2025, 6, 30)) == 0
