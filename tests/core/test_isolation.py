"""Tenant isolation below the ORM: row-level security on PostgreSQL, and the one named city-wide opt-out."""

from __future__ import annotations

import logging

import pytest
from fixtures.app import ON_POSTGRES
from fixtures.ledger import problem_with_objects
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, OperationalError

import core.models  # noqa: F401 - so that every tenant-owned table is listed
from core.platform.db import city_wide, db, set_tenant, tenant_scoped_tables
from core.tenancy.models import Unit

postgres = pytest.mark.skipif(not ON_POSTGRES, reason="row-level security needs PostgreSQL (DATABASE_URL)")


def test_every_tenant_owned_table_is_known():
    assert set(tenant_scoped_tables()) >= {"unit", "plugin_setting", "problem", "problem_event", "attachment"}


@postgres
def test_app_role_is_not_privileged(db):
    row = db.session.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
    assert tuple(row) == (False, False), "run the suite as xingfeng_app (see .ci/pg-setup)"


def populate(client, world):
    """Give a tenant a row in every tenant-owned table, through the API as users would."""
    from datetime import date

    h = world.headers("tenant_admin")
    client.put(f"/api/v1/units/{world.station.id}/plugins/approval", json={"enabled": False}, headers=h)
    client.put(
        "/api/v1/ledger/local-fields", json={"fields": [{"code": "no", "label": "号", "type": "text"}]}, headers=h
    )
    made = problem_with_objects(client, world)
    client.post(f"/api/v1/problems/{made['problem']}/notes", json={"text": "进展"}, headers=world.headers("officer"))
    issued = client.post(f"/api/v1/problems/{made['problem']}/notice", headers=h)  # document_issued
    assert issued.status_code == 201, issued.json
    client.post(
        f"/api/v1/problems/{made['problem']}/referrals",
        json={"referred_on": date.today().isoformat(), "receiving_body": "纪委", "document_number": "1号"},
        headers=h,
    )
    case = {"unit_id": world.root.id, "matter_name": "食品经营许可", "case_no": "ISO-1", "promised_days": 5,
            "applicant_type": "legal_person", "received_at": "2024-09-27T10:30:00",
            "completed_at": "2024-09-30T10:00:00"}  # fmt: skip
    assert client.post("/api/v1/plugins/approval/cases", json=case, headers=h).status_code == 201  # approval_case
    populate_figures(client, world, made["problem"])
    from oversight.oversight_helpers import populate_oversight  # a row in every oversight_* tenant table

    populate_oversight(world, made["problem"])
    from fixtures.public import populate_public  # a row in every public_* tenant table

    populate_public(client, world)
    populate_checklists(client, world)
    populate_enforcement(client, world)
    populate_paid_services(client, world)
    from fixtures.supervision import populate_supervision  # a row in every supervision_* tenant table

    populate_supervision(client, world)


def populate_figures(client, world, problem_id):
    """A closed problem (working days to close) and a snapshot (its unit rows): every figure_* table has a row."""
    from datetime import date

    from fixtures.ledger import act, current_etag

    from core.figures import periods, snapshot

    for role, action, payload in (
        ("officer", "sign", {}),
        ("officer", "submit", {}),
        ("reviewer", "close", {"opinion": "合格"}),
    ):
        resp = act(client, world, role, problem_id, action, current_etag(client, world, problem_id), **payload)
        assert resp.status_code == 200, resp.json
    snapshot.take(periods.parse(date.today().strftime("%Y-%m")), "test", date.today())
    db.session.commit()


def populate_checklists(client, world):
    """A submitted supervision checklist with one failing answer (its finding) and its evidence; a local item."""
    import io

    from fixtures.ledger import PNG

    from core.checklists.templates import evaluate, fails, normalise
    from plugins.supervision.checklists import TEMPLATES

    template = next(t for t in TEMPLATES if t.code == "supervision.inspector_conduct")
    raw = {}
    for item in template.items:  # every item passes ...
        if item.answer == "yes_no":
            raw[item.code] = "no" if item.fail_on == ("yes",) else "yes"
        elif item.answer == "single":
            raw[item.code] = next(c for c in item.choices if c not in item.fail_on)
        elif item.answer == "multiple":
            raw[item.code] = [c for c in item.choices if c not in item.fail_on][:1]
        elif item.answer in ("score", "number"):
            raw[item.code] = item.points if item.answer == "score" else 0
        else:
            raw[item.code] = "情况说明"
    raw["piggyback_fee"] = "yes"  # ... but one
    values = {item.code: normalise(item, raw.get(item.code))[0] for item in template.items}
    result = evaluate(list(template.items), values)
    h = world.headers("officer")
    body = {"template": template.code, "unit_id": world.station.id, "inspector": "王检查", "inspected_on": "2024-09-27",
            "target_name": "江州市第一食品经营部", "answers": {c: raw[c] for c in result.shown}}  # fmt: skip
    created = client.post("/api/v1/checklists", json=body, headers=h)
    assert created.status_code == 201, created.json
    checklist_id = created.json["id"]
    for item in template.items:
        if item.code in result.shown and (
            item.evidence == "always" or (item.evidence == "on_failure" and fails(item, values[item.code]))
        ):
            resp = client.post(
                f"/api/v1/checklists/{checklist_id}/evidence",
                data={"item_code": item.code, "file": (io.BytesIO(PNG), "佐证.png")},
                headers=h,
                content_type="multipart/form-data",
            )
            assert resp.status_code == 201, resp.json
    submitted = client.post(f"/api/v1/checklists/{checklist_id}/submit", headers=h)
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["problems"], submitted.json
    local = {"text": "是否要求企业购买指定产品", "points": 5, "category": "arbitrary_fees", "basis": "本局行风建设方案"}
    resp = client.post(
        f"/api/v1/checklist-templates/{template.code}/items", json=local, headers=world.headers("tenant_admin")
    )
    assert resp.status_code == 201, resp.json


