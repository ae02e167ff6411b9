"""The plugin manager: loads plugins from the ``xingfeng`` entry-point group and collects what they register.

Part of the composition root (with core.app and core.cli): it registers the core features' own hook modules, so
it sits above them; features reach the collected registry through ``current_app.extensions["xingfeng"]``.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pluggy

from core import default_hooks, hookspecs
from core.domains import KIND_WIDTH, NAMESPACED_KIND
from core.figures import hooks as figure_hooks
from core.figures import providers as figure_providers
from core.hookspecs import PROJECT
from core.oversight import hooks as oversight_hooks

#: Set to 1 to load only the core's own hooks (no entry-point plugins), e.g. to rule a plugin out.
DISABLE_ENV = "XINGFENG_DISABLE_PLUGINS"

log = logging.getLogger(__name__)


class PluginError(RuntimeError):
    """A plugin registered something the core cannot accept (a duplicate slug, an unknown domain)."""


def get_plugin_manager(load_entrypoints: bool = True) -> pluggy.PluginManager:
    """Build a manager with the hook specs, the core's own hooks and every installed plugin."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(default_hooks, name="core")
    # Core feature modules (no domain of their own, so always called): oversight notifications.
    pm.register(oversight_hooks, name="oversight")
    # The core's own modules with hook implementations (not domains: called wherever a problem is).
    pm.register(figure_hooks, name="figures")
    if load_entrypoints and not os.environ.get(DISABLE_ENV):
        pm.load_setuptools_entrypoints(PROJECT)
    pm.check_pending()
    return pm


