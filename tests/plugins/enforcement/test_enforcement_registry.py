"""The case-file registry: registering, listing, and importing from .xlsx and CSV (every bad cell named by row and
column, nothing half-written, re-importing the same file changes nothing)."""

from __future__ import annotations

import io

from enforcement_helpers import API, case_body, register
from openpyxl import Workbook

HEADER = [
    "案件编号",
    "案件类型",
    "案由",
    "承办单位",
    "承办人",
    "立案日期",
    "结案日期",
    "罚没款金额（元）",
    "适用裁量等级",
]


def rows(world):
    return [
        ["临市监处罚〔2024〕11号", "行政处罚", "虚假宣传", world.station.name, "张三、李四", "2024-01-05"]
        + ["2024-03-01", "20000", "从轻处罚"],
        ["临市监强制〔2024〕2号", "行政强制", "查封过期食品", world.station.code, "王五，赵六", "2024-02-01"]
        + ["2024-02-20", "", ""],
    ]


def xlsx(table) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "执法案卷"
    for row in table:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(table, encoding="utf-8-sig") -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue().encode(encoding)


def upload(client, world, data: bytes, name: str, role="officer", dry_run=False):
    form = {"file": (io.BytesIO(data), name)}
    if dry_run:
        form["dry_run"] = "true"
    return client.post(
        f"{API}/case-files/import", data=form, headers=world.headers(role), content_type="multipart/form-data"
    )


def listed(client, world, role="tenant_admin", **query):
    return client.get(f"{API}/case-files", query_string=query, headers=world.headers(role)).json["items"]


def test_register_and_read(client, tenant):
    created = register(client, tenant)
    assert created["handlers"] == ["张三", "李四"]
    assert created["penalty_amount"] == "5000.00"
    assert created["case_type_name"] == "行政处罚"
    assert created["discretion_level_name"] == "一般处罚"
    got = client.get(f"{API}/case-files/{created['id']}", headers=tenant.headers("viewer"))
    assert got.status_code == 200
    assert got.json["case_no"] == created["case_no"]
    assert [f["id"] for f in listed(client, tenant, case_type="penalty")] == [created["id"]]
    assert listed(client, tenant, case_type="compulsory") == []


def test_register_refused(client, tenant):
    url = f"{API}/case-files"
    register(client, tenant)
    dup = client.post(url, json=case_body(tenant), headers=tenant.headers("officer"))
    assert dup.status_code == 409
    assert "case_no" in dup.json["errors"]["json"]
    for overrides, field in (
        ({"case_type": "fine"}, "case_type"),
        ({"handlers": []}, "handlers"),
        ({"handlers": ["  "]}, "handlers"),
        ({"filed_on": "2024-13-01"}, "filed_on"),
        ({"closed_on": "2024-01-01"}, "closed_on"),
        ({"penalty_amount": "-1"}, "penalty_amount"),
        ({"discretion_level": "harsh"}, "discretion_level"),
        ({"unit_id": 999999}, "unit_id"),
        ({"case_no": ""}, "case_no"),
        ({"surprise": 1}, "surprise"),
    ):
        body = case_body(tenant, **{"case_no": "新号", **overrides})
        resp = client.post(url, json=body, headers=tenant.headers("officer"))
        assert resp.status_code == 422, (overrides, resp.json)
        assert field in resp.json["errors"]["json"], (overrides, resp.json)
    # An officer registers for its own unit and below only; viewers and reviewers not at all.
    root = client.post(
        url, json=case_body(tenant, case_no="新号", unit_id=tenant.root.id), headers=tenant.headers("officer")
    )
    assert root.status_code == 403
    for role in ("viewer", "reviewer"):
        assert client.post(url, json=case_body(tenant, case_no="新号"), headers=tenant.headers(role)).status_code == 403


def test_officers_see_their_units_only(client, tenant):
    register(client, tenant, role="tenant_admin", case_no="局机关1号", unit_id=tenant.root.id)
    mine = register(client, tenant)
    assert [f["id"] for f in listed(client, tenant, role="officer")] == [mine["id"]]
    assert len(listed(client, tenant, role="viewer")) == 2
    other = listed(client, tenant, role="tenant_admin")[-1]
    assert client.get(f"{API}/case-files/{other['id']}", headers=tenant.headers("officer")).status_code == 404


