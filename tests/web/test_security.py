"""OWASP ASVS 5.0 session and header requirements on the web side (issue 14, item 6)."""

from __future__ import annotations

import pytest
from fixtures.data import PASSWORD
from test_pages import _token, log_in


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


def _cookie_values(app, client) -> tuple[str, dict]:
    """The session cookie as sent, and what it says once its signature is taken off."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value, app.session_interface.get_signing_serializer(app).loads(cookie.value)


def test_the_session_cookie_carries_no_api_token(app, client, tenant):
    from core.auth.models import ApiToken
    from core.platform.db import db

    log_in(client, "alpha.officer")
    raw, content = _cookie_values(app, client)
    assert client.get("/ledger").status_code == 200
    assert "xf_" not in raw
    assert not any(isinstance(v, str) and v.startswith("xf_") for v in content.values())
    assert set(content) <= {"sid", "csrf_token", "_permanent", "lang", "_flashes"}
    stored = db.session.scalars(db.select(ApiToken).where(ApiToken.kind == "web")).all()
    assert len(stored) == 1
    assert content["sid"] not in {t.token_hash for t in stored}  # only the id's digest is kept
    # Nothing from the cookie works as a bearer token on the API, nor does the cookie itself sign in there.
    for candidate in (raw, content["sid"], *[v for v in content.values() if isinstance(v, str)]):
        resp = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {candidate}"})
        assert resp.status_code == 401, candidate
    assert client.get("/api/v1/auth/me").status_code == 401


def test_after_logout_the_old_session_cookie_is_refused(app, client, tenant):
    log_in(client, "alpha.officer")
    raw, content = _cookie_values(app, client)
    client.post("/logout", data={"csrf_token": _token(client, "/ledger")})
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], raw)
    resp = other.get("/ledger")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app, client, tenant):
    elsewhere = app.test_client()
    log_in(elsewhere, "alpha.viewer")
    assert elsewhere.get("/ledger").status_code == 200
    api = client.post("/api/v1/auth/login", json={"username": "alpha.viewer", "password": PASSWORD}).json["token"]
    log_in(client, "alpha.viewer")
    form = {"old_password": PASSWORD, "new_password": "new-pass-22", "confirm": "new-pass-22"}
    assert client.post("/password", data={**form, "csrf_token": _token(client, "/password")}).status_code == 302
    assert client.get("/ledger").status_code == 200
    assert elsewhere.get("/ledger").status_code == 302
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {api}"}).status_code == 401


def test_a_password_change_on_the_api_ends_web_sessions(app, client, tenant):
    log_in(client, "alpha.viewer")
    api = tenant.headers("viewer")
    body = {"old_password": PASSWORD, "new_password": "new-pass-22"}
    assert client.post("/api/v1/auth/password", json=body, headers=api).status_code == 204
    assert client.get("/ledger").status_code == 302


SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@pytest.mark.parametrize("path", ["/login", "/api/docs", "/api/openapi.json", "/healthz", "/api/v1/auth/me", "/nosuch"])
def test_every_answer_carries_the_security_headers(client, path):
    resp = client.get(path)
    policy = resp.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    for name, value in SECURITY_HEADERS.items():
        assert resp.headers[name] == value


def test_signed_in_pages_and_authenticated_api_answers_are_not_stored(client, tenant):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    log_in(client, "alpha.officer")
    assert client.get("/ledger").headers["Cache-Control"] == "no-store"
    resp = client.get("/api/v1/auth/me", headers=tenant.headers("officer"))
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_a_view_keeps_its_own_stricter_policy_and_the_preview_pdf_may_be_framed_by_our_pages(app):
    from flask import Response

    from core.documents.delivery import send_pdf
    from core.platform.evidence import download_headers
    from core.platform.headers import FRAMED_BY_OUR_PAGES, secure_headers

    with app.test_request_context("/x"):
        evidence = secure_headers(Response(b"x", headers=download_headers("a.png", "image/png")))
        assert evidence.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert evidence.headers["X-Frame-Options"] == "DENY"
        from core.documents import pdf

        original = pdf.to_pdf
        pdf.to_pdf = lambda docx: b"%PDF-1.4"
        try:
            shown = secure_headers(send_pdf(b"docx", "通知.docx"))
        finally:
            pdf.to_pdf = original
        assert shown.headers["Content-Security-Policy"] == FRAMED_BY_OUR_PAGES["Content-Security-Policy"]
        assert shown.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_no_template_has_an_inline_script_handler_or_style():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = []
    for path in [*root.glob("core/**/*.html"), *root.glob("plugins/**/*.html"), *root.glob("tenants/**/*.html")]:
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\son[a-z]+\s*=", r"\sstyle\s*=", r"<style"):
            found += [f"{path.relative_to(root)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert not found, found
