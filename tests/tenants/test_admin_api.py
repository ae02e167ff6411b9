"""The admin API: tenants, unit trees, users, liaisons and plugin switches."""

from __future__ import annotations

from core.auth.models import User
from core.platform.db import db, tenant_scope
from core.tenancy.models import Tenant, Unit


def test_city_admin_creates_a_tenant_and_builds_its_tree(client, city):
    h = city.headers("city_admin")
    resp = client.post(
        "/api/v1/tenants", json={"slug": "gamma", "name": "伽马县市场监督管理局", "code": "GM"}, headers=h
    )
    assert resp.status_code == 201, resp.json
    assert resp.json["status"] == "active"
    root = client.post(
        "/api/v1/tenants/gamma/units", json={"code": "bureau", "name": "伽马县局", "kind": "bureau"}, headers=h
    )
    assert root.status_code == 201, root.json
    second_root = client.post(
        "/api/v1/tenants/gamma/units", json={"code": "x", "name": "另一个顶层", "kind": "bureau"}, headers=h
    )
    assert second_root.status_code == 422
    assert "parent_id" in second_root.json["errors"]["json"]
    station = client.post(
        "/api/v1/tenants/gamma/units",
        json={"code": "cg", "name": "城关所", "kind": "station", "parent_id": root.json["id"]},
        headers=h,
    )
    assert station.status_code == 201
    units = client.get("/api/v1/tenants/gamma/units", headers=h).json["items"]
    assert [u["code"] for u in units] == ["bureau", "cg"]
    assert units[1]["kind_name"] == "市场监管所"
    listed = client.get("/api/v1/tenants", headers=h).json["items"]
    assert "gamma" in [t["slug"] for t in listed]


def test_rename_and_duplicate_checks(client, city, tenant):
    h = city.headers("city_admin")
    resp = client.patch("/api/v1/tenants/alpha", json={"name": "阿尔法区市场监督管理局"}, headers=h)
    assert resp.status_code == 200
    assert resp.json["name"] == "阿尔法区市场监督管理局"
    dup = client.post("/api/v1/tenants", json={"slug": "alpha", "name": "x", "code": "ZZ"}, headers=h)
    assert dup.status_code == 422
    assert "slug" in dup.json["errors"]["json"]


def test_unit_cannot_move_under_its_own_descendant(client, tenant):
    h = tenant.headers("tenant_admin")
    resp = client.patch(f"/api/v1/units/{tenant.station.id}", json={"parent_id": tenant.substation.id}, headers=h)
    assert resp.status_code == 422
    assert "parent_id" in resp.json["errors"]["json"]
    moved = client.patch(f"/api/v1/units/{tenant.substation.id}", json={"parent_id": tenant.agency.id}, headers=h)
    assert moved.status_code == 200
    assert moved.json["parent_id"] == tenant.agency.id


def test_unit_with_children_or_users_is_not_deleted(client, tenant):
    h = tenant.headers("tenant_admin")
    assert client.delete(f"/api/v1/units/{tenant.station.id}", headers=h).status_code == 409
    assert client.delete(f"/api/v1/units/{tenant.substation.id}", headers=h).status_code == 204
    assert client.get(f"/api/v1/units/{tenant.substation.id}", headers=h).status_code == 404


def test_tenant_admin_creates_users_with_tenant_roles_only(client, tenant):
    h = tenant.headers("tenant_admin")
    body = {"username": "alpha.new", "name": "新同志", "role": "officer", "unit_id": tenant.station.id}
    resp = client.post("/api/v1/users", json={**body, "password": "good-pass-9", "is_liaison": True}, headers=h)
    assert resp.status_code == 201, resp.json
    assert resp.json["is_liaison"] is True
    assert resp.json["has_password"] is True
    assert "password" not in resp.json
    city_role = client.post("/api/v1/users", json={**body, "username": "alpha.boss", "role": "city_admin"}, headers=h)
    assert city_role.status_code == 422
    assert "role" in city_role.json["errors"]["json"]
    login = client.post("/api/v1/auth/login", json={"username": "alpha.new", "password": "good-pass-9"})
    assert login.status_code == 200


