"""Xingfeng core service; plugins import the hook marker from here."""

from core.plugins import hookimpl

__all__ = ["hookimpl"]
