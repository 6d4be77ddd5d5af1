"""Background sweeps of volunteer service (registered with core.periodic; run by the worker).

Idempotent with several workers: each reminder is claimed with a conditional UPDATE, and only
the worker whose UPDATE matched sends it."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.core.periodic import register

from . import conf
from .models import Task, TaskClaim


@register
def sweep_task_reminders(now=None) -> int:
    """Reminds members of a task they claimed that starts soon (扫码报到 on arrival)."""
    from civicloop.notifications.actions import notify

    now = now or timezone.now()
    due = TaskClaim.objects.filter(
        state=TaskClaim.State.CLAIMED,
        reminded_at__isnull=True,
        task__state=Task.State.PUBLISHED,
        task__starts_at__gt=now,
        task__starts_at__lte=now + timedelta(minutes=conf.reminder_minutes()),
    ).select_related("task", "member")
    sent = 0
    for claim in due[:1000]:
        claimed = TaskClaim.objects.filter(pk=claim.pk, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if not claimed:
            continue
        task = claim.task
        notify(
            claim.member,
            kind="volunteering",
            title=_("志愿服务即将开始：%(t)s，%(at)s")
            % {"t": task.title, "at": timezone.localtime(task.starts_at).strftime("%m-%d %H:%M")},
            body=_("请按时到场，扫描现场二维码报到。"),
            url=reverse("volunteering:tasks") + "?tab=mine",
            key=f"task:{task.pk}:reminder",
        )
        sent += 1
    return sent
