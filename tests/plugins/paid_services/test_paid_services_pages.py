"""The paid-services pages without a browser: registry, fee records, import, flags; roles, tenants, enablement."""

from __future__ import annotations

import io
import re

import pytest
from fixtures.data import PASSWORD
from paid_services_helpers import days, post_agency, post_fee, post_service, registry_with_flags, uscc
from sqlalchemy import select

from core.platform.db import db, tenant_scope
from core.tenancy.models import Unit
from core.tenancy.service import set_unit_domain


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


PAGES = ["/paid-services/agencies", "/paid-services/agencies/{agency}", "/paid-services/fees", "/paid-services/flags"]


@pytest.mark.parametrize("role", ["tenant_admin", "officer", "reviewer", "viewer"])
def test_every_tenant_role_reads_the_pages(client, tenant, role):
    ids = registry_with_flags(client, tenant, unit="station")
    log_in(client, f"alpha.{role}")
    for path in PAGES:
        resp = client.get(path.format(**ids))
        assert resp.status_code == 200, (role, path)
    flags = client.get("/paid-services/flags").get_data(as_text=True)
    for kind in ("超标准收费", "指定服务", "超范围服务"):
        assert kind in flags
    writer = role in ("tenant_admin", "officer")
    assert ('data-testid="flag-problem-' in flags) is writer
    agencies = client.get("/paid-services/agencies").get_data(as_text=True)
    assert ('data-testid="new-agency"' in agencies) is writer
    ledger = client.get("/ledger").get_data(as_text=True)
    assert "/paid-services/agencies" in ledger  # the menu entry
    import_page = client.get("/paid-services/fees/import")
    assert import_page.status_code == (200 if writer else 403)


def test_the_registry_shows_certificate_states(client, tenant):
    post_agency(client, tenant, serial=1, name="过期中心", cma_expires_on=days(-3))
    post_agency(client, tenant, serial=2, name="将到期中心", cma_expires_on=days(12))
    post_agency(client, tenant, serial=3, name="有效中心", cma_expires_on=days(300))
    log_in(client, "alpha.viewer")
    html = client.get("/paid-services/agencies").get_data(as_text=True)
    assert html.count('data-certificate="expired"') == 1
    assert html.count('data-certificate="expiring"') == 1
    assert html.count('data-certificate="valid"') == 1
    assert "已过期3天" in html
    assert "剩余12天" in html


