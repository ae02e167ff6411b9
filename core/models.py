"""Every model module of the core, imported in one place (for code that lists tables).

Core models only: a plugin's models are imported with the plugin (create_app loads it) and its tables live in
the plugin's own Alembic branch.
"""

from core.audit.models import AuditEvent, AuditHead
from core.auth.models import ApiToken, User
from core.checklists.models import (
    Checklist,
    ChecklistEvidence,
    ChecklistFinding,
    CityItem,
    LocalItem,
    TemplateVersion,
)
from core.documents.models import IssuedDocument
from core.figures.models import (
    FigureCloseDays,
    FigureFact,
    FigureOpenDue,
    FigureRollup,
    FigureSnapshot,
    FigureSnapshotUnit,
    FigureTenantCloseDays,
    FigureTenantMonth,
    FigureTenantOpenDue,
)
from core.ledger.models import (
    Attachment,
    Extension,
    LocalFieldSet,
    Problem,
    ProblemCounter,
    ProgressNote,
    Referral,
)
from core.oversight.models import (
    AccountabilityMeasure,
    CityNotification,
    CitySelfCheck,
    InterviewFlag,
    MailAddress,
    Notification,
    ProblemLight,
    PublishedExperience,
    ReportingTask,
    ReportSubmission,
    SelfCheck,
    SelfCheckAnswer,
    SupervisionOrder,
    SweepRun,
    UnitRedPeriod,
)
from core.platform.calendar_models import HolidayYear
from core.public.models import PublicReport, ReportContact, ReportFile, ReportReply, Solicitation
from core.tenancy.models import CampaignPhase, PluginSetting, Tenant, Unit

__all__ = [
    "IssuedDocument",
    "Checklist",
    "ChecklistEvidence",
    "ChecklistFinding",
    "CityItem",
    "LocalItem",
    "TemplateVersion",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "AuditHead",
    "CampaignPhase",
    "Extension",
    "FigureCloseDays",
    "FigureFact",
    "FigureOpenDue",
    "FigureRollup",
    "FigureSnapshot",
    "FigureSnapshotUnit",
    "FigureTenantCloseDays",
    "FigureTenantMonth",
    "FigureTenantOpenDue",
    "HolidayYear",
    "LocalFieldSet",
    "PluginSetting",
    "Problem",
    "ProblemCounter",
    "ProgressNote",
    "Referral",
    "PublicReport",
    "ReportContact",
    "ReportFile",
    "ReportReply",
    "Solicitation",
    "AccountabilityMeasure",
    "CityNotification",
    "CitySelfCheck",
    "InterviewFlag",
    "MailAddress",
    "Notification",
    "ProblemLight",
    "PublishedExperience",
    "ReportingTask",
    "ReportSubmission",
    "SelfCheck",
    "SelfCheckAnswer",
    "SupervisionOrder",
    "SweepRun",
    "UnitRedPeriod",
    "Tenant",
    "Unit",
    "User",
]
