"""The paid-service audit checklist (有偿服务审计检查清单) of affiliated institutions and technical agencies.

Items follow the testing-agency supervision rules; each basis names a published document (no article numbers).
A "否" answer fails the item and the engine records a ledger problem in the item's category.
"""

from __future__ import annotations

from core.plugin_api import ChecklistItem as Item
from core.plugin_api import ChecklistTemplate as Template

PRICE_LAW = "《中华人民共和国价格法》"
PRICE_MARKING = "《明码标价和禁止价格欺诈规定》(国家市场监督管理总局令第56号)"
SUPERVISION = "《检验检测机构监督管理办法》(国家市场监督管理总局令第39号)"
QUALIFICATION = "《检验检测机构资质认定管理办法》"
GENERAL_REQUIREMENTS = "《检验检测机构资质认定能力评价 检验检测机构通用要求》(RB/T 214)"
BUSINESS_ENVIRONMENT = "《优化营商环境条例》"
INTERMEDIARY = "《国务院办公厅关于清理规范国务院部门行政审批中介服务的通知》(国办发〔2015〕31号)"
ASSETS = "《事业单位国有资产管理暂行办法》"


def _yes(code, section, text, basis, category, severity="normal", points=10, evidence="on_failure") -> Item:
    return Item(
        code=code,
        section=section,
        text=text,
        basis=basis,
        answer="yes_no",
        points=points,
        fail_on=("no",),
        category=category,
        severity=severity,
        evidence=evidence,
    )


FEE_AUDIT = Template(
    code="paid_services.fee_audit",
    domain="paid_services",
    title="所属事业单位和技术机构有偿服务审计检查清单",
    basis=f"{SUPERVISION}；{QUALIFICATION}；{PRICE_LAW}；{ASSETS}",
    target="agency",
    release="2024.1",
    description="对所属事业单位、检验检测等技术机构的有偿服务逐项检查：收费公示、指定服务、超标准收费、"
    "报告真实性、资质和授权签字人。答“否”的项目自动登记为问题台账。",
    target_fields=(("credit_code", "统一社会信用代码"), ("cma_number", "资质认定证书编号")),
    items=(
        _yes(
            "fee_publicity",
            "收费公示",
            "在服务场所和门户网站显著位置公示服务项目、收费标准、收费依据及投诉举报电话，公示内容与实际收费一致",
            f"{PRICE_LAW}；{PRICE_MARKING}",
            "illegal_fees",
        ),
        _yes(
            "fee_basis",
            "收费公示",
            "每个收费项目都有政府定价、政府指导价文件或单位按规定制定的收费标准作依据，没有自立项目收费",
            PRICE_LAW,
            "illegal_fees",
        ),
        _yes(
            "no_designation",
            "指定服务",
            "未利用行政审批、监督检查、行政执法等监管职权，指定或变相指定管理服务对象接受本机构的有偿服务",
            f"{BUSINESS_ENVIRONMENT}；{INTERMEDIARY}",
            "designated_service",
            severity="serious",
        ),
        _yes(
            "no_precondition",
            "指定服务",
            "未将本机构的检验检测、技术服务设为办理许可、登记、备案或通过监督检查的前置条件",
            f"{BUSINESS_ENVIRONMENT}；{INTERMEDIARY}",
            "designated_service",
            severity="serious",
        ),
        _yes(
            "no_over_standard",
            "收费标准",
            "抽查的收费票据均未超过公示的收费标准，没有分解收费、重复收费或扩大范围收费",
            f"{PRICE_LAW}；{PRICE_MARKING}",
            "illegal_fees",
            evidence="always",
        ),
        _yes(
            "within_scope",
            "资质与能力范围",
            "出具的检验检测数据、结果均在资质认定证书确定的能力范围内，超出范围的未使用资质认定标志",
            f"{QUALIFICATION}；{SUPERVISION}",
            "out_of_scope",
        ),
        _yes(
            "certificate_valid",
            "资质与能力范围",
            "资质认定证书在有效期内，机构名称、地址、法定代表人等事项变化时已按规定办理变更",
            QUALIFICATION,
            "qualification",
        ),
        _yes(
            "signatories_valid",
            "资质与能力范围",
            "报告由经资质认定的授权签字人在其授权范围内签发，检验检测人员未同时在两个以上检验检测机构从业",
            f"{SUPERVISION}；{GENERAL_REQUIREMENTS}",
            "qualification",
        ),
        _yes(
            "no_untrue_report",
            "报告真实性",
            "抽查的检验检测报告未出现样品信息、检验检测依据、环境条件、数据结果等方面的差错、遗漏而出具不实报告",
            SUPERVISION,
            "untrue_report",
            severity="serious",
            evidence="always",
        ),
        _yes(
            "no_false_report",
            "报告真实性",
            "不存在未经检验检测出具报告、伪造或变造原始数据记录、减少检验检测项目或步骤、冒用他人名义签发等出具虚假报告的情形",
            SUPERVISION,
            "false_report",
            severity="grave",
            evidence="always",
        ),
        _yes(
            "records_traceable",
            "报告真实性",
            "原始记录、报告副本按规定保存，能够复现检验检测过程，数据结果可以追溯",
            f"{SUPERVISION}；{GENERAL_REQUIREMENTS}",
            "untrue_report",
        ),
        _yes(
            "income_managed",
            "收入管理",
            "有偿服务收入全部纳入单位财务统一核算，利用国有资产对外提供服务按规定管理，未设账外账、未私分",
            ASSETS,
            "other",
            severity="serious",
        ),
    ),
)

TEMPLATES = (FEE_AUDIT,)
