"""The ledger in and out of Excel: export columns and filters, import checks, audited updates and round trips."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from urllib.parse import unquote

from fixtures.ledger import PNG, current_etag, post_problem, problem_body
from fixtures.ledger import act as move
from openpyxl import Workbook, load_workbook

from core.ledger import excel

HEADERS = [
    "编号", "问题来源", "问题类别", "问题描述", "责任单位", "责任人", "责任领导", "整改措施", "整改时限", "整改类型",
    "整改进展", "完成情况", "佐证材料", "验收意见", "销号时间", "问题标题", "业务领域", "状态", "灯色", "外部编号",
]  # fmt: skip
#: the columns of a hand-made import file
IMPORT_HEADERS = [
    "外部编号",
    "问题来源",
    "问题类别",
    "问题描述",
    "责任单位",
    "整改措施",
    "整改时限",
    "整改类型",
    "整改进展",
]


def body(world, **overrides):
    return problem_body(world, **{"description": "群众反映城关所登记窗口工作人员对咨询不耐烦。", **overrides})


def create(client, world, role="officer", **overrides):
    return post_problem(client, world, role, body=body(world, **overrides)).json


def act(client, world, role, pid, action, **payload):
    resp = move(client, world, role, pid, action, current_etag(client, world, pid, role="viewer"), **payload)
    assert resp.status_code == 200, resp.json
    return resp.json


def close(client, world, pid):
    """交办, 签收, progress and evidence, 提交验收, 销号 by the bureau's reviewer."""
    act(client, world, "tenant_admin", pid, "assign")
    act(client, world, "officer", pid, "sign")
    note = client.post(f"/api/v1/problems/{pid}/notes", json={"text": "已约谈并培训"}, headers=world.headers("officer"))
    assert note.status_code == 201
    for name in ("整改照片.png", "培训签到.png"):
        resp = client.post(
            f"/api/v1/problems/{pid}/attachments",
            data={"file": (io.BytesIO(PNG), name)},
            headers=world.headers("officer"),
            content_type="multipart/form-data",
        )
        assert resp.status_code == 201, resp.json
    act(client, world, "officer", pid, "submit")
    return act(client, world, "reviewer", pid, "close", opinion="验收合格")


def problem(client, world, pid):
    return client.get(f"/api/v1/problems/{pid}", headers=world.headers("viewer")).json


def history(client, world, pid):
    return client.get(f"/api/v1/problems/{pid}/history", headers=world.headers("viewer")).json["items"]


def all_problems(client, world):
    return client.get("/api/v1/problems?limit=200&sort=number", headers=world.headers("tenant_admin")).json["items"]


def export(client, world, role="viewer", path="/api/v1/problems/export.xlsx", headers=None, **query):
    resp = client.get(path, query_string=query, headers=headers or world.headers(role))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    resp.get_data()
    resp.close()  # a server closes the response, and with it the temporary file
    return resp


def sheet_rows(data: bytes) -> list[list]:
    wb = load_workbook(io.BytesIO(data))
    return [list(r) for r in wb["问题台账"].iter_rows(values_only=True)]


