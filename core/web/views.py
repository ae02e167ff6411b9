"""The pages: home and the ledger list (more pages arrive with the later capabilities)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import g, redirect, render_template, request, url_for
from marshmallow import ValidationError

from core.ledger import query as ledger_query
from core.ledger import service
from core.ledger.models import LIGHTS, STATUSES
from core.ledger.schemas import PageQuerySchema
from core.ledger.views import LIST_COLUMNS, READERS, Presenter
from core.web.auth import page
from core.web.blueprint import blp

LIGHT_CLASSES = {"red": "danger", "yellow": "warning", "green": "success"}


@blp.route("/")
@page(tenant=False)
def home():
    """Where a user lands: a tenant user's ledger; for city users, the tenants to choose from."""
    if g.user.is_city:
        from sqlalchemy import select

        from core.db import db
        from core.tenancy.models import Tenant

        tenants = db.session.scalars(select(Tenant).order_by(Tenant.id)).all()
        return render_template("web/city_home.html", tenants=tenants)
    return redirect(url_for("web.ledger"))


def _ledger():
    """The unit's ledger: lights, the filters, counts by status and light; keyset pages as the API's."""
    args = {k: v for k, v in request.args.lists() if v and v != [""]}
    single = {"unit_id", "q", "sort", "limit", "cursor", "deadline_from", "deadline_to", "responsible_person"}
    raw = {k: (v[0] if k in single else v) for k, v in args.items()}
    errors = {}
    try:
        filters = PageQuerySchema().load(raw)
    except ValidationError as exc:
        errors = exc.messages
        filters = PageQuerySchema().load({})
    caller = service.Caller.current()
    today = service.today_in_shanghai()
    window = ledger_query.light_window(caller, today)
    rows, cursor = ledger_query.page(
        caller, filters, window, filters["sort"], filters["limit"], filters.get("cursor"), LIST_COLUMNS
    )
    presenter = Presenter(caller, today)
    counts = ledger_query.counts(caller, filters, window)
    return render_template(
        "web/ledger.html",
        problems=[presenter(r) for r in rows],
        next_cursor=cursor,
        counts=counts,
        filters=filters,
        errors=errors,
        statuses=STATUSES,
        lights=LIGHTS,
        light_classes=LIGHT_CLASSES,
        units=caller.units,
        next_query=urlencode(
            [(k, v) for k, values in args.items() if k != "cursor" for v in values] + [("cursor", cursor or "")]
        ),
    )


@blp.route("/ledger")
@page(*READERS)
def ledger():
    return _ledger()


@blp.route("/tenants/<tenant>/ledger")
@page(*READERS)
def ledger_by_tenant():
    return _ledger()
