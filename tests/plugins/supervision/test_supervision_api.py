"""The 双随机 task API: every endpoint allowed, refused, across tenants (404), with bad input (422 naming the field)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest
import time_machine
from fixtures.supervision import API, credit_code, enterprises, inspectors, make_task, task_body
from openpyxl import Workbook
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.platform.calendar import SHANGHAI
from core.platform.db import db, tenant_scope
from plugins.supervision import draw
from plugins.supervision.models import SupervisionTarget

READ_ONLY = ("reviewer", "viewer")


def field_error(resp, *path):
    """The messages the 422 answer gives for a field (nested like marshmallow's, or dotted)."""
    assert resp.status_code == 422, resp.json
    located = resp.json["errors"]
    errors = next((v for v in located.values() if path[0] in v or ".".join(path) in v), located.get("json", {}))
    if ".".join(path) in errors:
        return errors[".".join(path)]
    for key in path:
        errors = errors[key]
    return errors


def test_create_and_list_tasks(client, tenant):
    created = client.post(f"{API}/tasks", json=task_body(tenant), headers=tenant.headers("officer"))
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["status"], body["status_name"], body["seed"]) == ("draft", "待抽取", None)
    assert body["unit_name"] == tenant.station.name
    for role in ("officer", "tenant_admin", "reviewer", "viewer"):
        listed = client.get(f"{API}/tasks", headers=tenant.headers(role))
        assert listed.status_code == 200
        assert [t["id"] for t in listed.json["items"]] == [body["id"]]


def test_city_users_read_through_the_tenant_path_but_do_not_run_tasks(client, tenant, city):
    task = make_task(client, tenant)
    for role in ("city_admin", "city_supervisor"):
        resp = client.get(f"/api/v1/tenants/alpha/plugins/supervision/tasks/{task['id']}", headers=city.headers(role))
        assert resp.status_code == 200
        refused = client.post(
            "/api/v1/tenants/alpha/plugins/supervision/tasks", json=task_body(tenant), headers=city.headers(role)
        )
        assert refused.status_code == 403


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_are_refused_every_change(client, tenant, role):
    task = make_task(client, tenant)
    tid, h = task["id"], tenant.headers(role)
    calls = [
        ("post", f"{API}/tasks", {"json": task_body(tenant)}),
        ("post", f"{API}/tasks/{tid}/enterprises", {"json": {"enterprises": enterprises(1, 50)}}),
        ("post", f"{API}/tasks/{tid}/inspectors", {"json": {"inspectors": inspectors(1, 50)}}),
        ("post", f"{API}/tasks/{tid}/enterprises/import", {"data": {"file": (io.BytesIO(b"x"), "a.csv")}}),
        ("post", f"{API}/tasks/{tid}/inspectors/import", {"data": {"file": (io.BytesIO(b"x"), "a.csv")}}),
        ("post", f"{API}/tasks/{tid}/draw", {"json": {}}),
        ("post", f"{API}/tasks/{tid}/results", {"json": {"inspection_ended_on": "2024-09-27", "results": []}}),
        ("post", f"{API}/tasks/{tid}/publication", {"json": {"published_on": "2024-10-08", "channel": "公示系统"}}),
    ]
    for method, url, kwargs in calls:
        resp = getattr(client, method)(url, headers=h, **kwargs)
        assert resp.status_code == 403, (url, resp.status_code, resp.json)
        assert resp.json["message"] == "当前角色无权执行此操作"


def test_no_token_is_401(client, tenant):
    task = make_task(client, tenant)
    for url in (f"{API}/tasks", f"{API}/tasks/{task['id']}", f"{API}/tasks/{task['id']}/verify"):
        assert client.get(url).status_code == 401


