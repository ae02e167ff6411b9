"""Document settings (发文设置) and the register of issued numbers (发文登记) through the API."""

from __future__ import annotations

import io
import json

from docx import Document
from fixtures.gongwen import assert_gongwen
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.figures import periods, snapshot
from core.ledger.service import today_in_shanghai
from core.platform.db import db, tenant_scope


def test_a_county_reads_its_settings_with_defaults_from_its_bureau(client, tenant):
    resp = client.get("/api/v1/documents/settings", headers=tenant.headers("viewer"))
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["issuing_body"] == "alpha 局机关"
    assert body["mark"] == "alpha 局机关文件"
    assert body["bulletin_code"] == "a市监通"
    assert "局机关各科室" in body["recipients"]
    assert set(body["defaults"]) >= {"issuing_body", "recipients", "cc"}


def test_the_tenant_admin_changes_settings_and_the_change_is_audited(client, tenant):
    change = {"issuing_body": "阿尔法区市场监督管理局", "bulletin_code": "阿市监通", "cc": ["江州市市场监督管理局"]}
    resp = client.put("/api/v1/documents/settings", json=change, headers=tenant.headers("tenant_admin"))
    assert resp.status_code == 200, resp.json
    assert resp.json["bulletin_code"] == "阿市监通"
    assert "bulletin_code" not in resp.json["defaults"]
    again = client.get("/api/v1/documents/settings", headers=tenant.headers("officer")).json
    assert again["issuing_body"] == "阿尔法区市场监督管理局"
    with tenant_scope(tenant.tenant.id):
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "documents.settings_changed")).one()
    assert json.loads(event.body)["data"]["bulletin_code"] == ["a市监通", "阿市监通"]


def test_other_roles_may_not_change_settings(client, tenant):
    for role in ("officer", "reviewer", "viewer"):
        resp = client.put("/api/v1/documents/settings", json={"mark": "某某文件"}, headers=tenant.headers(role))
        assert resp.status_code == 403, role


def test_bad_settings_name_the_field_and_the_reason(client, tenant):
    cases = [
        ({"bulletin_code": "江市监通〔"}, "bulletin_code", "代字"),
        ({"bulletin_code": "12"}, "bulletin_code", "代字"),
        ({"recipients": []}, "recipients", "主送"),
        ({"cc": ["省局", "省局"]}, "cc", "重复"),
        ({"mark": "江州\x00文件"}, "mark", "空字符"),  # refused at the door (core/platform/input_guard.py)
        ({"mark": "江州\x07文件"}, "mark", "控制字符"),
        ({"mark": "字" * 31}, "mark", "不能超过30个字符"),
        ({"nonsense": 1}, "nonsense", "不允许"),
        ({}, "_schema", "至少"),
    ]
    for body, field, reason in cases:
        resp = client.put("/api/v1/documents/settings", json=body, headers=tenant.headers("tenant_admin"))
        assert resp.status_code == 422, body
        errors = resp.json["errors"]["json"]
        assert field in errors, (body, errors)
        assert reason in str(errors[field]), (body, errors)
    assert client.get("/api/v1/documents/settings", headers=tenant.headers("viewer")).json["defaults"]


def test_another_tenants_settings_do_not_exist_for_a_county(client, tenant, other_tenant):
    resp = client.get(f"/api/v1/tenants/{other_tenant.slug}/documents/settings", headers=tenant.headers("tenant_admin"))
    assert resp.status_code == 404
    resp = client.put(
        f"/api/v1/tenants/{other_tenant.slug}/documents/settings",
        json={"mark": "某某文件"},
        headers=tenant.headers("tenant_admin"),
    )
    assert resp.status_code == 404
    resp = client.get(f"/api/v1/tenants/{other_tenant.slug}/documents/issued", headers=tenant.headers("viewer"))
    assert resp.status_code == 404


