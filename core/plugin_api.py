"""The plugin API: everything a domain plugin may use from the project, in one module.

A plugin imports from the project only this module (plus its own package, the standard library and third-party
libraries); the import-linter contracts in pyproject.toml fail ``make lint`` otherwise. Every name below is public
and stays stable across core refactors; what a name does is said where it is defined (its docstring) and, with
examples, in docs/plugins.md. Grouped as a plugin meets them:

- the hook marker and the plain objects the ``xingfeng_register_*`` hooks return (figure providers with the period
  they count and their grouping helpers);
- tables: the declarative base with its tenant column, column types, the session, row-level security in migrations;
- who acts: the ``Caller``, role checks for API views, object loaders, the ledger's permission rules;
- the ledger: the problem model and its vocabularies, recording a problem from a plugin;
- the audit chain, reminders to a unit's users, the work calendar, reading and sending tables, errors, validators;
- pages: a plugin's own page blueprint and the helpers its views use.
"""

from __future__ import annotations

from datetime import date

from core.audit import chain
from core.audit.chain import personal as personal_hash
from core.audit.models import AuditEvent
from core.auth.caller import Caller
from core.auth.guard import ANY, object_loader, require
from core.checklists.models import TemplateVersion
from core.checklists.templates import Condition as ChecklistCondition
from core.checklists.templates import Item as ChecklistItem
from core.checklists.templates import Template as ChecklistTemplate
from core.checklists.versions import pin as pin_template_version
from core.domains import (
    Category,
    CertificateStatus,
    Domain,
    EventKind,
    FieldSet,
    PluginBlueprint,
    PluginPages,
    ReferredReport,
    ReportReferral,
)
from core.figures.periods import Period as FigurePeriod
from core.figures.providers import Provider as FigureProvider
from core.figures.providers import grouped as grouped_figure
from core.figures.providers import in_period as in_figure_period
from core.figures.providers import units_with_domain
from core.hookspecs import hookimpl
from core.ledger.bounds import WORKING_DAYS_ERROR, WORKING_DAYS_MAX, WORKING_DAYS_MIN
from core.ledger.models import LIGHTS, RECTIFICATION_TYPES, SEVERITIES, SOURCES, Problem
from core.ledger.permissions import may_record, visible_unit_ids
from core.ledger.schemas import UploadSchema
from core.ledger.service import create_problem, create_system_problem, work_calendar, yellow_days
from core.ledger.service import evidence_store as _evidence_store
from core.ledger.service import send_evidence as _send_evidence
from core.oversight.models import MEASURE_KINDS as ACCOUNTABILITY_KINDS
from core.oversight.models import AccountabilityMeasure
from core.oversight.notify import remind_unit
from core.platform.api import Blueprint as ApiBlueprint
from core.platform.api import list_schema, listing
from core.platform.calendar import SHANGHAI, WorkCalendar, local_date, today_in_shanghai
from core.platform.calendar import light as _light
from core.platform.db import BigId, TenantScoped, UTCDateTime, db, scoped_get, tenant_scope, utcnow
from core.platform.errors import Conflict, FieldError, NotFound, ServiceError
from core.platform.evidence import StoredFile as StoredEvidence
from core.platform.evidence import download_headers
from core.platform.rls import disable as disable_row_level_security
from core.platform.rls import enable as enable_row_level_security
from core.platform.rls import grant_existing as grant_to_app_role
from core.platform.tabular import (
    DATE_FORMATS,
    MAX_COLUMNS,
    ImportRefused,
    blank,
    cell_text,
    parse_date,
    read_table,
    send_workbook,
    spooled_file,
)
from core.platform.validators import (
    FORM_DATE_ERROR,
    NUMBER_ERRORS,
    SCHEMA_ERRORS,
    TEXT_ERRORS,
    USCCError,
    USCCField,
    normalise_uscc,
    parse_form_date,
    text_field,
    validate_uscc,
)
from core.tenancy import service as tenancy_service
from core.tenancy.models import Tenant, Unit
from core.tenancy.service import domain_states, subtree_ids, units_of_tenant
from core.web.blueprint import PageBlueprint, flash_refusal

