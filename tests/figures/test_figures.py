"""Every figure on a hand-computed ledger, its list, zero denominators, and who sees what."""

from __future__ import annotations

import re

import pytest

from core.figures import periods, service
from core.ledger.service import today_in_shanghai
from core.platform.db import db, tenant_scope

MAY = periods.parse("2024-05")


EXPECTED = {
    "found": 7,
    "closed": 4,
    "dismissed": 1,
    "merged": 0,
    "ongoing": 1,
    "returned": 1,
    "repeats": 0,
    "completion_rate": 4 / 6,
    "due": 5,
    "due_on_time": 2,
    "on_time_rate": 2 / 5,
    "overdue_now": 1,
    "avg_close_days": (0 + 6 + 6 + 6) / 4,
    "median_close_days": 6.0,
}


def test_every_figure_on_a_hand_computed_ledger(may, tenant):
    today = today_in_shanghai()
    with tenant_scope(tenant.tenant.id):
        fine = service.total(service.by_dimensions(MAY, today, ("unit_id",)).values()).figures()
    coarse = service.by_tenant(MAY, today, [tenant.tenant.id])[tenant.tenant.id].figures()
    for name, value in EXPECTED.items():
        assert fine[name] == pytest.approx(value), name
        assert coarse[name] == pytest.approx(value), name


def test_a_problem_closed_in_the_ledger_as_on_time_can_still_be_late(may, tenant):
    """D's deadline in force is 31 May, but the extension came after 8 May: the ledger says on time, figures late."""
    with tenant_scope(tenant.tenant.id):
        from core.ledger.models import Problem

        d = db.session.get(Problem, may["D"])
        assert d.closed_late is False
        late = service.drill("due", MAY, today_in_shanghai())
        on_time = service.drill("due_on_time", MAY, today_in_shanghai())
    assert d.id in {p.id for p in late} - {p.id for p in on_time}


def test_every_figure_equals_the_length_of_its_list(may, tenant):
    today = today_in_shanghai()
    checked = 0
    with tenant_scope(tenant.tenant.id):
        for by in service.DIMENSIONS:
            groups = service.by_dimensions(MAY, today, (by,))
            for key, sums in groups.items():
                figures = sums.figures()
                for name in service.DRILLABLE:
                    listed = service.drill(name, MAY, today, filters={by: key[0]})
                    assert len(listed) == figures[name], (by, key, name)
                    checked += 1
        total = service.total(service.by_dimensions(MAY, today, ()).values()).figures()
        for name in service.DRILLABLE:
            assert len(service.drill(name, MAY, today)) == total[name], name
    assert checked >= 40


def test_the_page_links_each_figure_to_its_list_of_that_length(may, tenant, web):
    client = web("alpha.tenant_admin")
    page = client.get("/figures?period=2024-05")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    links = re.findall(r'<a href="(/figures/problems\?[^"]+)">(\d+)</a>', html)
    assert len(links) >= 18  # every non-zero count of the page (a zero is not a link)
    for href, shown in links:
        listed = client.get(href.replace("&amp;", "&"))
        assert listed.status_code == 200, href
        count = re.search(r'data-testid="drill-count">[^<]*?(\d+)', listed.get_data(as_text=True))
        assert int(count.group(1)) == int(shown), href


def test_zero_denominators_show_a_dash_never_100_percent(db, tenant):
    today = today_in_shanghai()
    figures = service.by_tenant(MAY, today, [tenant.tenant.id])[tenant.tenant.id].figures()
    assert figures["completion_rate"] is None
    assert figures["on_time_rate"] is None
    assert figures["avg_close_days"] is None
    assert figures["median_close_days"] is None
    assert service.show(figures["completion_rate"], "rate") == "—"


def test_median_of_a_histogram():
    assert service.median({}) is None
    assert service.median({3: 1}) == 3
    assert service.median({1: 1, 5: 1}) == 3
    assert service.median({1: 2, 9: 1}) == 1
    assert service.median({0: 1, 6: 3}) == 6


@pytest.mark.parametrize(
    ("code", "first", "last"),
    [
        ("2024-05", 202405, 202405),
        ("2024Q2", 202404, 202406),
        ("2024", 202401, 202412),
        ("2023-11..2024-02", 202311, 202402),
    ],
)
def test_periods(code, first, last):
    period = periods.parse(code)
    assert (period.first, period.last) == (first, last)


@pytest.mark.parametrize("code", ["", "2024-13", "2024Q5", "24", "2024-05..2024-01", "phase:nope"])
def test_bad_period_names_the_field(code):
    from core.platform.errors import FieldError

    with pytest.raises(FieldError) as caught:
        periods.parse(code, [])
    assert "period" in caught.value.fields


# --- who sees what -------------------------------------------------------------------------------------------


def _rows(client, url="/figures?period=2024-05"):
    resp = client.get(url)
    return resp, re.findall(r'<tr data-key="(\d+)">', resp.get_data(as_text=True))


def test_an_officer_sees_its_unit_and_below(may, tenant, web):
    client = web("alpha.officer")
    resp, rows = _rows(client)
    assert resp.status_code == 200
    assert set(map(int, rows)) == {tenant.station.id, tenant.substation.id}
    resp = client.get(f"/figures/problems?figure=found&period=2024-05&unit_id={tenant.agency.id}")
    assert resp.status_code == 404


@pytest.mark.parametrize("role", ["tenant_admin", "reviewer", "viewer"])
def test_county_roles_see_the_whole_tenant(may, tenant, role, web):
    resp, rows = _rows(web(f"alpha.{role}"))
    assert resp.status_code == 200
    assert set(map(int, rows)) == {tenant.root.id, tenant.station.id, tenant.substation.id, tenant.agency.id}


def test_a_county_cannot_read_another_county(may, tenant, other_tenant, web):
    for role in ("tenant_admin", "officer", "viewer"):
        client = web(f"beta.{role}")
        assert client.get(f"/tenants/{tenant.slug}/figures").status_code == 404
        assert client.get(f"/tenants/{tenant.slug}/figures/problems?figure=found").status_code == 404
        assert client.get("/city/figures").status_code == 403
        assert client.get("/city/snapshots").status_code == 403


@pytest.mark.parametrize("role", ["city_admin", "city_supervisor"])
def test_city_roles_see_every_tenant_side_by_side(may, tenant, other_tenant, city, role, web):
    client = web(role.replace("_", "."))
    resp = client.get("/city/figures?period=2024-05")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert f'data-key="{tenant.slug}"' in html
    assert f'data-key="{other_tenant.slug}"' in html
    assert html.count("<svg") >= 4
    assert 'data-testid="chart-table"' in html
    # The county with nothing found shows a dash, not 100%.
    row = html.split(f'data-key="{other_tenant.slug}"')[1].split("</tr>")[0]
    assert "—" in row
    assert "100.0%" not in row
    resp = client.get(f"/tenants/{tenant.slug}/figures?period=2024-05")
    assert resp.status_code == 200
    assert f'data-key="{tenant.station.id}"' in resp.get_data(as_text=True)


def test_bad_input_names_the_field(tenant, web):
    client = web("alpha.tenant_admin")
    for url in ("/figures?period=2024-13", "/figures/problems?figure=nonsense", "/figures?by=colour"):
        resp = client.get(url)
        assert resp.status_code == 422, url
