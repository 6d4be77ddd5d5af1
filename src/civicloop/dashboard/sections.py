"""Figures of the other capabilities for a dashboard scope: volunteer service, wishes, study.

Each comes from its own app (wishes.metrics, study.metrics, the volunteering models); a missing
app or table gives None (shown as 暂无数据) and never breaks the dashboard."""

from __future__ import annotations

import logging

from django.db.models import Count, Q, Sum

from civicloop.core.models import PartyOrg, Profile, Region

from .metrics import Period, ratio
from .permissions import Scope

log = logging.getLogger(__name__)
REGION_TYPES = ("district", "street", "community")


def _guarded(name: str, compute):
    try:
        return compute()
    except Exception:  # another app's data or code must never take the dashboard down
        log.exception("dashboard section %s failed", name)
        return None


def applies(scope: Scope) -> bool:
    """Volunteering, wishes and study are kept per community and party organisation: they are
    shown for the district, a street and a community, not for a grid or a department."""
    return scope.type in REGION_TYPES


def _community_q(scope: Scope, field: str = "community") -> Q:
    if scope.type == "district":
        return Q()
    if scope.type == "street":
        return Q(**{f"{field}__parent_id": scope.id})
    return Q(**{f"{field}_id": scope.id})


def volunteering(scope: Scope, period: Period) -> dict | None:
    if not applies(scope):
        return None
    return _guarded("volunteering", lambda: _volunteering(scope, period))


def _volunteering(scope: Scope, period: Period) -> dict:
    from civicloop.volunteering.models import (
        MemberRegistration,
        PointsEntry,
        Redemption,
        ServiceRecord,
        Task,
        TaskClaim,
    )

    lo, hi = period.bounds()
    tasks = Task.objects.filter(_community_q(scope), created_at__gte=lo, created_at__lt=hi)
    claims = TaskClaim.objects.filter(
        _community_q(scope, "task__community"), claimed_at__gte=lo, claimed_at__lt=hi
    ).exclude(state=TaskClaim.State.CANCELLED)
    records = ServiceRecord.objects.filter(
        _community_q(scope), date__range=(period.start, period.end)
    )
    served = records.aggregate(n=Count("pk"), hours=Sum("hours"), points=Sum("points"))
    if scope.type == "district":
        ledger = PointsEntry.objects.filter(at__gte=lo, at__lt=hi)
        awarded = ledger.filter(kind=PointsEntry.Kind.AWARD).aggregate(s=Sum("points"))["s"]
        redeemed = ledger.filter(kind=PointsEntry.Kind.REDEMPTION).aggregate(s=Sum("points"))["s"]
        redeemed = abs(redeemed or 0)
    else:
        awarded = served["points"]
        redeemed = (
            Redemption.objects.filter(
                _community_q(scope, "reward__community"), at__gte=lo, at__lt=hi
            ).aggregate(s=Sum("points"))["s"]
            or 0
        )
    # 报到率: party members living in the scope who registered with a community (双报到).
    members = Profile.objects.filter(is_party_member=True)
    registrations = MemberRegistration.objects.filter(state=MemberRegistration.State.APPROVED)
    if scope.type != "district":
        members = members.filter(_community_q(scope, "home_region"))
        registrations = registrations.filter(_community_q(scope))
    member_count = members.count()
    registered = (
        registrations.filter(member__profile__in=members).values("member_id").distinct().count()
    )
    return {
        "tasks_published": tasks.exclude(state=Task.State.CANCELLED).count(),
        "claims": claims.count(),
        "services": served["n"] or 0,
        "hours": float(served["hours"] or 0),
        "points_awarded": int(awarded or 0),
        "points_redeemed": int(redeemed or 0),
        "party_members": member_count,
        "registered": registered,
        "registration_rate": ratio(registered, member_count),
        "by_type": [
            {"service_type": t, "services": n, "hours": float(h or 0)}
            for t, n, h in records.values_list("service_type")
            .annotate(n=Count("pk"), h=Sum("hours"))
            .order_by("-n")
        ],
    }


def wishes(scope: Scope, period: Period) -> dict | None:
    if not applies(scope):
        return None
    return _guarded("wishes", lambda: _wishes(scope, period))


def _wishes(scope: Scope, period: Period) -> dict:
    from civicloop.wishes import metrics as wish_metrics
    from civicloop.wishes.models import Wish

    qs = Wish.objects.all()
    if scope.type == "street":
        qs = qs.filter(street_id=scope.id)
    elif scope.type == "community":
        qs = qs.filter(community_id=scope.id)
    result = wish_metrics.figures(qs, start=period.start, end=period.end)
    return {
        **result["total"],
        "communities": result.get("communities", []),
        "streets": result.get("streets", []),
    }


def org_ids(scope: Scope) -> set[int] | None:
    """Party organisations of a region scope: those placed in it, with their subtrees."""
    if scope.type == "district":
        return None
    region = Region.objects.filter(pk=scope.id).first()
    if region is None:
        return set()
    ids: set[int] = set()
    for org in PartyOrg.objects.filter(region_id__in=region.descendant_ids()):
        ids |= org.descendant_ids()
    return ids


def study(scope: Scope, period: Period, today=None) -> dict | None:
    if not applies(scope):
        return None

    def compute():
        from civicloop.study import metrics as study_metrics

        return study_metrics.figures(org_ids(scope), period.start, period.end, today=today)

    return _guarded("study", compute)
