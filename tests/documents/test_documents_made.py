"""The 督办单, the 整改通知书 and the 检查记录表 in Word (GB/T 9704-2012) and as PDF: allowed, refused, cross-tenant."""

from __future__ import annotations

import io
import re

import pytest
from checklists.conftest import ALL_GOOD, begin
from checklists.conftest import sample as sample  # the checklist tests' template, as a fixture here
from docx import Document
from fixtures.gongwen import assert_gongwen, keep_png, pdf_pages, soffice
from fixtures.ledger import post_problem
from werkzeug.http import parse_options_header

from core.audit.models import AuditEvent
from core.platform.db import db, tenant_scope

needs_soffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice (Debian libreoffice-writer) is not installed")


def _order(client, tenant, clock):
    created = post_problem(client, tenant, role="tenant_admin")
    assert created.status_code == 201, created.json
    resp = client.post(
        "/api/v1/oversight/orders",
        json={
            "problem_id": created.json["id"],
            "demand": "请于三日内说明整改情况并报送佐证材料",
            "deadline": "2024-10-15",
        },
        headers=tenant.headers("tenant_admin"),
    )
    assert resp.status_code == 201, resp.json
    return created.json, resp.json


def test_the_order_prints_with_its_answer_slip(client, tenant, clock):
    problem, order = _order(client, tenant, clock)
    resp = client.get(f"/api/v1/oversight/orders/{order['id']}/document.docx", headers=tenant.headers("viewer"))
    assert resp.status_code == 200
    assert "attachment" in resp.headers["Content-Disposition"]
    # Issue 13, item 7: clients that read only filename= still get a name that says whose file and what it is.
    ascii_name = parse_options_header(resp.headers["Content-Disposition"].split("filename*=")[0])[1]["filename"]
    assert re.fullmatch(
        rf"xingfeng-{tenant.slug}-supervision-order-document-\d{{8}}-[A-Z]+-\d{{4}}-\d{{3}}\.docx", ascii_name
    ), ascii_name
    doc = assert_gongwen(resp.data, mark="alpha 局机关文件", number=None, title="行风建设问题督办单")
    cells = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert cells["督办编号"] == order["number"]
    assert problem["title"] in cells["督办事项"]
    assert problem["number"] in cells["督办事项"]
    assert cells["督办要求"] == "请于三日内说明整改情况并报送佐证材料"
    assert cells["办理时限"] == "2024年10月15日"
    assert "督办事项办理情况回执" in [p.text for p in doc.paragraphs]
    assert "承办单位负责人（签字）" in [row.cells[0].text for row in doc.tables[1].rows]


def test_an_order_of_another_tenant_has_no_document(client, tenant, other_tenant, clock):
    _, order = _order(client, tenant, clock)
    for path in ("document.docx", "document.pdf"):
        resp = client.get(
            f"/api/v1/oversight/orders/{order['id']}/{path}", headers=other_tenant.headers("tenant_admin")
        )
        assert resp.status_code == 404
    assert client.get(f"/api/v1/oversight/orders/{order['id']}/document.docx").status_code == 401


def test_a_notice_is_numbered_once_printed_and_audited(client, tenant, other_tenant, clock):
    created = post_problem(client, tenant, role="tenant_admin").json
    pid = created["id"]
    assert client.get(f"/api/v1/problems/{pid}/notice.docx", headers=tenant.headers("viewer")).status_code == 404
    refused = client.post(f"/api/v1/problems/{pid}/notice", headers=tenant.headers("officer"))
    assert refused.status_code == 403
    first = client.post(f"/api/v1/problems/{pid}/notice", headers=tenant.headers("tenant_admin"))
    assert first.status_code == 201, first.json
    assert first.json["number"] == "a市监改〔2024〕1号"
    again = client.post(f"/api/v1/problems/{pid}/notice", headers=tenant.headers("reviewer"))
    assert again.json["number"] == first.json["number"]  # one notice per problem
    second = post_problem(client, tenant, role="tenant_admin").json
    other = client.post(f"/api/v1/problems/{second['id']}/notice", headers=tenant.headers("tenant_admin"))
    assert other.json["number"] == "a市监改〔2024〕2号"
    resp = client.get(f"/api/v1/problems/{pid}/notice.docx", headers=tenant.headers("viewer"))
    assert resp.status_code == 200
    doc = assert_gongwen(
        resp.data,
        mark="alpha 局机关文件",
        number="a市监改〔2024〕1号",
        title="整改通知书",
        headings=[(1, "一、问题情况"), (1, "二、整改要求"), (2, "（一）整改措施"), (2, "（二）整改时限")],
    )
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "alpha 城关所：" in text
    assert "请于2024年10月31日前完成整改（限期整改）" in text
    with tenant_scope(tenant.tenant.id):
        kinds = [e.kind for e in db.session.query(AuditEvent).filter(AuditEvent.problem_id == pid)]
    assert "documents.numbered" in kinds
    history = client.get(f"/api/v1/problems/{pid}/history", headers=tenant.headers("viewer")).json["items"]
    assert any(e["label"] == "发文编号" for e in history)
    assert (
        client.post(f"/api/v1/problems/{pid}/notice", headers=other_tenant.headers("tenant_admin")).status_code == 404
    )
    assert client.get(f"/api/v1/problems/{pid}/notice.docx", headers=other_tenant.headers("viewer")).status_code == 404
    register = client.get("/api/v1/documents/issued", headers=tenant.headers("viewer")).json["items"]
    assert [r["number"] for r in register] == ["a市监改〔2024〕2号", "a市监改〔2024〕1号"]


