"""The reminder sweep: once per claim, however often it runs."""

from datetime import timedelta

import pytest

from civicloop.notifications.models import Notification
from civicloop.volunteering import actions
from civicloop.volunteering.tasks import sweep_task_reminders

from .factories import task

pytestmark = pytest.mark.django_db


def test_members_are_reminded_once_of_a_task_that_starts_soon(user_named):
    member = user_named("member01")
    soon = task(user_named("community"), starts_in=timedelta(minutes=60))
    later = task(user_named("community"), starts_in=timedelta(days=2), title="下周任务")
    actions.claim_task(member, soon.pk)
    actions.claim_task(member, later.pk)
    assert sweep_task_reminders() == 1
    assert sweep_task_reminders() == 0
    reminders = Notification.objects.filter(recipient=member, title__contains="即将开始")
    assert [n.title.split("：")[1].split("，")[0] for n in reminders] == [soon.title]
