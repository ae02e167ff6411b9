"""The figures' hook implementations: the core's own, registered next to ``core.default_hooks``."""

from __future__ import annotations

from core.hookspecs import hookimpl


@hookimpl
def xingfeng_after_problem_event(tenant, unit, actor, problem, event):
    """Keep the rollups equal to a recount: every change of a problem is an event, and every event comes here."""
    from core.figures import rollup
    from core.ledger.service import work_calendar

    rollup.update(problem, work_calendar())
