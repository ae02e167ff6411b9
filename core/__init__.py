"""Xingfeng core service. Plugins import from ``core.plugin_api`` only; the hook marker is also here."""

from core import platform  # noqa: F401 - sets up what every module relies on (Chinese validation messages)
from core.hookspecs import hookimpl

__all__ = ["hookimpl"]
