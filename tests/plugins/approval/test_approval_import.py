"""Importing cases from .xlsx and CSV: every bad cell named by row and column, nothing written unless all good."""

from __future__ import annotations

from datetime import datetime

import pytest
from approval_helpers import CASES, csv_bytes, upload, xlsx_bytes
from sqlalchemy import select

from core.ledger.models import Problem
from core.platform.calendar import SHANGHAI
from core.platform.db import db, tenant_scope


def good_rows(world) -> list[list]:
    station = world.station.name
    return [
        # on time: due 10 Oct
        [station, "食品经营许可（新办）", "IMP-1", "法人", "1号窗口", "2024-09-27 10:30", 5, "2024-10-10 16:00", "否"],
        # late by one working day (Saturday 12 Oct was a working day)
        [station, "营业执照变更登记", "IMP-2", "个体工商户", "", "2024-10-08 09:00", 3, "2024-10-12 10:00", "是"],
        # open, not yet due
        ["", "特种设备使用登记", "IMP-3", "自然人", "", "2024-09-30 09:00", 10, "", ""],
    ]


def count_cases(client, world) -> int:
    return client.get(CASES, headers=world.headers("tenant_admin")).json["total"]


def approval_problems(world) -> int:
    with tenant_scope(world.tenant.id):
        return len(db.session.scalars(select(Problem.id).where(Problem.domain == "approval")).all())


@pytest.mark.parametrize(("make", "name"), [(xlsx_bytes, "办件.xlsx"), (csv_bytes, "办件.csv")])
def test_a_good_file_is_imported_and_again_changes_nothing(client, clock, tenant, make, name):
    data = make(good_rows(tenant))
    dry = upload(client, tenant, data, name, dry_run=True)
    assert dry.status_code == 200, dry.json
    assert dry.json == {"created": 3, "updated": 0, "unchanged": 0, "late_problems": 0, "dry_run": True}
    assert count_cases(client, tenant) == 0
    first = upload(client, tenant, data, name)
    assert first.status_code == 200, first.json
    assert first.json == {"created": 3, "updated": 0, "unchanged": 0, "late_problems": 1, "dry_run": False}
    items = {c["case_no"]: c for c in client.get(CASES, headers=tenant.headers("officer")).json["items"]}
    assert items["IMP-2"]["applicant_type"] == "individual_business"
    assert items["IMP-2"]["intermediary"] is True
    assert items["IMP-2"]["late_problem_id"] is not None
    assert items["IMP-3"]["unit_id"] == tenant.station.id  # blank unit: the importer's own
    assert items["IMP-3"]["completed_at"] is None
    assert approval_problems(tenant) == 1
    again = upload(client, tenant, data, name)
    assert again.json == {"created": 0, "updated": 0, "unchanged": 3, "late_problems": 0, "dry_run": False}
    assert count_cases(client, tenant) == 3
    assert approval_problems(tenant) == 1


def test_a_later_file_completes_open_cases(client, clock, tenant):
    rows = good_rows(tenant)
    assert upload(client, tenant, csv_bytes(rows), "a.csv").status_code == 200
    # IMP-3 (received 30 Sep, 10 working days: due 21 Oct) completed on 23 Oct: two working days late.
    rows[2][7] = "2024-10-23 10:00"
    resp = upload(client, tenant, xlsx_bytes(rows), "b.xlsx")
    assert resp.status_code == 200, resp.json
    assert resp.json["updated"] == 1
    assert resp.json["late_problems"] == 1
    assert approval_problems(tenant) == 2
    # Changing a recorded completion is refused.
    rows[2][7] = "2024-10-24 10:00"
    refused = upload(client, tenant, csv_bytes(rows), "c.csv")
    assert refused.status_code == 422
    assert refused.json["errors"]["rows"] == [
        {"row": 4, "column": "办结时间", "message": "办件IMP-3已登记办结时间，不能更改"}
    ]


@pytest.mark.parametrize(("make", "name"), [(xlsx_bytes, "坏.xlsx"), (csv_bytes, "坏.csv")])
def test_bad_cells_refuse_the_whole_file(client, clock, tenant, make, name):
    rows = good_rows(tenant)
    rows += [
        ["没有这个单位", "事项", "BAD-1", "法人", "", "2024-09-27 10:30", 5, "", "否"],
        [tenant.station.name, "", "BAD-2", "机器人", "", "昨天", -1, "", "也许"],
        [tenant.station.name, "事项", "IMP-1", "法人", "", "2024-09-27 10:30", "五", "2024-09-01 10:00", "否"],
        [tenant.agency.name, "事项", "BAD-4", "法人", "", "2024-09-27 10:30", 5, "", "否"],
    ]
    resp = upload(client, tenant, make(rows), name)
    assert resp.status_code == 422, resp.json
    assert resp.json["message"].startswith("导入文件有")
    assert "未写入任何数据" in resp.json["message"]
    errors = {(e["row"], e["column"]) for e in resp.json["errors"]["rows"]}
    assert errors == {
        (5, "办理单位"),
        (6, "事项名称"),
        (6, "申请人类型"),
        (6, "受理时间"),
        (6, "承诺办结时限（工作日）"),
        (6, "是否有中介参与"),
        (7, "办件编号"),  # the same number as row 2
        (7, "承诺办结时限（工作日）"),
        (7, "办结时间"),  # before its receipt
        (8, "办理单位"),  # the officer's station does not cover the agency
    }
    messages = {(e["row"], e["column"]): e["message"] for e in resp.json["errors"]["rows"]}
    assert messages[(5, "办理单位")] == "本局没有名为「没有这个单位」的单位"
    assert messages[(7, "办件编号")] == "办件编号与第2行重复"
    assert count_cases(client, tenant) == 0
    assert approval_problems(tenant) == 0