def populate_enforcement(client, world):
    """A case file, a scored review with a deduction, a sampling, the rubric's thresholds and a local item."""
    api, admin = "/api/v1/plugins/enforcement", world.headers("tenant_admin")
    case_file = {"case_no": "临市监处罚〔2024〕1号", "case_type": "penalty", "cause": "销售过期食品",
                 "unit_id": world.station.id, "handlers": ["张三"], "filed_on": "2024-03-01",
                 "closed_on": "2024-05-20", "penalty_amount": "5000.00", "discretion_level": "general"}  # fmt: skip
    resp = client.post(f"{api}/case-files", json=case_file, headers=world.headers("officer"))
    assert resp.status_code == 201, resp.json
    reviewer = world.headers("reviewer")
    begun = client.post(f"{api}/case-files/{resp.json['id']}/reviews", json={"reviewers": ["王五"]}, headers=reviewer)
    assert begun.status_code == 201, begun.json
    deduction = {"item": "F01", "count": 1, "note": "见卷内材料", "serious": False}
    scored = client.post(f"{api}/reviews/{begun.json['id']}/score", json={"deductions": [deduction]}, headers=reviewer)
    assert scored.status_code == 200, scored.json
    drawn = client.post(
        f"{api}/samplings",
        json={"period_from": "2024-01-01", "period_to": "2024-12-31", "count": 1, "seed": "isolation"},
        headers=reviewer,
    )
    assert drawn.status_code == 201, drawn.json
    resp = client.put(f"{api}/rubric/settings", json={"excellent_min": 95, "pass_min": 80}, headers=admin)
    assert resp.status_code == 200, resp.json
    item = {"text": "未附本局案件审核表", "basis": "《市场监督管理行政处罚程序规定》", "section": "procedure",
            "points": 2, "category": "procedural_violation"}  # fmt: skip
    resp = client.post(f"{api}/rubric/local-items", json=item, headers=admin)
    assert resp.status_code == 201, resp.json


def populate_paid_services(client, world):
    """An agency of the world with a service and a charge above its published fee (flagged)."""
    from core.platform.calendar import today_in_shanghai
    from core.platform.validators import uscc_check_char

    api, admin = "/api/v1/plugins/paid_services", world.headers("tenant_admin")
    agency = {"name": "区食品药品检验检测中心", "kind": "testing_agency", "credit_code": "12330102000000001",
              "unit_id": world.agency.id}  # fmt: skip
    agency["credit_code"] += uscc_check_char(agency["credit_code"])
    resp = client.post(f"{api}/agencies", json=agency, headers=admin)
    assert resp.status_code == 201, resp.json
    service = {"name": "食品中农药残留检测", "fee_standard": "300.00", "fee_unit": "元/样品", "fee_published": True,
               "fee_basis": "省发展改革委 省财政厅关于检验检测收费标准的通知", "regulatory_act": False,
               "in_certified_scope": True, "certified_scope": "GB 2763 食品中农药最大残留限量 所列项目"}  # fmt: skip
    resp = client.post(f"{api}/agencies/{resp.json['id']}/services", json=service, headers=admin)
    assert resp.status_code == 201, resp.json
    fee = {"service_id": resp.json["id"], "receipt_no": "PJ-OVER", "client": "城关农贸市场经营户张某", "quantity": 1,
           "charged_on": today_in_shanghai().isoformat(), "amount": "360.00"}  # fmt: skip
    resp = client.post(f"{api}/fee-records", json=fee, headers=admin)
    assert resp.status_code == 201, resp.json
    assert resp.json["flags"], resp.json


