"""Working days, deadlines and lights, against chinese_calendar and the city bureau's loaded holiday lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from core.platform.calendar import SHANGHAI, Deadline, WorkCalendar, light, load_year, local_date, today_in_shanghai
from core.platform.calendar_models import HolidayYear
from core.platform.errors import FieldError

CAL = WorkCalendar()
# The first year the installed package has no data for; computed so the tests survive a package upgrade.
UNCOVERED = next(year for year in range(2027, 2101) if not CAL.covers(year))


def weekday_in(year: int, month: int, weekday: int, nth: int = 1) -> date:
    """The ``nth`` given weekday (Monday 0) of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


# An invented arrangement for the uncovered year: Monday and Tuesday off, the Saturday before worked.
LOADED_MONDAY = weekday_in(UNCOVERED, 10, 0, nth=2)
LOADED_HOLIDAYS = frozenset({LOADED_MONDAY, LOADED_MONDAY + timedelta(days=1)})
LOADED_WORKDAYS = frozenset({LOADED_MONDAY - timedelta(days=2)})
LOADED_CAL = WorkCalendar({UNCOVERED: (LOADED_HOLIDAYS, LOADED_WORKDAYS)})


# --- the package's data and how the calendar reads it ---------------------------------------------------------

KNOWN_DAYS = [
    # 2024 National Day: 10-01..07 off, Sunday 09-29 and Saturday 10-12 worked.
    (date(2024, 9, 29), 6, True),
    (date(2024, 9, 30), 0, True),
    (date(2024, 10, 1), 1, False),
    (date(2024, 10, 7), 0, False),
    (date(2024, 10, 8), 1, True),
    (date(2024, 10, 12), 5, True),
    (date(2024, 10, 13), 6, False),
    # 2025 Spring Festival: 01-28..02-04 off, Sunday 01-26 and Saturday 02-08 worked.
    (date(2025, 1, 26), 6, True),
    (date(2025, 1, 27), 0, True),
    (date(2025, 1, 28), 1, False),
    (date(2025, 2, 4), 1, False),
    (date(2025, 2, 5), 2, True),
    (date(2025, 2, 8), 5, True),
]


@pytest.mark.parametrize(("day", "weekday", "workday"), KNOWN_DAYS)
def test_known_days_agree_with_the_package(day, weekday, workday):
    assert day.weekday() == weekday
    assert chinese_calendar.is_workday(day) is workday
    assert CAL.is_workday(day) is workday
    assert not CAL.is_provisional(day)


def test_package_covers_2004_to_2026():
    assert all(CAL.covers(year) for year in range(2004, 2027))
    assert not CAL.covers(2003)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(UNCOVERED, 6, 1))


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Across National Day 2024: the seven days off are skipped.
        (date(2024, 9, 30), 1, date(2024, 10, 8)),
        (date(2024, 9, 25), 10, date(2024, 10, 14)),
        # Onto adjusted working weekends (调休上班).
        (date(2024, 9, 27), 1, date(2024, 9, 29)),
        (date(2024, 10, 8), 4, date(2024, 10, 12)),
        (date(2024, 10, 8), 5, date(2024, 10, 14)),
        # Across the 2025 Spring Festival.
        (date(2025, 1, 24), 1, date(2025, 1, 26)),
        (date(2025, 1, 24), 3, date(2025, 2, 5)),
        (date(2025, 2, 5), 3, date(2025, 2, 8)),
        # A start on a day off counts from the next working day.
        (date(2024, 10, 3), 1, date(2024, 10, 8)),
    ],
)
def test_add_working_days(start, n, due):
    assert CAL.add_working_days(start, n) == Deadline(due=due, provisional=False)


@pytest.mark.parametrize("n", [0, -1, True, 1.0])
def test_add_working_days_needs_a_positive_count(n):
    with pytest.raises(ValueError, match="positive integer"):
        CAL.add_working_days(date(2024, 9, 30), n)


def test_next_workday_is_strictly_after():
    assert CAL.next_workday(date(2024, 9, 30)) == date(2024, 10, 8)
    assert CAL.next_workday(date(2024, 9, 28)) == date(2024, 9, 29)
    assert CAL.next_workday(date(2024, 10, 8)) == date(2024, 10, 9)


def test_working_days_between():
    assert CAL.working_days_between(date(2024, 9, 30), date(2024, 10, 8)) == 1
    assert CAL.working_days_between(date(2024, 10, 1), date(2024, 10, 7)) == 0
    assert CAL.working_days_between(date(2024, 10, 8), date(2024, 10, 8)) == 0
    assert CAL.working_days_between(date(2024, 10, 8), date(2024, 9, 30)) == 0
    year_2024 = len(chinese_calendar.get_workdays(date(2024, 1, 1), date(2024, 12, 31)))
    assert CAL.working_days_between(date(2023, 12, 31), date(2024, 12, 31)) == year_2024
    year_2025 = len(chinese_calendar.get_workdays(date(2025, 1, 1), date(2025, 12, 31)))
    assert CAL.working_days_between(date(2023, 12, 31), date(2025, 12, 31)) == year_2024 + year_2025