def test_user_needs_a_unit_of_its_own_tenant(client, tenant, other_tenant):
    h = tenant.headers("tenant_admin")
    body = {"username": "alpha.x", "name": "某某", "role": "officer", "unit_id": other_tenant.station.id}
    resp = client.post("/api/v1/users", json=body, headers=h)
    assert resp.status_code == 422
    assert resp.json["errors"]["json"]["unit_id"] == ["单位不存在"]


def test_city_admin_marks_a_liaison(client, city, tenant):
    officer = tenant.users["officer"]
    resp = client.patch(
        f"/api/v1/tenants/alpha/users/{officer.id}", json={"is_liaison": True}, headers=city.headers("city_admin")
    )
    assert resp.status_code == 200
    assert db.session.get(User, officer.id).is_liaison is True


def test_city_users_are_managed_by_the_city_admin(client, city):
    h = city.headers("city_admin")
    resp = client.post(
        "/api/v1/city-users",
        json={"username": "city.sup2", "name": "督查二", "role": "city_supervisor", "password": "good-pass-9"},
        headers=h,
    )
    assert resp.status_code == 201, resp.json
    tenant_role = client.post(
        "/api/v1/city-users", json={"username": "city.x", "name": "x", "role": "officer"}, headers=h
    )
    assert tenant_role.status_code == 422


def test_plugins_inherit_from_the_tenant_and_units_override(client, city, tenant):
    h_city = city.headers("city_admin")
    h_admin = tenant.headers("tenant_admin")

    def state(unit, domain):
        overview = client.get("/api/v1/plugins", headers=h_admin).json
        row = next(u for u in overview["units"] if u["unit_id"] == unit.id)
        return next(d for d in row["domains"] if d["domain"] == domain)

    assert state(tenant.substation, "enforcement")["enabled"] is True
    resp = client.put(
        f"/api/v1/units/{tenant.station.id}/plugins/enforcement", json={"enabled": False}, headers=h_admin
    )
    assert resp.status_code == 204
    # The override at the station reaches the unit below it, not its sibling.
    assert state(tenant.substation, "enforcement") == {
        "domain": "enforcement",
        "enabled": False,
        "source": tenant.station.id,
    }
    assert state(tenant.agency, "enforcement")["enabled"] is True
    # The city switches the domain off for the whole tenant; a unit cannot switch it back on.
    assert (
        client.put("/api/v1/tenants/alpha/plugins/approval", json={"enabled": False}, headers=h_city).status_code == 204
    )
    assert state(tenant.root, "approval")["enabled"] is False
    refused = client.put(f"/api/v1/units/{tenant.agency.id}/plugins/approval", json={"enabled": True}, headers=h_admin)
    assert refused.status_code == 409
    # null removes the override.
    client.put(f"/api/v1/units/{tenant.station.id}/plugins/enforcement", json={"enabled": None}, headers=h_admin)
    assert state(tenant.substation, "enforcement")["source"] == "tenant"
    unknown = client.put("/api/v1/tenants/alpha/plugins/astrology", json={"enabled": True}, headers=h_city)
    assert unknown.status_code == 404


def test_domains_endpoint_offers_only_what_the_unit_has(client, tenant):
    h = tenant.headers("tenant_admin")
    client.put(f"/api/v1/units/{tenant.station.id}/plugins/supervision", json={"enabled": False}, headers=h)
    at_station = {d["slug"] for d in client.get("/api/v1/domains", headers=tenant.headers("officer")).json["items"]}
    at_root = client.get("/api/v1/domains", headers=h).json["items"]
    assert "supervision" not in at_station
    assert "general" in at_station
    supervision = next(d for d in at_root if d["slug"] == "supervision")
    assert any(f["code"] == "credit_code" and f["label"] == "统一社会信用代码" for f in supervision["fields"])
    assert any(c["name"] == "乱收费" for c in supervision["categories"])


def test_scoped_session_sees_one_tenant(db, tenant, other_tenant):
    with tenant_scope(tenant.tenant.id):
        codes = {u.tenant_id for u in db.session.scalars(db.select(Unit))}
    assert codes == {tenant.tenant.id}
    with tenant_scope(None):
        assert db.session.scalars(db.select(Unit)).all() == []
    assert db.session.get(Tenant, other_tenant.tenant.id) is not None  # platform table, not scoped
