"""Who may see and do what in volunteer service, built on civicloop.core.permissions.

Community staff act on their communities (a street's staff on the street's communities); party
members claim published tasks anywhere in the district; residents see their own orders; branch
secretaries see their organisation's members' service (双服务); leaders read everything."""

from __future__ import annotations

from django.db.models import Q

from civicloop.core import permissions as core
from civicloop.core.models import Role

STAFF = (Role.COMMUNITY_STAFF, Role.ADMIN)
READERS = (Role.COMMUNITY_STAFF, Role.ADMIN, Role.LEADER)
ORG_VIEWERS = (Role.BRANCH_SECRETARY, Role.ADMIN, Role.LEADER)


def is_member(user) -> bool:
    return core.has_role(user, Role.PARTY_MEMBER)


def is_staff(user) -> bool:
    return core.has_role(user, *STAFF)


def community_q(user, roles=STAFF, field: str = "community") -> Q:
    """Objects whose community lies in the user's region scope for these roles."""
    ids = core.region_ids(user, roles, level="community")
    if ids is None:
        return Q()
    return Q(**{f"{field}__in": ids}) if ids else core.NOTHING


def manages(user, community) -> bool:
    """Community staff (or admin) whose scope covers this community."""
    return core.covers_region(user, STAFF, community)


def org_ids(user) -> set[int] | None:
    """Party organisations whose members' service the user may see (None: all)."""
    return core.party_org_ids(user, ORG_VIEWERS)


def orders_visible_to(user):
    from .models import ServiceOrder

    if not user.is_authenticated:
        return ServiceOrder.objects.none()
    q = Q(resident=user) | Q(filed_by=user) | community_q(user, READERS)
    return ServiceOrder.objects.filter(q)


def tasks_visible_to(user):
    from .models import Task, TaskClaim

    if not user.is_authenticated:
        return Task.objects.none()
    q = community_q(user, READERS) | Q(order__resident=user)
    if is_member(user):
        mine = TaskClaim.objects.filter(member=user).values("task_id")
        q |= Q(state=Task.State.PUBLISHED) | Q(pk__in=mine)
    return Task.objects.filter(q)


def records_visible_to(user):
    from .models import ServiceRecord

    if not user.is_authenticated:
        return ServiceRecord.objects.none()
    q = Q(member=user) | community_q(user, READERS)
    ids = org_ids(user)
    if ids is None:
        return ServiceRecord.objects.all()
    if ids:
        q |= Q(party_org__in=ids)
    return ServiceRecord.objects.filter(q)


def sees_order_contact(user, order) -> bool:
    """Full phone and address of a service order: the resident, staff of its community, and
    members who hold a place in a task made from it (they go to the door)."""
    if (
        order.resident_id == user.pk
        or order.filed_by_id == user.pk
        or manages(user, order.community)
    ):
        return True
    from .models import TaskClaim

    return TaskClaim.objects.filter(
        task__order=order, member=user, state__in=TaskClaim.ACTIVE_STATES
    ).exists()


def sees_task_address(user, task, *, my_claim_state: str | None = None) -> bool:
    """Staff of the task's community, the resident it serves, and members holding a place.

    `my_claim_state` (the viewer's claim state, "" for none) spares a query per task in lists."""
    if manages(user, task.community) or (task.order_id and task.order.resident_id == user.pk):
        return True
    from .models import TaskClaim

    if my_claim_state is not None:
        return my_claim_state in TaskClaim.ACTIVE_STATES
    return TaskClaim.objects.filter(
        task=task, member=user, state__in=TaskClaim.ACTIVE_STATES
    ).exists()


def can(user, action: str, obj=None) -> bool:
    """One answer to "may this user do this?" for pages and API alike."""
    if not user.is_authenticated:
        return False
    if action in {"publish_task", "manage_community", "approve_registration", "pair_org"}:
        return manages(user, obj)  # obj: the community
    if action in {"assign", "cancel_task", "see_checkin_code", "decline_order"}:
        return manages(user, obj.community)  # obj: task or order
    if action == "confirm":  # obj: the claim
        if obj.member_id == user.pk:
            return False  # nobody confirms their own service
        task = obj.task
        return manages(user, task.community) or (
            task.order_id is not None and task.order.resident_id == user.pk
        )
    if action == "correct_points":
        return is_staff(user)
    if action in {"claim", "register", "redeem"}:
        return is_member(user)
    if action == "order":
        return True  # any signed-in resident may order; staff order on someone's behalf
    if action == "view_org":  # obj: a PartyOrg
        ids = org_ids(user)
        return ids is None or obj.pk in ids
    return False
