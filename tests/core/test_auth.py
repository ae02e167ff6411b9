"""Login, tokens, expiry, revocation, suspension and the login rate limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from fixtures.data import PASSWORD

from core.auth.models import ApiToken
from core.platform.db import db, utcnow


def login(client, username, password=PASSWORD, **kw):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password}, **kw)


def test_login_returns_an_opaque_token_stored_hashed(client, tenant):
    resp = login(client, "alpha.officer")
    assert resp.status_code == 200, resp.json
    token = resp.json["token"]
    assert resp.json["token_type"] == "Bearer"
    assert resp.json["user"]["tenant"]["slug"] == "alpha"
    assert resp.json["user"]["unit"]["name"] == "alpha 城关所"
    stored = db.session.scalars(db.select(ApiToken.token_hash)).all()
    assert token not in stored
    assert all(len(h) == 64 for h in stored)
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json["username"] == "alpha.officer"
    assert me.json["unit"]["name"] == "alpha 城关所"


def test_password_is_hashed_with_argon2id(tenant):
    assert tenant.users["officer"].password_hash.startswith("$argon2id$")


def test_wrong_password_and_unknown_user_get_the_same_401(client, tenant):
    wrong = login(client, "alpha.officer", "not-the-password1")
    unknown = login(client, "nobody.here", "not-the-password1")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json
    assert wrong.json["message"]


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "no header"),
        ({"Authorization": "Bearer xf_not-a-real-token"}, "unknown token"),
        ({"Authorization": "Basic abc"}, "wrong scheme"),
    ],
)
def test_bad_credentials_get_401_json(client, tenant, headers, why):
    resp = client.get("/api/v1/auth/me", headers=headers)
    assert resp.status_code == 401, why
    assert resp.is_json
    assert resp.json["code"] == 401
    assert resp.headers["WWW-Authenticate"] == "Bearer"


def test_expired_token_gets_401(client, tenant):
    headers = tenant.headers("officer")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    with time_machine.travel(utcnow() + timedelta(hours=13), tick=False):
        resp = client.get("/api/v1/auth/me", headers=headers)
    assert resp.status_code == 401
    assert resp.json["code"] == 401


def test_logout_revokes_the_token(client, tenant):
    headers = tenant.headers("officer")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_suspended_tenant_cannot_log_in_and_its_tokens_stop(client, tenant, city):
    headers = tenant.headers("officer")
    resp = client.patch("/api/v1/tenants/alpha", json={"status": "suspended"}, headers=city.headers("city_admin"))
    assert resp.status_code == 200, resp.json
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert login(client, "alpha.officer").status_code == 401
    client.patch("/api/v1/tenants/alpha", json={"status": "active"}, headers=city.headers("city_admin"))
    # Reactivated, the users log in again; tokens from before the suspension stay dead.
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert login(client, "alpha.officer").status_code == 200


def test_deactivated_user_loses_tokens(client, tenant):
    officer = tenant.users["officer"]
    headers = tenant.headers("officer")
    resp = client.patch(f"/api/v1/users/{officer.id}", json={"active": False}, headers=tenant.headers("tenant_admin"))
    assert resp.status_code == 200, resp.json
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert login(client, "alpha.officer").status_code == 401


def test_password_change_needs_the_old_one_and_a_strong_new_one(client, tenant):
    headers = tenant.headers("viewer")
    bad_old = client.post(
        "/api/v1/auth/password", json={"old_password": "x", "new_password": "abc12345"}, headers=headers
    )
    assert bad_old.status_code == 422
    assert "old_password" in bad_old.json["errors"]["json"]
    weak = client.post(
        "/api/v1/auth/password", json={"old_password": PASSWORD, "new_password": "12345678"}, headers=headers
    )
    assert weak.status_code == 422
    assert "new_password" in weak.json["errors"]["json"]
    ok = client.post(
        "/api/v1/auth/password",
        json={"old_password": PASSWORD, "new_password": "brand-new-2"},
        headers=headers,
    )
    assert ok.status_code == 204
    assert login(client, "alpha.viewer", "brand-new-2").status_code == 200
    assert login(client, "alpha.viewer").status_code == 401


def test_login_body_is_validated(client, tenant):
    resp = client.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    assert resp.status_code == 400
    assert resp.json["errors"]["json"]
    resp = client.post("/api/v1/auth/login", json={"username": "alpha.officer"})
    assert resp.status_code == 422
    assert resp.json["errors"]["json"]["password"] == ["必填"]


def _limited_app(make_app, storage: str):
    return make_app(
        RATELIMIT_STORAGE_URI=storage,
        LOGIN_LIMIT_PER_ACCOUNT="3 per minute",
        LOGIN_LIMIT_PER_ADDRESS="5 per minute",
    )


def _storages():
    import os

    out = ["memory://"]
    if os.environ.get("REDIS_URL"):
        out.append(os.environ["REDIS_URL"])
    return out


@pytest.mark.parametrize("storage", _storages())
def test_login_is_rate_limited_per_account(make_app, db, tenant, storage):
    app = _limited_app(make_app, storage)
    client = app.test_client()
    assert login(client, "alpha.officer").status_code == 200  # a success does not count against the account
    codes = [login(client, "alpha.officer", "wrong-pass-1").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    other = login(client, "alpha.viewer")
    assert other.status_code == 200  # another account from the same address is still let in
    resp = login(client, "alpha.officer")
    assert resp.status_code == 429
    assert resp.is_json


@pytest.mark.parametrize("storage", _storages())
def test_login_is_rate_limited_per_address(make_app, db, tenant, storage):
    app = _limited_app(make_app, storage)
    client = app.test_client()
    names = ["a.one", "b.two", "c.three", "d.four", "e.five", "f.six"]
    codes = [login(client, n, "wrong-pass-1").status_code for n in names]
    assert codes == [401, 401, 401, 401, 401, 429]
    elsewhere = login(client, "alpha.officer", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert elsewhere.status_code == 200
