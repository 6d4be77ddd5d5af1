"""Working-time clock for case deadlines (时限) counted in Chinese working hours and days."""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import chinese_calendar

__all__ = ["DEFAULT_PERIODS", "SHANGHAI", "WorkClock"]

SHANGHAI = ZoneInfo("Asia/Shanghai")

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = (
    (time(8, 30), time(12, 0)),
    (time(13, 30), time(17, 30)),
)

_ONE_DAY = timedelta(days=1)
_EPOCH = date(2000, 1, 3)  # where _elapsed counts from (any day would do)


@functools.cache
def _statutory_exceptions() -> dict[date, int]:
    """Days on which the statutory calendar departs from Monday to Friday: -1 for a weekday off
    (holiday), +1 for a weekend day worked (调休). Every other day, and every day of a year the
    package has no data for, follows Monday to Friday (as ``chinese_calendar.is_workday`` does)."""
    found: dict[date, int] = {}
    for d in chinese_calendar.holidays:
        if d.weekday() < 5 and d not in chinese_calendar.workdays:
            found[d] = -1
    for d in chinese_calendar.workdays:
        if d.weekday() >= 5:
            found[d] = 1
    return found


def _weekdays_between(start: date, end: date) -> int:
    """Mondays to Fridays in [start, end)."""
    days = (end - start).days
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    first = start.weekday()
    return weeks * 5 + sum(1 for i in range(rest) if (first + i) % 7 < 5)


