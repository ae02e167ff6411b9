"""The case-file review figures (案卷评查平均分, 案卷不合格率), handed to the core by ``xingfeng_register_figures``.

They count first reviews only, scored in the period: a re-review (复查) scores the correction, not the file as filed.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core.plugin_api import FigurePeriod, FigureProvider, grouped_figure, in_figure_period
from plugins.enforcement.models import Review


def _reviews(period: FigurePeriod, tenant_ids: list[int]):
    return (
        select()
        .select_from(Review)
        .where(
            Review.tenant_id.in_(tenant_ids),
            Review.kind == "review",  # first reviews: a re-review (复查) scores the correction, not the file as filed
            Review.status == "scored",
            in_figure_period(Review.reviewed_at, period),
        )
    )


def case_review_score(session, period, tenant_ids, by_unit):
    """Average score of the case files reviewed in the period, as (sum of scores, reviews)."""
    stmt = _reviews(period, tenant_ids)
    keys = [Review.tenant_id, Review.unit_id] if by_unit else [Review.tenant_id]
    out = {}
    for row in session.execute(stmt.add_columns(*keys, func.sum(Review.score), func.count(Review.id)).group_by(*keys)):
        key = (row[0], row[1]) if by_unit else row[0]
        out[key] = (float(row[-2] or 0), int(row[-1]))
    return out


def case_review_fail_share(session, period, tenant_ids, by_unit):
    """Share of the case files reviewed in the period graded 不合格 (a veto item, or below the pass mark)."""
    stmt = _reviews(period, tenant_ids)
    failed = func.count(Review.id).filter(Review.grade == "fail")
    return grouped_figure(session, Review, stmt, by_unit, [failed, func.count(Review.id)])


FIGURES = [
    FigureProvider("case_review_score", "案卷评查平均分", case_review_score, "average", True),
    FigureProvider("case_review_fail_share", "案卷不合格率", case_review_fail_share, "rate", False),
]
