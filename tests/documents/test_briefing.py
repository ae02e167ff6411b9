"""The city's 工作简报: numbered per year, items from published typical experiences, archived as issued."""

from __future__ import annotations

from datetime import date

from fixtures.gongwen import assert_gongwen

from core.oversight.models import PublishedExperience, ReportingTask
from core.platform.db import db


def _experience(tenant) -> int:
    task = ReportingTask(kind="typical_experience", title="典型经验", due_on=date(2024, 10, 31),
                         tenant_ids=[tenant.tenant.id], created_by="user:1")  # fmt: skip
    db.session.add(task)
    db.session.flush()
    row = PublishedExperience(
        task_id=task.id, from_tenant_id=tenant.tenant.id, title="alpha区：“一窗通办”让群众少跑腿",
        text="一是整合窗口。\n二是压缩时限。", files=[], published_by="user:1",
    )  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row.id


def test_the_city_issues_numbered_briefings_counties_read_them(client, tenant, other_tenant, city, city_bureau, clock):
    eid = _experience(tenant)
    body = {
        "experience_ids": [eid],
        "tasks": ["开展窗口作风暗访", "整理典型案例"],
        "also_to": ["市纪委监委驻局纪检监察组"],
    }
    first = client.post("/api/v1/city/briefings", json=body, headers=city.headers("city_supervisor"))
    assert first.status_code == 201, first.json
    assert first.json["number"] == "2024年第1期"
    second = client.post("/api/v1/city/briefings", json={"tasks": ["其他"]}, headers=city.headers("city_admin"))
    assert second.json["number"] == "2024年第2期"
    listing = client.get("/api/v1/city/briefings", headers=city.headers("city_admin")).json["items"]
    assert [b["number"] for b in listing] == ["2024年第2期", "2024年第1期"]
    resp = client.get(f"/api/v1/city/briefings/{first.json['id']}/briefing.docx", headers=city.headers("city_admin"))
    assert resp.status_code == 200
    doc = assert_gongwen(
        resp.data, mark=None, number=None, title="alpha区：“一窗通办”让群众少跑腿", record=False, title_size=16
    )
    text = [p.text for p in doc.paragraphs]
    name = next(p for p in doc.paragraphs if p.text == "行风建设工作简报")
    assert str(name.runs[0].font.color.rgb) == "FF0000"
    assert "2024年第1期" in text
    editor = next(p for p in doc.paragraphs if p.text.startswith("江州市市场监督管理局编"))
    assert editor._element.xpath("./w:pPr/w:pBdr/w:bottom/@w:color") == ["FF0000"]
    assert "一是整合窗口。" in text
    assert "1. 开展窗口作风暗访" in text
    assert "送：市纪委监委驻局纪检监察组。" in text
    assert any(t.startswith("发：各县区市场监督管理局") for t in text)
    # the county reads the same archived file
    county = client.get(f"/api/v1/briefings/{first.json['id']}/briefing.docx", headers=other_tenant.headers("viewer"))
    assert county.status_code == 200
    assert county.data == resp.data


def test_a_briefing_refuses_what_it_cannot_print(client, tenant, city, city_bureau, clock):
    resp = client.post("/api/v1/city/briefings", json={"experience_ids": [9999]}, headers=city.headers("city_admin"))
    assert resp.status_code == 422
    assert "experience_ids" in resp.json["errors"]["json"]
    resp = client.post("/api/v1/city/briefings", json={}, headers=city.headers("city_admin"))
    assert resp.status_code == 422
    resp = client.post("/api/v1/city/briefings", json={"tasks": ["x"] * 21}, headers=city.headers("city_admin"))
    assert resp.status_code == 422
    assert "tasks" in resp.json["errors"]["json"]
    refused = client.post("/api/v1/city/briefings", json={"tasks": ["x"]}, headers=tenant.headers("tenant_admin"))
    assert refused.status_code == 403
    assert (
        client.get("/api/v1/city/briefings/9999/briefing.docx", headers=city.headers("city_admin")).status_code == 404
    )
    assert client.get("/api/v1/briefings/9999/briefing.docx", headers=tenant.headers("viewer")).status_code == 404


def test_every_briefing_route_with_every_role(client, tenant, other_tenant, city, city_bureau, clock):
    made = client.post("/api/v1/city/briefings", json={"tasks": ["整理典型案例"]}, headers=city.headers("city_admin"))
    bid = made.json["id"]
    city_roles, county_roles = ("city_admin", "city_supervisor"), ("tenant_admin", "officer", "reviewer", "viewer")
    for role in city_roles:
        assert client.get("/api/v1/city/briefings", headers=city.headers(role)).status_code == 200
        docx = client.get(f"/api/v1/city/briefings/{bid}/briefing.docx", headers=city.headers(role))
        assert docx.status_code == 200
        county = client.get(f"/api/v1/tenants/{tenant.slug}/briefings/{bid}/briefing.docx", headers=city.headers(role))
        assert county.status_code == 200
    for role in county_roles:
        assert client.get("/api/v1/city/briefings", headers=tenant.headers(role)).status_code == 403
        refused = client.post("/api/v1/city/briefings", json={"tasks": ["x"]}, headers=tenant.headers(role))
        assert refused.status_code == 403
        assert client.get(f"/api/v1/briefings/{bid}/briefing.docx", headers=tenant.headers(role)).status_code == 200
    assert client.get(f"/api/v1/briefings/{bid}/briefing.txt", headers=tenant.headers("viewer")).status_code == 404
    assert client.get("/api/v1/city/briefings").status_code == 401
