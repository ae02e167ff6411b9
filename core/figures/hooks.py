"""The figures' hook implementations: the core's own, registered next to ``core.default_hooks``."""

from __future__ import annotations

from core.figures import rollup
from core.hookspecs import hookimpl
from core.ledger.service import work_calendar


@hookimpl
def xingfeng_after_problem_event(tenant, unit, actor, problem, event):
    """Keep the rollups equal to a recount: every change of a problem is an event, and every event comes here."""

    rollup.update(problem, work_calendar())
