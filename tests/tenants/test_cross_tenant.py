"""A user of tenant A gets 404 for every object of tenant B: never 403, never B's data.

The test walks app.url_map, so a route added later with an object in its path is covered or fails here.
"""

from __future__ import annotations

import re

import pytest
from fixtures.ledger import problem_with_objects
from fixtures.public import report_file_of, report_of, solicitation_of
from fixtures.supervision import supervision_task_of

from core.auth.models import TENANT_ROLES

#: How to name tenant B's object for each path argument.
OBJECT_ARGUMENTS = {
    "tenant": lambda b: b.slug,
    "unit_id": lambda b: b.station.id,
    "user_id": lambda b: b.users["officer"].id,
    "problem_id": lambda b: b.objects["problem"],
    "attachment_id": lambda b: b.objects["attachment"],
    "extension_id": lambda b: b.objects["extension"],
    # 督办单 and 信息报送 tasks (core/oversight): made on first use
    "order_id": lambda b: __import__("oversight.oversight_helpers").oversight_helpers.objects_of(b)["order"],
    "task_id": lambda b: __import__("oversight.oversight_helpers").oversight_helpers.objects_of(b)["task"],
    # 举一反三 (core/oversight): tenant B's own self-check; the city's (no tenant in the path) and a file's position
    "check_id": lambda b: __import__("oversight.oversight_helpers").oversight_helpers.self_check_of(b),
    "city_check_id": lambda b: b.objects.get("city_self_check", 2**31 - 1),
    "file_index": lambda b: 0,
    # documents: the format of a download, and a briefing (the city's, sent to every county: the /tenants/<B> route
    # is refused before it is looked up; tests/documents/test_briefing.py reads real ones)
    "fmt": lambda b: "docx",
    "briefing_id": lambda b: 2**31 - 1,
    "public_report_id": lambda b: report_of(b),
    "public_report_file_id": lambda b: report_file_of(b),
    "solicitation_id": lambda b: solicitation_of(b),
    "supervision_task_id": lambda b: supervision_task_of(b),
    "tenant_slug": lambda b: b.slug,
    # Checklists: tests/checklists/test_checklists.py fills one in tenant B and asks for it from tenant A; here
    # the /tenants/<B> routes are refused before the object is looked up.
    "checklist_id": lambda b: b.objects.get("checklist", 2**31 - 1),
    "local_item_id": lambda b: b.objects.get("local_item", 2**31 - 1),
    "evidence_id": lambda b: b.objects.get("checklist_evidence", 2**31 - 1),
    "template_code": lambda b: "approval.one_time_notice",
    # Paid services: tests/plugins/paid_services/test_paid_services_api.py asks for B's real objects from A.
    "paid_agency_id": lambda b: b.objects.get("paid_agency", 2**31 - 1),
    "paid_service_id": lambda b: b.objects.get("paid_service", 2**31 - 1),
    "fee_record_id": lambda b: b.objects.get("fee_record", 2**31 - 1),
    "fee_flag_id": lambda b: b.objects.get("fee_flag", 2**31 - 1),
    # Integrity staff register: tests/plugins/integrity/test_integrity_staff.py asks for B's real person from A.
    "integrity_staff_id": lambda b: b.objects.get("integrity_staff", 2**31 - 1),
    # Integrity risk points: tests/plugins/integrity/test_integrity_risk_points.py asks for B's real point from A.
    "integrity_risk_point_id": lambda b: b.objects.get("integrity_risk_point", 2**31 - 1),
    # Training sessions, their materials and 责任书: tests/plugins/integrity/test_integrity_training.py and
    # test_integrity_responsibility.py ask for B's real ones from A.
    "integrity_training_session_id": lambda b: b.objects.get("integrity_training_session", 2**31 - 1),
    "integrity_material_id": lambda b: b.objects.get("integrity_material", 2**31 - 1),
    "integrity_statement_id": lambda b: b.objects.get("integrity_statement", 2**31 - 1),
    # Integrity leads and interference records: tests/plugins/integrity/test_integrity_leads.py and
    # test_integrity_interference.py ask for B's real lead and record from A.
    "integrity_lead_id": lambda b: b.objects.get("integrity_lead", 2**31 - 1),
    "integrity_interference_id": lambda b: b.objects.get("integrity_interference", 2**31 - 1),
    # Approval cases (办件): tests/plugins/approval/test_approval_cases.py asks for B's real case from A.
    "case_record_id": lambda b: b.objects.get("case_record", 2**31 - 1),
    # Enforcement case-file review: tests/plugins/enforcement/test_enforcement_access.py asks for B's real objects.
    "case_file_id": lambda b: b.objects.get("case_file", 2**31 - 1),
    "review_id": lambda b: b.objects.get("review", 2**31 - 1),
    "sampling_id": lambda b: b.objects.get("sampling", 2**31 - 1),
    "rubric_item_id": lambda b: b.objects.get("rubric_item", 2**31 - 1),
    # Figure snapshots (core/figures) belong to the platform, every county ranked in each: the /tenants/<B> routes
    # are refused before the snapshot is looked up (tests/figures/test_figures_api.py).
    "snapshot_id": lambda b: 2**31 - 1,
    # Not objects of B; routes with these also name B's tenant, unit or problem.
    "domain": lambda b: "supervision",
    "action": lambda b: "assign",
}
BODIES = {
    "POST": {"name": "x"},
    "PUT": {"enabled": True},
    "PATCH": {"name": "x"},
}
#: path arguments that name no tenant object (platform resources)
PLATFORM_ARGUMENTS = {"domain", "year", "city_user_id", "template_code", "city_item_id", "snapshot_id"}


