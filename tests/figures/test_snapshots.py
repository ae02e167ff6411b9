"""Snapshots freeze a period's figures; rankings show how each score was computed; the bulletin's table."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from core.figures import periods, ranking, snapshot
from core.figures.models import FigureSnapshot, FigureSnapshotUnit
from core.ledger.service import today_in_shanghai
from core.platform.db import db, tenant_scope

MAY = periods.parse("2024-05")


def test_ranking_puts_a_dash_last_and_explains_each_score():
    weights = {"completion_rate": 40, "on_time_rate": 40}
    labels = {"completion_rate": "整改完成率", "on_time_rate": "按期完成率"}
    rows = [
        ("a", "甲", {"completion_rate": 0.5, "on_time_rate": 0.5}),
        ("b", "乙", {"completion_rate": None, "on_time_rate": None}),  # found nothing: never first
        ("c", "丙", {"completion_rate": 1.0, "on_time_rate": 0.25}),
    ]
    ranked = ranking.rank(rows, weights, labels)
    assert [r.key for r in ranked] == ["c", "a", "b"]
    assert ranked[0].score == pytest.approx(62.5)
    assert ranked[0].explain() == "(整改完成率 100.0% × 40 + 按期完成率 25.0% × 40) ÷ 80 = 62.50"
    assert ranked[-1].missing == ["completion_rate", "on_time_rate"]
    top, bottom = ranking.commended_and_criticised(ranked, 1, 1)
    assert [r.key for r in top] == ["c"]
    assert [r.key for r in bottom] == ["b"]


def test_equal_scores_share_a_rank():
    ranked = ranking.rank(
        [(k, k, {"completion_rate": 0.5}) for k in "xyz"], {"completion_rate": 1}, {"completion_rate": "完成率"}
    )
    assert [r.rank for r in ranked] == [1, 1, 1]


def test_weights_of_figures_not_installed_are_dropped():
    assert ranking.effective_weights(None, {"completion_rate", "on_time_rate"}) == {
        "completion_rate": 40.0,
        "on_time_rate": 40.0,
    }


def _take(**options):
    taken = snapshot.take(MAY, "user:test", today_in_shanghai(), **options)
    db.session.commit()
    return taken


def test_a_snapshot_is_frozen(may, driver, tenant, other_tenant):
    taken = _take(top_n=1, bottom_n=1, document_number="行风通报〔2024〕5号")
    mine = next(r for r in taken.data["tenants"] if r["tenant_id"] == tenant.tenant.id)
    assert mine["figures"]["closed"] == 4
    assert mine["figures"]["overdue_now"] == 1
    before = (taken.data, taken.bulletin_docx, taken.figures_xlsx)
    # A later edit (G, long-term, is closed) changes the rollups, not the snapshot.
    driver.submit(may["G"])
    driver.close(may["G"])
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(FigureSnapshot, taken.id)
    assert (again.data, again.bulletin_docx, again.figures_xlsx) == before
    later = _take()
    assert next(r for r in later.data["tenants"] if r["tenant_id"] == tenant.tenant.id)["figures"]["closed"] == 5


def test_the_bulletin_has_the_ranking_table_and_the_lists(may, tenant, other_tenant):
    weights = {"completion_rate": 40, "on_time_rate": 40}  # whatever other rates are installed
    taken = _take(
        top_n=1, bottom_n=1, document_number="行风通报〔2024〕5号", requirements="一、立即整改。", weights=weights
    )
    doc = Document(io.BytesIO(taken.bulletin_docx))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "市市场监督管理局" in text
    assert "行风通报〔2024〕5号" in text
    assert "关于2024年5月\n行风建设问题整改情况的通报" in text  # one title, broken at a word
    assert "通报表彰" in text and "通报批评" in text and "（一）立即整改。" in text  # noqa: PT018
    assert "一、立即整改。" not in text  # the points under 工作要求 are the second level
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header[:3] == ["排名", "县区局", "得分"]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[1] for r in rows] == [tenant.tenant.name, other_tenant.tenant.name]
    # alpha: (66.7% × 40 + 40.0% × 40) ÷ 80 = 53.33; beta found nothing: "—" rates, ranked last.
    assert rows[0][:5] == ["1", tenant.tenant.name, "53.33", "66.7%", "40.0%"]
    assert rows[1][3:5] == ["—", "—"]
    commended = text.split("通报表彰")[1].split("通报批评")[0]
    criticised = text.split("通报批评")[1].split("工作要求")[0]
    assert tenant.tenant.name in commended
    assert other_tenant.tenant.name in criticised
    sheet = load_workbook(io.BytesIO(taken.figures_xlsx)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("排名", "县区局", "得分")
    assert values[1][1] == tenant.tenant.name
    assert "53.33" in values[1][3]


def test_units_are_ranked_within_their_tenant(may, tenant):
    from core.platform.db import tenant_scope

    taken = _take()
    with tenant_scope(tenant.tenant.id):
        rows = db.session.query(FigureSnapshotUnit).filter_by(snapshot_id=taken.id).all()
    by_unit = {r.unit_id: r for r in rows}
    assert set(by_unit) == {tenant.root.id, tenant.station.id, tenant.substation.id, tenant.agency.id}
    assert by_unit[tenant.station.id].figures["closed"] == 4
    assert by_unit[tenant.station.id].rank == 1
    assert by_unit[tenant.root.id].score is not None and by_unit[tenant.root.id].detail[0]["missing"]  # noqa: PT018


def test_snapshot_pages_and_downloads(may, tenant, other_tenant, city, web):
    client = web("city.supervisor")
    page = client.get("/city/snapshots")
    assert page.status_code == 200
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    bad = client.post("/city/snapshots", data={"period": "2024-13", "csrf_token": token})
    assert bad.status_code == 422
    assert "统计期格式" in bad.get_data(as_text=True)
    bad = client.post("/city/snapshots", data={"period": "2024-05", "w_on_time_rate": "x", "csrf_token": token})
    assert bad.status_code == 422
    made = client.post(
        "/city/snapshots",
        data={"period": "2024-05", "top_n": "1", "bottom_n": "1", "w_coverage": "0", "csrf_token": token},
    )
    assert made.status_code == 302
    detail = client.get(made.headers["Location"])
    html = detail.get_data(as_text=True)
    assert detail.status_code == 200
    assert "(整改完成率 66.7% × 40 + 按期完成率 40.0% × 40) ÷ 80 = 53.33" in html
    snapshot_id = int(made.headers["Location"].rsplit("/", 1)[1])
    docx = client.get(f"/figures/snapshots/{snapshot_id}/export.docx")
    assert docx.status_code == 200
    assert docx.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert Document(io.BytesIO(docx.data)).tables[0].rows[1].cells[1].text == tenant.tenant.name
    assert client.get(f"/figures/snapshots/{snapshot_id}/export.xlsx").status_code == 200
    assert client.get(f"/figures/snapshots/{snapshot_id}/export.txt").status_code == 404
    assert client.get("/city/snapshots/999999").status_code == 404
    # A county sees its own rank and its units; a viewer may not take a snapshot.
    county = web("alpha.viewer")
    mine = county.get(f"/figures/snapshots/{snapshot_id}")
    assert mine.status_code == 200
    assert 'data-testid="unit-ranking"' in mine.get_data(as_text=True)
    assert county.get("/figures/snapshots").status_code == 200
    assert county.post("/city/snapshots", data={"period": "2024-05"}).status_code in (400, 403)
    officer = web("alpha.officer")
    html = officer.get(f"/figures/snapshots/{snapshot_id}").get_data(as_text=True)
    assert tenant.agency.name not in html  # not the officer's unit or below
    beta = web("beta.tenant_admin")
    assert beta.get(f"/tenants/{tenant.slug}/figures/snapshots/{snapshot_id}").status_code == 404


def test_recount_and_snapshot_commands(runner, may, tenant):
    db.session.commit()  # the commands work on what was committed
    result = runner.invoke(args=["figures", "recount", "--check"])
    assert result.exit_code == 0, result.output
    assert "rollups equal a recount" in result.output
    result = runner.invoke(args=["figures", "recount", "--tenant", tenant.slug])
    assert result.exit_code == 0, result.output
    assert "recounted 7 problems" in result.output
    result = runner.invoke(args=["figures", "recount", "--tenant", "nobody"])
    assert result.exit_code != 0
    result = runner.invoke(args=["figures", "snapshot", "--period", "2024-05", "--top", "1"])
    assert result.exit_code == 0, result.output
    assert "snapshot" in result.output
    result = runner.invoke(args=["figures", "snapshot", "--period", "May"])
    assert result.exit_code != 0


def test_the_bulletin_names_the_longest_overdue_problems_two_per_county(
    app, monkeypatch, driver, tenant, other_tenant, traveller
):
    from figures.conftest import Driver

    # The city-wide reader (PostgreSQL) reads committed rows on its own connection and this test's rows are rolled
    # back, so it takes the per-county path; both run the same windowed query (snapshot._typical_rows).
    monkeypatch.setitem(app.config, "READER_DATABASE_URL", None)
    other = Driver(other_tenant, traveller)
    mine = [driver.create(days) for days in (1, 2, 3)]  # due 7, 8 and 9 May
    theirs = other.create(4)  # due 10 May
    for pid in mine:
        driver.assign(pid)
    other.assign(theirs)
    driver.travel(7)  # 13 May: all four overdue and open
    taken = _take()
    typical = taken.data["typical"]
    with tenant_scope(tenant.tenant.id):
        first_two = [driver.problem(pid).number for pid in mine[:2]]
    # two of alpha's three (the longest overdue first), then beta's one
    assert [row["number"] for row in typical[:2]] == first_two
    assert len([r for r in typical if r["tenant"] == tenant.tenant.name]) == 2
    assert [r["deadline"] for r in typical] == ["2024-05-07", "2024-05-08", "2024-05-10"]
    assert typical[-1]["tenant"] == other_tenant.tenant.name
    assert typical[0]["unit"] == tenant.station.name
