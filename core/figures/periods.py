"""Periods the figures are read for: a month, a quarter, a year, a campaign phase, or a range of months."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.platform.errors import FieldError

SHANGHAI = ZoneInfo("Asia/Shanghai")


def month_of(day: date) -> int:
    """yyyymm of a date."""
    return day.year * 100 + day.month


def first_day(month: int) -> date:
    return date(month // 100, month % 100, 1)


def next_month(month: int) -> int:
    year, m = divmod(month, 100)
    return (year + 1) * 100 + 1 if m == 12 else month + 1


@dataclass(frozen=True)
class Period:
    """Whole months from ``first`` to ``last`` (yyyymm, inclusive), with the code and label it was asked by."""

    kind: str
    code: str
    label: str
    first: int
    last: int

    @property
    def starts_on(self) -> date:
        return first_day(self.first)

    @property
    def ends_on(self) -> date:
        return first_day(next_month(self.last)) - timedelta(days=1)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) of the period as UTC instants (days are Asia/Shanghai days)."""
        start = datetime.combine(self.starts_on, time(), SHANGHAI)
        end = datetime.combine(self.ends_on + timedelta(days=1), time(), SHANGHAI)
        return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))

    def contains(self, day: date) -> bool:
        return self.first <= month_of(day) <= self.last


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$")


def parse(code: str, phases: list | None = None, field: str = "period") -> Period:
    """A period from its code: ``2024-05``, ``2024Q2``, ``2024``, ``2024-01..2024-06`` or ``phase:<code>``."""
    code = (code or "").strip()
    if m := _MONTH.match(code):
        month = int(m[1]) * 100 + int(m[2])
        if 1 <= int(m[2]) <= 12:
            return Period("month", code, f"{m[1]}年{int(m[2])}月", month, month)
    if m := _QUARTER.match(code):
        q = int(m[2])
        first = int(m[1]) * 100 + 3 * q - 2
        return Period("quarter", code, f"{m[1]}年第{'一二三四'[q - 1]}季度", first, first + 2)
    if m := _YEAR.match(code):
        return Period("year", code, f"{m[1]}年", int(m[1]) * 100 + 1, int(m[1]) * 100 + 12)
    if m := _RANGE.match(code):
        first, last = int(m[1]) * 100 + int(m[2]), int(m[3]) * 100 + int(m[4])
        if 1 <= int(m[2]) <= 12 and 1 <= int(m[4]) <= 12 and first <= last:
            return Period("range", code, f"{m[1]}年{int(m[2])}月至{m[3]}年{int(m[4])}月", first, last)
    if code.startswith("phase:"):
        phase = next((p for p in phases or [] if p.code == code[6:]), None)
        if phase is not None:
            # A phase counts whole months: the campaign's phases begin and end with a month.
            ends = phase.ends_on or date.today()
            return Period("phase", code, phase.name, month_of(phase.starts_on), month_of(ends))
        raise FieldError(field, "没有这个攻坚阶段")
    raise FieldError(field, "统计期格式应为 2024-05、2024Q2、2024、2024-01..2024-06 或 phase:阶段代码")


def previous_month(today: date) -> Period:
    """The last whole month before ``today`` (what a month-end snapshot is taken for)."""
    last = first_day(month_of(today)) - timedelta(days=1)
    return parse(f"{last.year}-{last.month:02d}")
