"""Every ledger endpoint: unauthenticated 401, roles outside the endpoint's set 403, and an allowed call."""

from __future__ import annotations

import io

import pytest
from fixtures.ledger import PNG, later, problem_with_objects, upcoming_body

from core.auth.models import ROLES

READERS = set(ROLES)
WRITERS = {"city_supervisor", "tenant_admin", "officer", "reviewer"}
ADMINS = {"city_admin", "tenant_admin"}

REFERRAL = {"referred_on": "2024-10-01", "receiving_body": "纪委", "document_number": "1号"}
#: (method, path, roles the endpoint admits, body)
CASES = [
    ("GET", "/problems", READERS, None),
    ("POST", "/problems", WRITERS, "problem"),
    ("GET", "/problems/counts", READERS, None),
    ("GET", "/problems/{p}", READERS, None),
    ("PATCH", "/problems/{p}", WRITERS, {"measures": "补充措施"}),
    ("POST", "/problems/{p}/actions/dismiss", WRITERS, {"reason": "不实"}),
    ("GET", "/problems/{p}/history", READERS, None),
    ("POST", "/problems/{p}/notice", {"city_admin", "city_supervisor", "tenant_admin", "reviewer"}, None),
    ("GET", "/problems/{p}/notice.docx", READERS, None),
    ("GET", "/problems/{p}/notice.pdf", READERS, None),
    ("GET", "/problems/{p}/notes", READERS, None),
    ("POST", "/problems/{p}/notes", WRITERS, {"text": "进展"}),
    ("GET", "/problems/{p}/attachments", READERS, None),
    ("POST", "/problems/{p}/attachments", WRITERS, "file"),
    ("GET", "/problems/{p}/attachments/{a}", READERS, None),
    ("POST", "/problems/{p}/extensions", WRITERS, {"new_deadline": later(400), "reason": "需要"}),
    ("POST", "/problems/{p}/extensions/{e}/decision", WRITERS, {"approve": False}),
    ("POST", "/problems/{p}/referrals", WRITERS, REFERRAL),
    ("GET", "/ledger/local-fields", READERS, None),
    ("PUT", "/ledger/local-fields", ADMINS, {"fields": []}),
    ("GET", "/ledger/settings", READERS, None),
    ("PUT", "/ledger/settings", ADMINS, {"yellow_days": 4}),
]  # fmt: skip


@pytest.fixture
def objects(client, tenant):
    made = problem_with_objects(client, tenant)
    # a 整改通知书 issued, so that downloading it is an allowed call
    issued = client.post(f"/api/v1/problems/{made['problem']}/notice", headers=tenant.headers("tenant_admin"))
    assert issued.status_code == 201, issued.json
    return {"p": made["problem"], "a": made["attachment"], "e": made["extension"], "body": upcoming_body(tenant)}


def _call(client, case, role, tenant, city, objects):
    method, path, _, body = case
    path = path.format(**objects)
    prefix = "/api/v1/tenants/alpha" if role and role.startswith("city_") else "/api/v1"
    headers = {}
    if role:
        headers = city.headers(role) if role.startswith("city_") else tenant.headers(role)
        headers["If-Match"] = client.get(f"{prefix}/problems/{objects['p']}", headers=headers).headers.get("ETag", "")
    kwargs = {"headers": headers}
    if body == "problem":
        kwargs["json"] = objects["body"]
    elif body == "file":
        kwargs.update(data={"file": (io.BytesIO(PNG), "b.png")}, content_type="multipart/form-data")
    elif body is not None:
        kwargs["json"] = body
    resp = client.open(prefix + path, method=method, **kwargs)
    resp.get_data()
    resp.close()  # a download streams from a file: close it
    return resp


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]} {c[1]}")
def test_unauthenticated_gets_401(client, tenant, city, objects, case):
    resp = _call(client, case, None, tenant, city, objects)
    assert resp.status_code == 401
    assert resp.is_json


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]} {c[1]}")
def test_roles_outside_the_set_get_403(client, tenant, city, objects, case, role):
    resp = _call(client, case, role, tenant, city, objects)
    if role in case[2]:
        # Admitted: the ledger's own rules may still refuse (e.g. a reviewer cannot record), but never 401/404.
        assert resp.status_code not in (401, 404), (resp.status_code, resp.json if resp.is_json else None)
    else:
        assert resp.status_code == 403, (resp.status_code, resp.json)
        assert resp.json["code"] == 403


def test_every_ledger_route_has_a_case(app):
    covered = {(m, p) for m, p, _, _ in CASES}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("ledger.") or rule.endpoint.endswith("_by_tenant"):
            continue
        if rule.rule == "/api/v1/ledger/vocabulary":
            continue
        path = rule.rule.removeprefix("/api/v1")
        for old, new in (("<int:problem_id>", "{p}"), ("<int:attachment_id>", "{a}"), ("<int:extension_id>", "{e}")):
            path = path.replace(old, new)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, path) not in covered and not (
                path.endswith("<action>") and (method, path.replace("<action>", "dismiss")) in covered
            ):
                missing.append(f"{method} {rule.rule}")
    assert not missing, missing
