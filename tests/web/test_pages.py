"""The web foundation without a browser: login, sessions, CSRF, language, the ledger page, tenant isolation."""

from __future__ import annotations

import re

import pytest
from fixtures.data import PASSWORD
from fixtures.ledger import post_problem


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html).group(
        1
    ) or re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _token(client, path="/login") -> str:
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    return found.group(1)


def log_in(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password, "csrf_token": _token(client)})


def test_pages_use_only_assets_served_by_the_app(client):
    html = client.get("/login").get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), asset
        with client.get(asset) as resp:
            assert resp.status_code == 200, asset
    assert "http://" not in html
    assert "https://" not in html


def test_login_errors_are_in_chinese_and_the_session_cookie_is_guarded(client, tenant):
    resp = log_in(client, "alpha.officer", "wrong-pass-1")
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)
    empty = client.post("/login", data={"username": "", "password": "", "csrf_token": _token(client)})
    assert "请输入用户名" in empty.get_data(as_text=True)
    ok = log_in(client, "alpha.officer")
    assert ok.status_code == 302
    assert ok.headers["Location"] == "/"  # home sends a tenant user on to its ledger
    assert client.get("/").headers["Location"].endswith("/ledger")
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_forms_need_the_csrf_token(client, tenant):
    resp = client.post("/login", data={"username": "alpha.officer", "password": PASSWORD})
    assert resp.status_code == 400
    assert "请求有误" in resp.get_data(as_text=True)


def test_pages_need_a_login(client):
    resp = client.get("/ledger")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_ledger_page_shows_lights_and_counts(client, clock, tenant):
    post_problem(client, tenant, title="已逾期的问题", deadline="2024-09-29")
    post_problem(client, tenant, title="时间充裕的问题", deadline="2024-11-30")
    log_in(client, "alpha.officer")
    html = client.get("/ledger").get_data(as_text=True)
    assert "已逾期的问题" in html
    assert 'data-light="red"' in html
    assert 'data-light="green"' in html
    assert "共 2 项" in html
    only_red = client.get("/ledger?light=red").get_data(as_text=True)
    assert "已逾期的问题" in only_red
    assert "时间充裕的问题" not in only_red
    bad = client.get("/ledger?light=purple").get_data(as_text=True)
    assert "应为以下之一" in bad


def test_another_tenants_pages_do_not_exist(client, tenant, other_tenant):
    log_in(client, "alpha.officer")
    resp = client.get("/tenants/beta/ledger")
    assert resp.status_code == 404
    assert other_tenant.tenant.name not in resp.get_data(as_text=True)


def test_city_users_choose_a_tenant(client, city, tenant):
    log_in(client, "city.supervisor")
    home = client.get("/").get_data(as_text=True)
    assert tenant.tenant.name in home
    assert client.get("/tenants/alpha/ledger").status_code == 200
    assert client.get("/tenants/nosuch/ledger").status_code == 404


def test_logout_ends_the_session_and_its_token(client, tenant):
    log_in(client, "alpha.officer")
    assert client.get("/ledger").status_code == 200
    resp = client.post("/logout", data={"csrf_token": _token(client, "/ledger")})
    assert resp.status_code == 302
    assert client.get("/ledger").status_code == 302


def test_suspending_the_tenant_ends_web_sessions(client, tenant, city):
    log_in(client, "alpha.officer")
    client.patch("/api/v1/tenants/alpha", json={"status": "suspended"}, headers=city.headers("city_admin"))
    assert client.get("/ledger").status_code == 302


def test_password_change_shows_errors_beside_the_field(client, tenant):
    log_in(client, "alpha.viewer")
    form = {"old_password": PASSWORD, "new_password": "new-pass-22", "confirm": "other-pass-22"}
    resp = client.post("/password", data={**form, "csrf_token": _token(client, "/password")})
    assert 'data-testid="error-confirm"' in resp.get_data(as_text=True)
    assert "两次输入的新密码不一致" in resp.get_data(as_text=True)
    form["confirm"] = "new-pass-22"
    resp = client.post("/password", data={**form, "csrf_token": _token(client, "/password")})
    assert resp.status_code == 302
    client.post("/logout", data={"csrf_token": _token(client, "/ledger")})
    assert log_in(client, "alpha.viewer", "new-pass-22").status_code == 302


