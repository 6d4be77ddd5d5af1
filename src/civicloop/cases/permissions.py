"""Who sees which cases, and who may take which action on one (role + scope + state)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from civicloop.core import permissions as scope
from civicloop.core.errors import ActionRefused
from civicloop.core.models import Role

from . import workflow as wf
from .models import Case

REGION_VIEWERS = (
    Role.GRID_WORKER,
    Role.COMMUNITY_STAFF,
    Role.DISPATCHER,
    Role.LEADER,
    Role.ADMIN,
)
# Roles that act on a case from its region (the others see it read-only).
REGION_ACTORS = (Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.DISPATCHER)
# Order in which a viewer's roles are recorded on an event when several could act.
ROLE_PRIORITY = (wf.GRID, wf.COMMUNITY, wf.DEPARTMENT, wf.DISPATCHER, wf.REPORTER)


def visible_to(user, qs=None):
    """Cases the user may see: their region scope, their department's cases, their own reports."""
    qs = Case.objects.all() if qs is None else qs
    if user is None or not user.is_authenticated:
        return qs.none()
    if scope.is_district_wide(user, REGION_VIEWERS):
        return qs
    q = scope.region_q(user, REGION_VIEWERS)
    departments = scope.department_ids(user)
    if departments:
        # A department sees what was dispatched to it, not what merely suggests it.
        q |= Q(department_id__in=departments, dispatched_at__isnull=False)
    return qs.filter(q | Q(reporter=user))


def can_view(user, case: Case) -> bool:
    """`visible_to(user)` decided for one loaded case, without a query (the same rule)."""
    if user is None or not user.is_authenticated:
        return False
    if case.reporter_id is not None and case.reporter_id == user.pk:
        return True
    if scope.in_region(
        user,
        REGION_VIEWERS,
        street=case.street_id,
        community=case.community_id,
        grid=case.grid_id,
    ):
        return True
    return bool(
        case.department_id
        and case.dispatched_at is not None
        and case.department_id in scope.department_ids(user)
    )


def _placed(case: Case) -> list[int]:
    """The case's grid, community and street (the district above them covers every case)."""
    return [pk for pk in (case.grid_id, case.community_id, case.street_id) if pk]


def _held(user, case: Case):
    """The workflow roles the user holds for this case (within scope), one by one, cheapest
    check first (a department's queue decides every row on the first two)."""
    if user is None or not user.is_authenticated:
        return
    if case.reporter_id == user.pk:
        yield wf.REPORTER
    if (
        case.department_id
        and case.dispatched_at is not None
        and case.department_id in scope.department_ids(user)
    ):
        yield wf.DEPARTMENT
    placed = _placed(case)
    if case.grid_id and scope.covers_placed(user, [Role.GRID_WORKER], placed):
        yield wf.GRID
    if placed and scope.covers_placed(user, [Role.COMMUNITY_STAFF], placed):
        yield wf.COMMUNITY
    if scope.covers_placed(user, [Role.DISPATCHER], placed):
        yield wf.DISPATCHER


def case_roles(user, case: Case) -> set[str]:
    """The workflow roles the user holds for this case (within scope)."""
    return set(_held(user, case))


def acting_roles(user, case: Case, action: str, held: set[str] | None = None) -> set[str]:
    """The roles the user may take `action` in (`held`: case_roles, when already known)."""
    roles = case_roles(user, case) if held is None else set(held)
    # The command centre verifies only what no grid holds (兜底); a grid's reports are the base's.
    if (
        case.state == wf.SUBMITTED
        and action in (wf.VERIFY, wf.REJECT, wf.MERGE)
        and (case.grid_id or case.community_id)
    ):
        roles.discard(wf.DISPATCHER)
    # Only the resident may ask for 重新办理; staff's 回访 records satisfaction they were told.
    return roles


def facts(case: Case, user) -> wf.Facts:
    return wf.Facts(
        state=case.state,
        extension_pending=case.extension_hours is not None,
        evaluated=bool(case.rating),
        replied_by_actor=bool(user and case.replied_by_id and case.replied_by_id == user.pk),
    )


def _roles_for_action(action: str) -> set[str]:
    roles: set[str] = set()
    for (_state, a), t in wf.TRANSITIONS.items():
        if a == action:
            roles |= t.roles
    return roles


_FORBIDDEN, _NOT_NOW = "forbidden", "not_now"


def _decide(user, action: str, case: Case, held=None) -> tuple[str | None, str | None]:
    """(the role the user acts in, None), or (None, why not): _FORBIDDEN out of role or scope,
    _NOT_NOW outside the state table, or the workflow guard's reason."""
    roles = acting_roles(user, case, action, held)
    if not roles & _roles_for_action(action):
        return None, _FORBIDDEN
    transition = wf.TRANSITIONS.get((case.state, action))
    if transition is None:
        return None, _NOT_NOW
    usable = roles & transition.roles
    if not usable:
        return None, _FORBIDDEN
    reason = wf.guard(facts(case, user), action)
    if reason is not None:
        return None, reason
    if action == wf.EVALUATE and wf.REPORTER in usable:
        return wf.REPORTER, None
    return next(r for r in ROLE_PRIORITY if r in usable), None


def check(user, action: str, case: Case) -> str:
    """Raises ActionRefused (403 out of role/scope, 409 not now); returns the role acted in."""
    role, refusal = _decide(user, action, case)
    if role is not None:
        return role
    if refusal == _FORBIDDEN:
        raise ActionRefused(_("您无权对该问题执行此操作"), status=403, code="forbidden")
    if refusal == _NOT_NOW:
        raise ActionRefused(
            _("当前状态（%(state)s）下不能执行“%(action)s”")
            % {"state": case.get_state_display(), "action": _(wf.ACTION_LABELS[action])},
            status=409,
        )
    raise ActionRefused(_(refusal), status=409)


def can(user, action: str, case: Case, held: set[str] | None = None) -> bool:
    """Whether check() would pass (without composing the refusals: a case page asks for every
    action)."""
    return _decide(user, action, case, held)[0] is not None


def available_actions(user, case: Case) -> list[str]:
    held = case_roles(user, case)
    return [a for a in wf.ACTION_LABELS if a in wf.USER_ACTIONS and can(user, a, case, held)]


def sees_contact(user, case: Case) -> bool:
    """Full name and phone of the reporter: the reporter, and staff who act on the case."""
    return any(_held(user, case))
