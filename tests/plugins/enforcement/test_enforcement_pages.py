"""The plugin's pages without a browser: each role reads them, writers use the forms, others are refused, another
tenant's objects are 404, and the scoring form's result is the server's arithmetic."""

from __future__ import annotations

import io

import pytest
from enforcement_helpers import begin, csrf, d, log_in, register, reviewed

from core.auth.models import TENANT_ROLES

PAGES = ("/enforcement/case-files", "/enforcement/samplings", "/enforcement/rubric", "/enforcement/statistics")


@pytest.mark.parametrize("role", TENANT_ROLES)
def test_every_role_reads_every_page(client, tenant, role):
    case_file = register(client, tenant)
    review = reviewed(client, tenant, case_file["id"], [d("S05")])
    sampling = client.post(
        "/api/v1/plugins/enforcement/samplings",
        json={"period_from": "2024-01-01", "period_to": "2024-12-31", "count": 1, "seed": "s"},
        headers=tenant.headers("reviewer"),
    ).json
    log_in(client, f"alpha.{role}")
    for path in (*PAGES, f"/enforcement/case-files/{case_file['id']}", f"/enforcement/reviews/{review['id']}",
                 f"/enforcement/samplings/{sampling['id']}"):  # fmt: skip
        resp = client.get(path)
        assert resp.status_code == 200, (role, path, resp.status_code)
    html = client.get("/enforcement/statistics").get_data(as_text=True)
    assert "S05" in html
    nav = client.get("/enforcement/case-files").get_data(as_text=True)
    assert 'href="/enforcement/samplings"' in nav


def test_city_users_read_the_pages_under_the_tenant(client, tenant, city):
    log_in(client, "city.supervisor")
    for path in PAGES:
        assert client.get(f"/tenants/alpha{path}").status_code == 200, path


