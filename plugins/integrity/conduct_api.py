"""API of 问题线索 (confidential leads) and 干预执法记录, on the integrity blueprint (/api/v1/plugins/integrity/).

Leads answer 403 to every role but the tenant's reviewers and the city's supervisors, before any lead is looked up
(so that nobody else learns whether a number exists); another tenant's lead is 404. Every read is audited.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from core.plugin_api import (
    ANY,
    LIGHTS,
    SCHEMA_ERRORS,
    Caller,
    NotFound,
    object_loader,
    require,
    send_workbook,
    today_in_shanghai,
)
from plugins.integrity import interference, leads
from plugins.integrity.api import (
    IntegrityStaffImportFormSchema,
    IntegrityStaffImportResultSchema,
    IntegrityStaffUploadSchema,
    _text,
    blp,
)
from plugins.integrity.conduct_models import (
    DISPOSALS,
    INTERFERENCE_KINDS,
    LEAD_CATEGORIES,
    LEAD_SOURCES,
    LEAD_STATUSES,
    RESULTS,
    ConfidentialLead,
    InterferenceRecord,
)


def _one_of(choices: dict[str, str], label: str, **kwargs) -> fields.Str:
    return fields.Str(
        validate=validate.OneOf(
            list(choices), error="应为以下之一：" + "、".join(f"{k}（{v}）" for k, v in choices.items())
        ),
        metadata={"label": label, "choices": list(choices)},
        **kwargs,
    )


# --- 问题线索 -------------------------------------------------------------------------------------------------


class IntegrityLeadSchema(Schema):
    """A lead as recorded by a reviewer (问题线索)."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    source = _one_of(LEAD_SOURCES, "线索来源", required=True)
    category = _one_of(LEAD_CATEGORIES, "问题类别", required=True)
    person = _text(50, "被反映人", load_default="")
    post = _text(100, "职务/岗位", load_default="")
    staff_id = fields.Integer(
        strict=True, allow_none=True, load_default=None, metadata={"label": "被反映人（人员名册）"}
    )
    unit_id = fields.Integer(strict=True, allow_none=True, load_default=None, metadata={"label": "所在单位"})
    summary = _text(5000, "反映的主要问题", required=True)
    received_on = fields.Date(allow_none=True, load_default=None, metadata={"label": "受理日期"})
    deadline = fields.Date(allow_none=True, load_default=None, metadata={"label": "办理时限"})
    handling = _text(4000, "办理情况", load_default="")


class IntegrityLeadUpdateSchema(IntegrityLeadSchema):
    class Meta:
        unknown = RAISE

    def __init__(self, **kwargs):
        super().__init__(partial=True, **kwargs)
        for field in self.fields.values():
            field.load_default = None


class IntegrityLeadQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    status = _one_of(LEAD_STATUSES, "办理状态")
    category = _one_of(LEAD_CATEGORIES, "问题类别")
    source = _one_of(LEAD_SOURCES, "线索来源")
    disposal = _one_of(DISPOSALS, "处置方式")
    result = _one_of(RESULTS, "核查结果")
    light = _one_of(LIGHTS, "灯号")
    q = fields.Str(validate=validate.Length(max=50, error="不能超过{max}个字符"), metadata={"label": "关键词"})


class IntegrityLeadDisposalSchema(Schema):
    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    disposal = _one_of(DISPOSALS, "处置方式", required=True)
    deadline = fields.Date(allow_none=True, load_default=None, metadata={"label": "办理时限"})
    note = _text(2000, "处置说明", load_default="")