@pytest.mark.parametrize(("lang", "text"), [("en", "Problem ledger"), ("zh", "问题台账")])
def test_chinese_by_default_english_available(client, tenant, lang, text):
    log_in(client, "alpha.officer")
    if lang == "en":
        client.post("/lang/en", data={"csrf_token": _token(client, "/ledger"), "next": "/ledger"})
    assert text in client.get("/ledger").get_data(as_text=True)


def test_recording_a_problem_shows_errors_beside_the_fields(client, clock, tenant):
    log_in(client, "alpha.officer")
    token = _token(client, "/problems/new")
    base = {"csrf_token": token, "domain": "supervision", "unit_id": tenant.station.id, "description": "描述",
            "deadline": "2024-12-31"}  # fmt: skip
    resp = client.post(
        "/problems/new?domain=supervision",
        data={"csrf_token": token, "domain": "supervision", "unit_id": tenant.station.id, "category": "",
              "title": "", "description": "描述", "deadline": "2024-12-31", "cf_credit_code": "914403001922038217"},
    )  # fmt: skip
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'data-testid="error-title"' in html
    assert 'data-testid="error-category"' in html
    resp = client.post(
        "/problems/new?domain=supervision",
        data={**base, "category": "arbitrary_fees", "title": "乱收费", "cf_credit_code": "914403001922038217"},
    )  # fmt: skip
    assert resp.status_code == 422
    assert "第18位" in resp.get_data(as_text=True)  # the credit code's check digit, named beside its field
    resp = client.post(
        "/problems/new?domain=supervision",
        data={**base, "category": "arbitrary_fees", "title": "乱收费", "cf_credit_code": "914403001922038216"},
    )  # fmt: skip
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "ALPH-2024-0001" in page


def test_a_refused_move_is_told_and_changes_nothing(client, clock, tenant):
    created = post_problem(client, tenant)
    log_in(client, "alpha.officer")
    url = f"/problems/{created.json['id']}"
    resp = client.post(
        url, data={"csrf_token": _token(client, url), "action": "assign", "version": created.json["version"]}
    )
    assert resp.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "当前用户无权对该问题执行此操作" in page
    assert "待交办" in page


def test_another_tenants_problem_page_does_not_exist(client, tenant, other_tenant):
    created = post_problem(client, other_tenant, body=None)
    log_in(client, "alpha.tenant_admin")
    resp = client.get(f"/problems/{created.json['id']}")
    assert resp.status_code == 404
    assert "窗口人员服务态度生硬" not in resp.get_data(as_text=True)


