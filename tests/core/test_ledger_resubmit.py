"""After a 退回 the responsible unit must add something before it submits again (issue 13, item 5)."""

from __future__ import annotations

import pytest
from fixtures.ledger import act, current_etag, post_problem, upload

from core.audit.models import AuditEvent
from core.platform.db import db, tenant_scope

REASON = "退回后重新提交须补充新的整改说明或佐证材料"


def _note(client, tenant, pid, text="已整改"):
    resp = client.post(f"/api/v1/problems/{pid}/notes", json={"text": text}, headers=tenant.headers("officer"))
    assert resp.status_code == 201, resp.json


def _submit(client, tenant, pid):
    return act(client, tenant, "officer", pid, "submit", current_etag(client, tenant, pid))


def _return(client, tenant, pid, reason="佐证材料不足，请补充培训签到表"):
    resp = act(client, tenant, "reviewer", pid, "return", current_etag(client, tenant, pid), reason=reason)
    assert resp.status_code == 200, resp.json
    return resp


@pytest.fixture
def returned(client, clock, tenant):
    """A station's problem, submitted with a note and a file, then returned by the bureau's reviewer."""
    pid = post_problem(client, tenant).json["id"]
    assert act(client, tenant, "tenant_admin", pid, "assign", current_etag(client, tenant, pid)).status_code == 200
    assert act(client, tenant, "officer", pid, "sign", current_etag(client, tenant, pid)).status_code == 200
    _note(client, tenant, pid)
    assert upload(client, tenant, pid).status_code == 201
    assert _submit(client, tenant, pid).status_code == 200
    _return(client, tenant, pid)
    return pid


def _events(tenant, pid) -> list[str]:
    with tenant_scope(tenant.tenant.id):
        return list(db.session.scalars(db.select(AuditEvent.kind).where(AuditEvent.problem_id == pid)))


def test_resubmitting_with_nothing_new_is_a_422_naming_the_field(client, tenant, returned):
    before = current_etag(client, tenant, returned)
    resp = _submit(client, tenant, returned)
    assert resp.status_code == 422, resp.json
    assert resp.json["code"] == 422
    assert resp.json["message"] == REASON
    assert resp.json["errors"] == {"json": {"progress_note": [REASON]}}
    # Nothing changed: the same state, version and chain.
    assert current_etag(client, tenant, returned) == before
    detail = client.get(f"/api/v1/problems/{returned}", headers=tenant.headers("officer")).json
    assert detail["status"] == "rectifying"
    assert _events(tenant, returned)[-1] == "ledger.returned"


def test_a_new_note_since_the_return_is_enough(client, tenant, returned):
    _note(client, tenant, returned, "已补充培训签到表并重新培训")
    resp = _submit(client, tenant, returned)
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "submitted"


def test_new_evidence_since_the_return_is_enough(client, tenant, returned):
    assert upload(client, tenant, returned, name="培训签到表.png").status_code == 201
    resp = _submit(client, tenant, returned)
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "submitted"


def test_each_return_asks_for_something_new_again(client, tenant, returned):
    _note(client, tenant, returned, "第一次补充")
    assert _submit(client, tenant, returned).status_code == 200
    _return(client, tenant, returned, reason="仍不充分")
    # The note added after the first return does not count for the second.
    refused = _submit(client, tenant, returned)
    assert refused.status_code == 422
    assert refused.json["errors"]["json"] == {"progress_note": [REASON]}
    assert upload(client, tenant, returned, name="第二次补充.png").status_code == 201
    assert _submit(client, tenant, returned).status_code == 200


def test_a_first_submission_needs_only_the_usual_material(client, clock, tenant):
    pid = post_problem(client, tenant).json["id"]
    act(client, tenant, "tenant_admin", pid, "assign", current_etag(client, tenant, pid))
    act(client, tenant, "officer", pid, "sign", current_etag(client, tenant, pid))
    missing = _submit(client, tenant, pid)
    assert missing.status_code == 409  # no material at all: the existing refusal, unchanged
    assert set(missing.json["errors"]["json"]) == {"progress_note", "evidence"}
    _note(client, tenant, pid)
    upload(client, tenant, pid)
    assert _submit(client, tenant, pid).status_code == 200


def test_a_progress_update_imported_after_the_return_counts(client, tenant, returned):
    """A workbook's new 整改进展 is kept as a progress note, so it is new material too."""
    from core.auth.models import User
    from core.ledger import excel, service
    from core.ledger.models import Problem
    from core.tenancy.models import Tenant
    from core.tenancy.service import units_of_tenant

    with tenant_scope(tenant.tenant.id):
        user = db.session.get(User, tenant.users["officer"].id)
        caller = service.Caller(user, db.session.get(Tenant, tenant.tenant.id), units_of_tenant())
        excel.apply_imported_update(caller, db.session.get(Problem, returned), {"progress": "导入：已补充签到表"})
        db.session.commit()
    assert _submit(client, tenant, returned).status_code == 200
