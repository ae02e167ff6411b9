"""Hostile input stopped at the door: NUL characters, lone surrogates and deeply nested JSON (issue 14, item 1).

PostgreSQL cannot store a NUL character in text, and a lone surrogate (``"\\ud800"`` in JSON) is not a character at
all: either reached the database as a 500. Python's JSON parser gives up on a body nested a few thousand deep with a
RecursionError, another 500. Every request is checked before any view runs:

- a JSON body (whatever the view: flask-smorest's parser, ``request.get_json``) is parsed once, refused with 400 if
  it nests deeper than :data:`MAX_DEPTH` and with 422 naming the field (``answers.2.note``) if a string, or a key,
  holds NUL or a lone surrogate;
- query parameters and form fields are refused alike (422 naming the parameter; a page shows the reason);
- an integer beyond 64 bits, in a JSON body or as a query parameter, is refused (422): the database would fail on it.

Refusing is the rule rather than stripping: a NUL in a typed field means the text did not come from a keyboard, and
stripping silently would store something the sender did not send.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request

from core.platform.errors import ServiceError

#: the deepest JSON a request may send: the API's deepest body (checklist answers with fields) is five levels
MAX_DEPTH = 32
BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
NUL_REASON = "不能含空字符（NUL）"
SURROGATE_REASON = "含无效的 Unicode 字符（孤立代理项）"
TOO_DEEP = f"JSON 嵌套层数过多（最多{MAX_DEPTH}层）"
#: the databases' integers are 64-bit: a larger number in a body or a query could only fail there
INT_LIMIT = 2**63 - 1
OUT_OF_RANGE = "数值超出范围"
_INTEGER = re.compile(r"[+-]?\d{19,}")


class HostileInput(ServiceError):
    """A refused request whose reasons sit under ``errors.<location>`` (json, query or form)."""

    def __init__(self, message: str, location: str, fields: Any, status: int = 422):
        super().__init__(message, status=status)
        self.location, self.where = location, fields

    def payload(self) -> dict:
        return {"code": self.status, "message": self.message, "errors": {self.location: self.where}}


def text_reason(value: str) -> str | None:
    """Why this text cannot be stored, or None."""
    found = BAD_TEXT.search(value)
    if found is None:
        return None
    return NUL_REASON if found.group() == "\x00" else SURROGATE_REASON


def _path(parts: tuple) -> str:
    return ".".join(str(part) for part in parts) or "_body"


def check_json(value: Any) -> None:
    """Raise :class:`HostileInput` for a parsed JSON value nested too deep or holding text that cannot be stored."""
    stack: list[tuple[Any, tuple, int]] = [(value, (), 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise HostileInput(TOO_DEEP, "json", [TOO_DEEP], status=400)
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str) and (reason := text_reason(key)):
                    where = _path(path) if path else "_schema"
                    raise HostileInput(f"字段名{reason}", "json", {where: [f"字段名{reason}"]})
                stack.append((child, (*path, key), depth + 1))
        elif isinstance(item, str) and (reason := text_reason(item)):
            raise HostileInput(reason, "json", {_path(path): [reason]})
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > INT_LIMIT:
            raise HostileInput(OUT_OF_RANGE, "json", {_path(path): [OUT_OF_RANGE]})


def _check_pairs(location: str, pairs) -> None:
    for name, value in pairs:
        reason = text_reason(name) or (text_reason(value) if isinstance(value, str) else None)
        if reason is None and location == "query" and _INTEGER.fullmatch(value) and abs(int(value)) > INT_LIMIT:
            reason = OUT_OF_RANGE
        if reason:
            shown = BAD_TEXT.sub("", name) or "_"
            raise HostileInput(reason, location, {shown: [reason]})


def guard_request() -> None:
    """The ``before_request`` check (see the module's docstring)."""
    _check_pairs("query", request.args.items(multi=True))
    if request.is_json:
        raw = request.get_data(cache=True)
        if raw:
            try:
                parsed = json.loads(raw)
            except RecursionError:
                raise HostileInput(TOO_DEEP, "json", [TOO_DEEP], status=400) from None
            except ValueError:
                return  # not JSON: the view's parser answers 400 in its own words
            check_json(parsed)
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        _check_pairs("form", request.form.items(multi=True))


def install(app: Flask) -> None:
    app.before_request(guard_request)