def test_another_tenants_task_does_not_exist(client, tenant, other_tenant):
    theirs = make_task(client, other_tenant)
    tid = theirs["id"]
    calls = [
        ("get", f"{API}/tasks/{tid}", {}),
        ("get", f"{API}/tasks/{tid}/verify", {}),
        ("post", f"{API}/tasks/{tid}/enterprises", {"json": {"enterprises": enterprises(1, 50)}}),
        ("post", f"{API}/tasks/{tid}/inspectors", {"json": {"inspectors": inspectors(1, 50)}}),
        ("post", f"{API}/tasks/{tid}/enterprises/import", {"data": {"file": (io.BytesIO(b"x"), "a.csv")}}),
        ("post", f"{API}/tasks/{tid}/inspectors/import", {"data": {"file": (io.BytesIO(b"x"), "a.csv")}}),
        ("post", f"{API}/tasks/{tid}/draw", {"json": {"seed": "x"}}),
        ("post", f"{API}/tasks/{tid}/results", {"json": {"inspection_ended_on": "2024-09-27", "results": []}}),
        ("post", f"{API}/tasks/{tid}/publication", {"json": {"published_on": "2024-10-08", "channel": "公示系统"}}),
    ]
    for role in ("officer", "tenant_admin", "viewer", "reviewer"):
        for method, url, kwargs in calls:
            if "data" in kwargs:
                kwargs = {"data": {"file": (io.BytesIO(b"x"), "a.csv")}}
            resp = getattr(client, method)(url, headers=tenant.headers(role), **kwargs)
            assert resp.status_code == 404, (role, url, resp.status_code)
            assert theirs["name"] not in resp.get_data(as_text=True)
        assert client.get(f"{API}/tasks", headers=tenant.headers(role)).json["items"] == []
    # and B's task is untouched
    again = client.get(f"{API}/tasks/{tid}", headers=other_tenant.headers("viewer")).json
    assert (again["status"], len(again["enterprises"])) == ("draft", 6)


def test_an_officer_sees_only_its_units_tasks(client, tenant):
    bureau_task = make_task(client, tenant, role="tenant_admin", unit_id=tenant.root.id)
    resp = client.get(f"{API}/tasks/{bureau_task['id']}", headers=tenant.headers("officer"))
    assert resp.status_code == 404
    refused = client.post(
        f"{API}/tasks", json=task_body(tenant, unit_id=tenant.root.id), headers=tenant.headers("officer")
    )
    assert refused.status_code == 403
    assert "unit_id" in refused.json["errors"]["json"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"matter": None}, "matter"),
        ({"starts_on": "2024-13-01"}, "starts_on"),
        ({"ends_on": "2024-08-01"}, "ends_on"),
        ({"target_count": 0}, "target_count"),
        ({"target_count": "3"}, "target_count"),
        ({"inspectors_per_target": 11}, "inspectors_per_target"),
        ({"unit_id": 10**9}, "unit_id"),
        ({"color": "red"}, "color"),
    ],
)
def test_bad_task_bodies_name_the_field(client, tenant, overrides, field):
    body = task_body(tenant, **overrides)
    resp = client.post(f"{API}/tasks", json=body, headers=tenant.headers("officer"))
    assert field_error(resp, field)


