"""WorkingCalendar: deadlines counted in working days, not calendar days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probandi.domain.calendar import WorkingCalendar

MONDAY = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
FRIDAY = datetime(2026, 11, 6, 17, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 11, 7, 11, 0, tzinfo=UTC)
PLAIN = WorkingCalendar()
# China's National Day week 2026 (1-7 Oct) with Sunday 27 Sep and Saturday 10 Oct worked.
NATIONAL_DAY = WorkingCalendar(
    holidays=frozenset(date(2026, 10, d) for d in range(1, 8)),
    extra_working_days=frozenset({date(2026, 9, 27), date(2026, 10, 10)}),
)


def at_day(day: date, like: datetime = MONDAY) -> datetime:
    return like.replace(year=day.year, month=day.month, day=day.day)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (MONDAY, 1, date(2026, 11, 3)),
        (MONDAY, 4, date(2026, 11, 6)),
        (MONDAY, 5, date(2026, 11, 9)),  # skips Saturday and Sunday
        (FRIDAY, 1, date(2026, 11, 9)),
        (SATURDAY, 1, date(2026, 11, 9)),
        (MONDAY, 10, date(2026, 11, 16)),
    ],
)
def test_adding_working_days_skips_weekends(start: datetime, days: int, expected: date) -> None:
    assert PLAIN.add_working_days(start, days).date() == expected


def test_adding_working_days_keeps_the_time_of_day_and_the_zone() -> None:
    due = PLAIN.add_working_days(FRIDAY, 3)
    assert due == datetime(2026, 11, 11, 17, 0, tzinfo=UTC)


def test_adding_zero_working_days_returns_the_start_itself() -> None:
    assert PLAIN.add_working_days(SATURDAY, 0) == SATURDAY


def test_adding_negative_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        PLAIN.add_working_days(MONDAY, -1)


def test_adding_working_days_skips_public_holidays() -> None:
    start = at_day(date(2026, 9, 30))  # Wednesday, the eve of the holiday week
    assert NATIONAL_DAY.add_working_days(start, 1).date() == date(2026, 10, 8)
    assert NATIONAL_DAY.add_working_days(start, 3).date() == date(2026, 10, 10)


def test_a_weekend_day_declared_a_working_day_counts() -> None:
    start = at_day(date(2026, 9, 26))  # Saturday before the worked Sunday
    assert NATIONAL_DAY.add_working_days(start, 1).date() == date(2026, 9, 27)
    assert PLAIN.add_working_days(start, 1).date() == date(2026, 9, 28)


def test_an_extra_working_day_wins_over_a_holiday_on_the_same_date() -> None:
    day = date(2026, 10, 1)
    calendar = WorkingCalendar(holidays=frozenset({day}), extra_working_days=frozenset({day}))
    assert calendar.is_working_day(day)


def test_a_custom_weekend_is_honoured() -> None:
    friday_saturday = WorkingCalendar(weekend=frozenset({4, 5}))
    thursday = at_day(date(2026, 11, 5))
    assert friday_saturday.add_working_days(thursday, 1).date() == date(2026, 11, 8)


def test_working_days_between_counts_days_after_the_start_up_to_the_end() -> None:
    assert PLAIN.working_days_between(MONDAY, MONDAY) == 0
    assert PLAIN.working_days_between(FRIDAY, SATURDAY + timedelta(days=1)) == 0
    assert PLAIN.working_days_between(FRIDAY, at_day(date(2026, 11, 9))) == 1
    assert PLAIN.working_days_between(MONDAY, at_day(date(2026, 11, 16))) == 10


# --- properties --------------------------------------------------------------------------

DAYS_OF_2026_27 = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))
CALENDARS = st.builds(
    WorkingCalendar,
    holidays=st.frozensets(DAYS_OF_2026_27, max_size=40),
    extra_working_days=st.frozensets(DAYS_OF_2026_27, max_size=10),
)
STARTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@given(CALENDARS, STARTS, st.integers(min_value=1, max_value=40))
def test_the_deadline_is_a_working_day_after_the_start(
    calendar: WorkingCalendar, start: datetime, days: int
) -> None:
    due = calendar.add_working_days(start, days)
    assert calendar.is_working_day(due.date())
    assert due > start
    assert due.time() == start.time()


@given(CALENDARS, STARTS, st.integers(min_value=0, max_value=40))
def test_exactly_n_working_days_lie_between_the_start_and_the_deadline(
    calendar: WorkingCalendar, start: datetime, days: int
) -> None:
    due = calendar.add_working_days(start, days)
    assert calendar.working_days_between(start, due) == days


@given(CALENDARS, STARTS, st.integers(min_value=0, max_value=30))
def test_one_more_working_day_is_never_earlier(
    calendar: WorkingCalendar, start: datetime, days: int
) -> None:
    assert calendar.add_working_days(start, days + 1) > calendar.add_working_days(start, days)