def test_import_xlsx_then_again_changes_nothing(client, tenant):
    data = xlsx([HEADER, *rows(tenant)])
    first = upload(client, tenant, data, "案卷.xlsx")
    assert first.status_code == 200, first.json
    assert first.json == {"created": 2, "updated": 0, "unchanged": 0, "dry_run": False}
    files = {f["case_no"]: f for f in listed(client, tenant)}
    assert files["临市监处罚〔2024〕11号"]["handlers"] == ["张三", "李四"]
    assert files["临市监处罚〔2024〕11号"]["penalty_amount"] == "20000.00"
    assert files["临市监处罚〔2024〕11号"]["discretion_level"] == "lighter"
    assert files["临市监强制〔2024〕2号"]["case_type"] == "compulsory"
    assert files["临市监强制〔2024〕2号"]["handlers"] == ["王五", "赵六"]
    again = upload(client, tenant, data, "案卷.xlsx")
    assert again.json == {"created": 0, "updated": 0, "unchanged": 2, "dry_run": False}
    changed = rows(tenant)
    changed[0][2] = "虚假宣传（更正）"
    third = upload(client, tenant, xlsx([HEADER, *changed]), "案卷.xlsx")
    assert third.json == {"created": 0, "updated": 1, "unchanged": 1, "dry_run": False}


def test_import_csv_utf8_and_gbk(client, tenant, other_tenant):
    resp = upload(client, tenant, csv_bytes([HEADER, *rows(tenant)]), "案卷.csv")
    assert resp.status_code == 200, resp.json
    assert resp.json["created"] == 2
    gbk = upload(client, other_tenant, csv_bytes([HEADER, *rows(other_tenant)], "gb18030"), "案卷.csv")
    assert gbk.status_code == 200, gbk.json
    assert gbk.json["created"] == 2


def test_import_dry_run_writes_nothing(client, tenant):
    resp = upload(client, tenant, xlsx([HEADER, *rows(tenant)]), "案卷.xlsx", dry_run=True)
    assert resp.json == {"created": 2, "updated": 0, "unchanged": 0, "dry_run": True}
    assert listed(client, tenant) == []


def test_import_errors_name_row_and_column_and_nothing_is_written(client, tenant):
    bad = rows(tenant) + [
        ["临市监处罚〔2024〕11号", "行政处罚", "", tenant.station.name, "甲", "2024-01-05", "", "", ""],  # duplicate
        ["临市监处罚〔2024〕12号", "罚款", "", "没有的单位", "", "2024/02/30", "", "-5", "很重"],
        ["临市监处罚〔2024〕13号", "行政处罚", "", tenant.station.name, "乙", "2024-03-01", "2024-02-01", "", ""],
    ]
    resp = upload(client, tenant, xlsx([HEADER, *bad]), "案卷.xlsx")
    assert resp.status_code == 422, resp.json
    errors = {(e["row"], e["column"]) for e in resp.json["errors"]["rows"]}
    assert (4, "案件编号") in errors
    for column in ("案件类型", "承办单位", "承办人", "立案日期", "罚没款金额（元）", "适用裁量等级"):
        assert (5, column) in errors, column
    assert (6, "结案日期") in errors
    assert "未写入" in resp.json["message"]
    assert listed(client, tenant) == []  # the two good rows were not written either


def test_import_refuses_what_is_not_a_table(client, tenant):
    resp = upload(client, tenant, b"%PDF-1.4 not a table", "案卷.pdf")
    assert resp.status_code == 422
    assert "file" in resp.json["errors"]["json"]
    resp = upload(client, tenant, csv_bytes([["编号", "名称"], ["1", "x"]]), "案卷.csv")
    assert resp.status_code == 422
    assert {e["column"] for e in resp.json["errors"]["rows"]} >= {"案件编号", "承办人", "立案日期"}
    resp = client.post(f"{API}/case-files/import", headers=tenant.headers("officer"), data={})
    assert resp.status_code == 422
    assert "file" in resp.json["errors"]["json"]
    resp = upload(client, tenant, csv_bytes([HEADER, *rows(tenant)]), "案卷.csv", role="viewer")
    assert resp.status_code == 403


def test_import_holds_officers_to_their_units(client, tenant):
    table = [HEADER, ["局机关1号", "行政处罚", "", tenant.root.name, "张三", "2024-01-05", "", "", ""]]
    resp = upload(client, tenant, csv_bytes(table), "案卷.csv")
    assert resp.status_code == 422
    assert resp.json["errors"]["rows"][0]["row"] == 2
    assert resp.json["errors"]["rows"][0]["column"] == "承办单位"
