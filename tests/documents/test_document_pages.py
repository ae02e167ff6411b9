"""The documents' pages: settings with errors beside the field, the register, downloads, the preview page."""

from __future__ import annotations

import io
from urllib.parse import quote

from checklists.conftest import ALL_GOOD, begin
from checklists.conftest import sample as sample  # the checklist tests' template, as a fixture here
from docx import Document
from fixtures.gongwen import soffice
from fixtures.ledger import post_problem
from oversight.oversight_helpers import post_form, web_login


def test_the_tenant_admin_keeps_the_settings_on_a_page(client, tenant):
    web_login(client, "alpha.tenant_admin")
    page = client.get("/documents/settings")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "alpha 局机关文件" in html
    assert "发文登记" in html
    resp = post_form(
        client,
        "/documents/settings",
        {
            "issuing_body": "阿尔法区市场监督管理局",
            "mark": "阿尔法区市场监督管理局文件",
            "bulletin_code": "阿市监通",
            "notice_code": "阿市监改",
            "briefing_title": "行风建设工作简报",
            "recipients": "各科室\n各所",
            "cc": "江州市市场监督管理局",
            "signature": "阿尔法区市场监督管理局",
            "printer": "阿尔法区市场监督管理局办公室",
        },
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert "已保存发文设置" in resp.get_data(as_text=True)
    api = client.get("/api/v1/documents/settings", headers=tenant.headers("viewer")).json
    assert api["recipients"] == ["各科室", "各所"]
    assert api["bulletin_code"] == "阿市监通"


def test_a_bad_setting_is_named_beside_its_field_and_nothing_is_saved(client, tenant):
    web_login(client, "alpha.tenant_admin")
    form = {
        "issuing_body": "阿尔法局",
        "mark": "阿尔法局文件",
        "bulletin_code": "阿市监〔通〕",
        "notice_code": "阿市监改",
        "briefing_title": "简报",
        "recipients": "",
        "cc": "",
        "signature": "阿尔法局",
        "printer": "阿尔法局办公室",
    }
    resp = post_form(client, "/documents/settings", form)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'data-testid="error-bulletin_code"' in html
    assert "发文机关代字应为" in html
    assert 'data-testid="error-recipients"' in html
    assert "至少一个主送机关" in html
    assert 'value="阿尔法局"' in html  # what was typed stays in the form
    api = client.get("/api/v1/documents/settings", headers=tenant.headers("viewer")).json
    assert api["issuing_body"] == "alpha 局机关"


def test_others_read_the_settings_and_may_not_post(client, tenant, other_tenant):
    web_login(client, "alpha.officer")
    page = client.get("/documents/settings")
    assert page.status_code == 200
    assert "disabled" in page.get_data(as_text=True)
    assert post_form(client, "/documents/settings", {"mark": "某文件"}).status_code == 403
    assert client.get(f"/tenants/{other_tenant.slug}/documents/settings").status_code == 404


def test_documents_download_from_their_pages_and_stay_in_their_tenant(client, tenant, other_tenant, clock, sample):
    created = post_problem(client, tenant, role="tenant_admin").json
    pid = created["id"]
    order = client.post(
        "/api/v1/oversight/orders",
        json={"problem_id": pid, "demand": "请说明整改情况", "deadline": "2024-10-15"},
        headers=tenant.headers("tenant_admin"),
    ).json
    cid = begin(client, tenant, answers=ALL_GOOD).json["id"]
    web_login(client, "alpha.tenant_admin")
    problem_page = client.get(f"/problems/{pid}").get_data(as_text=True)
    assert 'data-testid="issue-notice"' in problem_page
    issued = post_form(client, f"/problems/{pid}/notice", {})
    assert issued.status_code == 302
    problem_page = client.get(f"/problems/{pid}").get_data(as_text=True)
    assert "a市监改〔2024〕1号" in problem_page
    assert 'data-testid="issue-notice"' not in problem_page
    for path, title in (
        (f"/problems/{pid}/notice.docx", "整改通知书"),
        (f"/oversight/orders/{order['id']}/document.docx", "行风建设问题督办单"),
        (f"/checklists/{cid}/record.docx", "检查记录表"),
    ):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert resp.headers["Content-Disposition"].startswith("attachment;")
        assert any(title in p.text for p in Document(io.BytesIO(resp.data)).paragraphs), path
    web_login(client, "beta.tenant_admin")
    for path in (f"/problems/{pid}/notice.docx", f"/oversight/orders/{order['id']}/document.docx",
                 f"/checklists/{cid}/record.docx", f"/checklists/{cid}/record.pdf"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    web_login(client, "alpha.officer")
    assert post_form(client, f"/problems/{pid}/notice", {}).status_code == 403


def test_the_preview_page_frames_the_pdf_or_says_why_not(client, tenant, clock, monkeypatch):
    web_login(client, "alpha.viewer")
    docx = "/figures/snapshots/1/export.docx"
    page = client.get(f"/documents/preview?docx={quote(docx)}&title=通报")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    if soffice():
        assert 'data-testid="preview-frame"' in html
        assert 'src="/figures/snapshots/1/export.pdf"' in html
    monkeypatch.setenv("XINGFENG_SOFFICE", "none")
    html = client.get(f"/documents/preview?docx={quote(docx)}").get_data(as_text=True)
    assert 'data-testid="no-preview"' in html
    assert "LibreOffice" in html
    assert 'data-testid="download-docx"' in html
    for bad in ("https://example.com/x.docx", "//example.com/x.docx", "/figures/1/export.xlsx", ""):
        assert client.get(f"/documents/preview?docx={quote(bad)}").status_code == 404, bad


def test_the_city_issues_a_briefing_on_its_page_and_counties_download_it(client, tenant, city, city_bureau, clock):
    web_login(client, "city.supervisor")
    assert client.get("/city/briefings").status_code == 200
    bad = post_form(client, "/city/briefings", {"tasks": "\n".join(f"第{n}项" for n in range(21))})
    assert bad.status_code == 422
    assert 'data-testid="error-tasks"' in bad.get_data(as_text=True)
    done = post_form(
        client, "/city/briefings", {"tasks": "开展窗口作风暗访\n整理典型案例", "foreword": "现将有关情况刊发。"}
    )
    assert done.status_code == 302
    listing = client.get("/city/briefings").get_data(as_text=True)
    assert "2024年第1期" in listing
    settings = client.get("/city/documents/settings").get_data(as_text=True)
    assert "2024年第1期" in settings  # the register
    web_login(client, "alpha.viewer")
    mine = client.get("/figures/snapshots").get_data(as_text=True)
    assert "2024年第1期" in mine
    bid = client.get("/api/v1/city/briefings", headers=city.headers("city_admin")).json["items"][0]["id"]
    resp = client.get(f"/briefings/{bid}/briefing.docx")
    assert resp.status_code == 200
    assert any("开展窗口作风暗访" in p.text for p in Document(io.BytesIO(resp.data)).paragraphs)
    assert client.get("/briefings/9999/briefing.docx").status_code == 404
    assert post_form(client, "/city/briefings", {"tasks": "x"}).status_code == 403