def test_pools_add_replace_and_refuse_bad_codes_and_duplicates(client, tenant):
    task = make_task(client, tenant, pools=(0, 0))
    url, h = f"{API}/tasks/{task['id']}", tenant.headers("officer")
    added = client.post(f"{url}/enterprises", json={"enterprises": enterprises(3)}, headers=h)
    assert added.json == {"added": 3, "enterprises": 3, "inspectors": 0}
    bad = {"name": "某超市", "credit_code": "914403001922038217"}
    resp = client.post(f"{url}/enterprises", json={"enterprises": [bad]}, headers=h)
    assert field_error(resp, "enterprises", "0", "credit_code") == ["第18位校验码错误，应为6"]
    resp = client.post(f"{url}/enterprises", json={"enterprises": enterprises(1)}, headers=h)
    assert "重复" in field_error(resp, "enterprises.0.credit_code")[0]
    replaced = client.post(f"{url}/enterprises", json={"enterprises": enterprises(2, 10), "replace": True}, headers=h)
    assert replaced.json["enterprises"] == 2
    resp = client.post(f"{url}/inspectors", json={"inspectors": [{"name": "张三", "card_number": "证 01"}]}, headers=h)
    assert field_error(resp, "inspectors", "0", "card_number")
    resp = client.post(f"{url}/inspectors", json={"inspectors": []}, headers=h)
    assert field_error(resp, "inspectors")
    resp = client.post(f"{url}/inspectors", json={"inspectors": inspectors(2) + inspectors(1)}, headers=h)
    assert "重复" in field_error(resp, "inspectors.2.card_number")[0]
    assert client.post(f"{url}/inspectors", json={"inspectors": inspectors(2)}, headers=h).json["inspectors"] == 2


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _csv(rows, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def _upload(client, tenant, task_id, pool, content, name, replace=False):
    data = {"file": (io.BytesIO(content), name)}
    if replace:
        data["replace"] = "true"
    return client.post(
        f"{API}/tasks/{task_id}/{pool}/import",
        data=data,
        headers=tenant.headers("officer"),
        content_type="multipart/form-data",
    )


def test_import_pools_from_xlsx_and_csv(client, tenant):
    task = make_task(client, tenant, pools=(0, 0))
    rows = [["序号", "企业名称", "统一社会信用代码", "地址"]]
    rows += [[n, f"企业{n}", credit_code(n), f"地址{n}"] for n in range(1, 6)]
    resp = _upload(client, tenant, task["id"], "enterprises", _xlsx(rows), "名录库.xlsx")
    assert resp.status_code == 200, resp.json
    assert resp.json["enterprises"] == 5
    people = [["姓名", "执法证号", "所在单位"], ["张三", "3201000001", "城关所"], ["李四", "3201000002", ""]]
    resp = _upload(client, tenant, task["id"], "inspectors", _csv(people, "gb18030"), "人员.csv")
    assert resp.status_code == 200, resp.json
    assert resp.json["inspectors"] == 2
    detail = client.get(f"{API}/tasks/{task['id']}", headers=tenant.headers("viewer")).json
    assert detail["inspectors"][0] == {"name": "张三", "card_number": "3201000001", "unit_name": "城关所"}
    assert detail["enterprises"][4]["credit_code"] == credit_code(5)


def test_an_import_with_bad_rows_names_them_and_writes_nothing(client, tenant):
    task = make_task(client, tenant, pools=(0, 0))
    rows = [
        ["企业名称", "统一社会信用代码"],
        ["好企业", credit_code(1)],
        ["坏企业", "914403001922038217"],
        ["", credit_code(3)],
    ]
    rows += [["重复企业", credit_code(1)]]
    resp = _upload(client, tenant, task["id"], "enterprises", _csv(rows), "名录库.csv")
    assert resp.status_code == 422
    assert resp.json["errors"]["rows"] == [
        {"row": 3, "column": "统一社会信用代码", "message": "第18位校验码错误，应为6"},
        {"row": 4, "column": "企业名称", "message": "必填"},
        {"row": 5, "column": "统一社会信用代码", "message": "与第2行重复"},
    ]
    detail = client.get(f"{API}/tasks/{task['id']}", headers=tenant.headers("viewer")).json
    assert detail["enterprises"] == []
    bad_card = _upload(
        client, tenant, task["id"], "inspectors", _csv([["姓名", "执法证号"], ["张三", "证 1"]]), "x.csv"
    )
    assert bad_card.json["errors"]["rows"] == [
        {"row": 2, "column": "执法证号", "message": "执法证号应为1至40位数字、字母或连字符"}
    ]
    missing = _upload(client, tenant, task["id"], "inspectors", _csv([["名字", "证号"], ["a", "1"]]), "x.csv")
    assert missing.json["errors"]["rows"][0]["column"] == "姓名"
    png = _upload(client, tenant, task["id"], "inspectors", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "x.png")
    assert field_error(png, "file")
    no_file = client.post(
        f"{API}/tasks/{task['id']}/inspectors/import", data={}, headers=tenant.headers("officer"),
        content_type="multipart/form-data",
    )  # fmt: skip
    assert field_error(no_file, "file")


def test_draw_with_a_given_seed_is_recorded_and_verifies(client, tenant):
    task = make_task(client, tenant, pools=(8, 5), target_count=4)
    url, h = f"{API}/tasks/{task['id']}", tenant.headers("officer")
    drawn = client.post(f"{url}/draw", json={"seed": "临江2024-09公开摇号"}, headers=h)
    assert drawn.status_code == 200, drawn.json
    body = drawn.json
    assert (body["status"], body["seed"], body["algorithm"]) == ("drawn", "临江2024-09公开摇号", "hmac-sha256-v1")
    assert len(body["targets"]) == 4
    assert all(len(t["inspectors"]) == 2 and t["inspectors"][0]["name"] for t in body["targets"])
    # anyone with the seed and the pools gets the same result
    codes = [e["credit_code"] for e in body["enterprises"]]
    cards = [i["card_number"] for i in body["inspectors"]]
    redone = draw.draw(body["seed"], codes, cards, 4, 2)
    assert [(t["credit_code"], tuple(i["card_number"] for i in t["inspectors"])) for t in body["targets"]] == [
        (d.credit_code, d.inspectors) for d in redone
    ]
    verified = client.get(f"{url}/verify", headers=tenant.headers("viewer"))
    assert verified.status_code == 200
    assert verified.json["matches"] is True
    assert verified.json["draw_digest"] == verified.json["recorded_draw_digest"] == body["draw_digest"]
    # the draw is in the tenant's tamper-evident audit chain
    with tenant_scope(tenant.tenant.id):
        (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "supervision.draw")).all()
        recorded = json.loads(event.body)["data"]
    assert (recorded["seed"], recorded["draw_digest"]) == ("临江2024-09公开摇号", body["draw_digest"])
    # the draw is done once: neither redrawn nor its pools changed
    assert client.post(f"{url}/draw", json={}, headers=h).status_code == 409
    assert client.post(f"{url}/enterprises", json={"enterprises": enterprises(1, 90)}, headers=h).status_code == 409
    assert (
        _upload(
            client, tenant, task["id"], "inspectors", _csv([["姓名", "执法证号"], ["王五", "99"]]), "a.csv"
        ).status_code
        == 409
    )