def test_the_city_sets_a_countys_settings_and_its_own(client, tenant, city, city_bureau):
    resp = client.put(
        f"/api/v1/tenants/{tenant.slug}/documents/settings",
        json={"mark": "阿尔法文件"},
        headers=city.headers("city_admin"),
    )
    assert resp.status_code == 200
    assert resp.json["mark"] == "阿尔法文件"
    own = client.get("/api/v1/city/documents/settings", headers=city.headers("city_supervisor"))
    assert own.status_code == 200
    assert own.json["issuing_body"] == "江州市市场监督管理局"
    assert own.json["bulletin_code"] == "江市监通"
    assert own.json["recipients"] == ["各县区市场监督管理局", "市局各处室、直属单位"]
    refused = client.put(
        "/api/v1/city/documents/settings", json={"mark": "x文件"}, headers=city.headers("city_supervisor")
    )
    assert refused.status_code == 403
    county = client.get("/api/v1/city/documents/settings", headers=tenant.headers("tenant_admin"))
    assert county.status_code == 403
    resp = client.put(
        "/api/v1/city/documents/settings", json={"bulletin_code": "江市监行"}, headers=city.headers("city_admin")
    )
    assert resp.status_code == 200
    assert resp.json["bulletin_code"] == "江市监行"


def test_bulletins_are_numbered_per_year_without_gaps_and_registered(client, tenant, city, city_bureau):
    today = today_in_shanghai()
    period = periods.parse(f"{today.year}")
    numbers = []
    for _ in range(3):
        taken = snapshot.take(period, "user:test", today)
        numbers.append(taken.document_number)
        db.session.commit()
    assert numbers == [f"江市监通〔{today.year}〕{n}号" for n in (1, 2, 3)]
    # a snapshot that fails after taking its number leaves no gap: the number rolls back with it
    try:
        with db.session.begin_nested():
            snapshot.take(period, "user:test", today)
            raise RuntimeError("the bulletin could not be made")
    except RuntimeError:
        pass
    db.session.commit()
    fourth = snapshot.take(period, "user:test", today)
    db.session.commit()
    assert fourth.document_number == f"江市监通〔{today.year}〕4号"
    register = client.get("/api/v1/city/documents/issued", headers=city.headers("city_supervisor"))
    assert register.status_code == 200
    assert [r["number"] for r in register.json["items"]][::-1] == [*numbers, fourth.document_number]
    assert register.json["items"][0]["kind_label"] == "通报"
    assert register.json["items"][0]["source"] == f"snapshot:{fourth.id}"
    assert client.get("/api/v1/city/documents/issued?year=2001", headers=city.headers("city_admin")).json["items"] == []
    bad = client.get("/api/v1/city/documents/issued?year=abc", headers=city.headers("city_admin"))
    assert bad.status_code == 422
    assert "year" in bad.json["errors"]["query"]
    # a number typed by hand is taken once
    resp = client.post(
        "/api/v1/city/snapshots",
        json={"period": str(today.year), "document_number": fourth.document_number},
        headers=city.headers("city_supervisor"),
    )
    assert resp.status_code == 422
    assert "document_number" in resp.json["errors"]["json"]


def test_the_archived_bulletin_follows_the_standard_with_the_citys_settings(client, tenant, city, city_bureau):
    client.put(
        "/api/v1/city/documents/settings",
        json={"cc": ["省市场监督管理局", "市纪委监委驻局纪检监察组"], "printer": "江州市市场监督管理局办公室"},
        headers=city.headers("city_admin"),
    )
    today = today_in_shanghai()
    resp = client.post(
        "/api/v1/city/snapshots",
        json={"period": str(today.year), "requirements": "一、立即整改。\n2.按时报送。\n（三）举一反三。"},
        headers=city.headers("city_supervisor"),
    )
    assert resp.status_code == 201, resp.json
    number = resp.json["document_number"]
    body = client.get(f"/api/v1/city/snapshots/{resp.json['id']}/bulletin.docx", headers=city.headers("city_admin"))
    assert body.status_code == 200
    doc = assert_gongwen(
        body.data,
        mark="江州市市场监督管理局文件",
        number=number,
        title=f"关于{today.year}年行风建设问题整改情况的通报",
        headings=[
            (1, "一、总体情况"),
            (1, "二、通报表彰"),
            (1, "三、通报批评"),
            (2, "（一）立即整改。"),
            (2, "（二）按时报送。"),
            (2, "（三）举一反三。"),
        ],
    )
    text = [p.text for p in Document(io.BytesIO(body.data)).paragraphs]
    assert "各县区市场监督管理局，市局各处室、直属单位：" in text
    assert "抄送：省市场监督管理局，市纪委监委驻局纪检监察组。" in text
    assert any(t.startswith("江州市市场监督管理局办公室\t") for t in text)
    assert doc.tables[0].rows[0].cells[1].text == "县区局"
