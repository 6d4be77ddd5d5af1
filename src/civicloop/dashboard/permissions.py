"""Who may see which dashboard: staff see the scopes their roles hold, and nothing else.

leader / dispatcher / admin with district scope: every scope; community staff: their community
(and its grids); grid workers: their grid; department staff: their department. Residents and
party members without a staff role see only the public page."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from civicloop.core import permissions as core
from civicloop.core.models import Department, Region, Role, ScopeType

DISTRICT_ROLES = (Role.LEADER, Role.DISPATCHER, Role.ADMIN)
REGION_ROLES = (Role.LEADER, Role.DISPATCHER, Role.ADMIN, Role.COMMUNITY_STAFF, Role.GRID_WORKER)
DEPARTMENT_ROLES = (Role.DEPARTMENT_STAFF,)
VIEWER_ROLES = frozenset((*REGION_ROLES, *DEPARTMENT_ROLES))


@dataclass(frozen=True)
class Scope:
    type: str  # district | street | community | grid | department
    id: int | None
    name: str

    @property
    def key(self) -> str:
        return f"{self.type}-{self.id or 0}"

    def as_dict(self) -> dict:
        return {"type": self.type, "id": self.id, "name": self.name}


def district_scope() -> Scope:
    root = Region.objects.filter(level=Region.Level.DISTRICT).order_by("pk").first()
    return Scope("district", None, root.name if root else _("全区"))


def is_viewer(user) -> bool:
    return bool(core.roles_of(user) & VIEWER_ROLES)


def resolve(scope_type: str, scope_id: int | None) -> Scope | None:
    """The scope named by type and id, or None when there is no such region or department."""
    if scope_type == "district":
        return district_scope()
    if scope_id is None:
        return None
    if scope_type == "department":
        dept = Department.objects.filter(pk=scope_id).first()
        return Scope("department", dept.pk, dept.short_name or dept.name) if dept else None
    region = Region.objects.filter(pk=scope_id, level=scope_type).first()
    return Scope(scope_type, region.pk, region.name) if region else None


def can_view(user, scope: Scope) -> bool:
    if core.is_district_wide(user, DISTRICT_ROLES):
        return True
    if scope.type == "department":
        return scope.id in core.department_ids(user, DEPARTMENT_ROLES)
    if scope.type == "district":
        return False
    region = Region.objects.filter(pk=scope.id).first()
    return region is not None and core.covers_region(user, REGION_ROLES, region)


def home_scope(user) -> Scope | None:
    """The widest scope the viewer holds (the dashboard they land on)."""
    if core.is_district_wide(user, DISTRICT_ROLES):
        return district_scope()
    order = {ScopeType.STREET: 0, ScopeType.COMMUNITY: 1, ScopeType.GRID: 2}
    regional = sorted(
        (a for a in core.assignments(user) if a.role in REGION_ROLES and a.region_id),
        key=lambda a: order.get(a.scope_type, 9),
    )
    for a in regional:
        if a.scope_type in order:
            return Scope(a.scope_type, a.region_id, a.region.name)
    for a in core.assignments(user):
        if a.role in DEPARTMENT_ROLES and a.department_id:
            return Scope(
                "department", a.department_id, a.department.short_name or a.department.name
            )
    return None


def held_scopes(user) -> list[Scope]:
    """Every scope the viewer holds directly (for the scope switcher)."""
    scopes: list[Scope] = []
    if core.is_district_wide(user, DISTRICT_ROLES):
        scopes.append(district_scope())
    for a in core.assignments(user):
        if (
            a.role in REGION_ROLES
            and a.region_id
            and a.scope_type in ("street", "community", "grid")
        ):
            scopes.append(Scope(a.scope_type, a.region_id, a.region.name))
        if a.role in DEPARTMENT_ROLES and a.department_id:
            scopes.append(
                Scope("department", a.department_id, a.department.short_name or a.department.name)
            )
    seen, unique = set(), []
    for s in scopes:
        if s.key not in seen:
            seen.add(s.key)
            unique.append(s)
    return unique


def children(scope: Scope) -> list[Scope]:
    """The scopes one level down (drill-down): streets, communities or grids."""
    below = {"district": "street", "street": "community", "community": "grid"}.get(scope.type)
    if below is None:
        return []
    qs = Region.objects.filter(level=below)
    if scope.type != "district":
        qs = qs.filter(parent_id=scope.id)
    return [Scope(below, r.pk, r.name) for r in qs.order_by("code")]
