"""Tests for the working-time clock used for case deadlines."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicloop.lib import workclock
from civicloop.lib.workclock import SHANGHAI, WorkClock

CLOCK = WorkClock()


def sh(*args: int) -> datetime:
    """Aware Asia/Shanghai datetime."""
    return datetime(*args, tzinfo=SHANGHAI)


# --- working days -------------------------------------------------------------------------


def test_weekdays_and_weekends_in_ordinary_week() -> None:
    # 2026-03-09..15 has no statutory holidays or make-up days.
    week = [CLOCK.is_working_day(date(2026, 3, 9) + timedelta(days=i)) for i in range(7)]
    assert week == [True, True, True, True, True, False, False]


def test_national_day_2026_from_statutory_calendar() -> None:
    # chinese_calendar 1.11.0: Oct 1-7 off, Sun Sep 20 and Sat Oct 10 are make-up workdays.
    assert CLOCK.is_working_day(date(2026, 9, 30))
    assert not any(CLOCK.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert CLOCK.is_working_day(date(2026, 10, 8))
    assert CLOCK.is_working_day(date(2026, 9, 20))
    assert CLOCK.is_working_day(date(2026, 10, 10))
    assert not CLOCK.is_working_day(date(2026, 10, 11))


def test_unknown_year_falls_back_to_monday_to_friday() -> None:
    # The package has no 2027 data; without it we can only assume a plain Mon-Fri week.
    with pytest.raises(NotImplementedError):
        workclock.chinese_calendar.is_workday(date(2027, 1, 8))
    assert CLOCK.is_working_day(date(2027, 1, 8))  # Friday
    assert not CLOCK.is_working_day(date(2027, 1, 9))  # Saturday
    assert not CLOCK.is_working_day(date(2027, 1, 10))  # Sunday
    assert CLOCK.is_working_day(date(2027, 1, 11))  # Monday
    # Fri 17:00 + 1 h -> Mon 09:00.
    assert CLOCK.add_working_hours(sh(2027, 1, 8, 17), 1) == sh(2027, 1, 11, 9)


def test_overrides_win_over_statutory_calendar() -> None:
    saturday, wednesday = date(2026, 3, 14), date(2026, 3, 11)
    assert not CLOCK.is_working_day(saturday)
    assert CLOCK.is_working_day(wednesday)

    clock = WorkClock(overrides={saturday: True, wednesday: False, date(2026, 10, 1): True})
    assert clock.is_working_day(saturday)
    assert not clock.is_working_day(wednesday)
    assert clock.is_working_day(date(2026, 10, 1))  # a statutory holiday made a working day
    # Tue 17:00 + 1 h skips the Wednesday day off.
    assert clock.add_working_hours(sh(2026, 3, 10, 17), 1) == sh(2026, 3, 12, 9)
    # Fri 17:00 + 1 h lands on the working Saturday.
    assert clock.add_working_hours(sh(2026, 3, 13, 17), 1) == sh(2026, 3, 14, 9)


def test_overrides_apply_to_unknown_years_too() -> None:
    clock = WorkClock(overrides={date(2027, 1, 1): False, date(2027, 1, 9): True})
    assert not clock.is_working_day(date(2027, 1, 1))
    assert clock.is_working_day(date(2027, 1, 9))


def test_overrides_are_copied() -> None:
    overrides = {date(2026, 3, 14): True}
    clock = WorkClock(overrides=overrides)
    overrides[date(2026, 3, 14)] = False
    assert clock.is_working_day(date(2026, 3, 14))


def test_is_working_day_rejects_datetime() -> None:
    with pytest.raises(TypeError):
        CLOCK.is_working_day(sh(2026, 3, 9, 10))


# --- working time / next working moment ----------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (sh(2026, 3, 9, 8, 29), False),
        (sh(2026, 3, 9, 8, 30), True),
        (sh(2026, 3, 9, 12, 0), True),  # period end is inclusive
        (sh(2026, 3, 9, 12, 1), False),
        (sh(2026, 3, 9, 13, 30), True),
        (sh(2026, 3, 9, 17, 30), True),
        (sh(2026, 3, 9, 17, 31), False),
        (sh(2026, 3, 14, 10, 0), False),  # Saturday
    ],
)
def test_is_working_time(moment: datetime, expected: bool) -> None:
    assert CLOCK.is_working_time(moment) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (sh(2026, 3, 9, 10, 0), sh(2026, 3, 9, 10, 0)),
        (sh(2026, 3, 9, 12, 0), sh(2026, 3, 9, 12, 0)),
        (sh(2026, 3, 9, 12, 30), sh(2026, 3, 9, 13, 30)),
        (sh(2026, 3, 9, 7, 0), sh(2026, 3, 9, 8, 30)),
        (sh(2026, 3, 13, 18, 0), sh(2026, 3, 16, 8, 30)),  # Friday evening -> Monday
        (sh(2026, 3, 14, 10, 0), sh(2026, 3, 16, 8, 30)),  # Saturday -> Monday
    ],
)
def test_next_working_moment(moment: datetime, expected: datetime) -> None:
    assert CLOCK.next_working_moment(moment) == expected


# --- add_working_hours ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (sh(2026, 3, 9, 9, 0), 1, sh(2026, 3, 9, 10, 0)),
        (sh(2026, 3, 9, 11, 0), 1, sh(2026, 3, 9, 12, 0)),  # exactly at lunch, not 13:30
        (sh(2026, 3, 9, 11, 0), 2, sh(2026, 3, 9, 14, 30)),  # spans the lunch break
        (sh(2026, 3, 9, 8, 30), 7.5, sh(2026, 3, 9, 17, 30)),  # one full day
        (sh(2026, 3, 9, 8, 30), 8, sh(2026, 3, 10, 9, 0)),
        (sh(2026, 3, 9, 12, 15), 0.5, sh(2026, 3, 9, 14, 0)),  # counting starts at 13:30
        (sh(2026, 3, 9, 6, 0), 0.25, sh(2026, 3, 9, 8, 45)),
        (sh(2026, 3, 9, 12, 30), 0, sh(2026, 3, 9, 13, 30)),  # 0 h outside -> next start
        (sh(2026, 3, 9, 10, 0), 0, sh(2026, 3, 9, 10, 0)),
        (sh(2026, 3, 13, 16, 30), 2, sh(2026, 3, 16, 9, 30)),  # Friday -> Monday
        (sh(2026, 3, 14, 10, 0), 1, sh(2026, 3, 16, 9, 30)),  # reported on Saturday
        # 7 h Mon + 7.5 h Tue + 7.5 h Wed = 22 h, then 2 h on Thu.
        (sh(2026, 3, 9, 9, 0), 24, sh(2026, 3, 12, 10, 30)),
    ],
)
def test_add_working_hours(start: datetime, hours: float, expected: datetime) -> None:
    assert CLOCK.add_working_hours(start, hours) == expected


def test_deadline_across_national_day_2026() -> None:
    # Wed Sep 30 16:30: 1 h left that day, Oct 1-7 off, remaining 2 h on Thu Oct 8.
    assert CLOCK.add_working_hours(sh(2026, 9, 30, 16, 30), 3) == sh(2026, 10, 8, 10, 30)
    # 1 h + 7.5 (Oct 8) + 7.5 (Oct 9) = 16 h; 2 h more lands on make-up Saturday Oct 10.
    assert CLOCK.add_working_hours(sh(2026, 9, 30, 16, 30), 18) == sh(2026, 10, 10, 10, 30)


def test_deadline_over_make_up_sunday_before_national_day() -> None:
    # Sat Sep 19 is off, Sun Sep 20 is a make-up workday.
    assert CLOCK.add_working_hours(sh(2026, 9, 18, 17, 0), 1) == sh(2026, 9, 20, 9, 0)


def test_keeps_input_time_zone() -> None:
    # Fri 16:30 Shanghai == 08:30 UTC; +2 h -> Mon 09:30 Shanghai == 01:30 UTC.
    result = CLOCK.add_working_hours(datetime(2026, 3, 13, 8, 30, tzinfo=UTC), 2)
    assert result.tzinfo is UTC
    assert result == datetime(2026, 3, 16, 1, 30, tzinfo=UTC)


def test_rejects_naive_datetime_and_bad_hours() -> None:
    with pytest.raises(ValueError, match="aware"):
        CLOCK.add_working_hours(datetime(2026, 3, 9, 9), 1)
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="hours"):
            CLOCK.add_working_hours(sh(2026, 3, 9, 9), bad)


def test_500_hours_is_correct_and_iterates_per_day(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real = workclock.chinese_calendar.is_workday

    def counting(d: date) -> bool:
        nonlocal calls
        calls += 1
        return real(d)

    monkeypatch.setattr(workclock.chinese_calendar, "is_workday", counting)
    # 500 h = 66 full days + 5 h; the 67th working day from Mon Mar 2 (via Qingming and
    # Labour Day 2026) is Fri Jun 5: 08:30 + 3.5 h + 1.5 h -> 15:00.
    assert CLOCK.add_working_hours(sh(2026, 3, 2, 8, 30), 500) == sh(2026, 6, 5, 15, 0)
    # 96 calendar days are visited; minute-by-minute iteration would be far above this.
    assert calls < 200


# --- add_working_days ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (sh(2026, 3, 13, 10, 0), 1, sh(2026, 3, 16, 17, 30)),  # Friday -> end of Monday
        (sh(2026, 3, 13, 20, 0), 1, sh(2026, 3, 16, 17, 30)),  # after hours: same
        (sh(2026, 3, 14, 10, 0), 1, sh(2026, 3, 16, 17, 30)),  # Saturday -> Monday
        (sh(2026, 3, 9, 10, 0), 5, sh(2026, 3, 16, 17, 30)),
        (sh(2026, 9, 30, 10, 0), 1, sh(2026, 10, 8, 17, 30)),  # over National Day
        (sh(2026, 9, 30, 10, 0), 3, sh(2026, 10, 10, 17, 30)),  # make-up Saturday
        (sh(2026, 9, 24, 10, 0), 1, sh(2026, 9, 28, 17, 30)),  # over Mid-autumn
    ],
)
def test_add_working_days(start: datetime, days: int, expected: datetime) -> None:
    assert CLOCK.add_working_days(start, days) == expected


def test_add_working_days_rejects_zero() -> None:
    with pytest.raises(ValueError):
        CLOCK.add_working_days(sh(2026, 3, 9, 10), 0)


# --- working_seconds_between ---------------------------------------------------------------


def test_working_seconds_between() -> None:
    assert CLOCK.working_seconds_between(sh(2026, 3, 13, 16, 30), sh(2026, 3, 16, 9, 30)) == 7200
    assert CLOCK.working_seconds_between(sh(2026, 3, 16, 9, 30), sh(2026, 3, 13, 16, 30)) == -7200
    assert CLOCK.working_seconds_between(sh(2026, 3, 9, 11), sh(2026, 3, 9, 14)) == 1.5 * 3600
    assert CLOCK.working_seconds_between(sh(2026, 3, 9, 12), sh(2026, 3, 9, 13, 30)) == 0
    assert CLOCK.working_seconds_between(sh(2026, 3, 14, 9), sh(2026, 3, 15, 17)) == 0
    # Whole National Day week 2026 (Sep 28 - Oct 11): 3 + 2 (Oct 8/9) + 1 (Oct 10) days.
    assert CLOCK.working_seconds_between(sh(2026, 9, 28, 0), sh(2026, 10, 12, 0)) == 6 * 7.5 * 3600


# --- configurable periods ------------------------------------------------------------------


def test_configurable_periods() -> None:
    clock = WorkClock(periods=[(time(9), time(17))])
    assert clock.hours_per_day == 8
    assert CLOCK.hours_per_day == 7.5
    assert clock.add_working_hours(sh(2026, 3, 9, 9), 8) == sh(2026, 3, 9, 17)
    assert clock.add_working_hours(sh(2026, 3, 9, 9), 9) == sh(2026, 3, 10, 10)
    assert clock.add_working_hours(sh(2026, 3, 9, 12, 30), 1) == sh(2026, 3, 9, 13, 30)
    assert clock.add_working_days(sh(2026, 3, 9, 9), 1) == sh(2026, 3, 10, 17)
    assert clock.next_working_moment(sh(2026, 3, 9, 8)) == sh(2026, 3, 9, 9)


@pytest.mark.parametrize(
    "periods",
    [
        [],
        [(time(12), time(9))],
        [(time(9), time(9))],
        [(time(13), time(17)), (time(9), time(12))],  # unsorted
        [(time(9), time(13)), (time(12), time(17))],  # overlapping
        [(time(9, tzinfo=UTC), time(17))],
    ],
)
def test_invalid_periods_rejected(periods: list[tuple[time, time]]) -> None:
    with pytest.raises(ValueError):
        WorkClock(periods=periods)


# --- properties ----------------------------------------------------------------------------

# 2025-2027 covers statutory data and the unknown-year fallback.
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(SHANGHAI)
)
hours_st = st.floats(min_value=0, max_value=500, allow_nan=False, allow_infinity=False)


@given(start=moments, hours=hours_st)
def test_deadline_is_always_inside_working_time(start: datetime, hours: float) -> None:
    assert CLOCK.is_working_time(CLOCK.add_working_hours(start, hours))


@given(start=moments, h1=hours_st, h2=hours_st)
def test_more_hours_never_earlier(start: datetime, h1: float, h2: float) -> None:
    lo, hi = sorted((h1, h2))
    assert CLOCK.add_working_hours(start, lo) <= CLOCK.add_working_hours(start, hi)


@given(start=moments, hours=hours_st)
def test_seconds_between_inverts_add_hours(start: datetime, hours: float) -> None:
    start = CLOCK.next_working_moment(start)
    deadline = CLOCK.add_working_hours(start, hours)
    # Deadlines are rounded to whole microseconds.
    assert CLOCK.working_seconds_between(start, deadline) == pytest.approx(hours * 3600, abs=1e-6)


@given(start=moments)
def test_next_working_moment_properties(start: datetime) -> None:
    nxt = CLOCK.next_working_moment(start)
    assert nxt >= start
    assert CLOCK.is_working_time(nxt)
    assert CLOCK.working_seconds_between(start, nxt) == 0


@given(a=moments, b=moments, c=moments)
@settings(max_examples=50)
def test_seconds_between_is_additive_and_antisymmetric(
    a: datetime, b: datetime, c: datetime
) -> None:
    ab = CLOCK.working_seconds_between(a, b)
    assert CLOCK.working_seconds_between(b, a) == -ab
    assert ab + CLOCK.working_seconds_between(b, c) == pytest.approx(
        CLOCK.working_seconds_between(a, c), abs=1e-6
    )


@given(start=moments, days=st.integers(min_value=1, max_value=30))
def test_add_working_days_ends_a_working_day(start: datetime, days: int) -> None:
    end = CLOCK.add_working_days(start, days)
    assert end.time() == time(17, 30)
    assert CLOCK.is_working_day(end.date())
    assert end.date() > start.date()
