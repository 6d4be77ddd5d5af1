"""Test data built through the same actions the product uses."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from civicloop.core.models import Region
from civicloop.volunteering import actions


def community(name: str = "胜利社区") -> Region:
    return Region.objects.get(name=name, level=Region.Level.COMMUNITY)


def task(staff, *, places: int = 5, points: int = 10, starts_in=timedelta(minutes=-10), **kw):
    starts = timezone.now() + starts_in
    defaults = {
        "community": community(kw.pop("community_name", "胜利社区")),
        "title": "社区清洁",
        "service_type": "other",
        "address": "胜利社区党群服务中心",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "places": places,
        "points": points,
        "lat": 41.105,
        "lng": 122.026,
        "cancel_cutoff": starts - timedelta(minutes=5)
        if starts_in.total_seconds() > 600
        else starts,
    }
    defaults.update(kw)
    return actions.publish_task(staff, **defaults)


def served(staff, task_obj, member):
    """A member who claimed, checked in and checked out."""
    actions.claim_task(member, task_obj.pk)
    actions.check_in(member, task_obj.pk, task_obj.checkin_code)
    actions.check_out(member, task_obj.pk)
