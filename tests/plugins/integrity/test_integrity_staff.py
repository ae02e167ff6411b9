"""The integrity plugin's staff register: 执法证件 states, expired -> one problem, import/export, roles, tenants."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.ledger.models import Problem
from core.oversight.sweep import run_sweep
from core.platform.calendar import today_in_shanghai
from core.platform.db import db, tenant_scope
from plugins.integrity.models import StaffMember

API = "/api/v1/plugins/integrity"


def days(n: int) -> str:
    return (today_in_shanghai() + timedelta(days=n)).isoformat()


def body(world, **overrides) -> dict:
    data = {
        "name": "张三",
        "unit_id": world.station.id,
        "post": "综合执法",
        "certificate_no": "33010219001",
        "issued_on": days(-1000),
        "expires_on": days(400),
    }
    data.update(overrides)
    return data


def post(client, world, role="tenant_admin", **overrides):
    return client.post(f"{API}/staff", json=body(world, **overrides), headers=world.headers(role))


def problems(world, title_part="行政执法证已过期") -> list[Problem]:
    with tenant_scope(world.tenant.id):
        return list(db.session.scalars(select(Problem).where(Problem.title.contains(title_part))))


def test_register_and_certificate_states(client, tenant):
    for i, offset in enumerate((400, 30, -5)):
        resp = post(client, tenant, name=f"人员{i}", certificate_no=f"C-{i}", expires_on=days(offset))
        assert resp.status_code == 201, resp.json
    nocert = post(client, tenant, name="文员", certificate_no="", issued_on=None, expires_on=None)
    assert nocert.status_code == 201, nocert.json
    items = client.get(f"{API}/staff", headers=tenant.headers("viewer")).json["items"]
    states = {s["name"]: (s["certificate_state"], s["certificate_state_name"]) for s in items}
    assert states == {
        "人员0": ("valid", "有效"),
        "人员1": ("expiring", "即将到期"),
        "人员2": ("expired", "已过期"),
        "文员": ("none", "未持证"),
    }
    # the warning window is configurable per request
    wide = client.get(f"{API}/staff?certificate_state=expiring&within_days=500", headers=tenant.headers("viewer"))
    assert sorted(s["name"] for s in wide.json["items"]) == ["人员0", "人员1"]
    assert client.get(f"{API}/staff?within_days=0", headers=tenant.headers("viewer")).status_code == 422


def test_expired_certificate_is_one_problem_however_often_the_sweep_runs(client, tenant):
    resp = post(client, tenant, expires_on=days(-3))
    assert resp.status_code == 201
    found = problems(tenant)
    assert len(found) == 1
    assert found[0].domain == "integrity"
    assert found[0].category == "certificate"
    assert found[0].unit_id == tenant.station.id
    run_sweep()
    run_sweep()
    assert len(problems(tenant)) == 1


def test_sweep_finds_a_certificate_that_expired_since(client, tenant):
    staff = post(client, tenant, expires_on=days(2)).json
    assert problems(tenant) == []
    run_sweep(today_in_shanghai() + timedelta(days=5))
    assert len(problems(tenant)) == 1
    # a person no longer in post is not a problem
    other = post(client, tenant, name="李四", certificate_no="X-2", expires_on=days(1), status="retired").json
    run_sweep(today_in_shanghai() + timedelta(days=5))
    assert len(problems(tenant)) == 1
    assert staff["id"] != other["id"]


def test_bad_input_names_the_field(client, tenant):
    resp = post(client, tenant, name="")
    assert resp.status_code == 422
    assert "name" in resp.json["errors"]["json"]
    resp = post(client, tenant, expires_on=days(-2000))
    assert resp.status_code == 422
    assert "expires_on" in str(resp.json)
    resp = post(client, tenant, status="gone")
    assert resp.status_code == 422
    assert "status" in resp.json["errors"]["json"]
    assert post(client, tenant).status_code == 201
    dup = post(client, tenant, name="王五")
    assert dup.status_code == 422
    assert "certificate_no" in str(dup.json)


def test_roles_and_audit(client, tenant):
    assert post(client, tenant, role="viewer").status_code == 403
    assert post(client, tenant, role="reviewer").status_code == 403
    # an officer records only at their own unit or below
    refused = post(client, tenant, role="officer", unit_id=tenant.root.id)
    assert refused.status_code == 403
    made = post(client, tenant, role="officer")
    assert made.status_code == 201
    changed = client.patch(
        f"{API}/staff/{made.json['id']}", json={"expires_on": days(800)}, headers=tenant.headers("tenant_admin")
    )
    assert changed.status_code == 200
    assert changed.json["expires_on"] == days(800)
    with tenant_scope(tenant.tenant.id):
        kinds = list(db.session.scalars(select(AuditEvent.kind).where(AuditEvent.kind.like("integrity.%"))))
    assert kinds == ["integrity.staff_created", "integrity.staff_updated"]


def test_cross_tenant_is_404(client, tenant, other_tenant):
    made = post(client, tenant).json
    assert client.get(f"{API}/staff/{made['id']}", headers=tenant.headers("viewer")).status_code == 200
    assert client.get(f"{API}/staff/{made['id']}", headers=other_tenant.headers("viewer")).status_code == 404
    resp = client.patch(f"{API}/staff/{made['id']}", json={"post": "x"}, headers=other_tenant.headers("tenant_admin"))
    assert resp.status_code == 404
    assert client.get(f"{API}/staff", headers=other_tenant.headers("viewer")).json["items"] == []


def _xlsx(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


HEAD = ["姓名", "单位", "岗位", "执法证号", "发证日期", "有效期至", "状态"]


def _import(client, world, data: io.BytesIO, name="名册.xlsx", role="tenant_admin", dry_run=False):
    return client.post(
        f"{API}/staff/import",
        data={"file": (data, name), "dry_run": "true" if dry_run else "false"},
        headers=world.headers(role),
        content_type="multipart/form-data",
    )


def _count(world) -> int:
    with tenant_scope(world.tenant.id):
        return db.session.scalar(select(func.count(StaffMember.id)))


def test_import_refuses_the_whole_file_naming_row_and_column(client, tenant):
    rows = [
        HEAD,
        ["赵一", tenant.station.name, "执法", "A-1", days(-100), days(300), "在岗"],
        ["", tenant.station.name, "执法", "A-2", days(-100), days(300), "在岗"],
        ["钱二", "不存在的单位", "执法", "A-3", "not a date", days(300), "离开"],
        ["孙三", tenant.station.name, "执法", "A-1", days(-100), days(300), "在岗"],
    ]
    resp = _import(client, tenant, _xlsx(rows))
    assert resp.status_code == 422
    errors = {(e["row"], e["column"]) for e in resp.json["errors"]["rows"]}
    assert errors == {(3, "姓名"), (4, "单位"), (4, "发证日期"), (4, "状态"), (5, "执法证号")}
    assert _count(tenant) == 0


def test_import_csv_writes_updates_and_is_repeatable(client, tenant):
    csv = "\n".join(
        [
            ",".join(HEAD),
            f"赵一,{tenant.station.code},执法,A-1,{days(-100)},{days(300)},在岗",
            f"钱二,{tenant.station.name},执法,A-2,{days(-900)},{days(-1)},在岗",
            f"孙三,{tenant.root.name},文员,,,,",
        ]
    ).encode("utf-8")
    dry = _import(client, tenant, io.BytesIO(csv), "名册.csv", dry_run=True)
    assert dry.json == {"created": 3, "updated": 0, "unchanged": 0, "dry_run": True}
    assert _count(tenant) == 0
    done = _import(client, tenant, io.BytesIO(csv), "名册.csv")
    assert done.status_code == 200, done.json
    assert done.json["created"] == 3
    assert _count(tenant) == 3
    assert len(problems(tenant)) == 1  # 钱二's certificate has expired
    again = _import(client, tenant, io.BytesIO(csv), "名册.csv")
    assert again.json == {"created": 1, "updated": 0, "unchanged": 2, "dry_run": False}  # no number: a new person
    assert len(problems(tenant)) == 1
    assert _import(client, tenant, io.BytesIO(csv), "名册.csv", role="viewer").status_code == 403
    # a file that is neither .xlsx nor CSV is refused
    other = _import(client, tenant, io.BytesIO(b"x"), "a.txt")
    assert other.status_code in (400, 422)


def test_import_into_other_tenant_cannot_reach_units(client, tenant, other_tenant):
    csv = f"{','.join(HEAD)}\n赵一,{tenant.station.name},执法,A-1,,{days(30)},在岗\n".encode()
    resp = _import(client, other_tenant, io.BytesIO(csv), "名册.csv")
    assert resp.status_code == 422
    assert resp.json["errors"]["rows"][0]["column"] == "单位"
    assert _count(tenant) == 0


def test_export_is_excel_and_scoped(client, tenant, other_tenant):
    post(client, tenant, expires_on=days(10))
    resp = client.get(f"{API}/staff/export", headers=tenant.headers("viewer"))
    assert resp.status_code == 200
    rows = list(load_workbook(io.BytesIO(resp.data)).active.values)
    resp.close()
    assert list(rows[0][:7]) == HEAD
    assert rows[1][0] == "张三"
    assert rows[1][7] == "即将到期"
    empty = client.get(f"{API}/staff/export", headers=other_tenant.headers("viewer"))
    assert len(list(load_workbook(io.BytesIO(empty.data)).active.values)) == 1
    empty.close()
    assert client.get(f"{API}/staff/export").status_code == 401