def give_objects(client, world):
    """A problem of tenant B with evidence and a pending extension, so every route has B's object to name."""
    world.objects = problem_with_objects(client, world)


def object_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or not rule.arguments:
            continue
        if rule.arguments <= PLATFORM_ARGUMENTS:
            continue  # /plugins/<domain>, /calendar/<year>: no tenant object in the path
        yield rule


def _url(rule, other) -> str:
    url = rule.rule
    for arg in rule.arguments:
        if arg not in OBJECT_ARGUMENTS:
            pytest.fail(f"{rule.rule}: no way to name tenant B's <{arg}>; add it to OBJECT_ARGUMENTS")
        url = re.sub(rf"<(?:[a-z]+:)?{arg}>", str(OBJECT_ARGUMENTS[arg](other)), url)
    return url


def test_every_object_route_is_refused_across_tenants(app, client, tenant, other_tenant):
    give_objects(client, other_tenant)
    checked = 0
    for rule in object_routes(app):
        url = _url(rule, other_tenant)
        if "/tenants/" not in url and not rule.arguments & {"user_id", "unit_id", "problem_id"}:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role in TENANT_ROLES:
                resp = client.open(url, method=method, json=BODIES.get(method), headers=tenant.headers(role))
                assert resp.status_code == 404, (method, url, role, resp.status_code, resp.json)
                assert resp.is_json
                body = resp.get_data(as_text=True)
                assert other_tenant.tenant.name not in body
                assert other_tenant.station.name not in body
                assert "乙局的问题" not in body
                checked += 1
    assert checked > 50


def test_tenant_b_problem_is_untouched(client, tenant, other_tenant):
    give_objects(client, other_tenant)
    pid = other_tenant.objects["problem"]
    for role in TENANT_ROLES:
        headers = {**tenant.headers(role), "If-Match": '"1-1"'}
        client.patch(f"/api/v1/problems/{pid}", json={"title": "篡改"}, headers=headers)
    resp = client.get(f"/api/v1/problems/{pid}", headers=other_tenant.headers("viewer"))
    assert resp.json["title"] == "乙局的问题"
    listed = client.get("/api/v1/problems", headers=tenant.headers("tenant_admin")).json["items"]
    assert listed == []


def test_tenant_b_objects_are_untouched(client, tenant, other_tenant):
    for role in TENANT_ROLES:
        client.patch(f"/api/v1/units/{other_tenant.station.id}", json={"name": "hacked"}, headers=tenant.headers(role))
    resp = client.get(f"/api/v1/units/{other_tenant.station.id}", headers=other_tenant.headers("viewer"))
    assert resp.status_code == 200
    assert resp.json["name"] == other_tenant.station.name


def test_city_users_reach_any_tenant(client, city, other_tenant):
    resp = client.get(f"/api/v1/tenants/beta/units/{other_tenant.station.id}", headers=city.headers("city_supervisor"))
    assert resp.status_code == 200
    resp = client.get("/api/v1/tenants/nosuch/units", headers=city.headers("city_supervisor"))
    assert resp.status_code == 404
