"""The one place that decides a user's scope: which roles they hold, over which regions,
departments and party organisations. Every app's `visible_to` and `can` build on these."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from . import snapshots
from .models import REGION_SCOPES, Department, PartyOrg, Region, Role, RoleAssignment, ScopeType

NOTHING = Q(pk__in=[])
STAFF_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.DISPATCHER,
        Role.DEPARTMENT_STAFF,
        Role.LEADER,
        Role.ADMIN,
    }
)


# Role assignments per user id, shared by the process's requests while no assignment (nor a
# region, department or party organisation they name) has changed anywhere: see snapshots.
# The signals are connected when this module is imported (civicloop.cases.apps makes sure).
_SHARED_USERS = 5000
_shared_lock = threading.Lock()
_shared: dict = {"token": None, "users": OrderedDict()}


def _roles_changed(sender, **kwargs) -> None:
    snapshots.changed(snapshots.ROLES)


for _model in (RoleAssignment, Region, Department, PartyOrg):
    post_save.connect(_roles_changed, sender=_model, dispatch_uid=f"core.roles.save.{_model}")
    post_delete.connect(_roles_changed, sender=_model, dispatch_uid=f"core.roles.delete.{_model}")


def roles_token():
    """The version of everyone's role assignments: it changes whenever any of them (or a region,
    department or party organisation they name) changes."""
    return snapshots.token(snapshots.ROLES)


def _shared_assignments(user_id: int) -> list[RoleAssignment]:
    token = roles_token()
    with _shared_lock:
        if _shared["token"] != token:
            _shared.update(token=token, users=OrderedDict())
        found = _shared["users"].get(user_id)
        if found is not None:
            _shared["users"].move_to_end(user_id)
            return list(found)
    rows = list(
        RoleAssignment.objects.filter(user_id=user_id).select_related(
            "region", "department", "party_org"
        )
    )
    with _shared_lock:
        if _shared["token"] == token:
            _shared["users"][user_id] = tuple(rows)
            while len(_shared["users"]) > _SHARED_USERS:
                _shared["users"].popitem(last=False)
    return rows


def assignments(user) -> list[RoleAssignment]:
    """The user's role assignments, loaded once per request (cached on the user object) and
    shared between requests until any assignment changes (a per-process snapshot)."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, "_civicloop_assignments", None)
    if cached is None:
        cached = _shared_assignments(user.pk)
        if user.is_superuser and not any(a.role == Role.ADMIN for a in cached):
            cached.append(RoleAssignment(user=user, role=Role.ADMIN, scope_type=ScopeType.DISTRICT))
        user._civicloop_assignments = cached
    return cached


def _matching(user, roles: Iterable[str] | None) -> list[RoleAssignment]:
    wanted = set(roles) if roles is not None else None
    return [a for a in assignments(user) if wanted is None or a.role in wanted]


def roles_of(user) -> set[str]:
    return {a.role for a in assignments(user)}


def has_role(user, *roles: str) -> bool:
    return bool(_matching(user, roles))


def is_staff_user(user) -> bool:
    return bool(roles_of(user) & STAFF_ROLES)


def is_district_wide(user, roles: Iterable[str]) -> bool:
    return any(a.scope_type == ScopeType.DISTRICT for a in _matching(user, roles))


def region_q(
    user,
    roles: Iterable[str],
    *,
    street: str = "street",
    community: str = "community",
    grid: str = "grid",
) -> Q:
    """A filter for objects that carry street/community/grid foreign keys (names configurable;
    pass "" to say the object has no such field), limited to the regions the user's roles cover."""
    q = NOTHING
    for a in _matching(user, roles):
        if a.scope_type == ScopeType.DISTRICT:
            return Q()
        field = {
            ScopeType.STREET: street,
            ScopeType.COMMUNITY: community,
            ScopeType.GRID: grid,
        }.get(a.scope_type)
        if field and a.region_id:
            q |= Q(**{field: a.region_id})
    return q


