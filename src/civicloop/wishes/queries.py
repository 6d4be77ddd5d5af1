"""Read-side helpers: the wall's order (waiting-long wishes first) and the filters it offers."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, Q, Value, When
from django.utils import timezone

from . import conf
from .models import State


def waiting_cutoff():
    return timezone.now() - timedelta(days=conf.waiting_days())


def is_waiting_long(wish) -> bool:
    return (
        wish.state == State.PUBLISHED
        and wish.on_wall_since is not None
        and wish.on_wall_since <= waiting_cutoff()
    )


def on_wall_order(qs):
    """Unclaimed wishes waiting longest rise to the top, then the open ones, then the rest."""
    waiting = Q(state=State.PUBLISHED, on_wall_since__lte=waiting_cutoff())
    return qs.annotate(
        waiting_long=Case(When(waiting, then=Value(True)), default=Value(False)),
        open_rank=Case(
            When(state=State.PUBLISHED, then=Value(0)),
            When(state__in=[State.CLAIMED, State.CONTACTED], then=Value(1)),
            default=Value(2),
        ),
    ).order_by("-waiting_long", "open_rank", "on_wall_since", "-published_at", "-id")


def filter_wall(qs, *, community_id=None, street_id=None, category=None, state=None):
    if community_id:
        qs = qs.filter(community_id=community_id)
    if street_id:
        qs = qs.filter(street_id=street_id)
    if category:
        qs = qs.filter(category=category)
    if state == "open":
        qs = qs.filter(state=State.PUBLISHED)
    elif state == "claimed":
        qs = qs.filter(state__in=[State.CLAIMED, State.CONTACTED])
    elif state == "done":
        qs = qs.filter(state__in=[State.FULFILLED, State.CONFIRMED])
    elif state in State.values:
        qs = qs.filter(state=state)
    return qs
