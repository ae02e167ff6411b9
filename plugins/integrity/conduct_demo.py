"""Demo 问题线索 and 干预执法记录 for ``xingfeng demo-data``: one lead per light and result, a few interference records.

Recorded as ``system:demo`` where the domain is on, once: a tenant with leads or records already gets nothing more.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from core.plugin_api import Tenant, append_event, db, units_of_tenant, utcnow
from plugins.integrity.conduct_models import ConfidentialLead, InterferenceRecord
from plugins.integrity.service import enabled_units

ACTOR = "system:demo"

#: (category, person, post, source, summary, days since received, days to the deadline, status, disposal, result)
LEADS = (
    ("eat_take_demand", "郑海波", "综合执法", "public_report",
     "群众反映其在餐饮店检查时暗示店主请客吃饭，否则“下次再来仔细查”。", 20, -3, "handling", "verify", None),
    ("interference", "周建明", "所长", "petition",
     "信访反映其为亲属经营的商店说情，要求执法人员对无证经营从轻处理。", 10, 2, "handling", "talk", None),
    ("eight_rules", "吴晓燕", "食品安全监管", "inspection_tour",
     "巡察移交：工作日中午在管理对象处饮酒。", 5, 25, "pending", None, None),
    ("eat_take_demand", "王丽华", "登记注册窗口", "supervision",
     "反映其收受办事企业购物卡一张，经初步核实属实。", 60, -20, "concluded", "verify", "substantiated"),
    ("work_style", "郑海波", "综合执法", "public_report",
     "反映其检查时态度粗暴，经核实与事实不符。", 45, -10, "concluded", "verify", "unfounded"),
)
#: (days ago, requester, post, target, kind, case, request, handling)
INTERFERENCES = (
    (12, "李某", "某街道办事处副主任", "郑海波", "enforcement", "市监罚〔2026〕31号",
     "电话请托，要求对辖区某超市销售过期食品案“高抬贵手”，减轻处罚。",
     "当场拒绝，次日书面报告所长和局纪检组，已登记备案。"),
    (30, "刘某", "某企业负责人（自称局领导亲戚）", "王丽华", "approval", "食品经营许可申请 JY2026-0457",
     "要求在材料不全的情况下先行发证。", "拒绝并一次性告知所缺材料，报告纪检组。"),
    (3, "陈某", "本局退休干部", "周建明", "enforcement", "城关所立案调查 2026-118",
     "打招呼要求撤销对其亲属门店的立案。", "拒绝，如实记录并报告局党组和纪检组。"),
)


def load(tenant: Tenant, today: date) -> int:
    """Add the demo leads and interference records to the tenant in scope, unless it has some already."""
    if db.session.scalar(select(func.count(ConfidentialLead.id))) or db.session.scalar(
        select(func.count(InterferenceRecord.id))
    ):
        return 0
    units = units_of_tenant()
    on = enabled_units(units)
    stations = [u for u in units if u.id in on and u.kind in ("station", "brigade")]
    if not stations:
        return 0
    now = utcnow()
    added = 0
    for i, (category, person, post, source, summary, ago, left, status, disposal, result) in enumerate(LEADS):
        received = today - timedelta(days=ago)
        lead = ConfidentialLead(
            number=f"XS-{received.year}-{i + 1:04d}", source=source, category=category, person=person, post=post,
            unit_id=stations[i % len(stations)].id, summary=summary, received_on=received, status=status,
            disposal=disposal, deadline=today + timedelta(days=left), handling="", result=result,
            result_note="经初步核实，反映问题属实，已责令退还并作诫勉谈话。" if result == "substantiated" else
            ("经核实，反映问题不属实，予以澄清。" if result == "unfounded" else ""),
            concluded_on=today - timedelta(days=2) if status == "concluded" else None, accountability_ids=[],
            created_by=ACTOR, created_at=now, updated_by=ACTOR, updated_at=now,
        )  # fmt: skip
        db.session.add(lead)
        db.session.flush()
        append_event("integrity.lead_recorded", ACTOR, {"lead_id": lead.id, "number": lead.number,
                                                         "source": source, "category": category})  # fmt: skip
        added += 1
    for n, (ago, requester, post, target, kind, case, request, handling) in enumerate(INTERFERENCES):
        record = InterferenceRecord(
            unit_id=stations[n % len(stations)].id, occurred_on=today - timedelta(days=ago), requester=requester,
            requester_post=post, target=target, kind=kind, case_ref=case, request=request, handling=handling,
            reported_by=target, created_by=ACTOR, created_at=now, updated_by=ACTOR, updated_at=now,
        )  # fmt: skip
        db.session.add(record)
        db.session.flush()
        data = {"interference_id": record.id, "unit_id": record.unit_id, "kind": kind, "case_ref": case}
        append_event("integrity.interference_recorded", ACTOR, data)
        added += 1
    return added
