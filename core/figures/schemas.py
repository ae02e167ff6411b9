"""The figures API's request and response shapes (the OpenAPI document is generated from them)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from core.figures import periods, service
from core.ledger import service as ledger
from core.ledger.schemas import ProblemSchema
from core.platform.api import list_schema
from core.platform.errors import FieldError

PERIOD_HELP = (
    "统计期：2024-05（月）、2024Q2（季度）、2024（年）、2024-01..2024-06（月份区间）或 phase:阶段代码；默认本年"
)
#: ?by=: the page's ``unit_id`` is accepted too
GROUP_BY = {"unit": "unit_id", "unit_id": "unit_id", "domain": "domain", "source": "source", "phase": "phase"}


def this_year() -> periods.Period:
    return periods.parse(str(ledger.today_in_shanghai().year))


class PeriodField(fields.String):
    """A period code, loaded as a ``core.figures.periods.Period``; a bad one is refused naming the field."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs)
        try:
            return periods.parse(code, ledger._phases())
        except FieldError as error:
            raise ValidationError(error.message) from error


def figure_values(description: str = "指标名 -> 数值") -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        metadata={"description": f"{description}；比率为 0–1 的小数，分母为零时为 null（页面显示“—”，排名靠后）"},
    )


# --- queries ----------------------------------------------------------------------------------------------------


class FiguresQuerySchema(Schema):
    period = PeriodField(load_default=this_year, metadata={"title": "统计期", "description": PERIOD_HELP})
    by = fields.String(
        load_default="unit",
        validate=validate.OneOf(list(GROUP_BY)),
        metadata={
            "title": "分组",
            "description": "unit 按单位（默认）/ domain 按业务领域 / source 按问题来源 / phase 按攻坚阶段",
        },
    )


class DrillQuerySchema(Schema):
    period = PeriodField(load_default=this_year, metadata={"title": "统计期", "description": PERIOD_HELP})
    figure = fields.String(
        required=True,
        validate=validate.OneOf(list(service.DRILLABLE)),
        metadata={"title": "指标", "description": "有问题清单的指标：" + "、".join(service.DRILLABLE)},
    )
    unit_id = fields.Integer(metadata={"title": "单位", "description": "只看该单位（按单位分组时的一行）"})
    domain = fields.String(metadata={"title": "业务领域"})
    source = fields.String(metadata={"title": "问题来源"})
    phase = fields.String(metadata={"title": "攻坚阶段", "description": "阶段代码"})


class CityFiguresQuerySchema(Schema):
    period = PeriodField(load_default=this_year, metadata={"title": "统计期", "description": PERIOD_HELP})


class SnapshotCreateSchema(Schema):
    period = PeriodField(required=True, metadata={"title": "统计期", "description": PERIOD_HELP})
    weights = fields.Dict(
        keys=fields.String(),
        values=fields.Float(validate=validate.Range(min=0), metadata={"title": "权重"}),
        load_default=dict,
        metadata={
            "title": "排名权重",
            "description": (
                "比率指标名 -> 权重（不小于 0；0 表示不计入），"
                "未给出的按默认：整改完成率 40、按期完成率 40、自查覆盖率 20"
            ),
        },
    )
    top_n = fields.Integer(load_default=3, validate=validate.Range(min=0, max=100), metadata={"title": "通报表彰名额"})
    bottom_n = fields.Integer(
        load_default=3, validate=validate.Range(min=0, max=100), metadata={"title": "通报批评名额"}
    )
    document_number = fields.String(
        load_default="",
        validate=validate.Length(max=60),
        metadata={"title": "文号", "description": "留空按市局发文设置自动编号（如 江市监通〔2026〕12号，每年连续）"},
    )
    requirements = fields.String(
        load_default="", validate=validate.Length(max=20000), metadata={"title": "工作要求", "description": "每行一条"}
    )


class BriefingCreateSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=100), metadata={"title": "标题（列表中显示）"})
    experience_ids = fields.List(
        fields.Integer(), load_default=list, validate=validate.Length(max=10, error="最多10条"),
        metadata={"title": "选用的典型经验", "description": "已发布典型经验的 id，按给出的顺序刊登"},
    )  # fmt: skip
    snapshot_id = fields.Integer(metadata={"title": "刊登哪个快照的数据"})
    foreword = fields.String(validate=validate.Length(max=2000), metadata={"title": "按语"})
    tasks = fields.List(
        fields.String(validate=validate.Length(min=1, max=500)), load_default=list,
        validate=validate.Length(max=20, error="最多20项"), metadata={"title": "下一步工作安排"},
    )  # fmt: skip
    also_to = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)), load_default=list,
        validate=validate.Length(max=30, error="最多30项"), metadata={"title": "送（版记）"},
    )  # fmt: skip


class BriefingSchema(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"title": "期号"})
    year = fields.Integer()
    seq = fields.Integer()
    title = fields.String()
    issued_by = fields.String()
    issued_at = fields.DateTime()


# --- answers ----------------------------------------------------------------------------------------------------


class PeriodSchema(Schema):
    code = fields.String(metadata={"title": "统计期代码"})
    kind = fields.String(metadata={"title": "类型", "description": "month / quarter / year / range / phase"})
    label = fields.String(metadata={"title": "统计期名称", "description": "如 2024年5月"})
    starts_on = fields.Date(metadata={"title": "起始日"})
    ends_on = fields.Date(metadata={"title": "截止日"})


class FigureMetaSchema(Schema):
    name = fields.String(metadata={"title": "指标名"})
    label = fields.String(metadata={"title": "指标名称"})
    kind = fields.String(
        metadata={"title": "类型", "description": "count 计数 / rate 比率 / days 工作日 / average 平均"}
    )
    drill = fields.Boolean(metadata={"title": "可下钻", "description": "有问题清单（/figures/problems?figure=…）"})


class MonthSchema(Schema):
    month = fields.Integer(metadata={"title": "月份", "description": "yyyymm（按发现月份）"})
    found = fields.Integer(metadata={"title": "发现"})
    closed = fields.Integer(metadata={"title": "销号"})


class FigureRowSchema(Schema):
    key = fields.Raw(metadata={"title": "分组键", "description": "单位编号、业务领域、来源代码或阶段代码"})
    label = fields.String(metadata={"title": "分组名称"})
    figures = figure_values()


class TenantFiguresSchema(Schema):
    period = fields.Nested(PeriodSchema, metadata={"title": "统计期"})
    by = fields.String(metadata={"title": "分组", "description": "unit_id / domain / source / phase"})
    today = fields.Date(metadata={"title": "计算日", "description": "当前超期按此日计算"})
    swept_at = fields.DateTime(allow_none=True, metadata={"title": "最近一次巡检时间（xingfeng sweep）"})
    figures = fields.List(fields.Nested(FigureMetaSchema), metadata={"title": "指标说明"})
    missing = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"title": "未安装的指标", "description": "指标名 -> 名称"},
    )
    rows = fields.List(fields.Nested(FigureRowSchema), metadata={"title": "分组数据"})
    total = figure_values("合计（所见范围内）")
    monthly = fields.List(fields.Nested(MonthSchema), metadata={"title": "每月发现与销号"})


#: the list envelope; ``total`` is the list's length, which equals the figure
DrillSchema = list_schema(
    ProblemSchema,
    "DrillSchema",
    period=fields.Nested(PeriodSchema, metadata={"title": "统计期"}),
    figure=fields.Nested(FigureMetaSchema, metadata={"title": "指标"}),
    filters=fields.Dict(keys=fields.String(), values=fields.Raw(), metadata={"title": "筛选条件"}),
)


class CityRowSchema(Schema):
    tenant_id = fields.Integer(metadata={"title": "县区局编号"})
    slug = fields.String(metadata={"title": "县区局标识"})
    name = fields.String(metadata={"title": "县区局名称"})
    is_city = fields.Boolean(metadata={"title": "市局本级"})
    figures = figure_values()


class CityFiguresSchema(Schema):
    period = fields.Nested(PeriodSchema, metadata={"title": "统计期"})
    today = fields.Date(metadata={"title": "计算日", "description": "当前超期按此日计算"})
    swept_at = fields.DateTime(allow_none=True, metadata={"title": "最近一次巡检时间（xingfeng sweep）"})
    figures = fields.List(fields.Nested(FigureMetaSchema), metadata={"title": "指标说明"})
    missing = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"title": "未安装的指标"})
    rows = fields.List(fields.Nested(CityRowSchema), metadata={"title": "各县区局并列"})
    monthly = fields.List(fields.Nested(MonthSchema), metadata={"title": "每月发现与销号（全市）"})


