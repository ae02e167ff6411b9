"""教育培训与警示教育 (issue 15, item 2): sessions with attendees and materials, roles and tenants, hours per unit and
person, who had no 警示教育, import/export, and the figures 人均培训学时 and 警示教育覆盖率."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.platform.calendar import today_in_shanghai
from core.platform.db import db, tenant_scope
from plugins.integrity.training_models import TrainingAttendance, TrainingSession

API = "/api/v1/plugins/integrity"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def days(n: int) -> str:
    return (today_in_shanghai() + timedelta(days=n)).isoformat()


def this_year_day() -> str:
    """A day of this year before today (1 January itself when today is that day)."""
    today = today_in_shanghai()
    return max(date(today.year, 1, 1), today - timedelta(days=3)).isoformat()


def staff(client, world, name, unit=None, number=None, status="active") -> int:
    data = {"name": name, "unit_id": (unit or world.station).id, "post": "综合执法", "status": status}
    if number:
        data |= {"certificate_no": number, "expires_on": days(500)}
    resp = client.post(f"{API}/staff", json=data, headers=world.headers("tenant_admin"))
    assert resp.status_code == 201, resp.json
    return resp.json["id"]


def body(world, staff_ids=(), **overrides) -> dict:
    data = {
        "unit_id": world.station.id,
        "topic": "观看警示教育片",
        "category": "warning",
        "held_on": this_year_day(),
        "hours": 2.5,
        "organiser": "县局纪检组",
        "staff_ids": list(staff_ids),
    }
    data.update(overrides)
    return data


def post(client, world, staff_ids=(), role="tenant_admin", **overrides):
    return client.post(f"{API}/training-sessions", json=body(world, staff_ids, **overrides),
                       headers=world.headers(role))  # fmt: skip


def kinds(world) -> list[str]:
    with tenant_scope(world.tenant.id):
        return list(db.session.scalars(
            select(AuditEvent.kind).where(AuditEvent.kind.like("integrity.training%")).order_by(AuditEvent.seq)
        ))  # fmt: skip


def count(world) -> int:
    with tenant_scope(world.tenant.id):
        return db.session.scalar(select(func.count(TrainingSession.id)))


def test_record_list_filter_change_delete_each_audited(client, tenant):
    a, b = staff(client, tenant, "张三", number="Z-1"), staff(client, tenant, "李四")
    made = post(client, tenant, [a, b, a])
    assert made.status_code == 201, made.json
    assert made.json["category_name"] == "警示教育"
    assert made.json["hours"] == 2.5
    assert [p["name"] for p in made.json["attendees"]] == ["张三", "李四"] or made.json["attendee_count"] == 2
    post(client, tenant, [a], topic="执法规范化培训", category="business", hours=4, organiser="")
    h = tenant.headers("viewer")
    items = client.get(f"{API}/training-sessions", headers=h).json["items"]
    assert len(items) == 2
    assert {i["organiser"] for i in items} == {"县局纪检组", tenant.station.name}  # blank: the holding unit
    business = client.get(f"{API}/training-sessions?category=business", headers=h).json["items"]
    assert [s["topic"] for s in business] == ["执法规范化培训"]
    of_b = client.get(f"{API}/training-sessions?staff_id={b}", headers=h).json["items"]
    assert [s["topic"] for s in of_b] == ["观看警示教育片"]
    last_year = client.get(f"{API}/training-sessions?year={today_in_shanghai().year - 1}", headers=h).json
    assert last_year["items"] == []
    sid = made.json["id"]
    changed = client.patch(f"{API}/training-sessions/{sid}", json={"hours": 3, "staff_ids": [b]},
                           headers=tenant.headers("officer"))  # fmt: skip
    assert changed.status_code == 200, changed.json
    assert changed.json["hours"] == 3.0
    assert [p["id"] for p in changed.json["attendees"]] == [b]
    gone = client.delete(f"{API}/training-sessions/{sid}", json={"reason": "重复登记"},
                         headers=tenant.headers("officer"))  # fmt: skip
    assert gone.status_code == 204
    assert client.get(f"{API}/training-sessions/{sid}", headers=h).status_code == 404
    assert kinds(tenant) == [
        "integrity.training_session_recorded",
        "integrity.training_session_recorded",
        "integrity.training_session_updated",
        "integrity.training_session_deleted",
    ]


def test_bad_input_names_the_field(client, tenant):
    for field, value in (("hours", 0), ("hours", 24.5), ("hours", 1.25), ("hours", "x"), ("category", "party"),
                         ("topic", ""), ("held_on", "2024-02-30"), ("unit_id", "x")):  # fmt: skip
        resp = post(client, tenant, **{field: value})
        assert resp.status_code == 422, (field, value)
        assert field in resp.json["errors"]["json"], (field, resp.json)
    resp = post(client, tenant, held_on=days(2))
    assert resp.status_code == 422
    assert "held_on" in resp.json["errors"]["json"]
    resp = post(client, tenant, [987654])
    assert resp.status_code == 422
    assert "staff_ids" in resp.json["errors"]["json"]
    assert post(client, tenant, hours=24).status_code == 201
    assert client.get(f"{API}/training-sessions?category=x", headers=tenant.headers("viewer")).status_code == 422
    assert count(tenant) == 1


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_readers_may_not_write(client, tenant, role):
    sid = post(client, tenant).json["id"]
    h = tenant.headers(role)
    assert post(client, tenant, role=role).status_code == 403
    assert client.patch(f"{API}/training-sessions/{sid}", json={"hours": 1}, headers=h).status_code == 403
    assert client.delete(f"{API}/training-sessions/{sid}", json={"reason": "x"}, headers=h).status_code == 403
    upload = client.post(f"{API}/training-sessions/{sid}/materials", data={"file": (io.BytesIO(PDF), "a.pdf")},
                         headers=h, content_type="multipart/form-data")  # fmt: skip
    assert upload.status_code == 403
    imported = client.post(f"{API}/training-sessions/import", data={"file": (io.BytesIO(b"a,b\n"), "t.csv")},
                           headers=h, content_type="multipart/form-data")  # fmt: skip
    assert imported.status_code == 403
    for path in (f"/training-sessions/{sid}", "/training-sessions", "/training-hours", "/training-gaps"):
        assert client.get(f"{API}{path}", headers=h).status_code == 200, path


def test_officer_sees_what_its_people_attended_but_changes_only_its_own(client, tenant):
    mine = staff(client, tenant, "张三")
    assert post(client, tenant, role="officer", unit_id=tenant.root.id).status_code == 403
    bureau = post(client, tenant, [mine], unit_id=tenant.root.id, topic="全局警示教育大会").json
    elsewhere = post(client, tenant, [], unit_id=tenant.root.id, topic="局机关业务培训").json
    h = tenant.headers("officer")
    topics = [s["topic"] for s in client.get(f"{API}/training-sessions", headers=h).json["items"]]
    assert topics == ["全局警示教育大会"]
    assert client.get(f"{API}/training-sessions/{elsewhere['id']}", headers=h).status_code == 404
    assert client.patch(f"{API}/training-sessions/{bureau['id']}", json={"hours": 1}, headers=h).status_code == 403
    assert post(client, tenant, [mine], role="officer", unit_id=tenant.substation.id).status_code == 201


def test_cross_tenant_is_404_on_every_endpoint(client, tenant, other_tenant):
    person = staff(client, tenant, "张三")
    sid = post(client, tenant, [person]).json["id"]
    mid = client.post(f"{API}/training-sessions/{sid}/materials", data={"file": (io.BytesIO(PDF), "课件.pdf")},
                      headers=tenant.headers("officer"), content_type="multipart/form-data").json["id"]  # fmt: skip
    h = other_tenant.headers("tenant_admin")
    assert client.get(f"{API}/training-sessions/{sid}", headers=h).status_code == 404
    assert client.patch(f"{API}/training-sessions/{sid}", json={"hours": 1}, headers=h).status_code == 404
    assert client.delete(f"{API}/training-sessions/{sid}", json={"reason": "x"}, headers=h).status_code == 404
    upload = client.post(f"{API}/training-sessions/{sid}/materials", data={"file": (io.BytesIO(PDF), "a.pdf")},
                         headers=h, content_type="multipart/form-data")  # fmt: skip
    assert upload.status_code == 404
    assert client.get(f"{API}/training-sessions/{sid}/materials/{mid}", headers=h).status_code == 404
    assert client.get(f"{API}/training-sessions", headers=h).json["items"] == []
    assert client.get(f"{API}/training-hours", headers=h).json["people"] == []
    assert client.get(f"{API}/training-gaps", headers=h).json["items"] == []
    # another tenant's people are not in this register
    resp = client.post(f"{API}/training-sessions", json=body(other_tenant, [person]), headers=h)
    assert resp.status_code == 422
    assert "staff_ids" in resp.json["errors"]["json"]
    for path in ("training-sessions/export", "training-hours/export", "training-gaps/export"):
        export = client.get(f"{API}/{path}", headers=h)
        assert export.status_code == 200
        book = load_workbook(io.BytesIO(export.data))
        assert len(list(book.worksheets[-1].values)) == 1, path
        export.close()


def test_materials_are_checked_by_content_and_downloaded_as_attachments(client, tenant):
    sid = post(client, tenant).json["id"]
    h = tenant.headers("officer")
    bad = client.post(f"{API}/training-sessions/{sid}/materials",
                      data={"file": (io.BytesIO(b"<html>hi</html>"), "a.pdf")}, headers=h,
                      content_type="multipart/form-data")  # fmt: skip
    assert bad.status_code == 422
    assert "file" in bad.json["errors"]["json"]
    made = client.post(f"{API}/training-sessions/{sid}/materials", data={"file": (io.BytesIO(PDF), "签到表.pdf")},
                       headers=h, content_type="multipart/form-data")  # fmt: skip
    assert made.status_code == 201, made.json
    assert made.json["filename"] == "签到表.pdf"
    listed = client.get(f"{API}/training-sessions/{sid}", headers=tenant.headers("viewer")).json
    assert [m["filename"] for m in listed["materials"]] == ["签到表.pdf"]
    down = client.get(f"{API}/training-sessions/{sid}/materials/{made.json['id']}", headers=tenant.headers("viewer"))
    assert down.status_code == 200
    assert down.headers["Content-Disposition"].startswith("attachment")
    assert down.data == PDF
    down.close()
    assert "integrity.training_material_added" in kinds(tenant)


# --- hours and gaps -------------------------------------------------------------------------------------------


def test_hours_per_unit_and_person_and_who_had_no_warning_education(client, tenant):
    a, b = staff(client, tenant, "张三"), staff(client, tenant, "李四")
    c = staff(client, tenant, "王五", unit=tenant.root)
    staff(client, tenant, "赵六", status="retired")
    post(client, tenant, [a, c], hours=2)
    post(client, tenant, [a, b], category="business", topic="业务培训", hours=3.5)
    post(client, tenant, [a], held_on=f"{today_in_shanghai().year - 1}-12-31", topic="去年的警示教育")
    h = tenant.headers("viewer")
    hours = client.get(f"{API}/training-hours", headers=h).json
    people = {p["name"]: p for p in hours["people"]}
    assert people["张三"]["hours"] == 5.5
    assert people["张三"]["sessions"] == 2
    assert people["张三"]["by_category"]["warning"] == 2.0
    assert people["李四"]["warning_sessions"] == 0
    units = {u["unit_id"]: u for u in hours["units"]}
    station = units[tenant.station.id]
    assert station["active_staff"] == 2  # the retired one does not count
    assert station["hours"] == 9.0
    assert station["hours_per_head"] == 4.5
    assert station["warning_covered"] == 1
    assert station["warning_coverage"] == 0.5
    assert station["sessions_held"] == 2
    assert units[tenant.root.id]["warning_coverage"] == 1.0
    assert units[tenant.agency.id]["hours_per_head"] is None
    gaps = client.get(f"{API}/training-gaps", headers=h).json
    assert [g["name"] for g in gaps["items"]] == ["李四"]
    last = client.get(f"{API}/training-gaps?year={today_in_shanghai().year - 1}", headers=h).json
    assert sorted(g["name"] for g in last["items"]) == ["李四", "王五"]
    only_root = client.get(f"{API}/training-hours?unit_id={tenant.root.id}", headers=h).json
    assert [p["name"] for p in only_root["people"]] == ["王五"]
    export = client.get(f"{API}/training-hours/export", headers=h)
    book = load_workbook(io.BytesIO(export.data))
    export.close()
    assert book.sheetnames == ["按单位", "按人员"]
    assert len(list(book["按人员"].values)) == 5
    export = client.get(f"{API}/training-gaps/export", headers=h)
    rows = list(load_workbook(io.BytesIO(export.data)).active.values)
    export.close()
    assert [r[1] for r in rows[1:]] == ["李四"]
    assert client.get(f"{API}/training-hours?year=1900", headers=h).status_code == 422


# --- import and export ----------------------------------------------------------------------------------------

HEAD = ["举办单位", "主题", "类别", "培训日期", "课时", "组织者", "参训人员", "内容摘要"]


def _xlsx(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def _import(client, world, data, name="培训.xlsx", role="tenant_admin", dry_run=False):
    return client.post(
        f"{API}/training-sessions/import",
        data={"file": (data, name), "dry_run": "true" if dry_run else "false"},
        headers=world.headers(role),
        content_type="multipart/form-data",
    )


def test_import_refuses_the_whole_file_naming_row_and_column(client, tenant):
    staff(client, tenant, "张三", number="Z-1")
    staff(client, tenant, "张三", unit=tenant.root)
    staff(client, tenant, "李四")
    station, day = tenant.station.name, this_year_day()
    rows = [
        HEAD,
        [station, "警示教育大会", "警示教育", day, 2, "", "Z-1、李四", ""],
        [station, "", "廉政教育", day, 2, "", "李四", ""],
        ["不存在的单位", "学习", "党课", "not a date", 30, "", "张三，无名氏", ""],
        [station, "警示教育大会", "警示教育", day, "1.25", "", "", ""],
    ]
    resp = _import(client, tenant, _xlsx(rows))
    assert resp.status_code == 422
    errors = {(e["row"], e["column"]) for e in resp.json["errors"]["rows"]}
    assert errors == {(3, "主题"), (4, "举办单位"), (4, "类别"), (4, "培训日期"), (4, "课时"), (4, "参训人员"),
                      (5, "课时"), (5, "主题")}  # fmt: skip
    messages = " ".join(e["message"] for e in resp.json["errors"]["rows"] if e["column"] == "参训人员")
    assert "2人名为「张三」" in messages
    assert "无名氏" in messages
    assert count(tenant) == 0
    missing = _import(client, tenant, _xlsx([HEAD[:4], [station, "a", "警示教育", day]]))
    assert missing.status_code == 422
    assert missing.json["errors"]["rows"] == [{"row": 1, "column": "课时", "message": "缺少「课时」列"}]


def test_import_csv_writes_updates_and_is_repeatable(client, tenant):
    a = staff(client, tenant, "张三", number="Z-1")
    b = staff(client, tenant, "李四")
    day = this_year_day()
    lines = [
        ",".join(HEAD),
        f'{tenant.station.code},警示教育大会,警示教育,{day},2,,"Z-1、李四",观看警示片',
        f"{tenant.station.name},执法培训,业务培训,{day},3.5,法规科,李四,",
    ]
    csv = "\n".join(lines).encode("utf-8")
    dry = _import(client, tenant, io.BytesIO(csv), "t.csv", dry_run=True)
    assert dry.json == {"created": 2, "updated": 0, "unchanged": 0, "dry_run": True}
    assert count(tenant) == 0
    done = _import(client, tenant, io.BytesIO(csv), "t.csv")
    assert done.status_code == 200, done.json
    with tenant_scope(tenant.tenant.id):
        assert sorted(db.session.scalars(select(TrainingAttendance.staff_id))) == sorted([a, b, b])
    again = _import(client, tenant, io.BytesIO(csv), "t.csv")
    assert again.json == {"created": 0, "updated": 0, "unchanged": 2, "dry_run": False}
    lines[2] = lines[2].replace(",李四,", ",李四、张三,")
    changed = _import(client, tenant, io.BytesIO("\n".join(lines).encode()), "t.csv")
    assert changed.json == {"created": 0, "updated": 1, "unchanged": 1, "dry_run": False}
    assert kinds(tenant) == ["integrity.training_sessions_imported", "integrity.training_sessions_imported"]
    # the export imports again unchanged
    export = client.get(f"{API}/training-sessions/export", headers=tenant.headers("viewer"))
    data = export.data
    export.close()
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert list(rows[0][:8]) == HEAD
    assert len(rows) == 3
    assert _import(client, tenant, io.BytesIO(data)).json["unchanged"] == 2
    officer = _import(client, tenant, io.BytesIO(csv.replace(tenant.station.code.encode(), tenant.root.code.encode())),
                      "t.csv", role="officer")  # fmt: skip
    assert officer.status_code == 422
    assert {e["row"] for e in officer.json["errors"]["rows"]} == {2}


# --- the figures ----------------------------------------------------------------------------------------------


def test_hours_per_head_and_warning_coverage_figures(client, tenant, other_tenant, app):
    from core.figures.periods import parse as parse_period

    figures = app.extensions["xingfeng"].figures
    hours, coverage = figures["integrity_training_hours"], figures["integrity_warning_coverage"]
    assert (hours.kind, coverage.kind) == ("average", "rate")
    period = parse_period(str(today_in_shanghai().year))

    def values(provider, world=tenant, by_unit=False):
        with tenant_scope(world.tenant.id):
            return provider.compute(db.session, period, [world.tenant.id], by_unit)

    tid = tenant.tenant.id
    assert values(hours) == {tid: (0, 0)}
    a, b = staff(client, tenant, "张三"), staff(client, tenant, "李四")
    c = staff(client, tenant, "王五", unit=tenant.root)
    staff(client, tenant, "赵六", status="transferred")
    post(client, tenant, [a, c], hours=2)
    post(client, tenant, [a, b], category="integrity", topic="廉政党课", hours=1.5)
    assert values(hours) == {tid: (7.0, 3)}
    assert values(coverage) == {tid: (2, 3)}
    by_unit = values(coverage, by_unit=True)
    assert by_unit[(tid, tenant.station.id)] == (1, 2)
    assert by_unit[(tid, tenant.root.id)] == (1, 1)
    assert by_unit[(tid, tenant.agency.id)] == (0, 0)
    assert values(hours, by_unit=True)[(tid, tenant.station.id)] == (5.0, 2)
    assert values(coverage, other_tenant) == {other_tenant.tenant.id: (0, 0)}
    # the domain off at the root: its people no longer count
    h = tenant.headers("tenant_admin")
    client.put(f"/api/v1/units/{tenant.root.id}/plugins/integrity", json={"enabled": False}, headers=h)
    client.put(f"/api/v1/units/{tenant.station.id}/plugins/integrity", json={"enabled": True}, headers=h)
    assert values(coverage)[tid][1] == 2
    shown = client.get(f"/api/v1/figures?period={today_in_shanghai().year}", headers=h)
    assert shown.status_code == 200, shown.json
    assert "integrity_warning_coverage" in str(shown.json)