def _offset(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


class WorkClock:
    """Working calendar: daily working periods on working days, in one local time zone.

    Working time is the union of closed intervals ``[start, end]`` of each period on each
    working day, so a deadline exactly at a period end (12:00, 17:30) counts as inside.
    """

    def __init__(
        self,
        periods: Sequence[tuple[time, time]] = DEFAULT_PERIODS,
        overrides: Mapping[date, bool] | None = None,
        tz: tzinfo = SHANGHAI,
    ) -> None:
        """Periods are local wall-clock (start, end) pairs; overrides map date -> is working."""
        if not periods:
            raise ValueError("at least one working period is required")
        offsets: list[tuple[timedelta, timedelta]] = []
        for start, end in periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("working periods must be naive local times")
            if not start < end:
                raise ValueError(f"period start {start} must be before its end {end}")
            if offsets and _offset(start) < offsets[-1][1]:
                raise ValueError("working periods must be sorted and must not overlap")
            offsets.append((_offset(start), _offset(end)))
        self._periods = tuple(offsets)
        # Copy so the clock is an immutable snapshot of the overrides it was built with.
        self._overrides = dict(overrides or {})
        # Day answers never change for one clock; lists of cases ask about the same days often.
        self._days: dict[date, bool] = {}
        self._day_periods: dict[date, tuple[tuple[datetime, datetime], ...]] = {}
        self._full_day = sum((e - s for s, e in self._periods), timedelta())
        self._exceptions: tuple[list[date], list[int]] | None = None
        self._before: dict[date, timedelta] = {}  # working time from _EPOCH to each day
        self._last: tuple[datetime, timedelta] | None = None
        self.tz = tz

    @property
    def hours_per_day(self) -> float:
        """Working hours in one working day."""
        return sum((e - s for s, e in self._periods), timedelta()) / timedelta(hours=1)

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day: override, else statutory calendar, else Mon-Fri."""
        if isinstance(d, datetime):
            # A datetime's calendar day depends on its zone; make callers choose explicitly.
            raise TypeError("pass a date, not a datetime")
        cached = self._days.get(d)
        if cached is None:
            cached = self._days[d] = self._lookup_day(d)
        return cached

    def _lookup_day(self, d: date) -> bool:
        if d in self._overrides:
            return self._overrides[d]
        try:
            return chinese_calendar.is_workday(d)
        except NotImplementedError:
            # The package only ships data for a fixed range of years (e.g. not 2027 yet).
            return d.weekday() < 5

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in [start, end), counted without visiting each day: Mondays to Fridays,
        corrected by the days on which the calendar (statutory, then overrides) departs from
        them."""
        if end <= start:
            return 0
        dates, sums = self._exception_index()
        corrections = sums[bisect.bisect_left(dates, end)] - sums[bisect.bisect_left(dates, start)]
        return _weekdays_between(start, end) + corrections

    def _exception_index(self) -> tuple[list[date], list[int]]:
        """Sorted days that depart from Monday to Friday, and prefix sums of their corrections."""
        if self._exceptions is None:
            found = dict(_statutory_exceptions())
            for d, working in self._overrides.items():
                correction = int(bool(working)) - int(d.weekday() < 5)
                if correction:
                    found[d] = correction
                else:
                    found.pop(d, None)
            dates = sorted(found)
            sums = [0]
            for d in dates:
                sums.append(sums[-1] + found[d])
            self._exceptions = (dates, sums)
        return self._exceptions

    def is_working_time(self, t: datetime) -> bool:
        """Whether ``t`` lies inside a working period (both ends inclusive)."""
        local = self._to_local(t)
        return any(s <= local <= e for s, e in self._periods_on(local.date()))

    def next_working_moment(self, t: datetime) -> datetime:
        """``t`` itself if inside working time, else the start of the next working period."""
        return self.add_working_hours(t, 0)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """Deadline ``hours`` working hours after ``start``, in ``start``'s time zone."""
        if not math.isfinite(hours) or hours < 0:
            raise ValueError(f"hours must be a finite non-negative number, got {hours!r}")
        local = self._to_local(start)
        # Integer microseconds keep the arithmetic exact across many periods.
        remaining = timedelta(microseconds=round(hours * 3_600_000_000))
        day = local.date()
        while True:
            for p_start, p_end in self._periods_on(day):
                if p_end < local:
                    continue
                begin = max(p_start, local)
                available = p_end - begin
                if remaining <= available:
                    return self._from_local(begin + remaining, start)
                remaining -= available
            day += _ONE_DAY

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """End of the ``days``-th working day after ``start``'s local calendar day."""
        if days < 1:
            raise ValueError(f"days must be >= 1, got {days!r}")
        day = self._to_local(start).date()
        while days:
            day += _ONE_DAY
            if self.is_working_day(day):
                days -= 1
        return self._from_local(self._periods_on(day)[-1][1], start)

    def working_seconds_between(self, a: datetime, b: datetime) -> float:
        """Working seconds from ``a`` to ``b``; negative if ``b`` is before ``a``."""
        return (self._elapsed(b) - self._elapsed(a)).total_seconds()

    def _elapsed(self, t: datetime) -> timedelta:
        """Working time from the start of _EPOCH (local) to ``t``, negative before it: the
        working time between two moments is the difference of theirs. A list asks about many
        deadlines against one now, so the last answer is remembered."""
        last = self._last
        if last is not None and last[0] == t:
            return last[1]
        local = self._to_local(t)
        day = local.date()
        total = self._before.get(day)
        if total is None:
            if day >= _EPOCH:
                days = self.working_days_between(_EPOCH, day)
            else:
                days = -self.working_days_between(day, _EPOCH)
            total = self._before[day] = self._full_day * days
        for p_start, p_end in self._periods_on(day):
            if local <= p_start:
                break
            total += min(local, p_end) - p_start
        self._last = (t, total)
        return total

    def _periods_on(self, d: date) -> tuple[tuple[datetime, datetime], ...]:
        """Naive local (start, end) datetimes of the working periods on ``d`` (remembered)."""
        found = self._day_periods.get(d)
        if found is None:
            if self.is_working_day(d):
                midnight = datetime.combine(d, time())
                found = tuple((midnight + s, midnight + e) for s, e in self._periods)
            else:
                found = ()
            self._day_periods[d] = found
        return found

    def _to_local(self, t: datetime) -> datetime:
        if t.tzinfo is None or t.utcoffset() is None:
            raise ValueError("an aware datetime is required")
        # Naive wall-clock time: periods are defined on the local clock face.
        return t.astimezone(self.tz).replace(tzinfo=None)

    def _from_local(self, local: datetime, like: datetime) -> datetime:
        return local.replace(tzinfo=self.tz).astimezone(like.tzinfo)
