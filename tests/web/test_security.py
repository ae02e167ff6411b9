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

