"""Security headers on every answer, pages and API alike (OWASP ASVS 5.0, issue 14, item 6).

The pages run only the app's own script and style files (no inline ``<script>``, no ``on…=`` attribute, no
``style=`` attribute), so the policy needs no ``'unsafe-inline'``. A view that set its own policy keeps it: an
evidence download's ``sandbox``, the PDF a preview page frames (``frame-ancestors 'self'``).
"""

from __future__ import annotations

from flask import Flask, Response, g, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
#: what the PDF a preview page frames sends instead: its viewer must run, and only our own pages may frame it
FRAMED_BY_OUR_PAGES = {"Content-Security-Policy": "frame-ancestors 'self'", "X-Frame-Options": "SAMEORIGIN"}
#: a page shown in that frame instead (why there is no preview): the pages' policy, framed by our pages only
FRAMED_PAGE = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'"),
    "X-Frame-Options": "SAMEORIGIN",
}
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def secure_headers(response: Response) -> Response:
    """Add the security headers a view did not set; never cache what a signed-in caller was shown."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if g.get("user") is not None or "Authorization" in request.headers:
        # A shared or back-button cache must not keep a signed-in page or an authenticated API answer.
        if "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def install(app: Flask) -> None:
    app.after_request(secure_headers)
