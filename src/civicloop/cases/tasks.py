"""Background sweeps of the cases app (registered with core.periodic; run by `civicloop worker`).

Both are idempotent and safe with several workers: each change is claimed with a conditional
UPDATE, and only the worker whose UPDATE matched sends the notification."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from civicloop.core.periodic import register

from . import actions, conf, deadlines
from . import workflow as wf
from .models import Case, DeadlineState

SEVERITY = {DeadlineState.NORMAL: 0, DeadlineState.DUE_SOON: 1, DeadlineState.OVERDUE: 2}


@register
def sweep_deadlines(now=None) -> dict:
    """Marks open cases 即将超期 / 已超期 and tells the holder and the command centre once."""
    now = now or timezone.now()
    work = deadlines.clock()
    counts = {DeadlineState.DUE_SOON: 0, DeadlineState.OVERDUE: 0}
    candidates = Case.objects.filter(state__in=wf.OPEN_STATES, deadline__isnull=False).exclude(
        deadline_state=DeadlineState.OVERDUE
    )
    for case in candidates.select_related("category").iterator(chunk_size=500):
        level = deadlines.classify(case, now, work)
        if SEVERITY[level] <= SEVERITY[case.deadline_state]:
            continue
        claimed = Case.objects.filter(
            pk=case.pk,
            step_seq=case.step_seq,
            state=case.state,
            deadline_state=case.deadline_state,
        ).update(deadline_state=level)
        if not claimed:
            continue  # another worker, or an action on the case, got there first
        case.deadline_state = level
        from .notify import warn_deadline

        warn_deadline(case, level)
        counts[level] += 1
    return counts


@register
def sweep_default_satisfaction(now=None) -> int:
    """默认满意: closed cases nobody rated within CIVICLOOP_DEFAULT_SATISFACTION_DAYS."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=conf.default_satisfaction_days())
    due = Case.objects.filter(state=wf.CLOSED, rating="", closed_at__lte=cutoff).values_list(
        "pk", flat=True
    )
    return sum(1 for pk in list(due[:500]) if actions.evaluate_by_default(pk))


@task()
def announce_events(events: list[list[int]]) -> int:
    """Tells who must hear about each (case id, event id): notifications, the department's
    webhook. Safe to run again: every message has a dedupe key."""
    from .notify import announce

    for case_id, event_id in events:
        announce(case_id, event_id)
    return len(events)


@task()
def run_sweeps() -> None:
    sweep_deadlines()
    sweep_default_satisfaction()
