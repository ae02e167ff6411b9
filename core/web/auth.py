"""Web sessions: a login form, a server-side session, logout and password change.

The session cookie (signed, HttpOnly, SameSite, Secure outside development) carries only a random session id; the
server keeps its SHA-256 as a token of kind "web", which the API never accepts as a bearer token. A suspended
tenant, a deactivated user, a password change or logout ends the web session exactly as it ends the API's tokens:
both go through ``core.auth.service``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user

from core.auth import service
from core.auth.models import ROLE_NAMES, User
from core.auth.throttle import limit_logins
from core.platform.db import db
from core.web.blueprint import blp, page
from core.web.forms import LoginForm, PasswordForm

login_manager = LoginManager()
login_manager.login_view = "web.login"
login_manager.login_message = None


class WebUser(UserMixin):
    """The logged-in user as Flask-Login sees it, wrapping our User."""

    def __init__(self, user: User):
        self.user = user
        self.id = str(user.id)

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.user.role]


@login_manager.user_loader
def _no_user_id(_user_id: str) -> None:
    # Sessions carry a server-side session id, not a user id (see _load_from_session); a bare id never logs anyone in.
    return None


@login_manager.request_loader
def _load_from_session(_request) -> WebUser | None:
    session_id = session.get("sid")
    if not isinstance(session_id, str) or not session_id:
        return None
    found = service.user_for_web_session(session_id)
    if found is None:
        session.pop("sid", None)
        return None
    g.user, g.token = found
    return WebUser(found[0])


#: control characters and the backslash: browsers drop or rewrite them in a Location ("/\evil" -> "//evil")
_CONTROL_OR_BACKSLASH = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")


def _has_unsafe_chars(text: str) -> bool:
    return bool(_CONTROL_OR_BACKSLASH.search(text)) or any(c.isspace() for c in text)


def is_same_site_path(target: str | None) -> bool:
    """Whether ``target`` is a path of this site, as given and once percent-decoded (open-redirect tricks refused)."""
    if not target or _has_unsafe_chars(target):
        return False
    decoded = unquote(target)
    # A decoded query may hold a searched-for space; the path may not, and nothing may hold a control or backslash.
    if _CONTROL_OR_BACKSLASH.search(decoded) or _has_unsafe_chars(decoded.split("?", 1)[0]):
        return False
    for candidate in (target, decoded):
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc or not candidate.startswith("/") or candidate.startswith("//"):
            return False
    return True


def _safe_next(target: str | None) -> str:
    # Only paths of this site: an open redirect would let a link send a freshly logged-in user elsewhere.
    return target if is_same_site_path(target) else url_for("web.home")


@blp.route("/login", methods=["GET", "POST"])
@limit_logins
def login():
    """The login page."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = service.user_by_username(form.username.data)
        if not service.verify_password(user, form.password.data):
            error = _("用户名或密码错误")
        elif not service.may_log_in(user):
            error = _("账户已停用，或所在单位已暂停使用")
        else:
            session_id, _record = service.issue_web_session(user)
            db.session.commit()
            # A new id at every login: a session id planted before it (fixation) is worth nothing.
            session.clear()
            session["sid"] = session_id
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
    return render_template("web/login.html", form=form, error=error), 401 if error else 200


@blp.route("/logout", methods=["POST"])
def logout():
    """End the session and revoke its token."""
    if current_user.is_authenticated:
        service.revoke_token(g.token)
        db.session.commit()
    session.clear()
    flash(_("已退出登录"), "info")
    return redirect(url_for("web.login"))


@blp.route("/password", methods=["GET", "POST"])
@page(tenant=False)
def password():
    """Change one's own password; other sessions and tokens end."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not service.verify_password(g.user, form.old_password.data):
            form.old_password.errors.append(_("原密码不正确"))
        else:
            reason = service.check_password_strength(form.new_password.data)
            if reason:
                form.new_password.errors.append(reason)
            else:
                service.set_password(g.user, form.new_password.data)
                current = g.token
                service.revoke_all_tokens(g.user)
                current.revoked_at = None
                db.session.commit()
                flash(_("密码已修改"), "success")
                return redirect(url_for("web.home"))
    return render_template("web/password.html", form=form)


@blp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    """Switch the pages' language (中文 / English) for this browser."""
    if code in ("zh", "en"):
        session["lang"] = code
    return redirect(_safe_next(request.form.get("next")))


#: The core's own pages register with this (endpoints ``web.<view>`` and ``web.<view>_by_tenant``).
tenant_page = blp.tenant_page
