"""Plain objects that plugins hand to the core through the ``register_*`` hooks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema


@dataclass(frozen=True)
class Category:
    """A problem category (问题类别) of a domain, e.g. 乱收费."""

    code: str
    name: str


@dataclass(frozen=True)
class Domain:
    """A work domain contributed by a plugin: its slug is also the switch that enables it per unit."""

    slug: str
    name: str
    name_en: str
    categories: tuple[Category, ...] = ()
    description: str = ""
    #: whether a tenant or unit may switch it off; only the core's "general" domain is always on
    switchable: bool = True

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)


@dataclass(frozen=True)
class FieldSet:
    """Extra problem fields of one domain, validated by a marshmallow schema and stored as JSON."""

    slug: str
    domain: str
    schema: type[Schema]

    def describe(self) -> list[dict[str, Any]]:
        """Describe each field (code, Chinese label, type, required, choices) for forms and exports."""
        out = []
        for name, fld in self.schema().fields.items():
            meta = fld.metadata
            out.append(
                {
                    "code": name,
                    "label": meta.get("label", name),
                    "type": meta.get("type", type(fld).__name__.lower()),
                    "required": fld.required,
                    "choices": list(meta.get("choices", [])),
                    "help": meta.get("help", ""),
                }
            )
        return out


@dataclass(frozen=True)
class PluginBlueprint:
    """A flask-smorest blueprint served under /api/v1/plugins/<domain>/, answering 404 where the domain is off."""

    slug: str
    domain: str
    blueprint: Any = field(compare=False)


@dataclass(frozen=True)
class PluginPages:
    """A plugin's web pages: its own page blueprint, and the menu entries shown where the domain is enabled.

    The core mounts the blueprint (a ``PageBlueprint`` of the plugin API, whose ``template_folder`` holds the
    plugin's templates; they extend ``web/base.html``); every page of it answers 404 wherever the domain is not
    enabled at the user's unit.

    :param blueprint: the plugin's ``PageBlueprint``.
    :param nav: (Chinese label, path under the tenant prefix, e.g. ``/approval/cases``) pairs.
    """

    slug: str
    domain: str
    blueprint: Any = field(compare=False)
    nav: tuple[tuple[str, str], ...] = ()
    #: path -> the roles that see that menu entry (an entry not named here is shown to every role)
    nav_roles: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def nav_for(self, role: str | None) -> list[tuple[str, str]]:
        """The menu entries a user of ``role`` sees."""
        return [(label, path) for label, path in self.nav if role in self.nav_roles.get(path, (role,))]


#: an audit event kind ``<owner>.<event>``: lower-case words joined by ``_``, owner and event apart by one dot
NAMESPACED_KIND = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
#: the width of ``problem_event.kind``
KIND_WIDTH = 40


@dataclass(frozen=True)
class EventKind:
    """A kind of audit event with the Chinese label a problem's history shows for it.

    :param slug: the kind as stored in the chain, namespaced by its owner: ``<owner>.<event>`` with the event in
        the past tense (``enforcement.case_file_registered``, ``ledger.closed``); the owner is the plugin, or the
        core package that appends it (``ledger``, ``checklists``, ``public``, ``oversight``).
    :param label: what people read, e.g. 登记案卷.
    :param legacy: older names of the same kind (bare, from before kinds were namespaced). Events already in the
        chain keep them, since the chain is never rewritten; they read with the same label, and readers take them
        as ``slug`` (:meth:`core.plugins.PluginRegistry.current_kind`).
    """

    slug: str
    label: str
    legacy: tuple[str, ...] = ()


#: the states a 执法证 can be in on a date (``CertificateStatus.state``), with their labels
CERTIFICATE_STATUS_STATES = {
    "valid": "有效",
    "expired": "已过期",
    "none": "未持证",
    "ambiguous": "同名人员不止一人",
}


@dataclass(frozen=True)
class CertificateStatus:
    """What a staff register says of a person's 行政执法证 on a date (the answer of ``xingfeng_certificate_status``).

    :param state: ``valid`` (a certificate in force that day), ``expired`` (the person's certificate had expired by
        then and none was in force), ``none`` (the person held no certificate that day) or ``ambiguous`` (the name
        alone matches several people: give the certificate number).
    :param name: the person's name as registered ('' when ambiguous).
    :param certificate_no: the number of the certificate the state is about (None when the person held none).
    :param expires_on: when that certificate expires or expired (None when the person held none).
    :param staff_id: the person's id in the answering plugin's register (None when ambiguous).
    :param unit_id: the person's unit (None when ambiguous).
    """

    state: str
    name: str = ""
    certificate_no: str | None = None
    expires_on: Any = None
    staff_id: int | None = None
    unit_id: int | None = None

    @property
    def label(self) -> str:
        """The state in Chinese (有效 / 已过期 / 未持证 / 同名人员不止一人)."""
        return CERTIFICATE_STATUS_STATES.get(self.state, self.state)

    @property
    def lapsed(self) -> bool:
        """True when the person could not lawfully act with a certificate that day (expired or none held)."""
        return self.state in ("expired", "none")


@dataclass(frozen=True)
class ReferredReport:
    """What a plugin is handed of a public report referred to it: the report's text, never the reporter's contact.

    :param report_id: the report's id in the tenant (``public_report.id``), to link back to it.
    :param tracking_code: the code the reporter follows the report with.
    :param category: the report's category code (``core.public.models.CATEGORIES``), ``category_name`` its label.
    :param unit_id: the unit the report names, if any.
    :param concerned: 涉及单位或人员, as the reporter wrote it.
    """

    report_id: int
    tracking_code: str
    category: str
    category_name: str
    description: str
    unit_id: int | None
    concerned: str
    location: str
    occurred: str
    received_at: Any


@dataclass(frozen=True)
class ReportReferral:
    """A way to triage a public report other than into the ledger: hand it to a plugin's own register.

    Offered beside 受理/并案/不予受理 on a report's page and API (``POST …/public-reports/<id>/refer``) to users
    whose role is in ``roles``, wherever ``domain`` is enabled. The report's status becomes 已转有关部门办理
    (``referred``), all the reporter reads, with ``reply`` as the answer they see; what it became is the plugin's.

    :param slug: unique, ``<plugin>.<what>`` (``integrity.lead``).
    :param domain: the plugin's domain that must be enabled.
    :param label: the action as shown, e.g. 转为问题线索.
    :param roles: who may refer (and who, with the city's supervisors, still reads the report once referred).
    :param refer: ``refer(caller, report: ReferredReport, data: dict) -> str`` records the plugin's row as the
        caller and returns what staff read of it (e.g. a number); it raises ``ServiceError`` to refuse.
    :param reply: what the reporter reads (neutral: never say where the report went).
    """

    slug: str
    domain: str
    label: str
    roles: tuple[str, ...]
    refer: Any = field(compare=False)
    reply: str = "您反映的问题已转有关部门办理，感谢您的监督。"