def test_a_random_seed_is_made_when_none_is_given_and_a_changed_record_does_not_verify(client, tenant):
    task = make_task(client, tenant)
    url = f"{API}/tasks/{task['id']}"
    body = client.post(f"{url}/draw", json={}, headers=tenant.headers("tenant_admin")).json
    assert len(body["seed"]) == 32
    with tenant_scope(tenant.tenant.id):
        target = db.session.get(SupervisionTarget, body["targets"][0]["id"])
        target.inspectors = list(reversed(target.inspectors))
        db.session.commit()
    verified = client.get(f"{url}/verify", headers=tenant.headers("viewer")).json
    assert verified["matches"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [({"seed": "x" * 129}, "seed"), ({"seed": ""}, "seed"), ({"seed": "a\nb"}, "seed"), ({"seeds": "a"}, "seeds")],
)
def test_bad_seeds_name_the_field(client, tenant, body, field):
    task = make_task(client, tenant)
    resp = client.post(f"{API}/tasks/{task['id']}/draw", json=body, headers=tenant.headers("officer"))
    assert field_error(resp, field)


def test_a_draw_needs_enough_in_the_pools(client, tenant):
    task = make_task(client, tenant, pools=(2, 4), target_count=3)
    resp = client.post(f"{API}/tasks/{task['id']}/draw", json={}, headers=tenant.headers("officer"))
    assert resp.status_code == 409
    assert "少于抽取数量3" in resp.json["message"]
    task = make_task(client, tenant, pools=(4, 1))
    resp = client.post(f"{API}/tasks/{task['id']}/draw", json={}, headers=tenant.headers("officer"))
    assert resp.status_code == 409
    not_drawn = client.get(f"{API}/tasks/{task['id']}/verify", headers=tenant.headers("officer"))
    assert not_drawn.status_code == 409


@pytest.fixture
def oct8():
    """Tuesday 8 October 2024 in Shanghai, the first working day after the National Day holiday."""
    with time_machine.travel(datetime(2024, 10, 8, 9, 0, tzinfo=SHANGHAI), tick=False) as traveller:
        yield traveller


def _drawn(client, tenant):
    task = make_task(client, tenant)
    return client.post(f"{API}/tasks/{task['id']}/draw", json={"seed": "s"}, headers=tenant.headers("officer")).json