def test_no_notice_for_a_dismissed_problem(client, tenant, clock):
    created = post_problem(client, tenant, role="tenant_admin")
    pid = created.json["id"]
    resp = client.post(
        f"/api/v1/problems/{pid}/actions/dismiss",
        json={"reason": "经核实不属实"},
        headers={**tenant.headers("tenant_admin"), "If-Match": created.headers["ETag"]},
    )
    assert resp.status_code == 200, resp.json
    refused = client.post(f"/api/v1/problems/{pid}/notice", headers=tenant.headers("tenant_admin"))
    assert refused.status_code == 409
    assert "不予立项" in refused.json["message"]


def test_the_checklist_record_names_items_in_chinese_with_signature_lines(client, tenant, other_tenant, sample):
    created = begin(client, tenant, answers={**ALL_GOOD, "q1": "no", "q2": "拒不公示"}, notes={"q1": "未公示收费依据"})
    assert created.status_code == 201, created.json
    cid = created.json["id"]
    resp = client.get(f"/api/v1/checklists/{cid}/record.docx", headers=tenant.headers("viewer"))
    assert resp.status_code == 200
    doc = assert_gongwen(resp.data, mark=None, number=None, title=f"{sample.title}检查记录表", record=False)
    info = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert info["检查日期"] == "2024年9月30日"
    assert info["检查人员"] == "张三、李四"
    assert info["检查对象"] == "城关所登记窗口"
    items = doc.tables[1]
    assert [c.text for c in items.rows[0].cells] == ["序号", "检查项目", "检查结果", "发现问题及说明"]
    texts = [row.cells[1].text for row in items.rows[1:]]
    assert not any(code in " ".join(texts) for code in ("q1", "q2", "q3", "q4"))  # no internal codes
    first = items.rows[1].cells
    assert first[2].text == "否"
    assert first[3].text.startswith("不符合")
    assert "未公示收费依据" in first[3].text
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "检查人员（签字）" in text
    assert "被检查单位负责人（签字）" in text
    assert (
        client.get(f"/api/v1/checklists/{cid}/record.docx", headers=other_tenant.headers("viewer")).status_code == 404
    )


@needs_soffice
def test_every_document_previews_as_an_a4_pdf(client, tenant, city, clock, tmp_path, sample):
    problem, order = _order(client, tenant, clock)
    client.post(f"/api/v1/problems/{problem['id']}/notice", headers=tenant.headers("tenant_admin"))
    cid = begin(client, tenant, answers=ALL_GOOD).json["id"]
    taken = client.post("/api/v1/city/snapshots", json={"period": "2024-10"}, headers=city.headers("city_supervisor"))
    assert taken.status_code == 201, taken.json
    paths = {
        "order": (f"/api/v1/oversight/orders/{order['id']}/document.pdf", tenant.headers("viewer")),
        "notice": (f"/api/v1/problems/{problem['id']}/notice.pdf", tenant.headers("viewer")),
        "record": (f"/api/v1/checklists/{cid}/record.pdf", tenant.headers("viewer")),
        "bulletin": (f"/api/v1/city/snapshots/{taken.json['id']}/bulletin.pdf", city.headers("city_admin")),
    }
    mm = 72 / 25.4
    for name, (path, headers) in paths.items():
        resp = client.get(path, headers=headers)
        assert resp.status_code == 200, (name, resp.get_data(as_text=True)[:200])
        assert resp.headers["Content-Type"] == "application/pdf"
        assert resp.headers["Content-Disposition"].startswith("inline;")
        pages = pdf_pages(resp.data, tmp_path)
        assert (round(pages["size"][0] / mm), round(pages["size"][1] / mm)) == (210, 297), name
        assert 1 <= pages["pages"] <= 4, (name, pages["pages"])
        assert min(b[0] for b in pages["boxes"]) >= 28 * mm - 1, name  # nothing left of the 版心
        keep_png(resp.data, f"document-{name}")
    assert Document(
        io.BytesIO(client.get(paths["order"][0].replace(".pdf", ".docx"), headers=tenant.headers("viewer")).data)
    )


def test_without_a_converter_the_preview_is_409_and_says_why(client, tenant, clock, monkeypatch):
    monkeypatch.setenv("XINGFENG_SOFFICE", "none")
    _, order = _order(client, tenant, clock)
    resp = client.get(f"/api/v1/oversight/orders/{order['id']}/document.pdf", headers=tenant.headers("viewer"))
    assert resp.status_code == 409
    assert "LibreOffice" in resp.json["message"]
    assert "Word" in resp.json["message"]