class SnapshotSchema(Schema):
    id = fields.Integer(metadata={"title": "快照编号"})
    kind = fields.String(metadata={"title": "统计期类型"})
    period = fields.String(metadata={"title": "统计期代码"})
    label = fields.String(metadata={"title": "统计期名称"})
    starts_on = fields.Date(metadata={"title": "起始日"})
    ends_on = fields.Date(metadata={"title": "截止日"})
    weights = fields.Dict(keys=fields.String(), values=fields.Float(), metadata={"title": "实际使用的权重"})
    top_n = fields.Integer(metadata={"title": "通报表彰名额"})
    bottom_n = fields.Integer(metadata={"title": "通报批评名额"})
    document_number = fields.String(metadata={"title": "文号"})
    issuing_body = fields.String(metadata={"title": "发文机关"})
    taken_by = fields.String(metadata={"title": "生成人"})
    taken_at = fields.DateTime(metadata={"title": "生成时间"})
    swept_at = fields.DateTime(allow_none=True, metadata={"title": "生成时最近一次巡检时间"})


class ScoreTermSchema(Schema):
    figure = fields.String(metadata={"title": "指标名"})
    label = fields.String(metadata={"title": "指标名称"})
    value = fields.Float(
        allow_none=True, metadata={"title": "比率", "description": "0–1；null 为“—”，计 0 分并排名靠后"}
    )
    weight = fields.Float(metadata={"title": "权重"})
    points = fields.Float(metadata={"title": "得分贡献", "description": "权重 × 比率 × 100 ÷ 权重合计"})


class RankedSchema(Schema):
    rank = fields.Integer(metadata={"title": "名次"})
    score = fields.Float(allow_none=True, metadata={"title": "得分"})
    missing = fields.List(fields.String(), metadata={"title": "为“—”的加权比率"})
    detail = fields.List(fields.Nested(ScoreTermSchema), metadata={"title": "得分构成"})
    explain = fields.String(
        metadata={"title": "得分计算", "description": "如 (整改完成率 66.7% × 40 + …) ÷ 80 = 53.33"}
    )
    figures = figure_values()


class RankedTenantSchema(RankedSchema):
    tenant_id = fields.Integer(metadata={"title": "县区局编号"})
    slug = fields.String(allow_none=True, metadata={"title": "县区局标识"})
    name = fields.String(metadata={"title": "县区局名称"})


class RankedUnitSchema(RankedSchema):
    unit_id = fields.Integer(metadata={"title": "单位编号"})
    unit_name = fields.String(metadata={"title": "单位名称"})


class SnapshotDetailSchema(SnapshotSchema):
    requirements = fields.String(metadata={"title": "工作要求"})
    summary = fields.String(metadata={"title": "通报摘要"})
    shown = fields.List(fields.String(), metadata={"title": "快照中的指标", "description": "按顺序"})
    labels = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"title": "指标名称"})
    kinds = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"title": "指标类型"})
    missing = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"title": "生成时未安装的指标"})
    tenants = fields.List(fields.Nested(RankedTenantSchema), metadata={"title": "县区局排名（含得分计算）"})
    commended = fields.List(fields.Integer(), metadata={"title": "通报表彰的县区局编号"})
    criticised = fields.List(fields.Integer(), metadata={"title": "通报批评的县区局编号"})


class TenantSnapshotSchema(SnapshotSchema):
    mine = fields.Nested(RankedTenantSchema, allow_none=True, metadata={"title": "本局得分与名次"})
    tenant_count = fields.Integer(metadata={"title": "参与排名的县区局数"})


class TenantSnapshotDetailSchema(TenantSnapshotSchema):
    shown = fields.List(fields.String(), metadata={"title": "快照中的指标"})
    labels = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"title": "指标名称"})
    kinds = fields.Dict(keys=fields.String(), values=fields.String(), metadata={"title": "指标类型"})
    units = fields.List(fields.Nested(RankedUnitSchema), metadata={"title": "本局单位排名（官员：本单位及下级）"})
