"""What one case contributes to the case figures, per local day: the single definition both the
rollups and the naive GROUP BY follow (see `metrics.py` for each figure in words).

A case contributes
- by its own columns (the latest cycle): received on `created_at`; verified on `verified_at`
  (or `closed_at` for a case resolved on the spot, 就地解决); sign_due / signed_on_time on
  `dispatched_at`; due / closed_on_time on `close_deadline`; closed, handled and
  handling_seconds on `closed_at`;
- by its events (each occurrence counts, on the event's day): dispatched, replied, reworked,
  extended (extension granted), returned, evaluated (split by rating, default satisfaction
  marked), reopened, rejected, merged.
Deadlines make two counters depend on the clock: a step is *due* once its deadline has passed
or it was done, so the same case can contribute more later without a new event."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.utils import timezone

from civicloop.lib.workclock import WorkClock

# Case columns the facts need (Case.objects.values(*CASE_FIELDS)).
CASE_FIELDS = (
    "id",
    "state",
    "street_id",
    "community_id",
    "grid_id",
    "department_id",
    "category_id",
    "source",
    "created_at",
    "verified_at",
    "dispatched_at",
    "sign_deadline",
    "signed_at",
    "close_deadline",
    "replied_at",
    "closed_at",
)
EVENT_FIELDS = ("case_id", "action", "at", "data")

# Event action → the counter each occurrence adds to (evaluations are split by rating below).
EVENT_COUNTERS = {
    "dispatch": "dispatched",
    "reply": "replied",
    "rework": "reworked",
    "grant_extension": "extended",
    "return": "returned",
    "reopen": "reopened",
    "reject": "rejected",
    "merge": "merged",
}
RATING_COUNTERS = {
    "satisfied": "satisfied",
    "basically_satisfied": "basically_satisfied",
    "unsatisfied": "unsatisfied",
}
FACT_ACTIONS = (*EVENT_COUNTERS, "evaluate")


@lru_cache(maxsize=65536)
def _local_day_of_quarter(quarter: int, zone) -> str:
    return datetime.fromtimestamp(quarter * 900, tz=UTC).astimezone(zone).date().isoformat()


def local_day_key(moment: datetime) -> str:
    """The local calendar day of `moment` as "YYYY-MM-DD", looked up per quarter hour of UTC (every zone's
    offset changes on a quarter hour): the rollups ask this millions of times."""
    return _local_day_of_quarter(int(moment.timestamp()) // 900, timezone.get_default_timezone())


def dims_of(case: Mapping[str, Any]) -> tuple:
    return (
        case["street_id"] or 0,
        case["community_id"] or 0,
        case["grid_id"] or 0,
        case["department_id"] or 0,
        case["category_id"] or 0,
        case["source"] or "",
    )


def case_days(
    case: Mapping[str, Any], events: Iterable[Mapping[str, Any]], now: datetime, clock: WorkClock
) -> dict[str, dict[str, int]]:
    """{"YYYY-MM-DD": {counter: n}} for one case (values from CASE_FIELDS / EVENT_FIELDS)."""
    days: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(moment: datetime | None, counter: str, n: int = 1) -> None:
        if moment is not None and n:
            days[local_day_key(moment)][counter] += n

    add(case["created_at"], "received")
    add(case["verified_at"] or case["closed_at"], "verified")
    dispatched_at, signed_at, sign_deadline = (
        case["dispatched_at"],
        case["signed_at"],
        case["sign_deadline"],
    )
    if dispatched_at is not None:
        if signed_at is not None or (sign_deadline is not None and sign_deadline <= now):
            add(dispatched_at, "sign_due")
            if signed_at is not None and (sign_deadline is None or signed_at <= sign_deadline):
                add(dispatched_at, "signed_on_time")
    close_deadline, replied_at = case["close_deadline"], case["replied_at"]
    if close_deadline is not None and (replied_at is not None or close_deadline <= now):
        add(close_deadline, "due")
        if replied_at is not None and replied_at <= close_deadline:
            add(close_deadline, "closed_on_time")
    if case["state"] == "closed" and case["closed_at"] is not None:
        add(case["closed_at"], "closed")
        if dispatched_at is not None:
            add(case["closed_at"], "handled")
            seconds = clock.working_seconds_between(dispatched_at, case["closed_at"])
            add(case["closed_at"], "handling_seconds", max(0, round(seconds)))
    for event in events:
        action = event["action"]
        if action in EVENT_COUNTERS:
            add(event["at"], EVENT_COUNTERS[action])
        elif action == "evaluate":
            data = event["data"] or {}
            counter = RATING_COUNTERS.get(data.get("rating"))
            if counter is None:
                continue
            add(event["at"], "evaluated")
            add(event["at"], counter)
            if data.get("by_default"):
                add(event["at"], "default_satisfied")
    return {day: {k: v for k, v in c.items() if v} for day, c in days.items()}


def deltas(
    old_dims: tuple | None,
    old_days: Mapping[str, Mapping[str, int]] | None,
    new_dims: tuple,
    new_days: Mapping[str, Mapping[str, int]],
) -> dict[tuple, dict[str, int]]:
    """{(day, *dims): {counter: change}}: retract the old contribution, add the new one."""
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if old_dims is not None:
        for day, counters in (old_days or {}).items():
            for counter, n in counters.items():
                out[(day, *old_dims)][counter] -= n
    for day, counters in new_days.items():
        for counter, n in counters.items():
            out[(day, *new_dims)][counter] += n
    return {key: {k: v for k, v in c.items() if v} for key, c in out.items() if any(c.values())}
