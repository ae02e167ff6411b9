"""Demo records for ``xingfeng demo-data`` (``make run``): a few staff and risk points where the domain is on.

One station of each tenant is left without risk points, so that the coverage figure shows a unit not covered.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from core.plugin_api import Tenant, Unit, append_event, db, units_of_tenant, utcnow
from plugins.integrity.models import RiskPoint, StaffMember
from plugins.integrity.service import enabled_units

ACTOR = "system:demo"

#: (name, post, certificate days left or None for no certificate)
STAFF = (
    ("周建明", "所长", 520),
    ("吴晓燕", "食品安全监管", 25),
    ("郑海波", "综合执法", -12),
    ("王丽华", "登记注册窗口", None),
)
#: (post, risk, level, measures, days until the review is due)
RISKS = (
    (
        "综合执法",
        "现场检查中接受管理对象宴请、礼品礼金，或以检查为名吃拿卡要",
        "high",
        "执法全过程记录仪全程记录；两人以上执法并亮证；检查结束向被检查对象发放廉政监督卡；每季度回访",
        -5,
    ),
    (
        "综合执法",
        "行政处罚中滥用自由裁量权，同案不同罚、人情案",
        "high",
        "严格执行处罚裁量基准；案件经法制审核和集体讨论；每半年开展案卷评查",
        20,
    ),
    (
        "食品安全监管",
        "抽检样品选取、送检环节暗箱操作，或泄露抽检计划",
        "medium",
        "抽检计划保密；双人抽样、全程留痕；检验机构随机确定",
        200,
    ),
    (
        "登记注册窗口",
        "办理登记时故意刁难、拖延，或与中介串通“黄牛”代办",
        "medium",
        "一次性告知、限时办结；窗口视频监控；好差评结果每月通报",
        120,
    ),
    (
        "所长",
        "对下属执法人员监督不力，说情打招呼干预办案",
        "low",
        "落实一岗双责；干预办案情况记录报告；每年述责述廉",
        300,
    ),
)


def _demo_units(units: list[Unit]) -> list[Unit]:
    on = enabled_units(units)
    stations = [u for u in units if u.id in on and u.kind in ("station", "brigade")]
    return stations[:3]


def load(tenant: Tenant, today: date) -> int:
    """Add the demo staff and risk points to the tenant in scope, unless it has staff or points already."""
    if db.session.scalar(select(func.count(StaffMember.id))) or db.session.scalar(select(func.count(RiskPoint.id))):
        return 0
    units = _demo_units(units_of_tenant())
    added = 0
    now = utcnow()
    for n, unit in enumerate(units):
        for i, (name, post, days) in enumerate(STAFF):
            staff = StaffMember(
                name=f"{name[0]}{'一二三四五六'[n]}{name[1:]}" if n else name, unit_id=unit.id, post=post,
                certificate_no=None if days is None else f"{tenant.code}{unit.id:04d}{i:03d}",
                issued_on=None if days is None else today - timedelta(days=1800),
                expires_on=None if days is None else today + timedelta(days=days),
                status="active", created_by=ACTOR, created_at=now, updated_at=now,
            )  # fmt: skip
            db.session.add(staff)
            db.session.flush()
            append_event("integrity.staff_created", ACTOR, {"staff_id": staff.id, "unit_id": unit.id, "post": post})
            added += 1
        if n == len(units) - 1 and n > 0:
            continue  # the last station has staff but no risk points yet: it shows as not covered
        for post, description, level, measures, days in RISKS:
            risk = RiskPoint(
                unit_id=unit.id, post=post, description=description, level=level, measures=measures,
                responsible=STAFF[0][0] if n == 0 else "所长", review_due=today + timedelta(days=days),
                status="current", retired_reason="", created_by=ACTOR, created_at=now, updated_by=ACTOR,
                updated_at=now,
            )  # fmt: skip
            db.session.add(risk)
            db.session.flush()
            append_event("integrity.risk_point_created", ACTOR,
                         {"risk_point_id": risk.id, "unit_id": unit.id, "post": post, "level": level})  # fmt: skip
            added += 1
    return added
