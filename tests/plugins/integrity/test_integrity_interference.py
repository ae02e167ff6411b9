"""干预执法记录 (issue 15, item 6): API with roles and tenants, import by row and column, export, the figure, pages."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from fixtures.data import PASSWORD
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.platform.calendar import today_in_shanghai
from core.platform.db import db, tenant_scope
from plugins.integrity.conduct_models import InterferenceRecord

API = "/api/v1/plugins/integrity"
HEADERS = ["单位", "发生日期", "干预人", "干预人职务或单位", "被干预人", "类型", "涉及案件或事项", "干预内容",
           "处理情况", "报告人"]  # fmt: skip


def days(n: int) -> str:
    return (today_in_shanghai() + timedelta(days=n)).isoformat()


def body(world, **overrides) -> dict:
    data = {
        "unit_id": world.station.id,
        "occurred_on": days(-3),
        "requester": "李某",
        "requester_post": "某街道办事处副主任",
        "target": "郑海波",
        "kind": "enforcement",
        "case_ref": "市监罚〔2026〕31号",
        "request": "要求对某超市销售过期食品案从轻处罚",
        "handling": "当场拒绝并报告纪检组",
        "reported_by": "郑海波",
    }
    data.update(overrides)
    return data


def post(client, world, role="officer", **overrides):
    return client.post(f"{API}/interference", json=body(world, **overrides), headers=world.headers(role))


def count(world) -> int:
    with tenant_scope(world.tenant.id):
        return db.session.scalar(select(func.count(InterferenceRecord.id)))


def drain(resp) -> bytes:
    data = resp.get_data()
    resp.close()
    return data


def test_record_list_filter_change_each_audited(client, tenant):
    made = post(client, tenant)
    assert made.status_code == 201, made.json
    assert (made.json["kind_name"], made.json["case_ref"]) == ("执法办案", "市监罚〔2026〕31号")
    post(client, tenant, role="reviewer", kind="approval", case_ref="JY2026-0457", unit_id=tenant.agency.id,
         occurred_on=days(-40))  # fmt: skip
    viewer = tenant.headers("viewer")
    assert len(client.get(f"{API}/interference", headers=viewer).json["items"]) == 2
    approval = client.get(f"{API}/interference?kind=approval", headers=viewer).json["items"]
    assert [r["case_ref"] for r in approval] == ["JY2026-0457"]
    recent = client.get(f"{API}/interference?from={days(-10)}", headers=viewer).json["items"]
    assert [r["id"] for r in recent] == [made.json["id"]]
    found = client.get(f"{API}/interference?q=JY2026", headers=viewer).json["items"]
    assert [r["case_ref"] for r in found] == ["JY2026-0457"]
    # an officer sees its own unit and below only
    officer = client.get(f"{API}/interference", headers=tenant.headers("officer")).json["items"]
    assert [r["id"] for r in officer] == [made.json["id"]]
    changed = client.patch(f"{API}/interference/{made.json['id']}", json={"handling": "拒绝，已书面报告"},
                           headers=tenant.headers("officer"))  # fmt: skip
    assert changed.status_code == 200
    assert changed.json["handling"] == "拒绝，已书面报告"
    with tenant_scope(tenant.tenant.id):
        kinds = list(db.session.scalars(select(AuditEvent.kind).where(AuditEvent.kind.like("integrity.interf%"))
                                        .order_by(AuditEvent.seq)))  # fmt: skip
    assert kinds == ["integrity.interference_recorded"] * 2 + ["integrity.interference_updated"]


def test_a_case_is_named_as_text_never_linked(client, tenant):
    resp = post(client, tenant, case_id=1)
    assert resp.status_code == 422
    assert "case_id" in resp.json["errors"]["json"]


@pytest.mark.parametrize(("field", "value"), [("requester", ""), ("target", ""), ("case_ref", ""), ("kind", "x"),
                                              ("occurred_on", "2026-02-30"), ("unit_id", "x"), ("reported_by", "")])
def test_bad_input_names_the_field(client, tenant, field, value):  # fmt: skip
    resp = post(client, tenant, **{field: value})
    assert resp.status_code == 422
    assert field in resp.json["errors"]["json"], resp.json


def test_service_refusals_name_the_field(client, tenant):
    for field, value in (("occurred_on", days(2)), ("unit_id", 987654)):
        resp = post(client, tenant, **{field: value})
        assert resp.status_code == 422, field
        assert field in resp.json["errors"]["json"]
    assert count(tenant) == 0


@pytest.mark.parametrize(("role", "status"), [("officer", 201), ("tenant_admin", 201), ("reviewer", 201),
                                              ("viewer", 403)])
def test_roles_that_record(client, tenant, role, status):  # fmt: skip
    assert post(client, tenant, role=role).status_code == status
    assert client.get(f"{API}/interference", headers=tenant.headers(role)).status_code == 200


def test_an_officer_records_for_its_unit_and_below_only(client, tenant):
    resp = post(client, tenant, unit_id=tenant.agency.id)
    assert resp.status_code == 403
    assert "unit_id" in resp.json["errors"]["json"]


def test_city_roles(client, tenant, city):
    base = f"/api/v1/tenants/{tenant.slug}/plugins/integrity/interference"
    made = client.post(base, json=body(tenant), headers=city.headers("city_supervisor"))
    assert made.status_code == 201
    assert client.post(base, json=body(tenant), headers=city.headers("city_admin")).status_code == 403
    assert len(client.get(base, headers=city.headers("city_admin")).json["items"]) == 1


def test_cross_tenant_is_404_on_every_endpoint(client, tenant, other_tenant):
    rid = post(client, tenant).json["id"]
    h = other_tenant.headers("tenant_admin")
    assert client.get(f"{API}/interference/{rid}", headers=h).status_code == 404
    assert client.patch(f"{API}/interference/{rid}", json={"handling": "x"}, headers=h).status_code == 404
    assert client.get(f"{API}/interference", headers=h).json["items"] == []
    resp = client.post(f"{API}/interference", json=body(tenant), headers=other_tenant.headers("officer"))
    assert resp.status_code == 422  # alpha's unit does not exist in beta
    assert "unit_id" in resp.json["errors"]["json"]


def workbook(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def upload(client, world, data, name="r.xlsx", role="tenant_admin", dry_run=False):
    form = {"file": (data, name)}
    if dry_run:
        form["dry_run"] = "true"
    return client.post(f"{API}/interference/import", data=form, headers=world.headers(role),
                       content_type="multipart/form-data")  # fmt: skip


def good_row(world, **overrides):
    row = {"单位": world.station.code, "发生日期": days(-5), "干预人": "李某", "干预人职务或单位": "某局副局长",
           "被干预人": "郑海波", "类型": "执法办案", "涉及案件或事项": "2026-118", "干预内容": "打招呼要求撤案",
           "处理情况": "拒绝并报告", "报告人": "郑海波"}  # fmt: skip
    row.update(overrides)
    return [row[h] for h in HEADERS]


def test_import_names_every_bad_cell_and_writes_nothing(client, tenant):
    rows = [
        good_row(tenant),
        good_row(tenant, 单位="不存在的所", 发生日期="2026/99/01"),
        good_row(tenant, 类型="行贿", 干预人=""),
        good_row(tenant, 发生日期=days(5)),
    ]
    resp = upload(client, tenant, workbook(rows))
    assert resp.status_code == 422
    cells = {(e["row"], e["column"]) for e in resp.json["errors"]["rows"]}
    assert cells == {(3, "单位"), (3, "发生日期"), (4, "类型"), (4, "干预人"), (5, "发生日期")}
    assert count(tenant) == 0


def test_import_twice_changes_nothing_then_updates_and_csv(client, tenant):
    rows = [good_row(tenant), good_row(tenant, 被干预人="王丽华", 类型="行政审批")]
    assert upload(client, tenant, workbook(rows), dry_run=True).json == {"created": 2, "updated": 0, "unchanged": 0,
                                                               "dry_run": True}  # fmt: skip
    assert count(tenant) == 0
    assert upload(client, tenant, workbook(rows)).json["created"] == 2
    assert upload(client, tenant, workbook(rows)).json == {"created": 0, "updated": 0, "unchanged": 2, "dry_run": False}
    changed = workbook([good_row(tenant, 处理情况="拒绝，已书面报告局党组")])
    assert upload(client, tenant, changed).json["updated"] == 1
    csv = ",".join(HEADERS) + "\n" + ",".join(good_row(tenant, 干预人="陈某")) + "\n"
    assert upload(client, tenant, io.BytesIO(csv.encode("utf-8")), name="r.csv").json["created"] == 1
    assert count(tenant) == 3
    assert upload(client, tenant, workbook([good_row(tenant)]), role="viewer").status_code == 403
    missing = client.post(f"{API}/interference/import", data={"file": (io.BytesIO(b"x,y\n1,2\n"), "r.csv")},
                          headers=tenant.headers("officer"), content_type="multipart/form-data")  # fmt: skip
    assert missing.status_code == 422
    assert {e["column"] for e in missing.json["errors"]["rows"]} >= {"单位", "干预人", "涉及案件或事项"}


def test_export_opens_and_imports_again(client, tenant):
    post(client, tenant)
    resp = client.get(f"{API}/interference/export", headers=tenant.headers("viewer"))
    assert resp.status_code == 200
    data = drain(resp)
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert list(rows[0][:10]) == HEADERS
    assert rows[1][6] == "市监罚〔2026〕31号"
    again = upload(client, tenant, io.BytesIO(data))
    assert again.status_code == 200, again.json
    assert again.json["unchanged"] == 1


def test_the_figure_counts_records_in_the_period(client, tenant, other_tenant, app):
    from core.figures.periods import parse as parse_period

    post(client, tenant, occurred_on=days(0))
    post(client, tenant, occurred_on=days(0), case_ref="另一案")
    post(client, tenant, occurred_on=days(-400), case_ref="旧案")
    post(client, other_tenant, occurred_on=days(0))
    provider = app.extensions["xingfeng"].figures["integrity_interference"]
    period = parse_period(today_in_shanghai().strftime("%Y-%m"))
    with tenant_scope(tenant.tenant.id):
        assert provider.compute(db.session, period, [tenant.tenant.id], False) == {tenant.tenant.id: 2}
        assert provider.compute(db.session, period, [tenant.tenant.id], True) == {
            (tenant.tenant.id, tenant.station.id): 2
        }


# --- pages ----------------------------------------------------------------------------------------------------


def _csrf(client, path) -> str:
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    return found.group(1)


def log_in(client, username):
    resp = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": _csrf(client, "/login")}
    )
    assert resp.status_code == 302


@pytest.mark.parametrize("role", ["tenant_admin", "officer", "reviewer", "viewer"])
def test_pages_render_for_every_role(client, tenant, role):
    rid = post(client, tenant).json["id"]
    log_in(client, f"alpha.{role}")
    listing = client.get("/integrity/interference")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert "干预执法记录" in html
    assert "市监罚〔2026〕31号" in html
    assert ('data-testid="new-interference"' in html) == (role != "viewer")
    assert client.get(f"/integrity/interference/{rid}").status_code == 200
    export = client.get("/integrity/interference/export.xlsx?kind=enforcement")
    assert export.status_code == 200
    assert load_workbook(io.BytesIO(drain(export))).active.max_row == 2
    assert client.get("/integrity/interference/import").status_code == (403 if role == "viewer" else 200)
    menu = client.get("/integrity/staff").get_data(as_text=True)
    assert "/integrity/interference" in menu
    assert ("/integrity/leads" in menu) == (role == "reviewer")


def test_page_form_records_and_import_page_lists_errors(client, tenant, other_tenant):
    log_in(client, "alpha.officer")
    token = _csrf(client, "/integrity/interference")
    data = {k: str(v) for k, v in body(tenant).items()} | {"csrf_token": token}
    bad = client.post("/integrity/interference", data={**data, "requester": ""})
    assert bad.status_code == 422
    assert client.post("/integrity/interference", data=data).status_code == 302
    assert count(tenant) == 1
    csv = ",".join(HEADERS) + "\n" + ",".join(good_row(tenant, 单位="无此单位")) + "\n"
    resp = client.post("/integrity/interference/import", data={"csrf_token": token, "file": (
        io.BytesIO(csv.encode()), "r.csv")}, content_type="multipart/form-data")  # fmt: skip
    assert resp.status_code == 422
    assert "无此单位" in resp.get_data(as_text=True)
    rid = post(client, tenant).json["id"]
    client.post("/logout", data={"csrf_token": token})
    log_in(client, "beta.tenant_admin")
    assert client.get(f"/integrity/interference/{rid}").status_code == 404


def test_demo_data_adds_leads_and_interference_once(runner, tenant):
    from plugins.integrity.conduct_models import ConfidentialLead

    assert runner.invoke(args=["demo-data"]).exit_code == 0
    with tenant_scope(tenant.tenant.id):
        leads = db.session.scalar(select(func.count(ConfidentialLead.id)))
        records = count(tenant)
    assert leads >= 5
    assert records >= 3
    runner.invoke(args=["demo-data"])
    with tenant_scope(tenant.tenant.id):
        assert db.session.scalar(select(func.count(ConfidentialLead.id))) == leads
