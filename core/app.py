"""The application factory."""

from __future__ import annotations

import copy
import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, jsonify, request, send_from_directory, session
from flask_smorest import abort
from jinja2 import ChoiceLoader, FileSystemLoader
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from swagger_ui_bundle import swagger_ui_path
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.middleware.proxy_fix import ProxyFix

# The composition root: every feature's API and pages are mounted here (a feature's pages module registers its
# views on the shell's page blueprint when imported), then the plugins' through their hooks.
from core.auth.api import blp as auth_blp
from core.auth.guard import authenticate, resolve_tenant
from core.checklists import pages as checklist_pages
from core.checklists.api import blp as checklists_blp
from core.cli import register_commands
from core.documents import pages as document_pages
from core.documents.api import blp as documents_blp
from core.figures import pages as figure_pages
from core.figures.api import blp as figures_blp
from core.ledger import pages as ledger_pages
from core.ledger.api import blp as ledger_blp
from core.ledger.exchange import blp as exchange_blp
from core.oversight import pages as oversight_pages
from core.oversight.api import blp as oversight_blp
from core.platform import config as config_module
from core.platform import headers, input_guard
from core.platform.api import pop_tenant_slug
from core.platform.db import db
from core.platform.errors import ServiceError
from core.platform.extensions import api, babel, bootstrap, csrf, limiter, migrate
from core.plugins import PluginRegistry, get_plugin_manager
from core.public import pages as public_pages
from core.public.api import blp as public_reports_blp
from core.public.api import public_blp
from core.tenancy.service import enabled_domains
from core.web.auth import login_manager
from core.web.blueprint import blp as web_blp
from core.web.blueprint import domain_guard, enabled_here
from tenants import pages as admin_pages
from tenants.api import blp as admin_blp

log = logging.getLogger(__name__)
API_BLUEPRINTS = (
    auth_blp,
    admin_blp,
    ledger_blp,
    exchange_blp,
    oversight_blp,
    documents_blp,
    figures_blp,
    checklists_blp,
    public_blp,
    public_reports_blp,
)
#: The modules whose page views are registered on the shell's blueprint as they are imported.
PAGE_MODULES = (
    ledger_pages, checklist_pages, figure_pages, oversight_pages, public_pages, document_pages, admin_pages,
)  # fmt: skip
MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


@migrate.configure
def _version_locations(config):
    """Alembic reads the core's revisions and every installed plugin's branch (``xingfeng_register_migrations``)."""
    registry = current_app.extensions.get("xingfeng")
    folders = [str(Path(MIGRATIONS_DIR) / "versions"), *(registry.migrations if registry else [])]
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(folders))
    return config


#: the development key `make run` keeps in the instance folder (never used where SECRET_KEY is set)
DEV_SECRET = "dev-secret-key"


class ConfigurationError(RuntimeError):
    """A setting the service cannot start without; its message is one line, in Chinese and English."""


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then the environment, then ``config``; extensions; blueprints; plugins."""
    app = Flask("xingfeng", instance_relative_config=True)
    app.config.update(copy.deepcopy(config_module.DEFAULTS))
    config_module.from_environment(app.config)
    app.config.from_prefixed_env("XINGFENG")
    if config:
        app.config.update(config)
    _default_database(app)
    if not app.config.get("EVIDENCE_FOLDER"):
        app.config["EVIDENCE_FOLDER"] = str(Path(app.instance_path) / "evidence")
    config_module.normalise(app.config)
    if not app.config["SECRET_KEY"]:
        if app.debug or app.testing or os.environ.get("XINGFENG_DEV"):
            app.config["SECRET_KEY"] = _development_secret(app)
        elif (Path(app.instance_path) / DEV_SECRET).is_file():
            # The instance `make run` made on this machine: commands run in another shell sign like its server.
            app.config["SECRET_KEY"] = (Path(app.instance_path) / DEV_SECRET).read_text().strip()
        else:
            raise ConfigurationError(
                "未设置 SECRET_KEY：请设置环境变量 SECRET_KEY（开发机可设 XINGFENG_DEV=1）/ "
                "SECRET_KEY is not set (set SECRET_KEY, or XINGFENG_DEV=1 on a development machine)"
            )
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]))
    app.json.ensure_ascii = False
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing or os.environ.get("XINGFENG_DEV"))

    db.init_app(app)
    # before every other check (CSRF, the limiter, authentication): hostile text never reaches them or the views
    input_guard.install(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, compare_type=True, render_as_batch=True)
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).resolve().parent / "web" / "translations")
    )
    babel.init_app(app, locale_selector=_locale)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    _swagger_assets(app)
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    app.url_value_preprocessor(pop_tenant_slug)
    _request_boundary(app)
    headers.install(app)
    _health(app)

    for blueprint in API_BLUEPRINTS:
        api.register_blueprint(blueprint)

    pm = get_plugin_manager()
    registry = PluginRegistry.collect(pm)
    app.extensions["xingfeng"] = registry
    _plugin_blueprints(app, registry)
    _web(app)

    register_commands(app)
    pm.hook.xingfeng_startup(app=app)
    return app


def _development_secret(app: Flask) -> str:
    """A random key kept in the instance folder, so that every gunicorn worker of `make run` signs alike."""
    if app.testing:
        return os.urandom(32).hex()
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    path = Path(app.instance_path) / DEV_SECRET
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = os.urandom(32).hex()
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key


def _locale() -> str:
    """Chinese unless the browser's session chose English."""
    return session.get("lang", "zh") if has_request_context() else "zh"


