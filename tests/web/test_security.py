"""OWASP ASVS 5.0 session and header requirements on the web side (issue 14, item 6)."""

from __future__ import annotations

import pytest
from fixtures.data import PASSWORD
from test_pages import _token


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example",
        "/%09/evil.example",
        "/\n/evil.example",
        "/%0a/evil.example",
        "/\\evil.example",
        "/%5Cevil.example",
        "\\\\evil.example",
        "%2F%2Fevil.example",
        "/%2F%2Fevil.example",
        "/%2f/evil.example",
        "//evil.example",
        "///evil.example",
        "/ /evil.example",
        "https://evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "evil.example",
        "/\u3000/evil.example",
    ],
)
def test_next_after_login_refuses_anything_but_a_path_of_this_site(client, tenant, target):
    resp = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "alpha.officer", "password": PASSWORD, "csrf_token": _token(client)},
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/ledger", "/ledger?light=red", "/tenants/alpha/ledger?q=%E4%B8%AD%20x"])
def test_next_after_login_keeps_a_path_of_this_site(client, tenant, target):
    resp = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "alpha.officer", "password": PASSWORD, "csrf_token": _token(client)},
    )
    assert resp.headers["Location"] == target


def test_the_language_switch_refuses_an_offsite_next(client):
    resp = client.post("/lang/en", data={"next": "/%09/evil.example", "csrf_token": _token(client)})
    assert resp.headers["Location"] == "/"


def _api_login(client, username, password):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def _page_login(client, username, password):
    return client.post("/login", data={"username": username, "password": password, "csrf_token": _token(client)})


def test_page_and_api_share_one_login_limit_per_account(make_app, db, tenant):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="3 per minute", LOGIN_LIMIT_PER_ADDRESS="50 per minute")
    client = app.test_client()
    assert _page_login(client, "alpha.officer", PASSWORD).status_code == 302  # a success does not count
    client.post("/logout", data={"csrf_token": _token(client, "/ledger")})
    # The account is named differently each time: the limit counts it as it is looked up.
    assert _page_login(client, "alpha.officer", "wrong-pass-1").status_code == 401
    assert _api_login(client, " Alpha.Officer", "wrong-pass-1").status_code == 401
    assert _page_login(client, "ALPHA.OFFICER ", "wrong-pass-1").status_code == 401
    api = _api_login(client, "alpha.officer", PASSWORD)
    assert api.status_code == 429
    assert api.is_json
    page = _page_login(client, "alpha.officer", PASSWORD)
    assert page.status_code == 429
    assert "操作过于频繁，请稍后再试" in page.get_data(as_text=True)
    assert _page_login(client, "alpha.viewer", PASSWORD).status_code == 302  # other accounts are still let in


def test_page_and_api_share_one_login_limit_per_address(make_app, db, tenant):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="50 per minute", LOGIN_LIMIT_PER_ADDRESS="4 per minute")
    client = app.test_client()
    for n, attempt in enumerate((_api_login, _page_login, _api_login, _page_login)):
        assert attempt(client, f"nobody{n}", "wrong-pass-1").status_code == 401
    assert _api_login(client, "alpha.officer", PASSWORD).status_code == 429
    page = _page_login(client, "alpha.viewer", PASSWORD)
    assert page.status_code == 429
    assert "操作过于频繁" in page.get_data(as_text=True)
    elsewhere = client.post(
        "/api/v1/auth/login",
        json={"username": "alpha.officer", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert elsewhere.status_code == 200

