"""Who sees which wishes, who sees a beneficiary's contact details, and who may do what.

Built on civicloop.core.permissions: community staff act within their community (or street, or
the district for admins); party members claim; a resident follows the wishes they posted."""

from __future__ import annotations

from django.db.models import Q

from civicloop.core import permissions as scope
from civicloop.core.models import Region, Role, ScopeType

from . import workflow
from .models import HELD_STATES, PUBLIC_STATES, PostedAs, Wish

STAFF_ROLES = (Role.COMMUNITY_STAFF, Role.ADMIN)
MEMBER_ROLES = (Role.PARTY_MEMBER, Role.BRANCH_SECRETARY)


def is_staff(user) -> bool:
    return scope.has_role(user, *STAFF_ROLES)


def is_member(user) -> bool:
    return scope.has_role(user, *MEMBER_ROLES)


def staff_q(user) -> Q:
    return scope.region_q(user, STAFF_ROLES, street="street", community="community", grid="")


def public_queryset():
    return Wish.objects.filter(state__in=PUBLIC_STATES)


def visible_to(user):
    """Wishes the user may look at: the public wall, plus their own and their scope's."""
    if user is None or not user.is_authenticated:
        return public_queryset()
    staff = staff_q(user)
    if staff == Q():  # district-wide staff (an empty Q would vanish from the OR below)
        return Wish.objects.all()
    q = Q(state__in=PUBLIC_STATES) | Q(posted_by=user) | Q(claimed_by=user)
    return Wish.objects.filter(q | staff)


def in_staff_scope(user, wish: Wish) -> bool:
    """The same rule as staff_q, for one wish, on its denormalised street and community (so
    that a page of cards costs no region lookups)."""
    for a in scope.assignments(user):
        if a.role not in STAFF_ROLES:
            continue
        if a.scope_type == ScopeType.DISTRICT:
            return True
        if a.scope_type == ScopeType.STREET and a.region_id == wish.street_id:
            return True
        if a.scope_type == ScopeType.COMMUNITY and a.region_id == wish.community_id:
            return True
    return False


def staff_queryset(user):
    """The wishes a member of staff manages (nothing for anyone else)."""
    return Wish.objects.filter(staff_q(user))


def actor_for(user, wish: Wish) -> workflow.Actor:
    if user is None or not user.is_authenticated:
        return workflow.Actor()
    return workflow.Actor(
        scope_staff=in_staff_scope(user, wish),
        member=is_member(user),
        claimant=wish.claimed_by_id == user.pk and wish.state in HELD_STATES,
        poster=wish.posted_by_id == user.pk and wish.posted_as == PostedAs.RESIDENT,
    )


def can(user, action: str, wish: Wish) -> bool:
    return workflow.may(wish.state, action, actor_for(user, wish))


def available_actions(user, wish: Wish) -> list[str]:
    return [a for a in workflow.USER_ACTIONS if can(user, a, wish)]


def contact_purpose(user, wish: Wish) -> str | None:
    """Why this user may see the beneficiary's full name, phone and address, or None.

    Community staff in scope verify and follow up; the claimant needs them to fulfil the wish
    while holding it; a resident sees what they posted themselves."""
    if user is None or not user.is_authenticated:
        return None
    if in_staff_scope(user, wish):
        return "心愿核实与跟进"
    if wish.claimed_by_id == user.pk and wish.state in HELD_STATES:
        return "认领心愿联系受助人"
    if wish.posted_by_id == user.pk:
        return "本人发布的心愿"
    return None


def communities_for_posting(user) -> list[Region]:
    """Communities in which the user may post: staff for their scope, residents at home."""
    if is_staff(user):
        return list(scope.regions_in_scope(user, STAFF_ROLES, Region.Level.COMMUNITY))
    home = home_community(user)
    return [home] if home else []


def home_community(user) -> Region | None:
    for a in scope.assignments(user):
        if a.role == Role.RESIDENT and a.region and a.region.level == Region.Level.COMMUNITY:
            return a.region
    profile = getattr(user, "profile", None)
    region = profile.home_region if profile else None
    if region is None:
        return None
    if region.level == Region.Level.COMMUNITY:
        return region
    return region.community
