"""Figures derived from service records and registrations: leaderboards, 报到率, 双服务."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum

from civicloop.core.models import PartyOrg, Profile

from . import workflow
from .models import MemberRegistration, ServiceRecord, VolunteeringSettings


def hours(value) -> Decimal:
    """A sum of hours to the hundredth (SQLite sums decimals as floats)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def leaderboards_enabled() -> bool:
    return VolunteeringSettings.current().leaderboards_enabled


def leaderboard(records, limit: int = 10) -> list[dict]:
    """Members ranked by points, then hours, over the given service records."""
    rows = (
        records.values("member_id", "member__username", "member__profile__real_name")
        .annotate(points=Sum("points"), hours=Sum("hours"), services=Count("id"))
        .order_by("-points", "-hours", "member_id")[:limit]
    )
    return [
        {
            "member_id": r["member_id"],
            "name": r["member__profile__real_name"] or r["member__username"],
            "points": r["points"] or 0,
            "hours": hours(r["hours"]),
            "services": r["services"],
        }
        for r in rows
    ]


def community_leaderboard(community, limit: int = 10) -> list[dict]:
    return leaderboard(ServiceRecord.objects.filter(community=community), limit)


def org_leaderboard(org: PartyOrg, limit: int = 10) -> list[dict]:
    return leaderboard(ServiceRecord.objects.filter(party_org__in=org.descendant_ids()), limit)


def registration_rate(org: PartyOrg) -> dict:
    """报到率 of an organisation: its members (in its subtree) registered with a community."""
    ids = org.descendant_ids()
    members = Profile.objects.filter(party_org__in=ids, is_party_member=True).count()
    registered = (
        MemberRegistration.objects.filter(
            member__profile__party_org__in=ids, state=MemberRegistration.State.APPROVED
        )
        .values("member_id")
        .distinct()
        .count()
    )
    rate = workflow.registration_rate(registered, members)
    return {"members": members, "registered": registered, "rate": rate}


def org_service(org: PartyOrg):
    """双服务: each member of the organisation with their tasks, hours and points."""
    ids = org.descendant_ids()
    records = ServiceRecord.objects.filter(party_org__in=ids)
    totals = {
        r["member_id"]: r
        for r in records.values("member_id").annotate(
            tasks=Count("id"), hours=Sum("hours"), points=Sum("points")
        )
    }
    communities = {}
    for member_id, name in MemberRegistration.objects.filter(
        member__profile__party_org__in=ids, state=MemberRegistration.State.APPROVED
    ).values_list("member_id", "community__name"):
        communities[member_id] = name
    rows = []
    for profile in (
        Profile.objects.filter(party_org__in=ids, is_party_member=True)
        .select_related("user", "party_org")
        .order_by("user__username")
    ):
        t = totals.get(profile.user_id, {})
        rows.append(
            {
                "member_id": profile.user_id,
                "username": profile.user.username,
                "name": profile.display_name,
                "branch": profile.party_org.name if profile.party_org else "",
                "community": communities.get(profile.user_id, ""),
                "tasks": t.get("tasks", 0),
                "hours": hours(t.get("hours")),
                "points": t.get("points") or 0,
            }
        )
    return rows, records.select_related("community").order_by("-date", "-id")
