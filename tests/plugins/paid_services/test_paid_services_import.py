"""Fee records from .xlsx and CSV: flags raised, errors named by row and column, nothing half-written, re-runnable."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from paid_services_helpers import API, post_agency, post_service, uscc

HEADER = [
    "序号",
    "票据号",
    "机构统一社会信用代码",
    "机构名称",
    "服务项目",
    "委托方",
    "收费日期",
    "数量",
    "收费金额（元）",
]


@pytest.fixture
def registry(client, tenant):
    agency = post_agency(client, tenant)
    post_service(client, tenant, agency["id"], "clean")
    post_service(client, tenant, agency["id"], "designated")
    return agency


def rows(code: str) -> list[list]:
    return [
        [1, "PJ-001", code, "区食品药品检验检测中心", "食品中农药残留检测", "张三", "2024-10-08", 1, 300],
        [2, "PJ-002", code, "区食品药品检验检测中心", "食品中农药残留检测", "李四", "2024/10/09", 2, "650.00"],
        [3, "PJ-003", code.lower(), "", "开业前食品经营场所检测", "王五", "2024年10月10日", "", 500],
    ]


def xlsx(data: list[list], header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "收费记录"
    ws.append(header)
    for row in data:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(data: list[list], encoding="utf-8-sig", header=HEADER) -> bytes:
    import csv

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(data)
    return text.getvalue().encode(encoding)


def upload(client, world, content: bytes, name: str, role="tenant_admin", dry_run=False):
    return client.post(
        f"{API}/fee-records/import",
        data={"file": (io.BytesIO(content), name), "dry_run": "true" if dry_run else "false"},
        headers=world.headers(role),
        content_type="multipart/form-data",
    )


def records(client, world):
    return {r["receipt_no"]: r for r in client.get(f"{API}/fee-records", headers=world.headers("viewer")).json["items"]}


@pytest.mark.parametrize("kind", ["xlsx", "csv-utf8", "csv-gbk"])
def test_import_flags_and_a_second_run_changes_nothing(client, tenant, registry, kind):
    data = rows(uscc(1))
    content, name = {
        "xlsx": (xlsx(data), "收费.xlsx"),
        "csv-utf8": (csv_bytes(data), "收费.csv"),
        "csv-gbk": (csv_bytes(data, "gb18030"), "收费.csv"),
    }[kind]
    dry = upload(client, tenant, content, name, dry_run=True)
    assert dry.status_code == 200, dry.json
    assert dry.json == {"created": 3, "unchanged": 0, "flagged": 0, "dry_run": True}
    assert records(client, tenant) == {}
    first = upload(client, tenant, content, name)
    assert first.status_code == 200, first.json
    assert first.json == {"created": 3, "unchanged": 0, "flagged": 2, "dry_run": False}
    got = records(client, tenant)
    assert got["PJ-001"]["flags"] == []
    assert got["PJ-002"]["amount"] == "650.00"
    assert got["PJ-002"]["quantity"] == 2
    assert [f["kind"] for f in got["PJ-002"]["flags"]] == ["over_standard"]  # 650 > 300 × 2
    assert [f["kind"] for f in got["PJ-003"]["flags"]] == ["designated"]
    assert got["PJ-003"]["charged_on"] == "2024-10-10"
    again = upload(client, tenant, content, name)
    assert again.status_code == 200
    assert again.json == {"created": 0, "unchanged": 3, "flagged": 0, "dry_run": False}
    assert len(client.get(f"{API}/flags", headers=tenant.headers("viewer")).json["items"]) == 2


def test_every_bad_cell_is_named_and_nothing_is_written(client, tenant, registry):
    code = uscc(1)
    data = [
        [1, "PJ-101", code, "", "食品中农药残留检测", "张三", "2024-10-08", 1, 300],  # good
        [2, "PJ-102", uscc(99), "", "食品中农药残留检测", "李四", "2024-10-08", 1, 300],  # unknown agency
        [3, "PJ-103", code, "", "不存在的项目", "王五", "明天", 1.5, "三百"],  # service, date, quantity, amount
        [4, "", code, "", "食品中农药残留检测", "", "2024-10-08", 1, ""],  # receipt, client, amount missing
        [5, "PJ-101", code, "", "食品中农药残留检测", "赵六", "2024-10-08", 1, 300],  # duplicate receipt
    ]
    for content, name in ((xlsx(data), "坏.xlsx"), (csv_bytes(data), "坏.csv")):
        resp = upload(client, tenant, content, name)
        assert resp.status_code == 422, resp.json
        assert "未写入任何数据" in resp.json["message"]
        cells = {(e["row"], e["column"]) for e in resp.json["errors"]["rows"]}
        assert cells == {
            (3, "机构统一社会信用代码"),
            (4, "服务项目"),
            (4, "收费日期"),
            (4, "数量"),
            (4, "收费金额（元）"),
            (5, "票据号"),
            (5, "委托方"),
            (5, "收费金额（元）"),
            (6, "票据号"),
        }, resp.json["errors"]["rows"]
    assert records(client, tenant) == {}


def test_a_known_receipt_with_other_content_is_refused(client, tenant, registry):
    code = uscc(1)
    assert upload(client, tenant, xlsx(rows(code)), "a.xlsx").status_code == 200
    changed = rows(code)
    changed[0][8] = 301
    changed.append([4, "PJ-004", code, "", "食品中农药残留检测", "钱七", "2024-10-11", 1, 100])
    resp = upload(client, tenant, xlsx(changed), "b.xlsx")
    assert resp.status_code == 422
    assert resp.json["errors"]["rows"] == [
        {"row": 2, "column": "票据号", "message": "该票据号已登记，且内容与已登记的不同"}
    ]
    assert "PJ-004" not in records(client, tenant)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "x.csv", "文件为空"),
        (b"%PDF-1.4 not a table", "x.pdf", None),
        (b"PK\x03\x04garbage", "x.xlsx", None),
    ],
)
def test_files_that_are_not_tables_are_refused_on_the_file_field(client, tenant, registry, content, name, message):
    resp = upload(client, tenant, content, name)
    assert resp.status_code == 422
    assert resp.json["errors"]["json"]["file"] if "json" in resp.json["errors"] else resp.json["errors"]["rows"]
    if message:
        assert resp.json["errors"]["json"]["file"] == [message]


def test_missing_columns_are_named_in_the_header_row(client, tenant, registry):
    resp = upload(client, tenant, csv_bytes([["x"]], header=["票据号", "委托方"]), "x.csv")
    assert resp.status_code == 422
    missing = {e["column"] for e in resp.json["errors"]["rows"] if e["row"] == 1}
    assert missing == {"机构统一社会信用代码", "服务项目", "收费日期", "收费金额（元）"}


def test_import_roles_tenants_and_input(client, tenant, other_tenant, registry):
    content = xlsx(rows(uscc(1)))
    for role in ("viewer", "reviewer"):
        assert upload(client, tenant, content, "a.xlsx", role=role).status_code == 403
    # The other tenant does not know this agency: every row names the unknown code, nothing is written.
    resp = upload(client, other_tenant, content, "a.xlsx")
    assert resp.status_code == 422
    assert {e["column"] for e in resp.json["errors"]["rows"]} == {"机构统一社会信用代码"}
    # An officer may not import for an agency kept by the bureau.
    resp = upload(client, tenant, content, "a.xlsx", role="officer")
    assert resp.status_code == 422
    no_file = client.post(f"{API}/fee-records/import", data={}, headers=tenant.headers("tenant_admin"))
    assert no_file.status_code == 422
    assert "file" in no_file.json["errors"]["files"]
    assert records(client, tenant) == {}