def _web(app: Flask) -> None:
    """The core's pages (one blueprint, its views in each feature's pages module) and then the plugins'."""
    login_manager.init_app(app)
    app.register_blueprint(web_blp)
    _plugin_pages(app)


def _plugin_pages(app: Flask) -> None:
    """Mount each plugin's page blueprint behind the per-unit check; show its menu entries where its domain is on."""
    registry: PluginRegistry = app.extensions["xingfeng"]
    for item in registry.pages.values():
        app.register_blueprint(item.blueprint)
    app.before_request(domain_guard({item.blueprint.name: item.domain for item in registry.pages.values()}))

    @app.context_processor
    def plugin_nav():
        if g.get("tenant") is None or not registry.pages:
            return {"plugin_nav": []}
        enabled = enabled_here()
        items = [item for item in registry.pages.values() if item.domain in enabled]
        role = getattr(g.get("user"), "role", None)
        return {"plugin_nav": [entry for item in items for entry in item.nav_for(role)]}


def _default_database(app: Flask) -> None:
    if app.config.get("SQLALCHEMY_DATABASE_URI"):
        return
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'xingfeng.sqlite3'}"


SWAGGER_FOLDER = Path(__file__).resolve().parent / "platform" / "swagger"
#: the script that starts Swagger UI, served beside its assets (flask-smorest's template runs it inline)
SWAGGER_INIT = "xingfeng-swagger-init.js"


def _swagger_assets(app: Flask) -> None:
    """Serve Swagger UI's JS and CSS from the installed package: intranets have no CDN."""
    # Our swagger_ui.html is found before flask-smorest's, which has an inline script the CSP refuses.
    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(SWAGGER_FOLDER)), app.jinja_loader])

    @app.route("/api/docs/assets/<path:filename>")
    def swagger_assets(filename: str):
        if filename == SWAGGER_INIT:
            return send_from_directory(str(SWAGGER_FOLDER), filename)
        return send_from_directory(str(swagger_ui_path), filename)


def _request_boundary(app: Flask) -> None:
    """Commit a request's work when it succeeds, roll it back otherwise; services only flush."""

    @app.after_request
    def commit_or_roll_back(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        db.session.rollback()
        body = error.payload()
        body["status"] = HTTP_STATUS_CODES.get(error.status, "")
        return jsonify(body), error.status

    @app.errorhandler(StaleDataError)
    def stale_data(error: StaleDataError):
        db.session.rollback()
        return jsonify({"code": 412, "status": "Precondition Failed", "message": "数据已被他人修改，请刷新后重试"}), 412

    @app.errorhandler(IntegrityError)
    def integrity_error(error: IntegrityError):
        db.session.rollback()
        log.info("integrity error: %s", error.orig)
        return jsonify({"code": 409, "status": "Conflict", "message": "与已有数据冲突（可能重复）"}), 409

    @app.teardown_request
    def forget_caller(exc):
        # In production each request has its own app context; tests may share one, so forget explicitly.
        for key in (
            "user",
            "token",
            "tenant",
            "unit",
            "tenant_slug",
            "ledger_caller",
            "units",
            "local_fields",
            "local_field_schemas",
            "system_caller",
            "_login_user",
            "csrf_token",
            "_flask_babel",
            "enabled_here",
        ):
            g.pop(key, None)


def _health(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz():
        """The database answers; 503 otherwise."""
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            log.warning("readiness check failed: %s", exc)
            db.session.rollback()
            return {"status": "unavailable", "message": "数据库不可用"}, 503
        return {"status": "ok"}


def _plugin_blueprints(app: Flask, registry: PluginRegistry) -> None:
    """Mount each plugin blueprint twice (tenant users, city users) behind the per-unit enablement check."""
    domain_of: dict[str, str] = {}
    for item in registry.blueprints.values():
        blueprint = item.blueprint
        city_name = f"{blueprint.name}_by_tenant"
        api.register_blueprint(blueprint, url_prefix=f"/api/v1/plugins/{item.domain}")
        api.register_blueprint(blueprint, name=city_name, url_prefix=f"/api/v1/tenants/<tenant>/plugins/{item.domain}")
        domain_of[blueprint.name] = domain_of[city_name] = item.domain

    @app.before_request
    def plugin_enabled_here():
        domain = domain_of.get(request.blueprint or "")
        if domain is None:
            return
        user = authenticate()
        resolve_tenant(user, required=True)
        # A disabled plugin's API does not exist at this unit: 404, not an empty success.
        if domain not in enabled_domains(g.get("unit")):
            abort(404, message="本单位未启用该业务插件")