def _unique(kind: str, items: Iterable[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if item.slug in out:
            raise PluginError(f"duplicate {kind} slug {item.slug!r}")
        out[item.slug] = item
    return out


def _event_kinds(kinds: Iterable[Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Labels of every declared kind and legacy name, and legacy name -> kind; refuses duplicates and bare kinds."""
    labels: dict[str, str] = {}
    legacy: dict[str, str] = {}
    for kind in kinds:
        if not NAMESPACED_KIND.fullmatch(kind.slug) or len(kind.slug) > KIND_WIDTH:
            raise PluginError(
                f"audit event kind {kind.slug!r} must be namespaced as '<owner>.<event>' (at most {KIND_WIDTH} "
                "characters); a bare name may only be declared as a legacy name of a namespaced kind"
            )
        for name in (kind.slug, *kind.legacy):
            if name in labels:
                raise PluginError(f"duplicate event kind slug {name!r}")
            labels[name] = kind.label
        legacy.update(dict.fromkeys(kind.legacy, kind.slug))
    return labels, legacy


def _flatten(results: Iterable[list[Any] | None]) -> list[Any]:
    return [item for result in results if result for item in result]


@dataclass
class PluginRegistry:
    """What the plugins registered, collected once at start-up and kept on ``app.extensions['xingfeng']``."""

    pm: pluggy.PluginManager
    domains: dict[str, Any] = field(default_factory=dict)
    fieldsets: dict[str, Any] = field(default_factory=dict)
    blueprints: dict[str, Any] = field(default_factory=dict)
    pages: dict[str, Any] = field(default_factory=dict)
    #: audit event kind -> its Chinese label (the legacy names too, with the label of the kind they became)
    event_kinds: dict[str, str] = field(default_factory=dict)
    #: legacy (bare) audit event kind -> the namespaced kind it is now written as
    legacy_kinds: dict[str, str] = field(default_factory=dict)
    #: figure slug -> the plugin's figure provider (core.figures.providers.Provider)
    figures: dict[str, Any] = field(default_factory=dict)
    #: plugin name -> domain slugs it registered
    plugin_domains: dict[str, list[str]] = field(default_factory=dict)
    #: the plugins' Alembic version folders (each plugin's own branch), handed to Alembic beside the core's
    migrations: list[str] = field(default_factory=list)
    #: referral slug -> a plugin's way to triage a public report (core.domains.ReportReferral)
    referrals: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def collect(cls, pm: pluggy.PluginManager) -> PluginRegistry:
        reg = cls(pm=pm)
        domains = []
        # Called per implementation so that each domain is known with the plugin that brought it.
        for impl in reversed(pm.hook.xingfeng_register_domains.get_hookimpls()):
            for domain in impl.function() or []:
                reg.plugin_domains.setdefault(impl.plugin_name, []).append(domain.slug)
                domains.append(domain)
        reg.domains = _unique("domain", domains)
        reg.fieldsets = _unique("field set", _flatten(pm.hook.xingfeng_register_fields()))
        reg.blueprints = _unique("blueprint", _flatten(pm.hook.xingfeng_register_blueprints()))
        reg.pages = _unique("pages", _flatten(pm.hook.xingfeng_register_pages()))
        reg.event_kinds, reg.legacy_kinds = _event_kinds(_flatten(pm.hook.xingfeng_register_event_kinds()))
        reg.figures = _unique("figure", _flatten(pm.hook.xingfeng_register_figures()))
        clash = sorted(reg.figures.keys() & figure_providers.own().keys())
        if clash:
            raise PluginError(f"duplicate figure slug {clash[0]!r} (a figure of the core)")
        reg.migrations = list(dict.fromkeys(str(f) for f in _flatten(pm.hook.xingfeng_register_migrations())))
        reg.referrals = _unique("report referral", _flatten(pm.hook.xingfeng_register_report_referrals()))
        for kind, items in (("field set", reg.fieldsets), ("blueprint", reg.blueprints), ("pages", reg.pages),
                            ("report referral", reg.referrals)):
            for item in items.values():
                if item.domain not in reg.domains:
                    raise PluginError(f"{kind} {item.slug!r} names unknown domain {item.domain!r}")
        return reg

    @property
    def switchable(self) -> list[str]:
        """Slugs of the domains a city or tenant admin may switch on and off."""
        return [slug for slug, d in self.domains.items() if d.switchable]

    def event_label(self, kind: str) -> str:
        """The Chinese label of an audit event kind, legacy or current (the kind itself when nobody declared it)."""
        return self.event_kinds.get(kind, kind)

    def current_kind(self, kind: str) -> str:
        """The namespaced kind an event is now written as: a legacy name (``close``) becomes ``ledger.closed``."""
        return self.legacy_kinds.get(kind, kind)

    def plugin_of(self, domain: str) -> str | None:
        return next((p for p, slugs in self.plugin_domains.items() if domain in slugs), None)

    def hook_for(self, name: str, enabled_domains: Iterable[str]) -> Any:
        """A hook caller that reaches only the plugins with at least one domain enabled (plus the core)."""
        enabled = frozenset(enabled_domains)
        key = (name, enabled, len(self.pm.get_plugins()))
        cache = self.__dict__.setdefault("_hook_cache", {})
        if key not in cache:
            cache[key] = self._subset(name, enabled)
        return cache[key]

    def _subset(self, name: str, enabled: frozenset[str]) -> Any:
        off = []
        for plugin_name, slugs in self.plugin_domains.items():
            if plugin_name == "core":
                continue
            if not enabled.intersection(slugs):
                plugin = self.pm.get_plugin(plugin_name)
                if plugin is not None:
                    off.append(plugin)
        return self.pm.subset_hook_caller(name, remove_plugins=off)

    def distributions(self) -> dict[str, tuple[str, str]]:
        """Plugin name -> (distribution name, version), for the plugins loaded from entry points."""
        out = {}
        for plugin, dist in self.pm.list_plugin_distinfo():
            name = self.pm.get_name(plugin)
            out[name] = (dist.metadata["Name"], dist.version)
        return out


def installed_entry_points() -> list[importlib.metadata.EntryPoint]:
    """The entry points in the ``xingfeng`` group, as a third party's plugin would be found."""
    return list(importlib.metadata.entry_points(group=PROJECT))
