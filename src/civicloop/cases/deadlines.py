"""Deadlines (时限) of each step, counted on the working-time clock with admin holiday overrides."""

from __future__ import annotations

import threading
from datetime import datetime

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from civicloop.core import snapshots
from civicloop.core.models import HolidayOverride
from civicloop.lib.workclock import WorkClock

from . import conf
from . import workflow as wf
from .models import Case, DeadlineState, DeadlineUnit

DEFAULT_SIGN = (2, DeadlineUnit.HOURS)
DEFAULT_CLOSE = (5, DeadlineUnit.DAYS)


_lock = threading.Lock()
_calendar: dict = {"token": None, "clock": None}


@receiver(post_save, sender=HolidayOverride)
@receiver(post_delete, sender=HolidayOverride)
def _overrides_changed(sender, **kwargs) -> None:
    snapshots.changed(snapshots.CALENDAR)


def clock() -> WorkClock:
    """A working clock with the admin's corrections to the statutory calendar.

    One clock per process, rebuilt when an override is saved or deleted (see snapshots); the
    clock is an immutable snapshot that remembers the days it was asked about."""
    token = snapshots.token(snapshots.CALENDAR)
    current = _calendar
    if current["clock"] is None or current["token"] != token:
        overrides = dict(HolidayOverride.objects.values_list("date", "is_working_day"))
        with _lock:
            _calendar.update(token=token, clock=WorkClock(overrides=overrides))
        return _calendar["clock"]
    return current["clock"]


def add(work: WorkClock, start: datetime, amount: int, unit: str) -> datetime:
    if unit == DeadlineUnit.DAYS:
        return work.add_working_days(start, max(amount, 1))
    return work.add_working_hours(start, amount)


def step_deadline(case: Case, state: str, now: datetime, work: WorkClock) -> datetime | None:
    """The deadline of the step a case enters in `state` at `now`; None once out of the loop."""
    category = case.category
    if state == wf.SUBMITTED:
        return work.add_working_hours(now, conf.verify_hours())
    if state == wf.VERIFIED:
        return work.add_working_hours(now, conf.dispatch_hours())
    if state == wf.DISPATCHED:
        limit, unit = (category.sign_limit, category.sign_unit) if category else DEFAULT_SIGN
        return add(work, now, limit, unit)
    if state == wf.IN_PROGRESS:
        if case.handling_hours:
            return work.add_working_hours(now, case.handling_hours)
        limit, unit = (category.close_limit, category.close_unit) if category else DEFAULT_CLOSE
        return add(work, now, limit, unit)
    if state == wf.REPLIED:
        return work.add_working_hours(now, conf.check_hours())
    return None


def time_left_seconds(case: Case, now: datetime, work: WorkClock | None = None) -> int | None:
    """Working seconds until the deadline (negative once overdue); None without a deadline."""
    if case.deadline is None:
        return None
    return int((work or clock()).working_seconds_between(now, case.deadline))


def classify(case: Case, now: datetime, work: WorkClock) -> str:
    """normal, due_soon (≤ 2 working hours or 20% of the step left, whichever is less), overdue."""
    if case.deadline is None:
        return DeadlineState.NORMAL
    if now > case.deadline:
        return DeadlineState.OVERDUE
    left = work.working_seconds_between(now, case.deadline)
    threshold = conf.due_soon_hours() * 3600
    if case.step_started_at is not None:
        total = work.working_seconds_between(case.step_started_at, case.deadline)
        threshold = min(threshold, 0.2 * total)
    return DeadlineState.DUE_SOON if left <= threshold else DeadlineState.NORMAL


def start_step(case: Case, state: str, now: datetime, work: WorkClock) -> None:
    """Sets the deadline of the step the case enters (call before saving the case)."""
    case.deadline = step_deadline(case, state, now, work)
    case.step_started_at = now if case.deadline else None
    case.step_seq += 1
    case.deadline_state = classify(case, now, work)


def format_left(seconds: int | None) -> str:
    """Working time left for people: 剩 3 小时 20 分 / 超期 1 小时 5 分."""
    if seconds is None:
        return ""
    minutes = abs(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    text = f"{hours} 小时 {minutes} 分" if hours else f"{minutes} 分钟"
    return f"超期 {text}" if seconds < 0 else f"剩 {text}（工作时间）"
