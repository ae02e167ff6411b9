"""Every model module of the core, imported in one place (for Alembic and for code that lists tables)."""

from core.audit.models import AuditEvent, AuditHead
from core.auth.models import ApiToken, User
from core.calendar_models import HolidayYear
from core.ledger.models import (
    Attachment,
    Extension,
    LocalFieldSet,
    Problem,
    ProblemCounter,
    ProgressNote,
    Referral,
)
from core.tenancy.models import CampaignPhase, PluginSetting, Tenant, Unit

__all__ = [
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "AuditHead",
    "CampaignPhase",
    "Extension",
    "HolidayYear",
    "LocalFieldSet",
    "PluginSetting",
    "Problem",
    "ProblemCounter",
    "ProgressNote",
    "Referral",
    "Tenant",
    "Unit",
    "User",
]
