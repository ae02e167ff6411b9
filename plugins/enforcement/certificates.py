"""承办人执法证件: whether each handler of a case file held a valid 行政执法证 when the case was filed and when it
was closed, as the tenant's staff register says — asked through the plugin API (``certificate_status``), so this
plugin works the same, with no flag, where no plugin keeps a register — and the problem a lapsed certificate records.

A handler is named as on the register: a name (张三), or a name with the certificate number (张三（33010219001）),
which picks the person when the name alone matches several.
"""

from __future__ import annotations

import re
from typing import Any

from core.plugin_api import Caller, certificate_status, create_system_problem
from plugins.enforcement.domain import DOMAIN
from plugins.enforcement.models import CASE_TYPES, CaseFile

#: the rule under which a handler's lapsed certificate is recorded (its key: the case file and the handler)
HANDLER_RULE = "enforcement.handler_certificate"
HANDLER_WITH_NUMBER = re.compile(r"^(?P<name>[^（(]+?)[（(](?P<number>[^）)]+)[）)]$")
PROBLEM_DEADLINE_WORKING_DAYS = 10
UNKNOWN = "未在人员名册中"


def parse_handler(handler: str) -> tuple[str, str | None]:
    """(name, certificate number or None) from 张三 or 张三（33010219001）."""
    match = HANDLER_WITH_NUMBER.fullmatch(handler.strip())
    if match is None:
        return handler.strip(), None
    return match["name"].strip(), match["number"].strip()


def handler_certificates(caller: Caller, case_file: CaseFile) -> list[dict[str, Any]]:
    """Each handler's certificate on the day the case was filed and, if closed, the day it was closed.

    ``flagged`` when the register says the certificate had expired (or none was held) on one of those days;
    ``state`` None when no register knows the person (or none is kept: the integrity domain off or not installed).
    """
    days = [case_file.filed_on] + ([case_file.closed_on] if case_file.closed_on else [])
    out = []
    for handler in case_file.handlers or []:
        name, number = parse_handler(handler)
        found, on = None, None
        for day in days:
            status = certificate_status(caller.tenant, day, certificate_no=number, name=name)
            if status is None:
                break
            found, on = status, day
            if status.lapsed:
                break
        out.append({
            "handler": handler,
            "name": found.name if found and found.name else name,
            "state": found.state if found else None,
            "state_name": found.label if found else UNKNOWN,
            "certificate_no": found.certificate_no if found else number,
            "expires_on": found.expires_on.isoformat() if found and found.expires_on else None,
            "on": on.isoformat() if on else None,
            "flagged": bool(found and found.lapsed),
        })  # fmt: skip
    return out


def record_lapsed(caller: Caller, case_file: CaseFile, checks: list[dict[str, Any]] | None = None) -> int:
    """A handler whose certificate had lapsed on the case's day becomes a problem of the system, once per handler."""
    recorded = 0
    for check in checks if checks is not None else handler_certificates(caller, case_file):
        if not check["flagged"]:
            continue
        if check["state"] == "expired":
            what = f"行政执法证（{check['certificate_no']}）已于{check['expires_on']}到期"
        else:
            what = "未持有有效的行政执法证"
        data = {
            "unit_id": case_file.unit_id,
            "domain": DOMAIN.slug,
            "category": "procedural_violation",
            "severity": "serious",
            "source": "system_rule",
            "title": f"承办人执法证件失效：{case_file.case_no} {check['name']}"[:200],
            "description": f"案卷「{case_file.case_no}」的承办人{check['name']}在{check['on']}{what}，"
            "不具备行政执法资格。请核实案件办理情况（参见评查项目“执法主体不合法”“未出示执法证件”），"
            "并督促其办理换证或暂停执法工作。",
            "rectification_type": "deadline",
            "deadline_working_days": PROBLEM_DEADLINE_WORKING_DAYS,
            "responsible_person": check["name"][:64],
            "custom_fields": {
                "case_no": case_file.case_no,
                "case_type": CASE_TYPES[case_file.case_type],
                "handlers": "、".join(case_file.handlers)[:100],
            },
        }
        if create_system_problem(caller.tenant, data, HANDLER_RULE, f"{case_file.id}:{check['handler']}"):
            recorded += 1
    return recorded
