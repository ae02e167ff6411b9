"""The web pages' blueprint, with CSRF on every form and errors rendered as pages."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from core.platform.errors import ServiceError
from core.platform.extensions import csrf

blp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/web/static")

PAGE_ERRORS = {
    400: "请求有误",
    403: "当前角色无权查看此页面",
    404: "未找到该页面或对象",
    405: "不支持该操作",
    409: "与当前状态冲突",
    413: "上传内容过大",
    429: "操作过于频繁，请稍后再试",
}


@blp.before_request
def _protect_forms():
    # The JSON API authenticates with bearer tokens and needs no CSRF token; every page form does.
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


@blp.app_template_global()
def lang_switch_target() -> str:
    return request.full_path.rstrip("?")


@blp.app_template_global()
def get_locale() -> str:
    from flask_babel import get_locale as babel_locale

    return str(babel_locale() or "zh")


def page_error(error: HTTPException):
    message = _(PAGE_ERRORS.get(error.code, "出错了"))
    return render_template("web/error.html", code=error.code, message=message), error.code


def flash_refusal(error: ServiceError) -> None:
    """Tell the user on the next page why a service refused, and undo whatever the request had begun."""
    from flask import flash

    from core.platform.db import db

    db.session.rollback()
    details = "；".join("、".join(v) for v in error.fields.values())
    flash(f"{error.message}（{details}）" if details else error.message, "danger")


def service_error_page(error: ServiceError):
    from core.platform.db import db

    db.session.rollback()
    return render_template("web/error.html", code=error.status, message=error.message), error.status


blp.register_error_handler(HTTPException, page_error)
blp.register_error_handler(ServiceError, service_error_page)