def test_results_and_publication(oct8, client, tenant):
    task = _drawn(client, tenant)
    url, h = f"{API}/tasks/{task['id']}", tenant.headers("officer")
    codes = [t["credit_code"] for t in task["targets"]]
    early = client.post(f"{url}/publication", json={"published_on": "2024-09-30", "channel": "公示系统"}, headers=h)
    assert early.status_code == 409
    first = {"inspection_ended_on": "2024-09-27", "results": [{"credit_code": codes[0], "outcome": "passed"}]}
    resp = client.post(f"{url}/results", json=first, headers=h)
    assert resp.status_code == 200, resp.json
    assert resp.json["targets"][0]["outcome_name"] == "未发现问题"
    assert resp.json["publication_due"] == "2024-10-30"  # National Day holiday and two adjusted working weekends
    partial = client.post(f"{url}/publication", json={"published_on": "2024-10-08", "channel": "公示系统"}, headers=h)
    assert partial.status_code == 409
    rest = [
        {"credit_code": codes[1], "outcome": "problems_found", "findings": "未落实进货查验记录制度，已责令改正"},
        {"credit_code": codes[2], "outcome": "not_located"},
    ]
    resp = client.post(f"{url}/results", json={"inspection_ended_on": "2024-09-27", "results": rest}, headers=h)
    assert resp.status_code == 200
    published = client.post(
        f"{url}/publication", json={"published_on": "2024-10-08", "channel": "国家企业信用信息公示系统"}, headers=h
    )
    assert published.status_code == 200, published.json
    assert (published.json["status"], published.json["published_on"]) == ("published", "2024-10-08")
    assert published.json["late_problem"] is None
    again = client.post(f"{url}/publication", json={"published_on": "2024-10-09", "channel": "x"}, headers=h)
    assert again.status_code == 409
    locked = client.post(f"{url}/results", json=first, headers=h)
    assert locked.status_code == 409


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"inspection_ended_on": "2024-09-27", "results": [{"credit_code": "{other}", "outcome": "passed"}]},
         ("results", "0", "credit_code")),
        ({"inspection_ended_on": "2024-09-27", "results": [{"credit_code": "914403001922038217", "outcome": "passed"}]},
         ("results", "0", "credit_code")),
        ({"inspection_ended_on": "2024-09-27", "results": [{"credit_code": "{target}", "outcome": "ok"}]},
         ("results", "0", "outcome")),
        ({"inspection_ended_on": "2099-01-01", "results": [{"credit_code": "{target}", "outcome": "passed"}]},
         ("inspection_ended_on",)),
        ({"inspection_ended_on": "2024-08-01", "results": [{"credit_code": "{target}", "outcome": "passed"}]},
         ("inspection_ended_on",)),
        ({"results": [{"credit_code": "{target}", "outcome": "passed"}]}, ("inspection_ended_on",)),
        ({"inspection_ended_on": "2024-09-27", "results": []}, ("results",)),
    ],
)  # fmt: skip
def test_bad_results_name_the_field(client, tenant, clock, body, path):
    task = _drawn(client, tenant)
    target = task["targets"][0]["credit_code"]
    other = next(e["credit_code"] for e in task["enterprises"] if e["credit_code"] not in
                 {t["credit_code"] for t in task["targets"]})  # fmt: skip
    for row in body.get("results", []):
        row["credit_code"] = row["credit_code"].format(target=target, other=other)
    resp = client.post(f"{API}/tasks/{task['id']}/results", json=body, headers=tenant.headers("officer"))
    assert field_error(resp, *path)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"published_on": "2024-09-26", "channel": "公示系统"}, "published_on"),
        ({"published_on": "2099-01-01", "channel": "公示系统"}, "published_on"),
        ({"published_on": "2024-10-08", "channel": ""}, "channel"),
        ({"channel": "公示系统"}, "published_on"),
    ],
)
def test_bad_publications_name_the_field(client, tenant, body, field):
    task = _drawn(client, tenant)
    results = [{"credit_code": t["credit_code"], "outcome": "passed"} for t in task["targets"]]
    h = tenant.headers("officer")
    client.post(
        f"{API}/tasks/{task['id']}/results", json={"inspection_ended_on": "2024-09-27", "results": results}, headers=h
    )
    resp = client.post(f"{API}/tasks/{task['id']}/publication", json=body, headers=h)
    assert field_error(resp, field)


def test_the_domain_off_at_the_unit_hides_the_api(client, tenant):
    task = make_task(client, tenant)
    admin = tenant.headers("tenant_admin")
    off = client.put(f"/api/v1/units/{tenant.station.id}/plugins/supervision", json={"enabled": False}, headers=admin)
    assert off.status_code in (200, 204)
    h = tenant.headers("officer")  # the officer works at the station
    for url in (f"{API}/tasks", f"{API}/tasks/{task['id']}", f"{API}/tasks/{task['id']}/verify"):
        resp = client.get(url, headers=h)
        assert resp.status_code == 404, url
        assert resp.json["message"] == "本单位未启用该业务插件"
    assert client.post(f"{API}/tasks/{task['id']}/draw", json={}, headers=h).status_code == 404
    # at the bureau it is still on, but no new task can be opened at the station
    resp = client.post(f"{API}/tasks", json=task_body(tenant), headers=admin)
    assert field_error(resp, "unit_id") == ["该单位未启用日常监管"]
    assert client.get(f"{API}/tasks", headers=admin).status_code == 200