def test_working_days_until():
    due = date(2024, 10, 10)
    assert CAL.working_days_until(date(2024, 9, 30), due) == 3
    assert CAL.working_days_until(due, due) == 0
    assert CAL.working_days_until(date(2024, 10, 11), due) == -1
    # Overdue counts only working days: the weekend after adds none, Saturday 10-12 (调休) does.
    assert CAL.working_days_until(date(2024, 10, 12), due) == -2
    assert CAL.working_days_until(date(2024, 10, 13), due) == -2


# --- years the package does not cover ---------------------------------------------------------------------------


def test_uncovered_year_counts_weekdays_provisionally():
    friday = weekday_in(UNCOVERED, 3, 4)
    assert not CAL.covers(UNCOVERED)
    assert CAL.is_provisional(friday)
    assert CAL.is_workday(friday)
    assert not CAL.is_workday(friday + timedelta(days=1))
    assert CAL.add_working_days(friday, 1) == Deadline(due=friday + timedelta(days=3), provisional=True)
    assert CAL.add_working_days(friday, 6) == Deadline(due=friday + timedelta(days=10), provisional=True)


def test_deadline_reaching_into_an_uncovered_year_is_provisional():
    last_covered = date(UNCOVERED - 1, 12, 31)
    assert not CAL.add_working_days(last_covered - timedelta(days=20), 3).provisional
    assert CAL.add_working_days(last_covered - timedelta(days=3), 5).provisional


def test_loaded_year_is_not_provisional_and_its_lists_count():
    saturday = next(iter(LOADED_WORKDAYS))
    friday = saturday - timedelta(days=1)
    assert LOADED_CAL.covers(UNCOVERED)
    assert not LOADED_CAL.is_provisional(friday)
    assert LOADED_CAL.is_workday(saturday)
    assert not LOADED_CAL.is_workday(LOADED_MONDAY)
    assert LOADED_CAL.add_working_days(friday, 1) == Deadline(due=saturday, provisional=False)
    assert LOADED_CAL.add_working_days(friday, 2) == Deadline(due=LOADED_MONDAY + timedelta(days=2), provisional=False)
    # The unloaded calendar guesses differently for the same days.
    assert CAL.add_working_days(friday, 2) == Deadline(due=LOADED_MONDAY + timedelta(days=1), provisional=True)


def test_loaded_lists_take_precedence_over_the_package():
    corrected = WorkCalendar({2024: (frozenset({date(2024, 10, 8)}), frozenset())})
    assert not corrected.is_workday(date(2024, 10, 8))
    # The loaded year replaces the package's data for that year, so its holidays must be listed in full.
    assert corrected.is_workday(date(2024, 10, 1))
    assert corrected.is_workday(date(2025, 1, 28)) is False


# --- lights ---------------------------------------------------------------------------------------------------

DUE = date(2024, 10, 10)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # Four working days left (09-30, 10-08, 10-09, 10-10), though eleven calendar days.
        (date(2024, 9, 29), "green"),
        (date(2024, 9, 30), "yellow"),
        (date(2024, 10, 5), "yellow"),
        (date(2024, 10, 10), "yellow"),
        (date(2024, 10, 11), "red"),
    ],
)
def test_light_around_the_yellow_and_red_boundaries(today, expected):
    assert light(DUE, today, 3, CAL, True) == expected


def test_light_with_no_yellow_window():
    assert light(DUE, date(2024, 10, 9), 0, CAL, True) == "green"
    assert light(DUE, DUE, 0, CAL, True) == "yellow"


def test_no_light_when_closed_or_undated():
    assert light(DUE, date(2024, 10, 11), 3, CAL, False) is None
    assert light(None, date(2024, 10, 11), 3, CAL, True) == "green"  # open, no deadline (长期坚持)


def test_red_on_a_day_off_after_a_due_day_off():
    # Due on a Saturday off, today the Sunday after: no working day has passed, but the date has.
    assert light(date(2024, 10, 5), date(2024, 10, 6), 3, CAL, True) == "red"


# --- Shanghai dates -----------------------------------------------------------------------------------------------


def test_local_date_is_shanghai():
    assert local_date(datetime(2024, 9, 30, 15, 59, 59, tzinfo=UTC)) == date(2024, 9, 30)
    assert local_date(datetime(2024, 9, 30, 16, 0, tzinfo=UTC)) == date(2024, 10, 1)
    assert local_date(datetime(2024, 10, 1, 0, 30, tzinfo=SHANGHAI)) == date(2024, 10, 1)
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2024, 9, 30, 16, 0))


def test_today_in_shanghai():
    assert today_in_shanghai(datetime(2024, 12, 31, 16, 0, tzinfo=UTC)) == date(2025, 1, 1)
    with time_machine.travel(datetime(2024, 9, 30, 16, 30, tzinfo=UTC), tick=False):
        assert today_in_shanghai() == date(2024, 10, 1)


