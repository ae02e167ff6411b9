"""Sane bounds of a problem's deadline (issue 13, item 4): one place for the API, the pages and the import.

A deadline of 9999-12-31 or 365 working days is a typo, not a plan. The ledger keeps no separate date of finding:
a problem of the campaign cannot have been found, let alone be due, before the campaign began (its first phase's
start), so that is the earliest deadline. A past deadline after it stays allowed: an old ledger brought in by the
import has overdue problems.
"""

from __future__ import annotations

from datetime import date

#: a deadline more than this many years out is refused, unless the problem is 长期坚持 (long_term)
DEADLINE_MAX_YEARS = 3
#: even a 长期坚持 problem's deadline is not decades away
DEADLINE_MAX_YEARS_LONG_TERM = 10
#: 整改时限（工作日）: 250 working days are about a year; longer is a date, or 长期坚持
WORKING_DAYS_MIN, WORKING_DAYS_MAX = 1, 250
WORKING_DAYS_ERROR = f"工作日数应在{WORKING_DAYS_MIN}到{WORKING_DAYS_MAX}之间（{WORKING_DAYS_MAX}个工作日约为一年）"


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def latest_deadline(rectification_type: str | None, today: date) -> date:
    long_term = rectification_type == "long_term"
    return years_after(today, DEADLINE_MAX_YEARS_LONG_TERM if long_term else DEADLINE_MAX_YEARS)


def deadline_refusal(
    deadline: date, rectification_type: str | None, today: date, campaign_start: date | None
) -> str | None:
    """Why a deadline set today is implausible (a Chinese reason), or None."""
    latest = latest_deadline(rectification_type, today)
    if deadline > latest:
        if rectification_type == "long_term":
            return f"整改时限不能晚于{latest.isoformat()}（长期坚持的问题最多{DEADLINE_MAX_YEARS_LONG_TERM}年）"
        return (
            f"整改时限不能晚于{latest.isoformat()}（最多{DEADLINE_MAX_YEARS}年；"
            "确需更长时间的，请将整改类型改为「长期坚持」）"
        )
    if campaign_start is not None and deadline < campaign_start:
        start = campaign_start.isoformat()
        return f"整改时限不能早于{start}：行风建设自{start}开始，问题不会在此之前发现"
    return None


def working_days_refusal(days: int | None) -> str | None:
    if days is None or WORKING_DAYS_MIN <= days <= WORKING_DAYS_MAX:
        return None
    return WORKING_DAYS_ERROR
