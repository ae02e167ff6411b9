"""The oversight package's own hook implementations: notifications on ledger events.

Registered by ``core.plugins.get_plugin_manager`` under the name ``oversight``; it brings no domain, so it is called
wherever a problem changes.
"""

from __future__ import annotations

from flask import current_app

from core.hookspecs import hookimpl
from core.oversight import notify

#: ledger event kind -> (notification kind, how the title reads)
TOLD = {
    "ledger.assigned": ("assignment", "交办"),
    "ledger.returned": ("return", "退回"),
}


@hookimpl
def xingfeng_after_problem_event(tenant, unit, actor, problem, event):
    """Tell the responsible unit when a problem is assigned to it (交办) or returned to it (退回)."""
    told = TOLD.get(current_app.extensions["xingfeng"].current_kind(event.kind))
    if told is None:
        return None
    kind, label = told
    title = f"问题 {problem.number} {problem.title}：{label}"
    if problem.deadline is not None:
        title += f"（整改时限 {problem.deadline.isoformat()}）"
    notify.notify_unit(problem.unit_id, f"{kind}:{problem.id}:{event.seq}", kind, title, f"/problems/{problem.id}")
    return None