def test_every_page_string_has_an_english_translation():
    """A string marked for translation in the pages but missing from the English catalog shows up as Chinese."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    method_map = [("core/web/**.py", "python"), ("core/web/templates/**.html", "jinja2")]
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(root), method_map, keywords={"_": None, "_l": None, "gettext": None}
        )
    }
    with open(root / "core/web/translations/en/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f, locale="en")
    missing = sorted(m for m in found if m not in catalog or not catalog[m].string)
    assert not missing, missing


def test_extension_is_asked_and_decided_on_the_problem_page(client, clock, tenant):
    from fixtures.ledger import act

    created = post_problem(client, tenant, deadline="2024-10-10")
    pid = created.json["id"]
    act(client, tenant, "tenant_admin", pid, "assign", created.headers["ETag"])
    log_in(client, "alpha.officer")
    url = f"/problems/{pid}"
    client.post(
        f"{url}/extensions",
        data={"csrf_token": _token(client, url), "new_deadline": "2024-11-30", "reason": "等待设备到货"},
    )
    page = client.get(url).get_data(as_text=True)
    assert "已提出延期申请" in page
    assert "待审批" in page
    client.post("/logout", data={"csrf_token": _token(client, url)})
    log_in(client, "alpha.reviewer")
    extension_id = re.search(r'name="extension_id" value="(\d+)"', client.get(url).get_data(as_text=True)).group(1)
    client.post(
        f"{url}/extensions", data={"csrf_token": _token(client, url), "extension_id": extension_id, "approve": "1"}
    )
    page = client.get(url).get_data(as_text=True)
    assert "已批准" in page
    assert "2024-11-30" in page


def test_editing_a_problem_is_audited_and_refuses_a_stale_form(client, clock, tenant):
    created = post_problem(client, tenant)
    url = f"/problems/{created.json['id']}"
    log_in(client, "alpha.officer")
    form_html = client.get(f"{url}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', form_html).group(1)
    data = {"csrf_token": _token(client, f"{url}/edit"), "version": version, "title": "改过的标题",
            "description": "描述", "category": "attitude", "severity": "normal"}  # fmt: skip
    assert client.post(f"{url}/edit", data={**data, "title": ""}).status_code == 422
    resp = client.post(f"{url}/edit", data=data)
    assert resp.status_code == 302
    assert "改过的标题" in client.get(url).get_data(as_text=True)
    stale = client.post(f"{url}/edit", data={**data, "title": "又改一次"})  # the same, now old, version
    assert stale.status_code == 412
    history_url = f"/api/v1/problems/{created.json['id']}/history"
    history = client.get(history_url, headers=tenant.headers("officer")).json["items"]
    assert history[-1]["data"]["changes"]["title"][1] == "改过的标题"


def test_import_page_lists_every_bad_cell_and_writes_nothing(client, clock, tenant):
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["外部编号", "问题来源", "问题类别", "问题描述", "责任单位", "整改时限", "整改类型"])
    ws.append(["R-1", "不存在的来源", "服务态度", "描述", "alpha 城关所", "2024-13-40", "限期整改"])
    data = io.BytesIO()
    wb.save(data)
    log_in(client, "alpha.officer")
    resp = client.post(
        "/ledger/import",
        data={"csrf_token": _token(client, "/ledger/import"), "file": (io.BytesIO(data.getvalue()), "台账.xlsx")},
        content_type="multipart/form-data",
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'data-testid="import-error-rows"' in html
    assert "问题来源" in html
    assert "整改时限" in html
    assert client.get("/api/v1/problems", headers=tenant.headers("officer")).json["items"] == []


def test_tenant_admin_manages_units_users_plugins_and_settings(client, tenant):
    log_in(client, "alpha.tenant_admin")
    token = _token(client, "/admin")
    client.post("/admin", data={"csrf_token": token, "action": "add_unit", "code": "xinqu", "name": "新区所",
                                "kind": "station", "parent_id": tenant.root.id})  # fmt: skip
    page = client.get("/admin").get_data(as_text=True)
    assert "新区所" in page
    # Issue 22: an empty code and name were saved as a nameless unit; now refused, nothing created.
    units_before = len(client.get("/api/v1/units", headers=tenant.headers("tenant_admin")).json["items"])
    empty = client.post("/admin", data={"csrf_token": token, "action": "add_unit", "code": "", "name": "",
                                        "kind": "station", "parent_id": tenant.root.id})  # fmt: skip
    assert empty.status_code == 302
    assert "单位代码必填" in client.get("/admin").get_data(as_text=True)
    assert len(client.get("/api/v1/units", headers=tenant.headers("tenant_admin")).json["items"]) == units_before
    dup = client.post("/admin", data={"csrf_token": token, "action": "add_user", "username": "alpha.officer",
                                      "name": "重复", "role": "officer", "unit_id": tenant.station.id})  # fmt: skip
    assert dup.status_code == 302
    assert "该用户名已被使用" in client.get("/admin").get_data(as_text=True)
    client.post("/admin", data={"csrf_token": token, "action": "add_user", "username": "alpha.newbie",
                                "name": "新同志", "role": "officer", "unit_id": tenant.station.id,
                                "password": "newbie-pass-1"})  # fmt: skip
    assert "alpha.newbie" in client.get("/admin").get_data(as_text=True)
    client.post("/admin", data={"csrf_token": token, "action": "unit_plugin", "unit_id": tenant.station.id,
                                "domain": "supervision", "state": "off"})  # fmt: skip
    domains = {d["slug"] for d in client.get("/api/v1/domains", headers=tenant.headers("officer")).json["items"]}
    assert "supervision" not in domains
    client.post("/admin", data={"csrf_token": token, "action": "yellow_days", "yellow_days": "5"})
    assert client.get("/api/v1/ledger/settings", headers=tenant.headers("officer")).json["yellow_days"] == 5
    bad = client.post("/admin", data={"csrf_token": token, "action": "yellow_days", "yellow_days": "99"})
    assert bad.status_code == 302
    assert "黄灯提前工作日数应为0到30" in client.get("/admin").get_data(as_text=True)


def test_admin_pages_are_refused_to_other_roles(client, tenant, other_tenant):
    log_in(client, "alpha.officer")
    assert client.get("/admin").status_code == 403
    assert client.get("/city/tenants").status_code == 403
    client.post("/logout", data={"csrf_token": _token(client, "/ledger")})
    log_in(client, "alpha.tenant_admin")
    assert client.get("/tenants/beta/admin").status_code == 404


def test_city_admin_manages_tenants(client, city, tenant):
    log_in(client, "city.admin")
    token = _token(client, "/city/tenants")
    client.post(
        "/city/tenants",
        data={"csrf_token": token, "action": "add_tenant", "name": "伽马县局", "slug": "gamma", "code": "GM"},
    )
    assert "伽马县局" in client.get("/city/tenants").get_data(as_text=True)
    client.post("/city/tenants", data={"csrf_token": token, "action": "status", "slug": "alpha", "active": "0"})
    assert client.get("/api/v1/auth/me", headers=tenant.headers("officer")).status_code == 401
    assert client.get("/tenants/alpha/admin").status_code == 200


def test_local_fields_are_defined_on_the_admin_page_and_appear_in_the_forms(client, clock, tenant):
    log_in(client, "alpha.tenant_admin")
    token = _token(client, "/admin")
    definitions = "hotline_no,热线工单号,文本,是\nlevel,等级,单选,否,一级|二级"
    client.post("/admin", data={"csrf_token": token, "action": "local_fields", "definitions": definitions})
    assert "hotline_no,热线工单号,文本,是" in client.get("/admin").get_data(as_text=True)
    form = client.get(f"/problems/new?unit_id={tenant.station.id}").get_data(as_text=True)
    assert 'name="lf_hotline_no"' in form
    assert "一级" in form
    base = {"csrf_token": _token(client, "/problems/new"), "domain": "general", "unit_id": tenant.station.id,
            "category": "attitude", "title": "热线反映", "description": "描述", "deadline": "2024-12-31"}  # fmt: skip
    missing = client.post("/problems/new", data=base)
    assert missing.status_code == 422
    assert 'data-testid="error-lf_hotline_no"' in missing.get_data(as_text=True)
    created = client.post("/problems/new", data={**base, "lf_hotline_no": "12315-0001", "lf_level": "一级"})
    assert created.status_code == 302
    pid = created.headers["Location"].rsplit("/", 1)[-1]
    problem = client.get(f"/api/v1/problems/{pid}", headers=tenant.headers("tenant_admin")).json
    assert problem["local_fields"] == {"hotline_no": "12315-0001", "level": "一级"}
    assert problem["local_fields_version"] == 1


def test_tenant_admin_changes_a_users_role_unit_and_password_and_moves_units(client, tenant):
    log_in(client, "alpha.tenant_admin")
    token = _token(client, "/admin")
    viewer = tenant.users["viewer"]
    client.post("/admin", data={"csrf_token": token, "action": "edit_user", "user_id": viewer.id, "role": "reviewer",
                                "unit_id": tenant.root.id, "is_liaison": "1", "password": "fresh-pass-7"})  # fmt: skip
    me = client.get("/api/v1/auth/me", headers=tenant.headers("viewer"))
    assert me.status_code == 401  # a new password ends the old tokens
    token_resp = client.post("/api/v1/auth/login", json={"username": "alpha.viewer", "password": "fresh-pass-7"})
    assert token_resp.json["user"]["role"] == "reviewer"
    assert token_resp.json["user"]["is_liaison"] is True
    client.post("/admin", data={"csrf_token": token, "action": "move_unit", "unit_id": tenant.substation.id,
                                "parent_id": tenant.agency.id})  # fmt: skip
    moved = client.get(f"/api/v1/units/{tenant.substation.id}", headers=tenant.headers("tenant_admin")).json
    assert moved["parent_id"] == tenant.agency.id
    client.post("/admin", data={"csrf_token": token, "action": "delete_unit", "unit_id": tenant.station.id})
    assert "该单位下还有" in client.get("/admin").get_data(as_text=True)


def test_ledger_page_offers_every_filter(client, clock, tenant):
    post_problem(client, tenant, title="十月到期", deadline="2024-10-20", responsible_person="张三")
    post_problem(client, tenant, title="十二月到期", deadline="2024-12-20", responsible_person="李四")
    log_in(client, "alpha.officer")
    page = client.get("/ledger").get_data(as_text=True)
    for name in ("q", "status", "light", "unit_id", "domain", "source", "phase", "deadline_from", "deadline_to",
                 "responsible_person"):  # fmt: skip
        assert f'name="{name}"' in page, name
    october = client.get("/ledger?deadline_to=2024-10-31").get_data(as_text=True)
    assert "十月到期" in october
    assert "十二月到期" not in october
    assert "十月到期" not in client.get("/ledger?responsible_person=李四").get_data(as_text=True)


def test_resubmitting_after_a_return_without_new_material_is_told_on_the_page(client, clock, tenant):
    """The page says the same as the API's 422 (issue 13, item 5), once, and the problem stays 整改中."""
    from fixtures.ledger import act, current_etag, upload

    pid = post_problem(client, tenant).json["id"]
    act(client, tenant, "tenant_admin", pid, "assign", current_etag(client, tenant, pid))
    act(client, tenant, "officer", pid, "sign", current_etag(client, tenant, pid))
    client.post(f"/api/v1/problems/{pid}/notes", json={"text": "已整改"}, headers=tenant.headers("officer"))
    upload(client, tenant, pid)
    act(client, tenant, "officer", pid, "submit", current_etag(client, tenant, pid))
    act(client, tenant, "reviewer", pid, "return", current_etag(client, tenant, pid), reason="材料不全")
    log_in(client, "alpha.officer")
    url = f"/problems/{pid}"
    version = current_etag(client, tenant, pid).strip('"').split("-")[1]
    resp = client.post(url, data={"csrf_token": _token(client, url), "action": "submit", "version": version})
    assert resp.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert page.count("退回后重新提交须补充新的整改说明或佐证材料") == 1
    assert "整改中" in page
    client.post(url, data={"csrf_token": _token(client, url), "action": "note", "text": "已补充培训签到表"})
    version = current_etag(client, tenant, pid).strip('"').split("-")[1]  # a note raises the version
    client.post(url, data={"csrf_token": _token(client, url), "action": "submit", "version": version})
    page = client.get(url).get_data(as_text=True)
    assert "操作已完成" in page
    assert "已提交验收" in page