# --- properties ---------------------------------------------------------------------------------------------------

SPAN = st.dates(min_value=date(2023, 1, 1), max_value=date(UNCOVERED + 1, 12, 31))
CALENDARS = st.sampled_from([CAL, LOADED_CAL])
# No example database: it would leave a .hypothesis folder in the repository.
FAST = settings(database=None, max_examples=150)


@FAST
@given(cal=CALENDARS, start=SPAN, n=st.integers(min_value=1, max_value=80))
def test_add_working_days_lands_on_the_nth_working_day(cal, start, n):
    deadline = cal.add_working_days(start, n)
    due = deadline.due
    assert due > start
    assert cal.is_workday(due)
    assert cal.working_days_between(start, due) == n
    assert cal.working_days_between(start, due - timedelta(days=1)) == n - 1
    assert cal.working_days_until(start, due) == n
    assert cal.working_days_until(due, start) == -n
    examined = range((start + timedelta(days=1)).year, due.year + 1)
    assert deadline.provisional == any(not cal.covers(year) for year in examined)


@FAST
@given(cal=CALENDARS, start=SPAN, days=st.integers(min_value=0, max_value=400))
def test_working_days_between_counts_day_by_day(cal, start, days):
    end = start + timedelta(days=days)
    expected = sum(cal.is_workday(start + timedelta(days=i)) for i in range(1, days + 1))
    assert cal.working_days_between(start, end) == expected


# --- loading a year's official list -------------------------------------------------------------------------------


def _load(session, **changes):
    args = {
        "year": UNCOVERED,
        "holidays": sorted(LOADED_HOLIDAYS),
        "workdays": sorted(LOADED_WORKDAYS),
        "source": f"国务院办公厅关于{UNCOVERED}年部分节假日安排的通知",
        "loaded_by": "city.admin",
    }
    args.update(changes)
    return load_year(session, **args)


@pytest.mark.parametrize(
    ("changes", "field", "bad"),
    [
        ({"holidays": [date(UNCOVERED - 1, 12, 31)]}, "holidays", date(UNCOVERED - 1, 12, 31)),
        ({"workdays": [date(UNCOVERED + 1, 1, 2)]}, "workdays", date(UNCOVERED + 1, 1, 2)),
        ({"workdays": [LOADED_MONDAY + timedelta(days=2)]}, "workdays", LOADED_MONDAY + timedelta(days=2)),
        ({"holidays": [*LOADED_HOLIDAYS, *LOADED_WORKDAYS]}, "holidays", next(iter(LOADED_WORKDAYS))),
        (
            {"holidays": [datetime(UNCOVERED, 10, 1, tzinfo=SHANGHAI)]},
            "holidays",
            datetime(UNCOVERED, 10, 1, tzinfo=SHANGHAI),
        ),
    ],
)
def test_load_year_refuses_bad_dates(changes, field, bad):
    # Validation comes before any database access, so no session is needed.
    with pytest.raises(FieldError) as info:
        _load(None, **changes)
    assert info.value.field == field
    assert str(bad) in info.value.message
    assert info.value.fields == {field: [info.value.message]}


@pytest.mark.parametrize(("changes", "field"), [({"year": 1999}, "year"), ({"source": "  "}, "source")])
def test_load_year_refuses_bad_year_or_source(changes, field):
    with pytest.raises(FieldError) as info:
        _load(None, **changes)
    assert info.value.field == field


@pytest.fixture
def holiday_table(db):
    """The holiday_year table inside the test's transaction, until a migration creates it."""
    HolidayYear.__table__.create(db.session.connection(), checkfirst=True)
    return db


def test_loaded_year_round_trips_through_the_database(holiday_table):
    session = holiday_table.session
    row = _load(session)
    assert row.holidays == sorted(day.isoformat() for day in LOADED_HOLIDAYS)
    assert row.loaded_at.tzinfo is not None

    cal = WorkCalendar.from_db(session)
    saturday = next(iter(LOADED_WORKDAYS))
    assert cal.covers(UNCOVERED)
    assert cal.add_working_days(saturday - timedelta(days=1), 2) == Deadline(
        due=LOADED_MONDAY + timedelta(days=2), provisional=False
    )


def test_load_year_replaces_an_earlier_load(holiday_table):
    session = holiday_table.session
    _load(session)
    _load(session, holidays=[LOADED_MONDAY, LOADED_MONDAY], workdays=[], source="更正通知")
    rows = session.scalars(holiday_table.select(HolidayYear)).all()
    assert [(r.year, r.holidays, r.workdays, r.source) for r in rows] == [
        (UNCOVERED, [LOADED_MONDAY.isoformat()], [], "更正通知")
    ]
    cal = WorkCalendar.from_db(session)
    assert not cal.is_workday(LOADED_MONDAY)
    assert cal.is_workday(LOADED_MONDAY + timedelta(days=1))
