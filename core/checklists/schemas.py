"""Request and response shapes of the checklists API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from core.checklists.models import STATUSES
from core.checklists.templates import ANSWER_TYPES, EVIDENCE
from core.ledger.models import SEVERITIES


class ConditionSchema(Schema):
    item = fields.String()
    values = fields.List(fields.String())


class ItemSchema(Schema):
    code = fields.String()
    text = fields.String()
    basis = fields.String()
    answer = fields.String(metadata={"description": "yes_no, score, number, text, single, multiple"})
    points = fields.Float()
    choices = fields.List(fields.String())
    fail_on = fields.List(fields.String())
    fail_below = fields.Float(allow_none=True)
    fail_above = fields.Float(allow_none=True)
    category = fields.String()
    severity = fields.String()
    condition = fields.Nested(ConditionSchema, allow_none=True)
    evidence = fields.String()
    required = fields.Boolean()
    allow_na = fields.Boolean()
    section = fields.String()
    origin = fields.String(metadata={"description": "plugin, city (市局补充) or local (本局补充)"})


class TemplateSchema(Schema):
    code = fields.String()
    domain = fields.String()
    title = fields.String()
    basis = fields.String()
    target = fields.String()
    description = fields.String()
    release = fields.String()
    version = fields.Integer(metadata={"description": "the version a checklist begun now is pinned to"})
    items = fields.List(fields.Nested(ItemSchema))


class TemplateSummarySchema(Schema):
    code = fields.String()
    domain = fields.String()
    title = fields.String()
    basis = fields.String()
    target = fields.String()
    items = fields.Integer(metadata={"description": "number of the template's own items"})


class TemplateQuerySchema(Schema):
    unit_id = fields.Integer(metadata={"description": "the unit to be inspected (default: the caller's unit)"})


class ExtraItemCreateSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=2, max=500), metadata={"label": "检查内容"})
    basis = fields.String(load_default="", validate=validate.Length(max=500), metadata={"label": "依据"})
    answer = fields.String(
        load_default="yes_no", validate=validate.OneOf(list(ANSWER_TYPES)), metadata={"label": "答案类型"}
    )
    points = fields.Float(load_default=0, validate=validate.Range(min=0, max=100), metadata={"label": "分值"})
    choices = fields.List(fields.String(validate=validate.Length(min=1, max=50)), load_default=list)
    fail_on = fields.List(fields.String(), load_default=list, metadata={"label": "不合格答案"})
    fail_below = fields.Float(allow_none=True, load_default=None)
    fail_above = fields.Float(allow_none=True, load_default=None)
    category = fields.String(load_default="other", metadata={"label": "问题类别"})
    severity = fields.String(load_default="normal", validate=validate.OneOf(list(SEVERITIES)))
    evidence = fields.String(load_default="", validate=validate.OneOf(list(EVIDENCE)), metadata={"label": "佐证"})
    required = fields.Boolean(load_default=True)


class ExtraItemSchema(Schema):
    id = fields.Integer()
    template_code = fields.String()
    code = fields.String()
    item = fields.Dict()
    created_by = fields.String()
    created_at = fields.DateTime()
    retired_at = fields.DateTime(allow_none=True)


class ChecklistCreateSchema(Schema):
    template = fields.String(required=True, validate=validate.Length(max=80), metadata={"label": "检查清单"})
    unit_id = fields.Integer(required=True, metadata={"label": "被检查单位"})
    inspector = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"label": "检查人"})
    inspected_on = fields.Date(required=True, metadata={"label": "检查日期"})
    target_name = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"label": "检查对象"})
    target_ref = fields.String(load_default="", validate=validate.Length(max=100), metadata={"label": "对象编号"})
    answers = fields.Dict(keys=fields.String(), load_default=dict, metadata={"label": "答案"})
    notes = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict, metadata={"label": "说明"})
    remarks = fields.String(load_default="", validate=validate.Length(max=5000), metadata={"label": "备注"})


class ChecklistUpdateSchema(Schema):
    inspector = fields.String(validate=validate.Length(min=1, max=100), metadata={"label": "检查人"})
    inspected_on = fields.Date(metadata={"label": "检查日期"})
    target_name = fields.String(validate=validate.Length(min=1, max=200), metadata={"label": "检查对象"})
    target_ref = fields.String(validate=validate.Length(max=100), metadata={"label": "对象编号"})
    answers = fields.Dict(keys=fields.String(), metadata={"label": "答案"})
    notes = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), metadata={"label": "说明"})
    remarks = fields.String(validate=validate.Length(max=5000), metadata={"label": "备注"})


class ChecklistQuerySchema(Schema):
    unit_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(list(STATUSES)))
    domain = fields.String()
    template = fields.String()
    date_from = fields.Date()
    date_to = fields.Date()
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))


class FindingSchema(Schema):
    item_code = fields.String()
    problem_id = fields.Integer()
    problem_number = fields.String()
    problem_status = fields.String()
    template_code = fields.String()
    template_version = fields.Integer()


class EvidenceSchema(Schema):
    id = fields.Integer()
    item_code = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    created_at = fields.DateTime()


class ChecklistSchema(Schema):
    id = fields.Integer()
    template_code = fields.String()
    template_title = fields.String()
    template_version = fields.Integer()
    domain = fields.String()
    unit_id = fields.Integer()
    unit_name = fields.String()
    inspector = fields.String()
    inspected_on = fields.Date()
    target_name = fields.String()
    target_ref = fields.String()
    status = fields.String()
    score = fields.Float(allow_none=True)
    max_score = fields.Float(allow_none=True)
    percent = fields.Float(allow_none=True)
    failed_count = fields.Integer()
    corrects_id = fields.Integer(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)


class ChecklistDetailSchema(ChecklistSchema):
    answers = fields.Dict()
    notes = fields.Dict()
    remarks = fields.String()
    items = fields.List(fields.Nested(ItemSchema), metadata={"description": "the pinned items"})
    shown = fields.List(fields.String(), metadata={"description": "items shown by the conditions"})
    failing = fields.List(fields.String())
    missing = fields.List(fields.String(), metadata={"description": "required items still unanswered"})
    findings = fields.List(fields.Nested(FindingSchema))
    evidence = fields.List(fields.Nested(EvidenceSchema))
    corrected_by = fields.List(fields.Integer())


class ChecklistSubmitSchema(ChecklistDetailSchema):
    problems = fields.List(fields.Dict(), metadata={"description": "the ledger problems the failures became"})


class EvidenceFormSchema(Schema):
    item_code = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={"label": "检查项"})