def test_register_an_agency_a_service_and_a_fee_in_the_pages(client, tenant):
    log_in(client, "alpha.tenant_admin")
    token = _csrf(client, "/paid-services/agencies")
    bad = client.post(
        "/paid-services/agencies",
        data={"csrf_token": token, "name": "区计量所", "kind": "technical_agency", "credit_code": "123",
              "unit_id": tenant.agency.id},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "长度应为18位" in bad.get_data(as_text=True)
    made = client.post(
        "/paid-services/agencies",
        data={"csrf_token": token, "name": "区计量所", "kind": "technical_agency", "credit_code": uscc(5),
              "unit_id": tenant.agency.id, "cma_number": "CMA-1", "cma_expires_on": days(200)},
    )  # fmt: skip
    assert made.status_code == 302, made.get_data(as_text=True)
    url = made.headers["Location"]
    service = client.post(
        url,
        data={"csrf_token": token, "action": "service", "name": "电子计价秤检定", "fee_standard": "20",
              "fee_basis": "省物价局 省财政厅 计量检定收费标准", "fee_published": "1", "in_certified_scope": "1"},
    )  # fmt: skip
    assert service.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "电子计价秤检定" in page
    assert "20.00" in page
    service_id = re.search(
        r'<option value="(\d+)"[^>]*>区计量所 · 电子计价秤检定',
        client.get("/paid-services/fees").get_data(as_text=True),
    ).group(1)
    fee = client.post(
        "/paid-services/fees",
        data={"csrf_token": token, "service_id": service_id, "receipt_no": "JL-1", "client": "城东菜场",
              "charged_on": days(-1), "quantity": "2", "amount": "45"},
    )  # fmt: skip
    assert fee.status_code == 302
    listing = client.get("/paid-services/fees").get_data(as_text=True)
    assert 'data-flag="over_standard"' in listing
    bad_fee = client.post(
        "/paid-services/fees",
        data={"csrf_token": token, "service_id": service_id, "receipt_no": "JL-2", "client": "城东菜场",
              "charged_on": "not a date", "amount": "x"},
    )  # fmt: skip
    assert bad_fee.status_code == 422
    text = bad_fee.get_data(as_text=True)
    assert "日期无效" in text
    assert "应为数字" in text
    renewed = client.post(url, data={"csrf_token": token, "action": "certificate", "cma_number": "CMA-2",
                                     "cma_expires_on": days(-2)})  # fmt: skip
    assert renewed.status_code == 302
    assert 'data-testid="certificate-state">已过期' in client.get(url).get_data(as_text=True)


def test_a_flag_becomes_a_problem_in_the_pages(client, tenant):
    ids = registry_with_flags(client, tenant)
    log_in(client, "alpha.tenant_admin")
    token = _csrf(client, "/paid-services/flags")
    resp = client.post(
        f"/paid-services/flags/{ids['tied_flag']}/problem",
        data={"csrf_token": token, "rectification_type": "deadline", "deadline_working_days": "10"},
    )
    assert resp.status_code == 302
    assert re.match(r"^/problems/\d+$", resp.headers["Location"]), resp.headers["Location"]
    problem = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "指定服务" in problem
    flags = client.get("/paid-services/flags").get_data(as_text=True)
    assert "查看问题" in flags
    again = client.post(
        f"/paid-services/flags/{ids['tied_flag']}/problem",
        data={"csrf_token": token, "rectification_type": "deadline", "deadline_working_days": "10"},
    )
    assert again.status_code == 302
    assert "该预警已立为问题" in client.get("/paid-services/flags").get_data(as_text=True)
    bad = client.post(
        f"/paid-services/flags/{ids['over_flag']}/problem", data={"csrf_token": token, "rectification_type": "soon"}
    )
    assert bad.status_code == 302
    assert "未能立为问题" in client.get("/paid-services/flags").get_data(as_text=True)


def test_import_in_the_page_lists_bad_cells(client, tenant):
    agency = post_agency(client, tenant)
    post_service(client, tenant, agency["id"], "clean")
    log_in(client, "alpha.tenant_admin")
    token = _csrf(client, "/paid-services/fees/import")
    content = (
        "票据号,机构统一社会信用代码,服务项目,委托方,收费日期,收费金额（元）\n"
        f"PJ-1,{uscc(1)},食品中农药残留检测,张三,2024-10-08,300\n"
        f"PJ-2,{uscc(1)},食品中农药残留检测,李四,昨天,300\n"
    ).encode()
    resp = client.post(
        "/paid-services/fees/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), "收费.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "<td>3</td><td>收费日期</td>" in html
    fixed = content.replace("昨天".encode(), b"2024-10-09")
    resp = client.post(
        "/paid-services/fees/import",
        data={"csrf_token": token, "file": (io.BytesIO(fixed), "收费.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200
    assert "新登记 2 条" in resp.get_data(as_text=True)


def test_pages_of_another_tenant_and_a_city_user(client, tenant, other_tenant, city):
    theirs = registry_with_flags(client, other_tenant)
    log_in(client, "alpha.tenant_admin")
    assert client.get(f"/paid-services/agencies/{theirs['agency']}").status_code == 404
    assert client.get("/tenants/beta/paid-services/agencies").status_code == 404
    token = _csrf(client, "/paid-services/flags")
    resp = client.post(
        f"/paid-services/flags/{theirs['over_flag']}/problem",
        data={"csrf_token": token, "rectification_type": "deadline", "deadline_working_days": "5"},
    )
    assert resp.status_code == 404
    client.post("/logout", data={"csrf_token": token})
    log_in(client, "city.supervisor")
    for path in PAGES:
        assert client.get("/tenants/beta" + path.format(**theirs)).status_code == 200, path
    html = client.get("/tenants/beta/paid-services/flags").get_data(as_text=True)
    assert f'href="/tenants/beta/paid-services/agencies/{theirs["agency"]}"' in html


def test_pages_answer_404_where_the_domain_is_off(client, tenant):
    ids = registry_with_flags(client, tenant, unit="station")
    with tenant_scope(tenant.tenant.id):
        station = db.session.scalar(select(Unit).where(Unit.id == tenant.station.id))
        set_unit_domain(station, "paid_services", False)
        db.session.commit()
    log_in(client, "alpha.officer")
    for path in PAGES:
        assert client.get(path.format(**ids)).status_code == 404, path
    assert "/paid-services/agencies" not in client.get("/ledger").get_data(as_text=True)


def test_every_page_string_has_an_english_translation():
    """The plugin's page strings are in the English catalog (the core's own test reads only core/web)."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[3]
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(root / "plugins" / "paid_services"), method_map, keywords={"_": None, "_l": None, "gettext": None}
        )
    }
    assert len(found) > 30
    with open(root / "core/web/translations/en/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f, locale="en")
    missing = sorted(m for m in found if m not in catalog or not catalog[m].string)
    assert not missing, missing


def test_the_english_pages_read_in_english(client, tenant):
    registry_with_flags(client, tenant)
    log_in(client, "alpha.viewer")
    token = _csrf(client, "/paid-services/flags")
    client.post("/lang/en", data={"csrf_token": token, "next": "/paid-services/flags"})
    html = client.get("/paid-services/flags").get_data(as_text=True)
    assert "Fee flags" in html
    assert post_fee  # the helper is shared with the API tests