def as_dict(rows: list[list]) -> list[dict]:
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def workbook(rows: list[list], headers=IMPORT_HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def import_file(
    client, world, content: bytes, role="officer", dry_run=None, path="/api/v1/problems/import", headers=None
):
    data = {"file": (io.BytesIO(content), "台账.xlsx")}
    if dry_run is not None:
        data["dry_run"] = "true" if dry_run else "false"
    return client.post(path, data=data, headers=headers or world.headers(role), content_type="multipart/form-data")


def row(world, ref, **overrides):
    values = {
        "外部编号": ref,
        "问题来源": "群众举报",
        "问题类别": "服务态度",
        "问题描述": f"{ref} 窗口推诿办事群众",
        "责任单位": world.station.name,
        "整改措施": "约谈当事人",
        "整改时限": date(2024, 11, 15),
        "整改类型": "限期整改",
        "整改进展": "",
    }
    values.update(overrides)
    return [values[h] for h in IMPORT_HEADERS]


# --- export -------------------------------------------------------------------------------------------------


def test_export_columns_and_values(client, clock, tenant):
    define = client.put(
        "/api/v1/ledger/local-fields",
        json={"fields": [{"code": "batch", "label": "督查批次", "type": "text"}]},
        headers=tenant.headers("tenant_admin"),
    )
    assert define.status_code == 200, define.json
    create(client, tenant, external_ref="ZC-001", local_fields={"batch": "第一批"})
    closed = create(client, tenant, description='=HYPERLINK("http://x")', title="公式样的描述")
    close(client, tenant, closed["id"])
    create(
        client,
        tenant,
        domain="supervision",
        category="arbitrary_fees",
        custom_fields={"enterprise_name": "临江某超市", "inspection_type": "双随机抽查"},
    )

    resp = export(client, tenant)
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="' in disposition
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == "问题台账-alpha-20240930.xlsx"
    assert resp.headers["Cache-Control"] == "private, no-store"

    rows = sheet_rows(resp.data)
    assert rows[0][:20] == HEADERS
    assert {"企业名称", "检查类型", "督查批次"} <= set(rows[0])
    # only the domains in the export: no approval or enforcement fields
    assert not {"办件编号", "案件编号"} & set(rows[0])
    items = as_dict(rows)
    assert [r["编号"] for r in items] == ["ALPH-2024-0001", "ALPH-2024-0002", "ALPH-2024-0003"]
    first, second, third = items
    assert first["问题来源"] == "自查自纠"
    assert first["问题类别"] == "服务态度"
    assert first["责任单位"] == tenant.station.name
    assert first["责任人"] == "李明"
    assert first["整改时限"] == datetime(2024, 10, 31)  # a real Excel date
    assert first["整改类型"] == "限期整改"
    assert first["业务领域"] == "通用"
    assert first["状态"] == "待交办"
    assert first["灯色"] == "绿灯"
    assert first["外部编号"] == "ZC-001"
    assert first["督查批次"] == "第一批"
    assert first["销号时间"] is None
    assert second["问题描述"] == '=HYPERLINK("http://x")'  # text, not a formula
    assert second["状态"] == "已销号"
    assert second["灯色"] is None
    assert second["佐证材料"] == "整改照片.png；培训签到.png"
    assert second["验收意见"] == "验收合格"
    assert second["整改进展"] == "已约谈并培训"
    assert second["销号时间"] == datetime(2024, 9, 30, 9, 0)
    assert second["外部编号"] == "ALPH-2024-0002"  # no 外部编号: the number, so the row can come back
    assert third["业务领域"] == "日常监管"
    assert third["问题类别"] == "乱收费"
    assert third["企业名称"] == "临江某超市"
    assert first["企业名称"] is None
    wb = load_workbook(io.BytesIO(resp.data))
    ws = wb["问题台账"]
    assert ws["I2"].number_format == "yyyy-mm-dd"
    assert ws["O3"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["D3"].data_type == "s"


def test_csv_has_a_bom_and_chinese_headers(client, clock, tenant):
    create(client, tenant, measures="-先约谈")
    pid = create(client, tenant)["id"]
    close(client, tenant, pid)
    resp = export(client, tenant, path="/api/v1/problems/export.csv")
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert unquote(resp.headers["Content-Disposition"].split("''")[1]) == "问题台账-alpha-20240930.csv"
    assert resp.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0][:20] == HEADERS
    items = as_dict(rows)
    assert items[0]["整改时限"] == "2024-10-31"
    assert items[0]["整改措施"] == "'-先约谈"  # a leading sign would start a formula in Excel
    assert items[1]["销号时间"] == "2024-09-30 09:00"
    assert items[1]["佐证材料"] == "整改照片.png；培训签到.png"


def test_filters_apply_to_the_export(client, clock, tenant):
    create(client, tenant, title="城关所的问题")
    create(client, tenant, title="检测所的问题", unit_id=tenant.agency.id, source="public_report", role="tenant_admin")
    create(client, tenant, title="已逾期", deadline="2024-09-27")
    titles = lambda resp: [r["问题标题"] for r in as_dict(sheet_rows(resp.data))]  # noqa: E731
    assert titles(export(client, tenant, unit_id=tenant.agency.id)) == ["检测所的问题"]
    assert titles(export(client, tenant, source="public_report")) == ["检测所的问题"]
    assert titles(export(client, tenant, light="red")) == ["已逾期"]
    assert titles(export(client, tenant, q="检测所")) == ["检测所的问题"]
    rows = list(
        csv.reader(
            io.StringIO(
                export(client, tenant, path="/api/v1/problems/export.csv", light="red").data.decode("utf-8-sig")
            )
        )
    )
    assert [r[15] for r in rows[1:]] == ["已逾期"]
    bad = client.get("/api/v1/problems/export.xlsx?status=nonsense", headers=tenant.headers("viewer"))
    assert bad.status_code == 422
    assert "status" in bad.json["errors"]["query"]


def test_officer_exports_only_its_units(client, clock, tenant):
    create(client, tenant, title="城关所的问题")
    create(client, tenant, title="检测所的问题", unit_id=tenant.agency.id, role="tenant_admin")
    rows = as_dict(sheet_rows(export(client, tenant, role="officer").data))
    assert [r["问题标题"] for r in rows] == ["城关所的问题"]


def test_city_user_exports_through_the_tenant_path(client, clock, tenant, other_tenant, city):
    create(client, tenant, title="甲局的问题")
    create(client, other_tenant, title="乙局的问题")
    headers = city.headers("city_supervisor")
    rows = as_dict(
        sheet_rows(export(client, tenant, path="/api/v1/tenants/alpha/problems/export.xlsx", headers=headers).data)
    )
    assert [r["问题标题"] for r in rows] == ["甲局的问题"]
    resp = export(client, other_tenant, path="/api/v1/tenants/beta/problems/export.csv", headers=headers)
    assert "乙局的问题" in resp.data.decode("utf-8-sig")
    assert "甲局的问题" not in resp.data.decode("utf-8-sig")
    assert client.get("/api/v1/problems/export.xlsx", headers=headers).status_code == 404


def test_another_tenant_cannot_be_exported_or_imported(client, clock, tenant, other_tenant):
    create(client, other_tenant, title="乙局的问题")
    for role in ("viewer", "officer", "tenant_admin"):
        for suffix in ("export.xlsx", "export.csv", "import-template.xlsx"):
            resp = client.get(f"/api/v1/tenants/beta/problems/{suffix}", headers=tenant.headers(role))
            assert resp.status_code == 404, (role, suffix)
            assert resp.is_json
    resp = import_file(client, tenant, workbook([row(tenant, "X-1")]), path="/api/v1/tenants/beta/problems/import")
    assert resp.status_code == 404
    # Tenant A's own export holds nothing of B.
    data = export(client, tenant, role="tenant_admin").data
    assert as_dict(sheet_rows(data)) == []
    assert "乙局的问题" not in export(client, tenant, path="/api/v1/problems/export.csv").data.decode("utf-8-sig")


def test_viewer_exports_but_cannot_import(client, clock, tenant):
    export(client, tenant, role="viewer")
    resp = import_file(client, tenant, workbook([row(tenant, "X-1")]), role="viewer")
    assert resp.status_code == 403
    assert import_file(client, tenant, workbook([row(tenant, "X-1")]), role="reviewer").status_code == 403
    assert all_problems(client, tenant) == []


def test_unauthenticated_gets_401(client, tenant):
    assert client.get("/api/v1/problems/export.xlsx").status_code == 401
    assert client.post("/api/v1/problems/import").status_code == 401


# --- import -------------------------------------------------------------------------------------------------


def test_import_creates_problems_with_external_refs_and_events(client, clock, tenant):
    content = workbook(
        [row(tenant, "ZC-001"), row(tenant, "ZC-002", 整改进展="已约谈", 责任单位=tenant.substation.name)]
    )
    resp = import_file(client, tenant, content)
    assert resp.status_code == 200, resp.json
    assert resp.json == {"created": 2, "updated": 0, "unchanged": 0, "status_mismatches": [], "dry_run": False}
    items = all_problems(client, tenant)
    assert [(p["external_ref"], p["source"], p["category"], p["deadline"]) for p in items] == [
        ("ZC-001", "public_report", "attitude", "2024-11-15"),
        ("ZC-002", "public_report", "attitude", "2024-11-15"),
    ]
    assert items[1]["unit_id"] == tenant.substation.id
    assert items[0]["title"] == "ZC-001 窗口推诿办事群众"  # no 问题标题: taken from the description
    assert items[0]["created_by"] == f"user:{tenant.users['officer'].id}"
    assert [e["kind"] for e in history(client, tenant, items[0]["id"])] == ["ledger.created"]
    events = history(client, tenant, items[1]["id"])
    assert [e["kind"] for e in events] == ["ledger.created", "ledger.import_applied"]
    assert events[1]["data"]["changes"] == {"progress": ["", "已约谈"]}
    second = client.get(f"/api/v1/problems/{items[1]['id']}", headers=tenant.headers("viewer")).json
    assert second["progress"] == "已约谈"
    assert [n["text"] for n in second["notes"]] == ["已约谈"]


def test_second_identical_import_changes_nothing(client, clock, tenant):
    content = workbook([row(tenant, "ZC-001"), row(tenant, "ZC-002", 整改进展="已约谈")])
    assert import_file(client, tenant, content).status_code == 200
    before = {p["id"]: (p["version"], len(history(client, tenant, p["id"]))) for p in all_problems(client, tenant)}
    again = import_file(client, tenant, content)
    assert again.status_code == 200, again.json
    assert again.json == {"created": 0, "updated": 0, "unchanged": 2, "status_mismatches": [], "dry_run": False}
    after = {p["id"]: (p["version"], len(history(client, tenant, p["id"]))) for p in all_problems(client, tenant)}
    assert after == before


def test_changed_progress_and_measures_update_with_an_event(client, clock, tenant):
    assert import_file(client, tenant, workbook([row(tenant, "ZC-001"), row(tenant, "ZC-002")])).status_code == 200
    first = all_problems(client, tenant)[0]
    changed = workbook([row(tenant, "ZC-001", 整改进展="已完成培训", 整改措施="约谈并通报"), row(tenant, "ZC-002")])
    resp = import_file(client, tenant, changed)
    assert resp.status_code == 200, resp.json
    assert (resp.json["created"], resp.json["updated"], resp.json["unchanged"]) == (0, 1, 1)
    after = problem(client, tenant, first["id"])
    assert after["version"] == first["version"] + 1
    assert (after["progress"], after["measures"]) == ("已完成培训", "约谈并通报")
    event = history(client, tenant, first["id"])[-1]
    assert event["kind"] == "ledger.import_applied"
    assert event["data"]["changes"] == {"measures": ["约谈当事人", "约谈并通报"], "progress": ["", "已完成培训"]}
    assert event["data"]["row"] == 2
    # An empty cell does not clear what is there.
    blank = workbook([row(tenant, "ZC-001", 整改进展="", 整改措施="")])
    assert import_file(client, tenant, blank).json["unchanged"] == 1
    assert problem(client, tenant, first["id"])["progress"] == "已完成培训"


def test_a_differing_status_is_reported_not_applied(client, clock, tenant):
    headers = [*IMPORT_HEADERS, "状态"]
    assert import_file(client, tenant, workbook([[*row(tenant, "ZC-001"), "待交办"]], headers)).status_code == 200
    pid = all_problems(client, tenant)[0]["id"]
    version = problem(client, tenant, pid)["version"]
    resp = import_file(client, tenant, workbook([[*row(tenant, "ZC-001"), "已销号"]], headers))
    assert resp.status_code == 200, resp.json
    assert resp.json["unchanged"] == 1
    assert resp.json["status_mismatches"] == [
        {
            "row": 2,
            "external_ref": "ZC-001",
            "number": "ALPH-2024-0001",
            "file_status": "已销号",
            "system_status": "待交办",
            "message": "状态与系统不一致，未改动",
        }
    ]
    after = problem(client, tenant, pid)
    assert (after["status"], after["version"]) == ("registered", version)
    bad = import_file(client, tenant, workbook([[*row(tenant, "ZC-001"), "办完了"]], headers))
    assert bad.status_code == 422
    assert bad.json["errors"]["rows"][0]["column"] == "状态"


def test_bad_cells_are_each_reported_and_nothing_is_written(client, clock, tenant):
    content = workbook(
        [
            row(tenant, "ZC-001"),  # good, but the file is refused as a whole
            row(tenant, "ZC-002", 整改时限="下个月", 问题来源="道听途说"),
            row(tenant, "ZC-003", 责任单位="不存在的所", 问题类别="乱收费"),
            row(tenant, "", 问题描述=""),
            row(tenant, "ZC-005", 整改类型="立行立改", 整改时限=None),
            row(tenant, "ZC-001"),
        ]
    )
    resp = import_file(client, tenant, content)
    assert resp.status_code == 422, resp.json
    assert resp.json["code"] == 422
    found = {(e["row"], e["column"]) for e in resp.json["errors"]["rows"]}
    assert found == {
        (3, "整改时限"),
        (3, "问题来源"),
        (4, "责任单位"),
        (4, "问题类别"),
        (5, "外部编号"),
        (5, "问题描述"),
        (6, "整改时限"),
        (7, "外部编号"),
    }
    assert resp.json["message"] == f"导入文件有{len(found)}处错误，未写入任何数据"
    messages = {(e["row"], e["column"]): e["message"] for e in resp.json["errors"]["rows"]}
    assert messages[(3, "整改时限")] == "日期格式无效，应为 YYYY-MM-DD 或 Excel 日期"
    assert messages[(4, "问题类别")].startswith("问题类别不属于「通用」领域")
    assert messages[(7, "外部编号")] == "外部编号与第2行重复"
    assert all_problems(client, tenant) == []


def test_officer_imports_only_for_its_units_and_enabled_domains(client, clock, tenant):
    headers = [*IMPORT_HEADERS, "业务领域"]
    content = workbook(
        [
            [*row(tenant, "ZC-001", 责任单位=tenant.agency.name), "通用"],
            [*row(tenant, "ZC-002", 问题类别="乱收费"), "日常监管"],
            [*row(tenant, "ZC-003", 问题类别="乱收费"), "无此领域"],
        ],
        headers,
    )
    resp = import_file(client, tenant, content)
    assert resp.status_code == 422
    assert {(e["row"], e["column"]) for e in resp.json["errors"]["rows"]} == {(2, "责任单位"), (4, "业务领域")}
    assert import_file(client, tenant, content, role="tenant_admin").status_code == 422  # row 4 is still bad
    good = workbook([[*row(tenant, "ZC-002", 问题类别="乱收费"), "日常监管"]], headers)
    resp = import_file(client, tenant, good)
    assert resp.status_code == 200, resp.json
    assert all_problems(client, tenant)[0]["domain"] == "supervision"


def test_non_xlsx_uploads_are_refused_naming_the_file_field(client, clock, tenant):
    for content, name in ((PNG, "台账.xlsx"), ("编号,问题描述\n".encode(), "台账.csv"), (b"", "台账.xlsx")):
        resp = client.post(
            "/api/v1/problems/import",
            data={"file": (io.BytesIO(content), name)},
            headers=tenant.headers("officer"),
            content_type="multipart/form-data",
        )
        assert resp.status_code == 422, name
        assert "file" in resp.json["errors"]["json"]
    missing = client.post("/api/v1/problems/import", data={}, headers=tenant.headers("officer"))
    assert missing.status_code == 422
    assert "file" in missing.json["errors"]["files"]
    wb = Workbook()
    wb.active.append(["编号", "问题描述"])
    out = io.BytesIO()
    wb.save(out)
    no_key = import_file(client, tenant, out.getvalue())
    assert no_key.status_code == 422
    assert no_key.json["errors"]["rows"] == [
        {"row": 1, "column": "外部编号", "message": "缺少「外部编号」列：导入以它识别每一行"}
    ]


def test_row_limit(client, clock, tenant, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 2)
    resp = import_file(client, tenant, workbook([row(tenant, f"ZC-{i}") for i in range(3)]))
    assert resp.status_code == 422
    assert resp.json["errors"]["json"]["file"] == ["每个文件最多导入2行，请拆分后分批导入"]


def test_dry_run_writes_nothing(client, clock, tenant):
    assert import_file(client, tenant, workbook([row(tenant, "ZC-001")])).status_code == 200
    before = all_problems(client, tenant)
    content = workbook([row(tenant, "ZC-001", 整改进展="新进展"), row(tenant, "ZC-002")])
    resp = import_file(client, tenant, content, dry_run=True)
    assert resp.status_code == 200, resp.json
    assert resp.json == {"created": 1, "updated": 1, "unchanged": 0, "status_mismatches": [], "dry_run": True}
    assert all_problems(client, tenant) == before
    assert len(history(client, tenant, before[0]["id"])) == 1


def test_export_imports_back_unchanged(client, clock, tenant, city):
    create(client, tenant, external_ref="ZC-001", measures="  前后有空格的措施\n")
    pid = create(client, tenant)["id"]
    close(client, tenant, pid)
    create(
        client,
        tenant,
        domain="paid_services",
        category="illegal_fees",
        unit_id=tenant.agency.id,
        role="tenant_admin",
        custom_fields={"agency_name": "某检测公司", "amount": "120.5"},
    )
    before = {p["id"]: (p["version"], len(history(client, tenant, p["id"]))) for p in all_problems(client, tenant)}
    for role, path, headers in (
        ("tenant_admin", "/api/v1/problems", None),
        (None, "/api/v1/tenants/alpha/problems", city.headers("city_supervisor")),
    ):
        data = export(client, tenant, role=role or "viewer", path=f"{path}/export.xlsx", headers=headers).data
        resp = import_file(client, tenant, data, role=role, path=f"{path}/import", headers=headers)
        assert resp.status_code == 200, resp.json
        assert resp.json == {"created": 0, "updated": 0, "unchanged": 3, "status_mismatches": [], "dry_run": False}
    after = {p["id"]: (p["version"], len(history(client, tenant, p["id"]))) for p in all_problems(client, tenant)}
    assert after == before


def test_exported_rows_come_back_into_an_empty_ledger_as_new_problems(client, clock, tenant, other_tenant):
    """The layout is the import's own: another tenant's file (units renamed) records the problems afresh."""
    create(client, tenant, domain="supervision", category="arbitrary_fees", custom_fields={"enterprise_name": "某超市"})
    rows = sheet_rows(export(client, tenant).data)
    unit = rows[0].index("责任单位")
    rows[1][unit] = other_tenant.station.name
    resp = import_file(client, other_tenant, workbook(rows[1:], rows[0]), role="tenant_admin")
    assert resp.status_code == 200, resp.json
    assert resp.json["created"] == 1
    created = all_problems(client, other_tenant)[0]
    assert created["external_ref"] == "ALPH-2024-0001"
    assert created["custom_fields"]["enterprise_name"] == "某超市"
    assert created["domain"] == "supervision"


def test_extra_field_cells_are_checked(client, clock, tenant):
    headers = [*IMPORT_HEADERS, "业务领域", "企业名称", "统一社会信用代码（日常监管）", "办件编号"]
    content = workbook(
        [
            [*row(tenant, "ZC-001", 问题类别="乱收费"), "日常监管", "某超市", "123", None],
            [*row(tenant, "ZC-002", 问题类别="乱收费"), "日常监管", None, None, 12345],
        ],
        headers,
    )
    resp = import_file(client, tenant, content)
    assert resp.status_code == 422
    errors = {(e["row"], e["column"]) for e in resp.json["errors"]["rows"]}
    assert errors == {(2, "统一社会信用代码（日常监管）"), (3, "办件编号")}


def test_template(client, clock, tenant):
    resp = export(client, tenant, role="officer", path="/api/v1/problems/import-template.xlsx")
    assert unquote(resp.headers["Content-Disposition"].split("''")[1]) == "问题台账导入模板-alpha.xlsx"
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["问题台账", "说明"]
    rows = [list(r) for r in wb["问题台账"].iter_rows(values_only=True)]
    assert rows[0][:20] == HEADERS
    example = dict(zip(rows[0], rows[1], strict=True))
    assert example["外部编号"] == "示例-0001"
    assert example["责任单位"] == tenant.station.name
    notes = [c for r in wb["说明"].iter_rows(values_only=True) for c in r if c]
    for name in ("自查自纠", "限期整改", "日常监管", "乱收费", tenant.agency.name, "已销号"):
        assert any(name in str(n) for n in notes), name
    # The example row is a valid row.
    dry = import_file(client, tenant, resp.data, dry_run=True)
    assert dry.status_code == 200, dry.json
    assert dry.json["created"] == 1


def test_csv_streams_rows_after_the_request_has_ended(make_app, clock, tenant):
    """Under gunicorn the body is read after the request's context (and session) is gone.

    A second app gets its own app context per request, as in production, so its session ends with the request.
    """
    app = make_app()
    client = app.test_client()
    create(client, tenant, title="流式导出的问题")
    resp = client.get("/api/v1/problems/export.csv", headers=tenant.headers("officer"), buffered=False)
    body = b"".join(resp.response).decode("utf-8-sig")
    resp.close()
    assert "流式导出的问题" in body
