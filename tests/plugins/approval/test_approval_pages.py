"""The cases page without a browser: the list, the import form, the template downloads, enablement, roles."""

from __future__ import annotations

import io

from approval_helpers import CASES, case_body, csrf_token, csv_bytes, log_in

PAGE = "/approval/cases"


def record(client, world, **overrides):
    resp = client.post(CASES, json=case_body(world, **overrides), headers=world.headers("officer"))
    assert resp.status_code == 201, resp.json
    return resp.json


def post_file(client, data: bytes, name: str, path: str = PAGE, dry_run: bool = False):
    form = {"csrf_token": csrf_token(client, path), "file": (io.BytesIO(data), name)}
    if dry_run:
        form["dry_run"] = "1"
    return client.post(f"{path}/import", data=form, content_type="multipart/form-data")


def test_the_page_lists_cases_and_links_late_ones_to_their_problem(client, clock, tenant):
    record(client, tenant, case_no="ON-TIME", completed_at="2024-10-10T16:00:00")
    late = record(client, tenant, case_no="LATE-1", matter_name="营业执照变更登记", completed_at="2024-10-11T09:00:00")
    log_in(client, "alpha.officer")
    resp = client.get(PAGE)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "办件记录" in html
    assert 'data-case="ON-TIME" data-late="no"' in html
    assert 'data-case="LATE-1" data-late="yes"' in html
    assert f'href="/problems/{late["late_problem_id"]}"' in html
    assert late["late_problem_number"] in html
    assert "超期 1 个工作日" in html
    assert "2024-09-27 10:30" in html  # Beijing time
    assert 'data-testid="case-import-form"' in html
    # The menu offers the page where the domain is on.
    assert f'href="{PAGE}"' in html
    only_late = client.get(f"{PAGE}?state=late").get_data(as_text=True)
    assert "LATE-1" in only_late
    assert "ON-TIME" not in only_late
    searched = client.get(f"{PAGE}?q=营业执照").get_data(as_text=True)
    assert "LATE-1" in searched
    assert "ON-TIME" not in searched
    bad_filter = client.get(f"{PAGE}?state=nonsense")
    assert bad_filter.status_code == 200
    assert "is-invalid" in bad_filter.get_data(as_text=True)


def test_importing_a_csv_in_the_page(client, clock, tenant):
    log_in(client, "alpha.officer")
    station = tenant.station.name
    good = csv_bytes([[station, "食品经营许可", "P-1", "法人", "", "2024-10-08 09:00", 3, "2024-10-12 10:00", "否"]])
    dry = post_file(client, good, "cases.csv", dry_run=True)
    assert dry.status_code == 200
    assert "只检查，未写入" in dry.get_data(as_text=True)
    assert client.get(CASES, headers=tenant.headers("officer")).json["total"] == 0
    done = post_file(client, good, "cases.csv")
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    assert 'data-testid="import-result"' in html
    assert "转为超时办结问题 1 项" in html
    assert 'data-case="P-1" data-late="yes"' in html
    bad = csv_bytes([[station, "食品经营许可", "P-2", "外星人", "", "2024-10-08 09:00", 3, "", "否"]])
    refused = post_file(client, bad, "bad.csv")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'data-testid="import-error-rows"' in text
    assert "申请人类型无效" in text
    assert "<td>2</td><td>申请人类型</td>" in text
    assert client.get(CASES, headers=tenant.headers("officer")).json["total"] == 1
    empty = client.post(
        f"{PAGE}/import", data={"csrf_token": csrf_token(client, PAGE)}, content_type="multipart/form-data"
    )
    assert empty.status_code == 422
    assert "请选择要导入的 Excel 或 CSV 文件" in empty.get_data(as_text=True)
    # Without the CSRF token the form is refused.
    no_token = client.post(
        f"{PAGE}/import", data={"file": (io.BytesIO(good), "c.csv")}, content_type="multipart/form-data"
    )
    assert no_token.status_code == 400


def test_the_templates_download_from_the_page(client, tenant):
    log_in(client, "alpha.viewer")
    with client.get(f"{PAGE}/template.xlsx") as xlsx:
        assert xlsx.status_code == 200
        assert xlsx.get_data()[:2] == b"PK"
        assert "attachment" in xlsx.headers["Content-Disposition"]
    csv = client.get(f"{PAGE}/template.csv")
    assert csv.status_code == 200
    assert "办件编号" in csv.data.decode("utf-8-sig")


def test_readers_see_the_list_but_no_import(client, tenant):
    log_in(client, "alpha.viewer")
    html = client.get(PAGE).get_data(as_text=True)
    assert "暂无办件记录" in html
    assert 'data-testid="case-import-form"' not in html
    refused = post_file(client, csv_bytes([]), "x.csv")
    assert refused.status_code == 403


def test_the_page_does_not_exist_where_the_domain_is_off(client, tenant):
    resp = client.put(
        f"/api/v1/units/{tenant.station.id}/plugins/approval",
        json={"enabled": False},
        headers=tenant.headers("tenant_admin"),
    )
    assert resp.status_code == 204
    log_in(client, "alpha.officer")
    assert client.get(PAGE).status_code == 404
    assert client.get(f"{PAGE}/template.csv").status_code == 404
    ledger = client.get("/ledger").get_data(as_text=True)
    assert f'href="{PAGE}"' not in ledger


def test_city_users_reach_a_tenants_page_and_no_other(client, clock, tenant, other_tenant, city):
    record(client, tenant, case_no="CITY-SEEN")
    log_in(client, "city.supervisor")
    resp = client.get(f"/tenants/{tenant.slug}{PAGE}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "CITY-SEEN" in html
    assert f'action="/tenants/{tenant.slug}/approval/cases/import"' in html
    assert client.get(f"/tenants/nosuch{PAGE}").status_code == 404


def test_another_tenants_page_is_not_found(client, tenant, other_tenant):
    log_in(client, "alpha.officer")
    assert client.get(f"/tenants/{other_tenant.slug}{PAGE}").status_code == 404


def test_the_page_needs_a_login(client):
    resp = client.get(PAGE)
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_every_string_of_the_pages_has_an_english_translation():
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[3]
    method_map = [("plugins/approval/**.py", "python"), ("plugins/approval/templates/**.html", "jinja2")]
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(root), method_map, keywords={"_": None, "_l": None, "gettext": None}
        )
    }
    assert found
    with open(root / "core/web/translations/en/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f, locale="en")
    missing = sorted(m for m in found if m not in catalog or not catalog[m].string)
    assert not missing, missing