@postgres
@pytest.mark.parametrize("table", tenant_scoped_tables())
def test_raw_select_sees_only_the_tenant_in_scope(db, client, tenant, other_tenant, table):
    populate(client, tenant)
    populate(client, other_tenant)
    a, b = tenant.tenant.id, other_tenant.tenant.id
    query = text(f"SELECT tenant_id FROM {table}")  # no WHERE: RLS alone must filter
    set_tenant(b)
    assert {r[0] for r in db.session.execute(query)} == {b}, f"{table} needs rows of both tenants for this test"
    set_tenant(a)
    seen = {r[0] for r in db.session.execute(query)}
    assert seen == {a}
    set_tenant(None)
    assert db.session.execute(query).all() == []


@postgres
def test_rls_refuses_writing_another_tenants_rows(db, tenant, other_tenant):
    set_tenant(tenant.tenant.id)
    nested = db.session.begin_nested()
    with pytest.raises(DBAPIError):
        db.session.execute(
            text(
                "INSERT INTO unit (tenant_id, code, name, kind, sort_order, created_at) "
                "VALUES (:t, 'sneaky', 'x', 'station', 0, now())"
            ),
            {"t": other_tenant.tenant.id},
        )
    nested.rollback()
    changed = db.session.execute(
        text("UPDATE unit SET name = 'hacked' WHERE tenant_id = :t"), {"t": other_tenant.tenant.id}
    )
    assert changed.rowcount == 0


@pytest.fixture
def committed_tenants(app):
    """Two tenants with a unit each, committed for real: the city-wide login reads on its own connection."""
    from fixtures.app import OWNER_URL
    from sqlalchemy import create_engine

    engine = create_engine(OWNER_URL) if ON_POSTGRES else create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    ids = []
    with engine.begin() as conn:
        for slug in ("cwa", "cwb"):
            tenant_id = conn.execute(
                text(
                    "INSERT INTO tenant (slug, name, code, status, is_city, settings, created_at) "
                    "VALUES (:s, :s, upper(:s), 'active', false, '{}', CURRENT_TIMESTAMP) RETURNING id"
                ),
                {"s": slug},
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO unit (tenant_id, code, name, kind, sort_order, created_at) "
                    "VALUES (:t, 'root', :n, 'bureau', 0, CURRENT_TIMESTAMP)"
                ),
                {"t": tenant_id, "n": f"{slug} 局"},
            )
            ids.append(tenant_id)
    try:
        yield ids
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM unit WHERE tenant_id IN (:a, :b)"), {"a": ids[0], "b": ids[1]})
            conn.execute(text("DELETE FROM tenant WHERE id IN (:a, :b)"), {"a": ids[0], "b": ids[1]})
        engine.dispose()


def test_city_wide_reads_every_tenant_read_only_and_is_logged(app, committed_tenants, caplog):
    caplog.set_level(logging.INFO, logger="core.platform.db")
    with app.app_context():
        set_tenant(committed_tenants[0])
        with city_wide("test: count units", actor="user:1") as session:
            tenants_seen = {u.tenant_id for u in session.scalars(select(Unit))}
            with pytest.raises((DBAPIError, OperationalError)):
                session.execute(text("UPDATE unit SET name = 'x'"))
        # The application's own session is still scoped to its tenant.
        assert {u.tenant_id for u in db.session.scalars(select(Unit))} == {committed_tenants[0]}
        db.session.remove()
    assert tenants_seen >= set(committed_tenants)
    assert "city-wide read by user:1: test: count units" in caplog.text


@postgres
def test_the_application_cannot_become_the_reader(db):
    """SET ROLE to the reader would let any SQL the app runs see every tenant: the app must not be a member."""
    row = db.session.execute(text("SELECT pg_has_role(current_user, 'xingfeng_reader', 'MEMBER')")).scalar_one()
    assert row is False
    nested = db.session.begin_nested()
    with pytest.raises(DBAPIError, match="permission denied"):
        db.session.execute(text("SET LOCAL ROLE xingfeng_reader"))
    nested.rollback()


@postgres
def test_grants_keep_events_append_only_and_credentials_from_the_reader(db):
    privileges = dict(
        db.session.execute(
            text(
                "SELECT 'app_update_events', has_table_privilege('xingfeng_app', 'problem_event', 'UPDATE') "
                "UNION ALL SELECT 'reader_tokens', has_table_privilege('xingfeng_reader', 'api_token', 'SELECT') "
                "UNION ALL SELECT 'reader_users', has_table_privilege('xingfeng_reader', 'user_account', 'SELECT') "
                "UNION ALL SELECT 'app_alembic', has_table_privilege('xingfeng_app', 'alembic_version', 'UPDATE')"
            )
        ).all()
    )
    assert privileges == {
        "app_update_events": False,
        "reader_tokens": False,
        "reader_users": False,
        "app_alembic": False,
    }
