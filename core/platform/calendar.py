"""Working days (工作日), deadlines and lights for the problem ledger, in Asia/Shanghai.

A day is a working day by the first source that knows its year: the lists the city bureau loaded for that year
(``HolidayYear``), then the ``chinese_calendar`` package, then plain Monday to Friday, which is only provisional.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.platform.calendar_models import HolidayYear
from core.platform.db import utcnow
from core.platform.errors import FieldError

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: the years a city-loaded holiday list may be given for
LOADABLE_YEARS = range(2000, 2101)

LoadedYears = Mapping[int, tuple[Iterable[date], Iterable[date]]]

_ONE_DAY = timedelta(days=1)


def local_date(dt: datetime) -> date:
    """The calendar date in Shanghai of an aware datetime."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        # A naive time could be UTC (as stored) or local (as typed); guessing would shift deadlines by a day.
        raise ValueError("local_date needs an aware datetime")
    return dt.astimezone(SHANGHAI).date()


def today_in_shanghai(now: datetime | None = None) -> date:
    """Today's date in Shanghai, from ``now`` (aware) or the clock."""
    return local_date(now if now is not None else utcnow())


@cache
def _package_covers(year: int) -> bool:
    """Whether the installed chinese_calendar has data for ``year`` (it raises NotImplementedError otherwise)."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class Deadline:
    """A due date and whether it rests on guessed (weekday-only) days."""

    due: date
    provisional: bool


class WorkCalendar:
    """Chinese working days: city-loaded lists first, then chinese_calendar, then Monday to Friday (provisional)."""

    def __init__(self, loaded: LoadedYears | None = None):
        self._loaded: dict[int, tuple[frozenset[date], frozenset[date]]] = {
            year: (frozenset(holidays), frozenset(workdays)) for year, (holidays, workdays) in (loaded or {}).items()
        }
        #: year -> cumulative working-day counts: counts[i] is the number of working days in the year's first i days
        self._counts: dict[int, list[int]] = {}

    @classmethod
    def from_db(cls, session: Session) -> WorkCalendar:
        """A calendar with every year the city bureau has loaded."""
        rows = session.scalars(select(HolidayYear)).all()
        return cls({row.year: (_parse_dates(row.holidays), _parse_dates(row.workdays)) for row in rows})

    def covers(self, year: int) -> bool:
        """Whether ``year``'s working days are known (loaded by the city or in chinese_calendar)."""
        return year in self._loaded or _package_covers(year)

    def is_provisional(self, d: date) -> bool:
        """Whether the answer for ``d`` is a weekday guess that the year's official list may change."""
        return not self.covers(d.year)

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day."""
        lists = self._loaded.get(d.year)
        if lists is not None:
            holidays, workdays = lists
            if d in workdays:
                return True
            return d not in holidays and d.weekday() < 5
        if _package_covers(d.year):
            return chinese_calendar.is_workday(d)
        return d.weekday() < 5

    def next_workday(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1).due

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The ``n``-th working day after ``start`` (``start`` itself not counted)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a positive integer, not {n!r}")
        day, left, provisional = start, n, False
        while left:
            day += _ONE_DAY
            provisional = provisional or self.is_provisional(day)
            if self.is_workday(day):
                left -= 1
        return Deadline(due=day, provisional=provisional)

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days ``d`` with ``start < d <= end`` (0 when ``end <= start``)."""
        if end <= start:
            return 0
        start_counts, end_counts = self._counts_for(start.year), self._counts_for(end.year)
        if start.year == end.year:
            return end_counts[_day_index(end) + 1] - start_counts[_day_index(start) + 1]
        total = start_counts[-1] - start_counts[_day_index(start) + 1]
        total += sum(self._counts_for(year)[-1] for year in range(start.year + 1, end.year))
        return total + end_counts[_day_index(end) + 1]

    def working_days_until(self, today: date, due: date) -> int:
        """Working days left until ``due``: 0 on the due day, negative (working days since) once it has passed."""
        if today <= due:
            return self.working_days_between(today, due)
        return -self.working_days_between(due, today)

    def _counts_for(self, year: int) -> list[int]:
        # Lights are computed for every open item in a list, so spans are counted from per-year tables, not by walking.
        counts = self._counts.get(year)
        if counts is None:
            first = date(year, 1, 1)
            counts = [0]
            for offset in range((date(year, 12, 31) - first).days + 1):
                counts.append(counts[-1] + self.is_workday(first + timedelta(days=offset)))
            self._counts[year] = counts
        return counts


def _day_index(d: date) -> int:
    return d.timetuple().tm_yday - 1


def _parse_dates(values: Iterable[str]) -> frozenset[date]:
    return frozenset(date.fromisoformat(value) for value in values)


def light(due: date | None, today: date, yellow_days: int, cal: WorkCalendar, open_: bool) -> str | None:
    """An open item's light (红黄绿灯): red overdue, yellow within ``yellow_days`` working days, else green.

    An open item with no deadline (长期坚持) is green; a closed one has no light.
    """
    if not open_:
        return None
    if due is None:
        return "green"
    if today > due:
        return "red"
    if cal.working_days_until(today, due) <= yellow_days:
        return "yellow"
    return "green"


def load_year(
    session: Session,
    year: int,
    holidays: list[date],
    workdays: list[date],
    source: str,
    loaded_by: str,
) -> HolidayYear:
    """Check one year's official holiday lists and store them, replacing any earlier load of that year."""
    if isinstance(year, bool) or not isinstance(year, int) or year not in LOADABLE_YEARS:
        raise FieldError("year", f"年份应在 {LOADABLE_YEARS[0]} 至 {LOADABLE_YEARS[-1]} 之间")
    for field, days in (("holidays", holidays), ("workdays", workdays)):
        for day in days:
            # A datetime is a date too, but its isoformat() would not read back as one.
            if not isinstance(day, date) or isinstance(day, datetime):
                raise FieldError(field, f"{day} 不是日期（应为年-月-日）")
            if day.year != year:
                raise FieldError(field, f"{day.isoformat()} 不在 {year} 年内")
    for day in workdays:
        if day.weekday() < 5:
            raise FieldError("workdays", f"{day.isoformat()} 不是周六或周日，不能列为调休上班日")
    both = sorted(set(holidays) & set(workdays))
    if both:
        raise FieldError("holidays", f"{both[0].isoformat()} 同时列为放假日和调休上班日")
    source = (source or "").strip()
    if not source or len(source) > 200:
        raise FieldError("source", "请填写通知标题或文号（不超过200字）")

    row = session.get(HolidayYear, year)
    if row is None:
        row = HolidayYear(year=year)
        session.add(row)
    row.holidays = sorted({day.isoformat() for day in holidays})
    row.workdays = sorted({day.isoformat() for day in workdays})
    row.source = source
    row.loaded_by = loaded_by
    row.loaded_at = utcnow()
    session.flush()
    return row
