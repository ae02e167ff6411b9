"""Browser fixtures for the paid-services pages: the demo city of tests/web/conftest.py with a registry of agencies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from web.conftest import browser, demo_server, page, pytest_runtest_makereport  # noqa: F401 - shared fixtures


def _seed(client, login) -> None:
    """Three agencies (certificate expired, expiring, valid) with services and a clean fee, through the API."""
    from paid_services_helpers import SERVICES, uscc

    from core.platform.calendar import today_in_shanghai

    h = login("lj.admin")
    units = client.get("/api/v1/units", headers=h).json["items"]
    agency_unit = next(u for u in units if u["code"] == "LJ-JCZX")["id"]
    today = today_in_shanghai()
    api = "/api/v1/plugins/paid_services"
    for serial, name, offset in ((1, "临江区食品药品检验检测中心", 400), (2, "临江区计量检定所", 10),
                                 (3, "临江区特种设备检验站", -20)):  # fmt: skip
        resp = client.post(
            f"{api}/agencies",
            json={"name": name, "kind": "testing_agency", "credit_code": uscc(serial), "cma_number": f"CMA-{serial}",
                  "cma_expires_on": (today + timedelta(days=offset)).isoformat(), "unit_id": agency_unit},
            headers=h,
        )  # fmt: skip
        assert resp.status_code == 201, resp.json
        if serial == 1:
            service = client.post(f"{api}/agencies/{resp.json['id']}/services", json=SERVICES["clean"], headers=h)
            assert service.status_code == 201, service.json
            fee = client.post(
                f"{api}/fee-records",
                json={"service_id": service.json["id"], "receipt_no": "LJ-0001", "client": "滨江农贸市场",
                      "charged_on": today.isoformat(), "amount": "300"},
                headers=h,
            )  # fmt: skip
            assert fee.status_code == 201, fee.json


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The demo city with three agencies (certificate expired, expiring, valid), their services and a clean fee."""
    with demo_server(tmp_path_factory, "paid-live", _seed) as url:
        yield url
