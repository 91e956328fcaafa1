"""Working-day arithmetic on a configurable holiday calendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True)
class WorkingCalendar:
    """Weekends and public holidays are not working days; some weekends may be working days."""

    holidays: frozenset[date] = frozenset()
    weekend: frozenset[int] = frozenset({SATURDAY, SUNDAY})
    extra_working_days: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        return day.weekday() not in self.weekend and day not in self.holidays

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same time of day, `days` working days after `start` (start's own day not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_working_day(current.date()):
                remaining -= 1
        return current

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Whole working days after `start`'s day up to and including `end`'s day."""
        count, day = 0, start.date()
        while day < end.date():
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count