__all__ = [
    # hooks and what they return
    "hookimpl",
    "Category",
    "Domain",
    "FieldSet",
    "PluginBlueprint",
    "PluginPages",
    "EventKind",
    "ReportReferral",
    "ReferredReport",
    "ChecklistTemplate",
    "ChecklistItem",
    "ChecklistCondition",
    "TemplateVersion",
    "pin_template_version",
    "FigureProvider",
    "FigurePeriod",
    "grouped_figure",
    "in_figure_period",
    "units_with_domain",
    # tables
    "db",
    "TenantScoped",
    "BigId",
    "UTCDateTime",
    "utcnow",
    "scoped_get",
    "tenant_scope",
    "enable_row_level_security",
    "disable_row_level_security",
    "grant_to_app_role",
    # who acts
    "Caller",
    "ANY",
    "require",
    "object_loader",
    "may_record",
    "visible_unit_ids",
    "Tenant",
    "Unit",
    "domain_states",
    "subtree_ids",
    "units_of_tenant",
    # the ledger
    "Problem",
    "RECTIFICATION_TYPES",
    "SEVERITIES",
    "SOURCES",
    "create_problem",
    "create_system_problem",
    "UploadSchema",
    "LIGHTS",
    "deadline_light",
    "AccountabilityMeasure",
    "ACCOUNTABILITY_KINDS",
    # audit, reminders, calendar
    "append_event",
    "remind_unit",
    "personal_hash",
    "SHANGHAI",
    "WorkCalendar",
    "work_calendar",
    "local_date",
    "today_in_shanghai",
    # tables in and out
    "read_table",
    "ImportRefused",
    "parse_date",
    "DATE_FORMATS",
    "MAX_COLUMNS",
    "blank",
    "cell_text",
    "send_workbook",
    "spooled_file",
    "download_headers",
    "StoredEvidence",
    "save_evidence",
    "send_evidence",
    # errors and validators
    "ServiceError",
    "Conflict",
    "FieldError",
    "NotFound",
    "NUMBER_ERRORS",
    "SCHEMA_ERRORS",
    "TEXT_ERRORS",
    "USCCError",
    "text_field",
    "WORKING_DAYS_ERROR",
    "WORKING_DAYS_MAX",
    "WORKING_DAYS_MIN",
    "USCCField",
    "normalise_uscc",
    "validate_uscc",
    "FORM_DATE_ERROR",
    "parse_form_date",
    # pages
    "PageBlueprint",
    "flash_refusal",
    # the API
    "ApiBlueprint",
    "list_schema",
    "listing",
    # asking another plugin, without importing it
    "CertificateStatus",
    "certificate_status",
]


def append_event(kind: str, actor: str, data: dict, problem_id: int | None = None) -> AuditEvent:
    """Append an event to the audit chain of the tenant in scope (the request or sweep commits it).

    :param kind: ``<plugin>.<event>``, declared with its Chinese label by ``xingfeng_register_event_kinds``.
    :param actor: who acted: ``Caller.actor`` (``user:<id>``) or ``system:<rule>``.
    :param data: what changed, JSON-serialisable; personal data only through ``personal_hash``.
    :param problem_id: the ledger problem the event concerns, so it shows in that problem's history.
    """
    if "." not in kind.strip(".") or kind != kind.strip():
        raise ValueError(f"audit event kind {kind!r} must be namespaced as '<plugin>.<event>'")
    return chain.append(kind, actor, data, problem_id=problem_id)


def save_evidence(stream, filename: str) -> StoredEvidence:
    """Store an uploaded file (佐证材料) once by its SHA-256, size-limited and type-checked by content.

    :param stream: the upload's binary stream (``request.files[...].stream``).
    :param filename: the client's file name, cleaned and kept as ``original_name``.
    :return: the stored file (``sha256``, ``size``, ``kind.content_type``, ``original_name``); a file of a refused
        type or size raises ``FieldError("file")`` (422 naming the field).
    """
    return _evidence_store().save(stream, filename)


def send_evidence(sha256: str, content_type: str, filename: str):
    """A stored file as a download: always an attachment under its original name, never rendered inline.

    :param sha256: the stored file's hash, as ``save_evidence`` returned it.
    :param content_type: the type it was stored as (``kind.content_type``).
    :param filename: the name the browser saves it under.
    :return: the response (``NotFound`` when the file has gone from the store).
    """
    return _send_evidence(sha256, content_type, filename)


def certificate_status(
    tenant: Tenant, on: date, certificate_no: str | None = None, name: str | None = None
) -> CertificateStatus | None:
    """Whether a person held a valid 行政执法证 on a date, as the tenant's staff register says.

    Asks ``xingfeng_certificate_status`` of the plugins with a domain enabled at one or more of the tenant's units
    (in practice the integrity plugin's 人员名册); call it inside the tenant's scope (a request or the sweep).

    :param tenant: the tenant in scope.
    :param on: the date asked about.
    :param certificate_no: the 执法证号, when known (preferred over the name).
    :param name: the person's name.
    :return: the :class:`CertificateStatus`, or None when no plugin knows the person (or none is installed or on).
    """
    if not (certificate_no or name):
        return None
    units = units_of_tenant()
    enabled: set[str] = set()
    for unit in units:
        enabled |= {slug for slug, state in domain_states(unit, units).items() if state.enabled}
    hook = tenancy_service.registry().hook_for("xingfeng_certificate_status", enabled)
    return hook(tenant=tenant, certificate_no=certificate_no or None, name=name or None, on=on)


def deadline_light(tenant: Tenant, due, today, open_: bool = True) -> str | None:
    """The light (红黄绿灯, ``LIGHTS``) of a plugin's item with a deadline, counted as the ledger counts its own.

    :param tenant: the tenant whose yellow window (working days, default 3) applies.
    :param due: the deadline (a date) or None (an open item without one is green).
    :param today: the date in Asia/Shanghai.
    :param open_: False for a finished item, which has no light (None).
    :return: ``"red"`` overdue, ``"yellow"`` due within the window, ``"green"``, or None.
    """
    return _light(due, today, yellow_days(tenant), work_calendar(), open_)
