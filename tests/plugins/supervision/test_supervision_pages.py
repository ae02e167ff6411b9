"""The 双随机 pages without a browser: list, create, pools, draw, results, publication; roles, tenants, enablement."""

from __future__ import annotations

import io
import re
from html import unescape

from fixtures.data import PASSWORD
from fixtures.supervision import API, credit_code, make_task


def _token(client, path="/login") -> str:
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    return found.group(1)


def log_in(client, username, password=PASSWORD):
    resp = client.post("/login", data={"username": username, "password": password, "csrf_token": _token(client)})
    assert resp.status_code == 302
    return resp


def text(resp) -> str:
    return unescape(resp.get_data(as_text=True))


def test_an_officer_runs_a_task_through_the_pages(client, clock, tenant):
    log_in(client, "alpha.officer")
    listing = client.get("/supervision/tasks")
    assert listing.status_code == 200
    assert "暂无抽查任务" in text(listing)
    assert 'href="/supervision/tasks"' in text(client.get("/ledger"))  # the menu entry
    token = _token(client, "/supervision/tasks")
    form = {"csrf_token": token, "name": "九月食品经营抽查", "matter": "食品经营者主体责任检查",
            "unit_id": str(tenant.station.id), "starts_on": "2024-09-02", "ends_on": "2024-09-27",
            "target_count": "2", "inspectors_per_target": "2"}  # fmt: skip
    bad = client.post("/supervision/tasks", data={**form, "name": ""})
    assert bad.status_code == 422
    assert "任务名称：必填" in text(bad)
    bad = client.post("/supervision/tasks", data={**form, "ends_on": "2024-08-01"})
    assert "检查结束日期不能早于开始日期" in text(bad)
    created = client.post("/supervision/tasks", data=form)
    assert created.status_code == 302
    url = created.headers["Location"]
    task_id = int(url.rsplit("/", 1)[1])

    def post(path, **data):
        return client.post(f"{url}{path}", data={"csrf_token": token, **data}, follow_redirects=True)

    wrong = post("/enterprises", name="坏代码企业", credit_code="914403001922038217")
    assert "第18位校验码错误，应为6" in text(wrong)
    for n in (1, 2):
        assert "已加入名录库 1 条" in text(post("/enterprises", name=f"企业{n}", credit_code=credit_code(n)))
    csv_file = f"企业名称,统一社会信用代码\n企业3,{credit_code(3)}\n坏企业,91440300708461136X\n".encode()
    refused = post("/enterprises", file=(io.BytesIO(csv_file), "名录库.csv"))
    assert "第3行统一社会信用代码" in text(refused)
    csv_file = "姓名,执法证号,所在单位\n张三,3201000001,城关所\n李四,3201000002,城关所\n".encode()
    assert "已加入名录库 2 条" in text(post("/inspectors", file=(io.BytesIO(csv_file), "人员.csv")))
    drawn = post("/draw", seed="九月公开摇号")
    assert "已抽取，随机种子：九月公开摇号" in text(drawn)
    assert 'data-testid="seed">九月公开摇号<' in text(drawn)
    detail = client.get(f"{API}/tasks/{task_id}", headers=tenant.headers("officer")).json
    outcomes = {f"outcome_{t['id']}": "passed" for t in detail["targets"]}
    recorded = post("/results", inspection_ended_on="2024-09-27", **outcomes)
    assert "已登记检查结果" in text(recorded)
    assert 'data-testid="publication-due">2024-10-30<' in text(recorded)
    future = post("/publication", published_on="2024-12-01", channel="国家企业信用信息公示系统")
    assert "公示日期：公示日期不能晚于今天" in text(future) or "公示日期不能晚于今天" in text(future)
    published = post("/publication", published_on="2024-09-30", channel="国家企业信用信息公示系统")
    assert "已登记公示" in text(published)
    assert 'data-testid="published-on">2024-09-30<' in text(published)
    assert "已公示" in text(client.get("/supervision/tasks"))


def test_read_only_roles_see_the_pages_but_not_the_forms(client, tenant):
    task = make_task(client, tenant)
    log_in(client, "alpha.viewer")
    page = client.get(f"/supervision/tasks/{task['id']}")
    assert page.status_code == 200
    assert task["enterprises"][0]["credit_code"] in text(page)
    assert 'data-testid="draw"' not in text(page)
    assert 'data-testid="new-task"' not in text(client.get("/supervision/tasks"))
    token = _token(client, "/supervision/tasks")
    assert client.post(f"/supervision/tasks/{task['id']}/draw", data={"csrf_token": token}).status_code == 403
    assert client.post("/supervision/tasks", data={"csrf_token": token, "name": "x"}).status_code == 403


def test_another_tenants_task_page_does_not_exist(client, tenant, other_tenant):
    theirs = make_task(client, other_tenant)
    log_in(client, "alpha.tenant_admin")
    resp = client.get(f"/supervision/tasks/{theirs['id']}")
    assert resp.status_code == 404
    assert theirs["name"] not in text(resp)
    token = _token(client, "/supervision/tasks")
    assert client.post(f"/supervision/tasks/{theirs['id']}/draw", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/tenants/beta/supervision/tasks/{theirs['id']}").status_code == 404


def test_city_users_read_a_tenants_tasks(client, city, tenant):
    task = make_task(client, tenant)
    log_in(client, "city.supervisor")
    listing = client.get("/tenants/alpha/supervision/tasks")
    assert listing.status_code == 200
    assert f'href="/tenants/alpha/supervision/tasks/{task["id"]}"' in text(listing)
    assert client.get(f"/tenants/alpha/supervision/tasks/{task['id']}").status_code == 200


def test_the_pages_do_not_exist_where_the_domain_is_off(client, tenant):
    task = make_task(client, tenant)
    admin = tenant.headers("tenant_admin")
    client.put(f"/api/v1/units/{tenant.station.id}/plugins/supervision", json={"enabled": False}, headers=admin)
    log_in(client, "alpha.officer")  # works at the station
    assert client.get("/supervision/tasks").status_code == 404
    assert client.get(f"/supervision/tasks/{task['id']}").status_code == 404
    assert 'href="/supervision/tasks"' not in text(client.get("/ledger"))


def test_the_pages_in_english(client, tenant):
    task = make_task(client, tenant)
    log_in(client, "alpha.officer")
    client.post("/lang/en", data={"csrf_token": _token(client, "/ledger"), "next": "/ledger"})
    page = text(client.get(f"/supervision/tasks/{task['id']}"))
    assert "Pool of enterprises" in page
    assert "Random draw" in page


def test_every_page_string_of_the_plugin_has_an_english_translation():
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[3]
    method_map = [("plugins/supervision/**.py", "python"), ("plugins/supervision/templates/**.html", "jinja2")]
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(root), method_map, keywords={"_": None, "_l": None, "gettext": None}
        )
    }
    # shown through a variable: the task states, the outcomes and the menu entry
    found |= {
        "待抽取",
        "已抽取",
        "已公示",
        "未发现问题",
        "发现问题",
        "通过登记的住所（经营场所）无法联系",
        "双随机抽查",
    }
    with open(root / "core/web/translations/en/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f, locale="en")
    missing = sorted(m for m in found if m not in catalog or not catalog[m].string)
    assert len(found) > 50
    assert not missing, missing
