"""One limit on login attempts per account and one per address, shared by the login page and the API's login.

Both limits count failed attempts only (a 401), so that colleagues behind one address, or one person logging in
often, are not locked out; the buckets are shared (``limiter.shared_limit``), so alternating between the page and
the API buys an attacker nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request
from flask_limiter.util import get_remote_address

from core.auth.service import normalise_username
from core.platform.extensions import limiter


def attempted_username() -> str | None:
    """The username a login request names: the API's JSON body or the page's form."""
    body = request.get_json(silent=True) if request.is_json else None
    username = body.get("username") if isinstance(body, dict) else request.form.get("username")
    return username if isinstance(username, str) and username.strip() else None


def _account_key() -> str:
    username = attempted_username()
    return f"login-account:{normalise_username(username)[:64]}" if username else "login-account:-"


def _address_key() -> str:
    return f"login-address:{get_remote_address()}"


def _failed(response) -> bool:
    return response.status_code == 401


_per_address = limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    scope="login-address",
    key_func=_address_key,
    methods=["POST"],
    deduct_when=_failed,
)
_per_account = limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    scope="login-account",
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)


def limit_logins(view: Callable) -> Callable:
    """Put a login view (page or API) under the shared per-address and per-account limits."""
    return _per_address(_per_account(view))