def test_a_completion_before_receipt_is_named(client, clock, tenant):
    rows = [[tenant.station.name, "事项", "T-1", "法人", "", "2024-09-27 10:30", 5, "2024-09-26 10:00", "否"]]
    resp = upload(client, tenant, csv_bytes(rows), "t.csv")
    assert resp.status_code == 422
    assert resp.json["errors"]["rows"] == [{"row": 2, "column": "办结时间", "message": "办结时间不能早于受理时间"}]


def test_missing_columns_are_named_on_the_header_row(client, tenant):
    resp = upload(client, tenant, csv_bytes([["x"]], header=["事项名称"]), "h.csv")
    assert resp.status_code == 422
    columns = {e["column"] for e in resp.json["errors"]["rows"] if e["row"] == 1}
    assert columns == {"办件编号", "申请人类型", "受理时间", "承诺办结时限（工作日）"}


def test_excel_dates_and_a_gb18030_csv_are_read(client, clock, tenant):
    received, completed = datetime(2024, 9, 27, 10, 30), datetime(2024, 10, 11, 9, 0)
    rows = [[tenant.station.name, "食品经营许可", "D-1", "法人", "", received, 5, completed, "否"]]
    resp = upload(client, tenant, xlsx_bytes(rows), "d.xlsx")
    assert resp.status_code == 200, resp.json
    assert resp.json["late_problems"] == 1
    gbk = csv_bytes([["", "食品经营许可", "D-2", "自然人", "", "2024/09/27 10:30", 5, "", "否"]], encoding="gb18030")
    resp = upload(client, tenant, gbk, "gbk.csv")
    assert resp.status_code == 200, resp.json
    case = client.get(f"{CASES}?q=D-2", headers=tenant.headers("officer")).json["items"][0]
    assert datetime.fromisoformat(case["received_at"]).astimezone(SHANGHAI).hour == 10


def test_the_templates_example_row_is_skipped(client, clock, tenant):
    with client.get(f"{CASES}/import-template.xlsx", headers=tenant.headers("officer")) as template:
        data = template.get_data()
    resp = upload(client, tenant, data, "template.xlsx")
    assert resp.status_code == 422
    assert resp.json["errors"]["json"]["file"] == ["文件中没有可导入的数据行"]
    csv_template = client.get(f"{CASES}/import-template.csv", headers=tenant.headers("officer")).data
    text = csv_template.decode("utf-8-sig") + f"{tenant.station.name},事项,TPL-1,法人,,2024-09-27 10:30,5,,否\n"
    resp = upload(client, tenant, text.encode("utf-8"), "template.csv")
    assert resp.status_code == 200, resp.json
    assert resp.json["created"] == 1


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "文件为空"),
        (b"%PDF-1.4 not a table", "cases.xlsx", "只接受 Excel .xlsx 或 CSV 文件（可先下载导入模板再填写）"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "cases.csv",
            "只接受 Excel .xlsx 或 CSV 文件（可先下载导入模板再填写）",
        ),
    ],
)
def test_files_that_are_not_tables_are_refused(client, tenant, data, name, message):
    resp = upload(client, tenant, data, name)
    assert resp.status_code == 422, resp.json
    assert resp.json["errors"]["json"]["file"] == [message]


def test_import_roles_tenants_and_input(client, clock, tenant, other_tenant, city):
    data = csv_bytes(good_rows(tenant))
    for role in ("reviewer", "viewer"):
        assert upload(client, tenant, data, "x.csv", role=role).status_code == 403
    no_file = client.post(
        f"{CASES}/import", data={}, headers=tenant.headers("officer"), content_type="multipart/form-data"
    )
    assert no_file.status_code == 422
    assert "file" in no_file.json["errors"]["files"]
    # Another tenant's prefix does not exist for a tenant user.
    assert upload(client, tenant, data, "x.csv", prefix=f"/tenants/{other_tenant.slug}").status_code == 404
    # A city supervisor imports into a tenant, naming the unit on every row.
    rows = good_rows(tenant)
    resp = upload(client, city, csv_bytes(rows), "city.csv", role="city_supervisor", prefix=f"/tenants/{tenant.slug}")
    assert resp.status_code == 422
    assert resp.json["errors"]["rows"] == [{"row": 4, "column": "办理单位", "message": "市局用户导入须填写办理单位"}]
    rows[2][0] = tenant.station.name
    resp = upload(client, city, csv_bytes(rows), "city.csv", role="city_supervisor", prefix=f"/tenants/{tenant.slug}")
    assert resp.status_code == 200, resp.json
    assert count_cases(client, other_tenant) == 0