def test_register_and_import_on_the_page(client, tenant):
    log_in(client, "alpha.officer")
    token = csrf(client, "/enforcement/case-files")
    resp = client.post(
        "/enforcement/case-files",
        data={"csrf_token": token, "action": "create", "case_no": "页面-1", "case_type": "penalty",
              "unit_id": str(tenant.station.id), "handlers": "张三、李四", "filed_on": "2024-01-02",
              "closed_on": "2024-03-04", "penalty_amount": "100.5"},
    )  # fmt: skip
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "页面-1" in page
    assert "100.50" in page
    bad = client.post(
        "/enforcement/case-files",
        data={"csrf_token": token, "action": "create", "case_no": "", "case_type": "penalty",
              "unit_id": str(tenant.station.id), "handlers": "", "filed_on": "昨天"},
    )  # fmt: skip
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    for field in ("case_no", "handlers", "filed_on"):
        assert f'data-testid="error-{field}"' in html, field
    csv = "案件编号,案件类型,承办单位,承办人,立案日期\n页面-2,行政处罚,没有的所,张三,2024-01-01\n".encode()
    refused = client.post(
        "/enforcement/case-files",
        data={"csrf_token": token, "action": "import", "file": (io.BytesIO(csv), "a.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'data-testid="import-error-rows"' in html
    assert "承办单位" in html
    assert "<td>2</td>" in html
    good = csv.replace("没有的所".encode(), tenant.station.name.encode())
    done = client.post(
        "/enforcement/case-files",
        data={"csrf_token": token, "action": "import", "file": (io.BytesIO(good), "a.csv")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 200
    assert 'data-testid="import-result"' in done.get_data(as_text=True)
    assert "页面-2" in client.get("/enforcement/case-files").get_data(as_text=True)


def test_draw_and_score_on_the_pages(client, tenant):
    for n in range(3):
        register(client, tenant, case_no=f"页面-{n}")
    log_in(client, "alpha.reviewer")
    token = csrf(client, "/enforcement/samplings")
    resp = client.post(
        "/enforcement/samplings",
        data={"csrf_token": token, "period_from": "2024-01-01", "period_to": "2024-12-31", "how": "count",
              "amount": "2", "seed": "页面种子", "reviewers": "王五、张三", "reviewers_per_file": "1"},
    )  # fmt: skip
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "页面种子" in page
    assert 'data-testid="verify"' in page
    assert "alert-success" in page
    # 张三 handled every file: only 王五 was assigned.
    assert "张三</a>" not in page
    bad = client.post(
        "/enforcement/samplings",
        data={"csrf_token": token, "period_from": "2024-01-01", "period_to": "2024-12-31", "how": "count",
              "amount": "99"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert 'data-testid="error-amount"' in bad.get_data(as_text=True)
    review_id = int(page.split("/enforcement/reviews/")[1].split('"')[0])
    scored = client.post(
        f"/enforcement/reviews/{review_id}",
        data={"csrf_token": token, "count_F01": "2", "note_F01": "目录缺失", "count_S02": "1", "note_S02": "事实不清",
              "count_P07": "0"},
    )  # fmt: skip
    assert scored.status_code == 302
    shown = client.get(f"/enforcement/reviews/{review_id}").get_data(as_text=True)
    assert 'data-testid="running-total">88<' in shown, shown[shown.find("<main") :][:3000]  # 100 - 4 - 8
    missing_note = begin(client, tenant, register(client, tenant, case_no="页面-9")["id"]).json["id"]
    refused = client.post(
        f"/enforcement/reviews/{missing_note}", data={"csrf_token": token, "count_F01": "1", "note_F01": ""}
    )
    assert refused.status_code == 422
    assert "扣分理由" in refused.get_data(as_text=True) or "note" in refused.get_data(as_text=True)


def test_readers_may_not_post(client, tenant):
    case_file = register(client, tenant)
    review = begin(client, tenant, case_file["id"]).json
    log_in(client, "alpha.viewer")
    token = csrf(client, "/enforcement/case-files")
    for path in ("/enforcement/case-files", "/enforcement/samplings", f"/enforcement/reviews/{review['id']}",
                 "/enforcement/rubric", f"/enforcement/case-files/{case_file['id']}"):  # fmt: skip
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path


def test_another_tenants_pages_are_404(client, tenant, other_tenant):
    theirs = register(client, other_tenant, case_no="乙局案卷")
    review = begin(client, other_tenant, theirs["id"]).json
    log_in(client, "alpha.tenant_admin")
    for path in (f"/enforcement/case-files/{theirs['id']}", f"/enforcement/reviews/{review['id']}",
                 "/tenants/beta/enforcement/case-files"):  # fmt: skip
        resp = client.get(path)
        assert resp.status_code == 404, path
        assert "乙局案卷" not in resp.get_data(as_text=True)


def test_rubric_page_sets_thresholds_and_adds_items(client, tenant):
    log_in(client, "alpha.tenant_admin")
    token = csrf(client, "/enforcement/rubric")
    resp = client.post("/enforcement/rubric", data={"csrf_token": token, "action": "settings", "excellent_min": "95",
                                                    "pass_min": "75", "problem_deadline_days": "15"})  # fmt: skip
    assert resp.status_code == 302
    resp = client.post("/enforcement/rubric", data={"csrf_token": token, "action": "add", "text": "未附审核表",
                                                    "basis": "《市场监督管理行政处罚程序规定》", "section": "procedure",
                                                    "points": "2", "max_count": "1", "category": "other"})  # fmt: skip
    assert resp.status_code == 302
    html = client.get("/enforcement/rubric").get_data(as_text=True)
    assert "95" in html
    assert "未附审核表" in html


def test_every_page_string_of_the_plugin_has_an_english_translation():
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[3]
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(root / "plugins" / "enforcement"), method_map, keywords={"_": None, "_l": None, "gettext": None}
        )
    }
    with open(root / "core/web/translations/en/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f, locale="en")
    missing = sorted(m for m in found if m not in catalog or not catalog[m].string)
    assert not missing, missing


def test_the_pages_refuse_what_the_api_refuses(client, tenant):
    """Negative or non-numeric points would lift a score above 100; an over-long case number fails the database."""
    log_in(client, "alpha.tenant_admin")
    token = csrf(client, "/enforcement/rubric")
    for points in ("-5", "nan", "41"):
        resp = client.post("/enforcement/rubric", data={"csrf_token": token, "action": "add", "text": "扣分项",
                                                        "basis": "《行政处罚法》", "section": "procedure",
                                                        "points": points, "max_count": "1"})  # fmt: skip
        assert resp.status_code == 302
        assert "扣分项" not in client.get("/enforcement/rubric").get_data(as_text=True), points
    resp = client.post("/enforcement/rubric", data={"csrf_token": token, "action": "settings", "excellent_min": "150",
                                                    "pass_min": "70", "problem_deadline_days": "0"})  # fmt: skip
    assert resp.status_code == 302
    assert "150" not in client.get("/enforcement/rubric").get_data(as_text=True)
    token = csrf(client, "/enforcement/case-files")
    resp = client.post(
        "/enforcement/case-files",
        data={"csrf_token": token, "action": "create", "case_no": "长" * 65, "case_type": "penalty",
              "unit_id": str(tenant.station.id), "handlers": "张三", "filed_on": "2024-01-02",
              "penalty_amount": "1" + "0" * 13},
    )  # fmt: skip
    assert resp.status_code == 422
    assert "长" * 65 not in client.get("/enforcement/case-files").get_data(as_text=True)