def in_region(
    user,
    roles: Iterable[str],
    *,
    street: int | None = None,
    community: int | None = None,
    grid: int | None = None,
) -> bool:
    """Whether `region_q(user, roles)` matches one object placed in these regions (ids of its
    street, community and grid foreign keys): the same rule, decided without a query."""
    placed = {ScopeType.STREET: street, ScopeType.COMMUNITY: community, ScopeType.GRID: grid}
    for a in _matching(user, roles):
        if a.scope_type == ScopeType.DISTRICT:
            return True
        if a.region_id and placed.get(a.scope_type) == a.region_id:
            return True
    return False


def region_ids(user, roles: Iterable[str], level: str | None = None) -> set[int] | None:
    """Ids of regions (optionally of one level) the roles cover; None means the whole district."""
    ids: set[int] = set()
    for a in _matching(user, roles):
        if a.scope_type == ScopeType.DISTRICT:
            return None
        if a.scope_type in REGION_SCOPES and a.region_id:
            ids |= a.region.descendant_ids()
    if level is not None and ids:
        ids = set(Region.objects.filter(pk__in=ids, level=level).values_list("pk", flat=True))
    return ids


def regions_in_scope(user, roles: Iterable[str], level: str | None = None):
    ids = region_ids(user, roles, level)
    qs = Region.objects.all() if ids is None else Region.objects.filter(pk__in=ids)
    return qs.filter(level=level) if level else qs


def covers_region(user, roles: Iterable[str], region: Region | None) -> bool:
    """Whether the roles' scope contains this region (or, for district scope, anything)."""
    for a in _matching(user, roles):
        if a.scope_type == ScopeType.DISTRICT:
            return True
        if region is not None and a.scope_type in REGION_SCOPES and a.region_id:
            if a.region_id in {node.pk for node in region.ancestors()}:
                return True
    return False


def covers_placed(user, roles: Iterable[str], region_ids: Iterable[int]) -> bool:
    """`covers_region` for something placed in a region whose ancestors below the district are
    already known (e.g. a case's grid, community and street ids): no walk up the region tree."""
    placed = set(region_ids)
    for a in _matching(user, roles):
        if a.scope_type == ScopeType.DISTRICT:
            return True
        if a.scope_type in REGION_SCOPES and a.region_id:
            if a.region_id in placed or a.region.level == Region.Level.DISTRICT:
                return True
    return False


def department_ids(user, roles: Iterable[str] = (Role.DEPARTMENT_STAFF,)) -> frozenset[int]:
    """Ids of the departments the roles are held in; worked out once per request and roles (a
    department's list asks it for every case on the page)."""
    held = assignments(user)
    if not held:
        return frozenset()
    roles = tuple(roles)
    memo = getattr(user, "_civicloop_departments", None)
    if memo is None or memo[0] is not held:  # assignments reloaded: start again
        memo = user._civicloop_departments = (held, {})
    found = memo[1].get(roles)
    if found is None:
        found = memo[1][roles] = frozenset(
            a.department_id for a in _matching(user, roles) if a.department_id
        )
    return found


def departments_in_scope(user, roles: Iterable[str] = (Role.DEPARTMENT_STAFF,)):
    return Department.objects.filter(pk__in=department_ids(user, roles))


def party_org_ids(user, roles: Iterable[str], *, descendants: bool = True) -> set[int] | None:
    """Ids of party organisations the roles cover; None means every organisation."""
    ids: set[int] = set()
    for a in _matching(user, roles):
        if a.scope_type == ScopeType.DISTRICT:
            return None
        if a.party_org_id:
            ids |= a.party_org.descendant_ids() if descendants else {a.party_org_id}
    return ids


def party_orgs_in_scope(user, roles: Iterable[str]):
    ids = party_org_ids(user, roles)
    return PartyOrg.objects.all() if ids is None else PartyOrg.objects.filter(pk__in=ids)


def sees_personal_data(user, roles: Iterable[str], region: Region | None) -> bool:
    """Full names and phones are for staff who act on the person's matter in their scope."""
    return covers_region(user, roles, region)