class IntegrityLeadProblemSchema(Schema):
    """The ledger problem a 查实 lead produces: it enters the unit's ledger, so it says what to fix, not whence."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    unit_id = fields.Integer(strict=True, allow_none=True, load_default=None, metadata={"label": "责任单位"})
    title = _text(200, "问题标题", required=True)
    description = _text(5000, "问题描述", load_default="")
    category = _one_of(LEAD_CATEGORIES, "问题类别", load_default=None, allow_none=True)
    deadline = fields.Date(allow_none=True, load_default=None, metadata={"label": "整改时限"})


class IntegrityLeadResultSchema(Schema):
    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    result = _one_of(RESULTS, "核查结果", required=True)
    note = _text(4000, "结果说明", load_default="")
    concluded_on = fields.Date(allow_none=True, load_default=None, metadata={"label": "办结日期"})
    accountability_ids = fields.List(fields.Integer(strict=True), load_default=list, metadata={"label": "问责记录"})
    problem = fields.Nested(IntegrityLeadProblemSchema, allow_none=True, load_default=None,
                            metadata={"label": "登记台账问题"})  # fmt: skip


class IntegrityLeadLinksSchema(Schema):
    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    accountability_ids = fields.List(fields.Integer(strict=True), required=True, metadata={"label": "问责记录"})


class IntegrityLeadOutSchema(Schema):
    id = fields.Integer()
    number = fields.Str()
    source = fields.Str()
    source_name = fields.Str()
    public_report_id = fields.Integer(allow_none=True)
    category = fields.Str()
    category_name = fields.Str()
    person = fields.Str()
    post = fields.Str()
    staff_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.Str(allow_none=True)
    summary = fields.Str()
    received_on = fields.Date()
    status = fields.Str()
    status_name = fields.Str()
    disposal = fields.Str(allow_none=True)
    disposal_name = fields.Str(allow_none=True)
    deadline = fields.Date()
    light = fields.Str(allow_none=True)
    light_name = fields.Str(allow_none=True)
    handling = fields.Str()
    result = fields.Str(allow_none=True)
    result_name = fields.Str(allow_none=True)
    result_note = fields.Str()
    concluded_on = fields.Date(allow_none=True)
    accountability_ids = fields.List(fields.Integer())
    problem_id = fields.Integer(allow_none=True)
    created_by = fields.Str()
    created_at = fields.DateTime()
    updated_by = fields.Str()
    updated_at = fields.DateTime()


class IntegrityLeadListSchema(Schema):
    items = fields.List(fields.Nested(IntegrityLeadOutSchema))
    counts = fields.Dict()


def lead_out(caller: Caller, lead: ConfidentialLead, today=None) -> dict[str, Any]:
    lamp = leads.light(caller, lead, today or today_in_shanghai())
    unit = caller.unit(lead.unit_id) if lead.unit_id else None
    return {
        "id": lead.id,
        "number": lead.number,
        "source": lead.source,
        "source_name": LEAD_SOURCES.get(lead.source, lead.source),
        "public_report_id": lead.public_report_id,
        "category": lead.category,
        "category_name": LEAD_CATEGORIES.get(lead.category, lead.category),
        "person": lead.person,
        "post": lead.post,
        "staff_id": lead.staff_id,
        "unit_id": lead.unit_id,
        "unit_name": unit.name if unit else None,
        "summary": lead.summary,
        "received_on": lead.received_on,
        "status": lead.status,
        "status_name": LEAD_STATUSES[lead.status],
        "disposal": lead.disposal,
        "disposal_name": DISPOSALS.get(lead.disposal) if lead.disposal else None,
        "deadline": lead.deadline,
        "light": lamp,
        "light_name": LIGHTS.get(lamp) if lamp else None,
        "handling": lead.handling,
        "result": lead.result,
        "result_name": RESULTS.get(lead.result) if lead.result else None,
        "result_note": lead.result_note,
        "concluded_on": lead.concluded_on,
        "accountability_ids": list(lead.accountability_ids or []),
        "problem_id": lead.problem_id,
        "created_by": lead.created_by,
        "created_at": lead.created_at,
        "updated_by": lead.updated_by,
        "updated_at": lead.updated_at,
    }


NO_STORE = {"Cache-Control": "no-store"}


@blp.route("/leads")
@require(*leads.READERS)
@blp.arguments(IntegrityLeadQuerySchema, location="query")
@blp.response(200, IntegrityLeadListSchema)
def list_leads(args, **_url_values):
    """问题线索 of the tenant (reviewers and city supervisors only), newest first, with the counts per status and
    light; the read is recorded in the audit chain."""
    caller = Caller.current()
    today = today_in_shanghai()
    found = leads.list_leads(caller, args, today)
    items = [lead_out(caller, lead, today) for lead in found]
    return {"items": items, "counts": leads.counts(caller, today)}, 200, NO_STORE


@blp.route("/leads", methods=["POST"])
@require(*leads.READERS)
@blp.arguments(IntegrityLeadSchema)
@blp.response(201, IntegrityLeadOutSchema)
def create_lead(data, **_url_values):
    """Record a lead (待处置); 办理时限 defaults to 30 days after 受理日期 (today by default)."""
    caller = Caller.current()
    return lead_out(caller, leads.create_lead(caller, data)), 201, NO_STORE


@blp.route("/leads/export")
@require(*leads.READERS)
@blp.arguments(IntegrityLeadQuerySchema, location="query")
def export_leads(args, **_url_values):
    """The leads as Excel (问题线索.xlsx, marked 内部资料), filtered as the list is; the export is audited."""
    caller = Caller.current()
    today = today_in_shanghai()
    found = leads.list_leads(caller, args, today, purpose="export")
    return send_workbook(lambda out: leads.write_workbook(caller, found, out, today), "问题线索.xlsx")


@blp.route("/leads/<int:integrity_lead_id>")
@require(*leads.READERS)
@blp.response(200, IntegrityLeadOutSchema)
def get_lead(integrity_lead_id, **_url_values):
    """One lead; the read is recorded in the audit chain."""
    caller = Caller.current()
    return lead_out(caller, leads.get_lead(caller, integrity_lead_id)), 200, NO_STORE


@blp.route("/leads/<int:integrity_lead_id>", methods=["PATCH"])
@require(*leads.READERS)
@blp.arguments(IntegrityLeadUpdateSchema)
@blp.response(200, IntegrityLeadOutSchema)
def update_lead(changes, integrity_lead_id, **_url_values):
    """Change an open lead (the person, the summary, 办理时限, 办理情况); a concluded one answers 409."""
    caller = Caller.current()
    lead = leads.get_lead(caller, integrity_lead_id, audit=False)
    changes = {k: v for k, v in changes.items() if v is not None}
    return lead_out(caller, leads.update_lead(caller, lead, changes)), 200, NO_STORE


@blp.route("/leads/<int:integrity_lead_id>/disposal", methods=["POST"])
@require(*leads.READERS)
@blp.arguments(IntegrityLeadDisposalSchema)
@blp.response(200, IntegrityLeadOutSchema)
def dispose_lead(data, integrity_lead_id, **_url_values):
    """处置方式: 谈话函询 (talk), 初步核实 (verify), 暂存待查 (shelve) put it in hand; 予以了结 (close) concludes it."""
    caller = Caller.current()
    lead = leads.get_lead(caller, integrity_lead_id, audit=False)
    lead = leads.dispose(caller, lead, data["disposal"], data["deadline"], data["note"])
    return lead_out(caller, lead), 200, NO_STORE


@blp.route("/leads/<int:integrity_lead_id>/result", methods=["POST"])
@require(*leads.READERS)
@blp.arguments(IntegrityLeadResultSchema)
@blp.response(200, IntegrityLeadOutSchema)
def conclude_lead(data, integrity_lead_id, **_url_values):
    """办结 with 查实 (substantiated) / 部分查实 (partly) / 查否 (unfounded), the 问责 records it led to and,
    after 查实 or 部分查实, on request (``problem``) a ledger problem for the unit to rectify."""
    caller = Caller.current()
    lead = leads.get_lead(caller, integrity_lead_id, audit=False)
    return lead_out(caller, leads.conclude(caller, lead, data)), 200, NO_STORE


@blp.route("/leads/<int:integrity_lead_id>/accountability", methods=["PUT"])
@require(*leads.READERS)
@blp.arguments(IntegrityLeadLinksSchema)
@blp.response(200, IntegrityLeadOutSchema)
def link_lead_accountability(data, integrity_lead_id, **_url_values):
    """The 问责 records (core accountability ids of this tenant) the lead led to, also after it is concluded."""
    caller = Caller.current()
    lead = leads.get_lead(caller, integrity_lead_id, audit=False)
    return lead_out(caller, leads.link_accountability(caller, lead, data["accountability_ids"])), 200, NO_STORE


# --- 干预执法记录 -----------------------------------------------------------------------------------------------


def _record_exists(ident: int) -> bool:
    try:
        interference.get_record(Caller.current(), ident)
    except NotFound:
        return False
    return True


object_loader("integrity_interference_id")(_record_exists)


class IntegrityInterferenceSchema(Schema):
    """A record of interference (干预执法记录): who asked whom, about which case, what, how it was handled."""

    error_messages = SCHEMA_ERRORS

    class Meta:
        unknown = RAISE

    unit_id = fields.Integer(required=True, strict=True, metadata={"label": "单位"})
    occurred_on = fields.Date(required=True, metadata={"label": "发生日期"})
    requester = _text(50, "干预人", required=True)
    requester_post = _text(100, "干预人职务或单位", load_default="")
    target = _text(50, "被干预人", required=True)
    kind = _one_of(INTERFERENCE_KINDS, "类型", load_default="enforcement")
    case_ref = _text(200, "涉及案件或事项", required=True)
    request = _text(4000, "干预内容", required=True)
    handling = _text(4000, "处理情况", required=True)
    reported_by = _text(50, "报告人", required=True)


class IntegrityInterferenceUpdateSchema(IntegrityInterferenceSchema):
    class Meta:
        unknown = RAISE

    def __init__(self, **kwargs):
        super().__init__(partial=True, **kwargs)
        for field in self.fields.values():
            field.load_default = None


class IntegrityInterferenceQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    unit_id = fields.Integer(metadata={"label": "单位"})
    kind = _one_of(INTERFERENCE_KINDS, "类型")
    date_from = fields.Date(data_key="from", metadata={"label": "起始日期"})
    date_to = fields.Date(data_key="to", metadata={"label": "截止日期"})
    q = fields.Str(validate=validate.Length(max=50, error="不能超过{max}个字符"), metadata={"label": "关键词"})


class IntegrityInterferenceOutSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.Str()
    occurred_on = fields.Date()
    requester = fields.Str()
    requester_post = fields.Str()
    target = fields.Str()
    kind = fields.Str()
    kind_name = fields.Str()
    case_ref = fields.Str()
    request = fields.Str()
    handling = fields.Str()
    reported_by = fields.Str()
    created_by = fields.Str()
    created_at = fields.DateTime()
    updated_by = fields.Str()
    updated_at = fields.DateTime()


class IntegrityInterferenceListSchema(Schema):
    items = fields.List(fields.Nested(IntegrityInterferenceOutSchema))


def interference_out(caller: Caller, record: InterferenceRecord) -> dict[str, Any]:
    unit = caller.unit(record.unit_id)
    return {
        "id": record.id,
        "unit_id": record.unit_id,
        "unit_name": unit.name if unit else "",
        "occurred_on": record.occurred_on,
        "requester": record.requester,
        "requester_post": record.requester_post,
        "target": record.target,
        "kind": record.kind,
        "kind_name": INTERFERENCE_KINDS.get(record.kind, record.kind),
        "case_ref": record.case_ref,
        "request": record.request,
        "handling": record.handling,
        "reported_by": record.reported_by,
        "created_by": record.created_by,
        "created_at": record.created_at,
        "updated_by": record.updated_by,
        "updated_at": record.updated_at,
    }


@blp.route("/interference")
@require(*ANY)
@blp.arguments(IntegrityInterferenceQuerySchema, location="query")
@blp.response(200, IntegrityInterferenceListSchema)
def list_interference(args, **_url_values):
    """干预执法记录 the caller sees (its unit and below; 纪检 and the bureau: all), newest first."""
    caller = Caller.current()
    return {"items": [interference_out(caller, r) for r in interference.list_records(caller, args)]}


@blp.route("/interference", methods=["POST"])
@require(*interference.WRITERS)
@blp.arguments(IntegrityInterferenceSchema)
@blp.response(201, IntegrityInterferenceOutSchema)
def create_interference(data, **_url_values):
    """Record an interference (the case is named as text, e.g. its 案件编号)."""
    caller = Caller.current()
    return interference_out(caller, interference.create_record(caller, data))


@blp.route("/interference/export")
@require(*ANY)
@blp.arguments(IntegrityInterferenceQuerySchema, location="query")
def export_interference(args, **_url_values):
    """The records as Excel (干预执法记录.xlsx), filtered as the list is; it can be imported again."""
    caller = Caller.current()
    found = interference.list_records(caller, args)
    return send_workbook(lambda out: interference.write_workbook(caller, found, out), "干预执法记录.xlsx")


@blp.route("/interference/import", methods=["POST"])
@require(*interference.WRITERS)
@blp.arguments(IntegrityStaffImportFormSchema, location="form")
@blp.arguments(IntegrityStaffUploadSchema, location="files")
@blp.response(200, IntegrityStaffImportResultSchema)
def import_interference(form, files, **_url_values):
    """Import records from .xlsx or .csv.

    Columns: 单位 (name or code), 发生日期, 干预人, 干预人职务或单位, 被干预人, 类型 (执法办案/行政审批/其他),
    涉及案件或事项, 干预内容, 处理情况, 报告人. Any bad cell refuses the whole file with 422, each error named by row
    and column under ``errors.rows``, and nothing is written; the same file twice changes nothing.
    """
    caller = Caller.current()
    upload = files["file"]
    return interference.import_records(caller, upload.stream, upload.filename or "", form["dry_run"])


@blp.route("/interference/<int:integrity_interference_id>")
@require(*ANY)
@blp.response(200, IntegrityInterferenceOutSchema)
def get_interference(integrity_interference_id, **_url_values):
    """One record."""
    caller = Caller.current()
    return interference_out(caller, interference.get_record(caller, integrity_interference_id))


@blp.route("/interference/<int:integrity_interference_id>", methods=["PATCH"])
@require(*interference.WRITERS)
@blp.arguments(IntegrityInterferenceUpdateSchema)
@blp.response(200, IntegrityInterferenceOutSchema)
def update_interference(changes, integrity_interference_id, **_url_values):
    """Change a record (a later handling note, a corrected date)."""
    caller = Caller.current()
    record = interference.get_record(caller, integrity_interference_id)
    return interference_out(caller, interference.update_record(caller, record, changes))
