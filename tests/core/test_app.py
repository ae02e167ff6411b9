"""Health, readiness, the OpenAPI document and Swagger UI served without the internet."""

from __future__ import annotations

import re

from sqlalchemy.exc import OperationalError

from core.app import create_app
from core.platform.config import database_url


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_ok_and_503_when_the_database_is_down(client, monkeypatch):
    assert client.get("/readyz").status_code == 200
    from core.platform.db import db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json["status"] == "unavailable"


def test_openapi_covers_every_api_route(app, client):
    spec = client.get("/api/openapi.json").json
    documented = set()
    for path, ops in spec["paths"].items():
        for method in ops:
            if method in {"get", "post", "put", "patch", "delete"}:
                documented.add((method.upper(), re.sub(r"\{[^}]+\}", "{}", path)))
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?[^>]+>", "{}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, path) not in documented:
                missing.append(f"{method} {rule.rule}")
    assert not missing, missing
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_swagger_ui_and_its_assets_are_served_locally(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "http://" not in html
    assert "https://" not in html
    for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert asset.startswith("/api/docs/assets/"), asset
        with client.get(asset) as resp:
            assert resp.status_code == 200, asset


def test_postgres_urls_use_psycopg2():
    assert database_url("postgres://u@h/d") == "postgresql+psycopg2://u@h/d"
    assert database_url("postgresql://u@h/d") == "postgresql+psycopg2://u@h/d"
    assert database_url("sqlite:///x") == "sqlite:///x"


def test_config_order_defaults_environment_override(monkeypatch, tmp_path):
    monkeypatch.setenv("XINGFENG_TOKEN_TTL_SECONDS", "60")
    monkeypatch.setenv("XINGFENG_LOGIN_LIMIT_PER_ADDRESS", "7 per minute")
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOGIN_LIMIT_PER_ADDRESS": "9 per minute", "TESTING": True})
    assert app.config["TOKEN_TTL_SECONDS"] == 60
    assert app.config["LOGIN_LIMIT_PER_ADDRESS"] == "9 per minute"
    assert app.config["PASSWORD_TIME_COST"] == 3


def test_development_key_is_shared_by_every_worker(monkeypatch, tmp_path):
    """`make run` starts several gunicorn workers without SECRET_KEY: they must sign sessions with one key."""
    monkeypatch.setenv("XINGFENG_DEV", "1")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    first = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": None})
    second = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": None})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
