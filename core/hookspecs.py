"""Hook specifications: the contract between the core and its plugins.

Hooks are grouped by phase. Every hook is called with keyword arguments; hooks that concern a unit are called
only for the plugins enabled at that unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from flask import Flask

    from core.checklists.templates import Template
    from core.domains import (
        CertificateStatus,
        Domain,
        EventKind,
        FieldSet,
        PluginBlueprint,
        PluginPages,
        ReportReferral,
    )
    from core.figures.providers import Provider

#: The one project name: hook markers, the plugin manager and the entry-point group are all ``xingfeng``.
PROJECT = "xingfeng"
hookspec = pluggy.HookspecMarker(PROJECT)
#: Marks a plugin's hook implementations (re-exported by ``core.plugin_api``).
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- start-up: collected once when the app is built ------------------------------------------------------------


@hookspec
def xingfeng_register_domains() -> list[Domain]:
    """Register the work domains (业务领域) a plugin brings, with their problem categories.

    Called once at start-up. Each domain's slug must be unique across all plugins; the collector refuses
    duplicates. The slug is also the name under which the city and tenant admins switch the domain on or off.

    :return: a list of :class:`core.domains.Domain`.
    """


@hookspec
def xingfeng_register_fields() -> list[FieldSet]:
    """Register the extra problem fields of a plugin's domains.

    Called once at start-up. Each :class:`core.domains.FieldSet` names its domain and carries a marshmallow
    schema; the core validates a problem's custom fields against it on every write and exports each field as
    its own column. Field metadata ``label`` gives the Chinese column title.

    :return: a list of :class:`core.domains.FieldSet`.
    """


@hookspec
def xingfeng_register_blueprints() -> list[PluginBlueprint]:
    """Register a plugin's API blueprints (flask-smorest ``Blueprint``).

    Called once at start-up. Each blueprint is served under ``/api/v1/plugins/<domain>/`` for tenant users
    and ``/api/v1/tenants/<tenant>/plugins/<domain>/`` for city users, and answers 404 wherever its domain is
    not enabled for the caller's unit.

    :return: a list of :class:`core.domains.PluginBlueprint`.
    """


@hookspec
def xingfeng_register_pages() -> list[PluginPages]:
    """Register a plugin's web pages: their template folder and menu entries.

    Called once at start-up. The page views are added with :func:`core.web.auth.tenant_page` passing
    ``domain=<slug>``, so that each answers 404 wherever the domain is not enabled at the user's unit; the menu
    entries show only where it is.

    :return: a list of :class:`core.domains.PluginPages`.
    """


@hookspec
def xingfeng_register_event_kinds() -> list[EventKind]:
    """Declare the kinds of audit event a plugin appends, each with its Chinese label.

    Called once at start-up (the core declares its own kinds the same way). Every kind is namespaced by its owner,
    ``<owner>.<event>`` with the event in the past tense (``enforcement.case_file_registered``, ``ledger.closed``);
    appending a bare kind is refused. A problem's history shows each event by its label. A kind whose name changed
    lists its old names in ``EventKind.legacy``: older events read with the same label and readers take them as the
    new kind (``registry.current_kind``); the chain itself is never rewritten. A bare, over-long or duplicate
    declaration (as a kind or a legacy name) stops start-up.

    :return: a list of :class:`core.domains.EventKind`.
    """


@hookspec
def xingfeng_register_checklists() -> list[Template]:
    """Register a plugin's checklist templates (检查清单), each naming one of the plugin's domains.

    Called once at start-up. A template is a :class:`core.checklists.templates.Template` with its items. The core
    stores each distinct content of a template as a numbered version the first time it is offered; a release
    that changes a template's content produces the next version, and filled checklists stay pinned to the
    version they were filled with. Templates are offered only at the units where their domain is enabled.

    :return: a list of :class:`core.checklists.templates.Template`.
    """


@hookspec
def xingfeng_register_figures() -> list[Provider]:
    """Register a plugin's figures (统计指标) counted from its own tables, shown beside the ledger's.

    Called once at start-up. Each :class:`core.figures.providers.Provider` (``FigureProvider`` in the plugin API)
    has a slug unique across the core's figures and every plugin's; the collector refuses duplicates. Its
    ``compute(session, period, tenant_ids, by_unit)`` returns ``{tenant_id: value}`` or
    ``{(tenant_id, unit_id): value}``; the figure then appears in the tenant's and the city's tables, the rankings
    and the snapshots.

    :return: a list of :class:`core.figures.providers.Provider`.
    """


@hookspec
def xingfeng_register_report_referrals() -> list[ReportReferral]:
    """Register ways to triage a public report into a plugin's own register instead of the ledger.

    Called once at start-up. Each :class:`core.domains.ReportReferral` is offered on a report's page and API beside
    受理/并案/不予受理, only where its domain is enabled and only to its ``roles``; the core then calls its
    ``refer(caller, report, data)`` with a :class:`core.domains.ReferredReport` (never the reporter's contact), marks
    the report 已转有关部门办理 and sends the referral's neutral reply. Once referred, the report is read only by the
    referral's roles and the city's supervisors. Slugs are unique; a duplicate or an unknown domain stops start-up.

    :return: a list of :class:`core.domains.ReportReferral`.
    """


@hookspec
def xingfeng_register_migrations() -> list[str]:
    """Register the folders of a plugin's Alembic revisions (its own branch, beside the core's chain).

    Called once at start-up. The plugin's first revision has ``branch_labels=("<plugin>",)``,
    ``down_revision=None`` and ``depends_on`` the core revision it needs; ``xingfeng db upgrade`` upgrades the
    core and every installed plugin's branch (``heads``). Revision files import from the project only
    :mod:`core.plugin_api`.

    :return: a list of folder paths (usually ``plugins/<name>/migrations/versions``).
    """


@hookspec
def xingfeng_startup(app: Flask) -> None:
    """Finish a plugin's set-up once the app is built: the last step of ``create_app``.

    Must not query the database (the schema may not exist yet, e.g. before ``xingfeng db upgrade``).

    :param app: the Flask application being created.
    """


# --- the ledger: called for the plugins enabled at the problem's responsible unit ------------------------------


@hookspec
def xingfeng_validate_transition(tenant, unit, actor, problem, action, payload) -> str | None:
    """Add a condition to a ledger transition (e.g. a case-review problem needs a passing re-review to close).

    Called before the move is made, only for the plugins enabled at the problem's responsible unit. Every
    implementation is called; any reason returned refuses the move with 409 and all the reasons.

    :param tenant: the :class:`core.tenancy.models.Tenant` the problem belongs to.
    :param unit: the problem's responsible :class:`core.tenancy.models.Unit`.
    :param actor: the :class:`core.auth.models.User` making the move.
    :param problem: the :class:`core.ledger.models.Problem`, still in its current state.
    :param action: the transition's name: assign, sign, submit, close, return, ongoing, dismiss.
    :param payload: the validated arguments of the move (opinion, reason, dates…), read only.
    :return: a reason in Chinese to refuse the move, or None to let it pass.
    """


@hookspec
def xingfeng_after_problem_event(tenant, unit, actor, problem, event) -> None:
    """React to a change of a problem once it is recorded in the audit chain (same transaction).

    Called only for the plugins enabled at the problem's responsible unit. Must not change the problem
    itself; raising an exception rolls the whole change back.

    :param tenant: the :class:`core.tenancy.models.Tenant` the problem belongs to.
    :param unit: the problem's responsible :class:`core.tenancy.models.Unit`.
    :param actor: who made the change: a :class:`core.auth.models.User`, or a string such as ``system:<rule>``.
    :param problem: the :class:`core.ledger.models.Problem` after the change.
    :param event: the :class:`core.audit.models.AuditEvent` just appended (kind, data in its body).
    """


# --- the clock: called by ``xingfeng sweep`` (cron) -------------------------------------------------------------


@hookspec
def xingfeng_sweep(tenant, today) -> int | None:
    """Do a plugin's time-driven work for one tenant (e.g. a result not published within its time limit).

    Called by ``xingfeng sweep`` once per tenant, inside that tenant's scope, only for the plugins enabled at
    one or more of the tenant's units; the implementation checks per-unit enablement itself. It must be safe to
    run any number of times: whatever it records, it records exactly once (key it on the rule and the record).

    :param tenant: the :class:`core.tenancy.models.Tenant` being swept.
    :param today: the date in Asia/Shanghai the sweep runs for.
    :return: how many things it recorded (for the log), or None.
    """


# --- the demo city: called by ``xingfeng demo-data`` (``make run``) ---------------------------------------------


@hookspec
def xingfeng_load_demo_data(tenant, today) -> int | None:
    """Add a plugin's demo records to one tenant of the demo city, so that ``make run`` shows its pages filled.

    Called by ``xingfeng demo-data`` once per active tenant, inside that tenant's scope, only for the plugins
    enabled at one or more of the tenant's units, after the tenant specs are applied; the command commits each
    tenant on its own. It must be safe to run again: add nothing to a tenant that has the plugin's records already.
    Check per-unit enablement yourself (``domain_states``) and record as ``system:demo``.

    :param tenant: the :class:`core.tenancy.models.Tenant` being filled.
    :param today: the date in Asia/Shanghai the demo is made for (dates in the records are relative to it).
    :return: how many records it added (for the command's output), or None.
    """


# --- between plugins: asked by one plugin through the plugin API, answered by another -------------------------


@hookspec(firstresult=True)
def xingfeng_certificate_status(tenant, certificate_no, name, on) -> CertificateStatus | None:
    """Say whether a person held a valid 行政执法证 on a date, from a plugin's staff register (人员名册).

    Asked through :func:`core.plugin_api.certificate_status` (e.g. by the enforcement plugin for a case file's
    承办人), inside the tenant's scope, only of the plugins with a domain enabled at one or more of the tenant's
    units. Stops at the first non-None result. An implementation answers from the units where its own domain is on
    and returns None for a person it does not know, so that the asking plugin works the same without it.

    :param tenant: the :class:`core.tenancy.models.Tenant` in scope.
    :param certificate_no: the 执法证号 if the asker has it (preferred), else None.
    :param name: the person's name (used when there is no number, or to check it), else None.
    :param on: the ``datetime.date`` the question is about (e.g. the date a case was filed).
    :return: a :class:`core.domains.CertificateStatus`, or None when the person is not in the register.
    """
