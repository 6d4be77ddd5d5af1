"""Wishes waiting for community staff, for their home page."""

from __future__ import annotations

from django.urls import reverse

from . import permissions as perms
from .models import State


def todo(user) -> list[dict]:
    if not perms.is_staff(user):
        return []
    count = perms.staff_queryset(user).filter(state=State.SUBMITTED).count()
    if not count:
        return []
    return [{"label": "心愿待核实", "count": count, "url": reverse("wishes:staff")}]
