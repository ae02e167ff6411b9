"""Errors a service raises for the request boundary to turn into a JSON answer."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal with an HTTP status, a Chinese message and optional per-field reasons."""

    status = 422

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if status is not None:
            self.status = status
        #: more keys for the JSON answer, e.g. the current state and the allowed moves of a refused transition
        self.extra: dict = {}

    def payload(self) -> dict:
        body = {"code": self.status, "message": self.message, **self.extra}
        if self.fields:
            body["errors"] = {"json": self.fields}
        return body


class FieldError(ServiceError):
    """One field's value is refused (422)."""

    def __init__(self, field: str, message: str):
        super().__init__(message, {field: [message]})
        self.field = field


class Conflict(ServiceError):
    """The request clashes with the current state (409)."""

    status = 409


class NotFound(ServiceError):
    """The object does not exist in the caller's tenant (404)."""

    status = 404
