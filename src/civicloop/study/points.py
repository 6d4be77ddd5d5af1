"""Study points (optional, off by default): a few points for leading, attending and having a
reflection accepted, with a daily cap per member. Written to the volunteering points ledger, so
they add to the same balance and can be redeemed; never ranked."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from civicloop.volunteering import points
from civicloop.volunteering.models import PointsAccount, PointsEntry

from . import conf

KEY_PREFIX = "study:"


def _today_bounds() -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def earned_today(member) -> int:
    start, end = _today_bounds()
    return (
        PointsEntry.objects.filter(
            member=member,
            kind=PointsEntry.Kind.AWARD,
            key__startswith=KEY_PREFIX,
            at__gte=start,
            at__lt=end,
        ).aggregate(total=Sum("points"))["total"]
        or 0
    )


def award(member, action: str, source_key: str, reason: str) -> int:
    """Award the configured points for `action` once per (action, source, member), within the
    daily cap; returns the points written (0 when off, capped or already awarded)."""
    rules = conf.points_rules()
    wanted = int(rules.get(action) or 0)
    if not rules["enabled"] or wanted <= 0:
        return 0
    key = f"{KEY_PREFIX}{action}:{source_key}:{member.pk}"
    with transaction.atomic():
        # Lock the member's account first so two awards on the same day cannot both pass the cap.
        account, _created = PointsAccount.objects.get_or_create(member=member)
        PointsAccount.objects.select_for_update().get(pk=account.pk)
        if PointsEntry.objects.filter(key=key).exists():
            return 0
        room = int(rules["daily_cap"]) - earned_today(member)
        n = min(wanted, room)
        if n <= 0:
            return 0
        posted = points.award(member, n, key=key, reason=reason)
    return n if posted.created else 0