def test_every_date_field_takes_year_month_day_whatever_the_browser_locale():
    """No page keeps <input type=date>, which shows the browser locale's format (mm/dd/yyyy in English)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pages = [*root.glob("core/web/templates/**/*.html"), *root.glob("plugins/*/templates/**/*.html")]
    native = [str(p.relative_to(root)) for p in pages if 'type="date"' in p.read_text(encoding="utf-8")]
    assert native == []
    fields = [p for p in pages if "data-date" in p.read_text(encoding="utf-8")]
    assert len(fields) >= 15
    for path in fields:
        for tag in re.findall(r"<input[^>]*data-date[^>]*>", path.read_text(encoding="utf-8")):
            assert 'placeholder="2026-12-02"' in tag, (path, tag)
            assert 'inputmode="numeric"' in tag, (path, tag)


@pytest.mark.parametrize("typed", ["12/31/2024", "2024-13-01", "20241231", "2024-W52-2"])
def test_a_badly_typed_date_is_refused_in_chinese_beside_its_field(client, clock, tenant, typed):
    log_in(client, "alpha.officer")
    token = _token(client, "/problems/new")
    resp = client.post(
        "/problems/new?domain=general",
        data={"csrf_token": token, "domain": "general", "unit_id": tenant.station.id, "category": "attitude",
              "title": "日期", "description": "描述", "rectification_type": "deadline", "deadline": typed},
    )  # fmt: skip
    assert resp.status_code == 422
    beside = re.search(r'data-testid="error-deadline">([^<]*)<', resp.get_data(as_text=True)).group(1)
    assert beside == "日期格式应为 2026-12-02（年-月-日）"


def test_a_date_typed_with_one_digit_month_or_day_is_taken(client, clock, tenant):
    log_in(client, "alpha.officer")
    token = _token(client, "/problems/new")
    resp = client.post(
        "/problems/new?domain=general",
        data={"csrf_token": token, "domain": "general", "unit_id": tenant.station.id, "category": "attitude",
              "title": "日期", "description": "描述", "rectification_type": "deadline", "deadline": "2024-12-1"},
    )  # fmt: skip
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    assert "2024-12-01" in client.get(resp.headers["Location"]).get_data(as_text=True)
