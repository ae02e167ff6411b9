"""Checklist pages through the test client: begin, save, submit with errors beside the items, findings, Excel."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from .conftest import SAMPLE


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, username):
    from fixtures.data import PASSWORD

    token = csrf_of(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302


def begin_page(client, world):
    html = client.get(f"/checklists/new?unit_id={world.station.id}").get_data(as_text=True)
    assert SAMPLE.title in html
    resp = client.post(
        "/checklists/new",
        data={
            "csrf_token": csrf_of(html),
            "unit_id": world.station.id,
            "template": SAMPLE.code,
            "inspector": "张三",
            "inspected_on": "2024-09-30",
            "target_name": "登记窗口",
        },
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return resp.headers["Location"]


def test_begin_fill_and_submit_in_pages(client, tenant, sample, clock):
    log_in(client, f"{tenant.slug}.officer")
    listing = client.get("/checklists").get_data(as_text=True)
    assert SAMPLE.title in listing
    assert "/checklists/templates/test.conduct/blank.xlsx" in listing
    url = begin_page(client, tenant)
    html = client.get(url).get_data(as_text=True)
    # The conditional item is in the page, hidden until its condition holds; the page script mirrors the rules.
    assert re.search(r'data-testid="item-q2"[^>]*data-cond-item="q1"[^>]*hidden', html, re.S)
    assert "checklist.js" in html
    token = csrf_of(html)
    # Submitting with gaps: 422, the errors beside the items, nothing submitted.
    resp = client.post(url, data={"csrf_token": token, "action": "submit", "a_q1": "no", "a_q3": "30"})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert 'data-testid="error-q3"' in page
    assert "得分应在 0 到 20 之间" in page
    resp = client.post(url, data={"csrf_token": token, "action": "submit", "a_q1": "no"})
    assert resp.status_code == 422
    assert 'data-testid="error-q2"' in resp.get_data(as_text=True)
    # Saved as a draft, then submitted complete.
    answers = {"a_q1": "yes", "a_q3": "20", "a_q4": "2", "a_q5": ["无"], "n_q4": "两件超期"}
    resp = client.post(url, data={"csrf_token": token, "action": "save", **answers})
    assert resp.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert 'value="2"' in html
    assert "两件超期" in html
    resp = client.post(url, data={"csrf_token": token, "action": "submit", **answers})
    assert resp.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert 'data-testid="findings"' in html
    problem_url = re.search(r'href="(/problems/\d+)"', html).group(1)
    assert f'href="{url}"' in client.get(problem_url).get_data(as_text=True)  # the problem links back
    assert "已提交" in html
    assert 'data-testid="checklist-form"' in html
    assert 'name="a_q1"' not in html
    filed = client.get(f"{url}/export.xlsx")
    assert filed.status_code == 200
    ws = load_workbook(io.BytesIO(filed.data))["检查清单"]
    assert "35 / 40" in [c.value for row in ws.iter_rows() for c in row]
    blank = client.get(f"/checklists/templates/{SAMPLE.code}/blank.xlsx")
    assert blank.status_code == 200
    assert blank.data[:2] == b"PK"


def test_another_tenants_checklist_page_is_404(client, tenant, other_tenant, sample):
    log_in(client, f"{tenant.slug}.officer")
    url = begin_page(client, tenant)
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/checklists").get_data(as_text=True))})
    log_in(client, f"{other_tenant.slug}.tenant_admin")
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/export.xlsx").status_code == 404


def test_viewers_read_but_do_not_fill(client, tenant, sample):
    log_in(client, f"{tenant.slug}.officer")
    url = begin_page(client, tenant)
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/checklists").get_data(as_text=True))})
    log_in(client, f"{tenant.slug}.viewer")
    html = client.get(url).get_data(as_text=True)
    assert SAMPLE.title in html
    assert 'name="a_q1"' not in html
    assert client.get("/checklists/new").status_code == 403
    assert client.post(url, data={"csrf_token": csrf_of(html), "action": "save"}).status_code == 403


def test_tenant_admin_adds_and_retires_an_item_on_the_template_page(client, tenant, sample):
    log_in(client, f"{tenant.slug}.tenant_admin")
    page = f"/checklists/templates/{SAMPLE.code}"
    html = client.get(page).get_data(as_text=True)
    token = csrf_of(html)
    resp = client.post(page, data={"csrf_token": token, "action": "add", "text": "", "points": "5"})
    assert resp.status_code == 422
    assert 'data-testid="error-text"' in resp.get_data(as_text=True)
    resp = client.post(page, data={"csrf_token": token, "action": "add", "text": "是否设置意见箱", "points": "5",
                                   "category": "attitude"})  # fmt: skip
    assert resp.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "是否设置意见箱" in html
    code = re.search(r'data-testid="retire-(local-\d+)"', html).group(1)
    item_id = code.split("-")[1]
    resp = client.post(page, data={"csrf_token": token, "action": "retire", "origin": "local", "item_id": item_id})
    assert resp.status_code == 302
    assert "已停用" in client.get(page).get_data(as_text=True)


def test_import_a_filled_form_in_the_page(client, tenant, sample):
    log_in(client, f"{tenant.slug}.officer")
    blank = client.get(f"/checklists/templates/{SAMPLE.code}/blank.xlsx").data
    wb = load_workbook(io.BytesIO(blank))
    ws = wb["检查清单"]
    ws["C5"], ws["C6"], ws["C7"], ws["C8"] = tenant.station.name, "王五", "2024-10-08", "大厅"
    out = io.BytesIO()
    wb.save(out)
    token = csrf_of(client.get("/checklists").get_data(as_text=True))
    resp = client.post("/checklists/import", data={"csrf_token": token, "file": (io.BytesIO(out.getvalue()), "a.xlsx")})
    assert resp.status_code == 302
    assert re.search(r"/checklists/\d+$", resp.headers["Location"])
    bad = client.post("/checklists/import", data={"csrf_token": token, "file": (io.BytesIO(b"not excel"), "a.xlsx")})
    assert bad.status_code == 302
    assert bad.headers["Location"].endswith("/checklists")
    assert "不是有效的 Excel" in client.get("/checklists").get_data(as_text=True)


def test_the_problem_page_names_its_checklist_item_and_shows_its_evidence(client, tenant, sample, clock):
    from fixtures.ledger import PNG

    log_in(client, f"{tenant.slug}.officer")
    url = begin_page(client, tenant)
    token = csrf_of(client.get(url).get_data(as_text=True))
    answers = {"a_q1": "yes", "a_q3": "10", "a_q4": "0", "a_q5": ["无"]}
    resp = client.post(url, data={"csrf_token": token, "action": "save", **answers})
    assert resp.status_code == 302
    cid = int(url.rsplit("/", 1)[-1])
    up = client.post(
        f"/api/v1/checklists/{cid}/evidence",
        data={"item_code": "q3", "file": (io.BytesIO(PNG), "现场照片.png")},
        headers=tenant.headers("officer"),
    )
    assert up.status_code == 201, up.json
    resp = client.post(url, data={"csrf_token": token, "action": "submit", **answers})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    problem_url = re.search(r'href="(/problems/\d+)"', client.get(url).get_data(as_text=True)).group(1)
    page = client.get(problem_url).get_data(as_text=True)
    source = re.search(r'data-testid="source-checklist">(.*?)</dd>', page, re.S).group(1)
    link = re.search(r'<a href="([^"]+)" data-testid="from-checklist">(.*?)</a>', source, re.S)
    assert link.group(1) == url
    assert " ".join(link.group(2).split()) == f"{SAMPLE.title} 第3项 服务评分"
    assert "来源检查表" in page
    attachments = re.search(r'data-testid="attachments">(.*?)</ul>', page, re.S).group(1)
    assert "现场照片.png" in attachments
    href = re.search(r'href="([^"]+/attachments/\d+)"', attachments).group(1)
    with client.get(href) as download:
        assert download.status_code == 200
        assert download.data == PNG


def test_a_problem_page_without_a_checklist_shows_no_source_checklist(client, tenant):
    from fixtures.ledger import post_problem

    problem_id = post_problem(client, tenant).json["id"]
    log_in(client, f"{tenant.slug}.officer")
    page = client.get(f"/problems/{problem_id}").get_data(as_text=True)
    assert "来源检查表" not in page
    assert 'data-testid="source-checklist"' not in page
