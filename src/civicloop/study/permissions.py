"""Who sees and does what in the study app, built on civicloop.core.permissions.

Scope is the party organisation tree: a committee's roles cover its subtree, a branch
secretary their branch, a member their own branch."""

from __future__ import annotations

from django.db.models import Q

from civicloop.core.models import PartyOrg, Role
from civicloop.core.permissions import has_role, party_org_ids

# Roles that may look at a branch's study records, each within its party-org scope.
VIEW_ROLES = (
    Role.PARTY_MEMBER,
    Role.BRANCH_SECRETARY,
    Role.PUBLICITY_OFFICER,
    Role.LEADER,
    Role.ADMIN,
)
SESSION_ROLES = (Role.BRANCH_SECRETARY, Role.ADMIN)  # record branch sessions
REVIEW_ROLES = (Role.BRANCH_SECRETARY, Role.ADMIN)  # accept or return reflections
PUBLICITY_ROLES = (Role.PUBLICITY_OFFICER, Role.BRANCH_SECRETARY, Role.ADMIN)
PLAN_ROLES = (Role.BRANCH_SECRETARY, Role.PUBLICITY_OFFICER, Role.ADMIN)
# Figures (counts, progress bars, totals) without personal detail.
OVERVIEW_ROLES = (*VIEW_ROLES,)


def org_q(user, roles, field: str = "org") -> Q:
    ids = party_org_ids(user, roles)
    if ids is None:
        return Q()
    return Q(**{f"{field}__in": ids})


def orgs_for(user, roles):
    ids = party_org_ids(user, roles)
    return PartyOrg.objects.all() if ids is None else PartyOrg.objects.filter(pk__in=ids)


def branches_for(user, roles=VIEW_ROLES):
    return orgs_for(user, roles).filter(kind=PartyOrg.Kind.BRANCH).order_by("id")


def covers(user, roles, org_id: int | None) -> bool:
    if org_id is None:
        return False
    ids = party_org_ids(user, roles)
    return ids is None or org_id in ids


def is_reader(user) -> bool:
    return user.is_authenticated and has_role(user, *VIEW_ROLES)


def sessions_visible_to(user):
    from .models import StudySession

    return StudySession.objects.filter(org_q(user, VIEW_ROLES))


def reflections_visible_to(user):
    """Members see their own; reviewers and overseers see those of the branches they cover."""
    from .models import Reflection

    if not user.is_authenticated:
        return Reflection.objects.none()
    overseers = (Role.BRANCH_SECRETARY, Role.PUBLICITY_OFFICER, Role.LEADER, Role.ADMIN)
    q = Q(author=user)
    if has_role(user, *overseers):
        q |= org_q(user, overseers)
    return Reflection.objects.filter(q)


def records_visible_to(user, model):
    """Lectures, reading classes, media, publicity and articles: by the org they belong to."""
    return model.objects.filter(org_q(user, VIEW_ROLES))


def member_branch(user) -> PartyOrg | None:
    profile = getattr(user, "profile", None)
    org = getattr(profile, "party_org", None)
    if org is not None and org.kind == PartyOrg.Kind.BRANCH:
        return org
    return None


def can(user, action: str, obj=None) -> bool:
    """The one place that says whether `user` may do `action` (on `obj`, an org or a record)."""
    if not user.is_authenticated:
        return False
    org_id = getattr(obj, "org_id", None) if obj is not None else None
    if isinstance(obj, PartyOrg):
        org_id = obj.pk
    if action == "record_session":
        if obj is None:
            return has_role(user, *SESSION_ROLES)
        is_branch = (obj.kind if isinstance(obj, PartyOrg) else obj.org.kind) == "branch"
        return is_branch and covers(user, SESSION_ROLES, org_id)
    if action == "review_reflection":
        if obj is None:
            return has_role(user, *REVIEW_ROLES)
        return obj.author_id != user.pk and covers(user, REVIEW_ROLES, org_id)
    if action == "write_reflection":
        return has_role(user, Role.PARTY_MEMBER) and member_branch(user) is not None
    if action == "edit_reflection":
        return obj is not None and obj.author_id == user.pk
    if action in ("record_publicity", "upload_media", "import_article", "record_lecture"):
        if obj is None:
            return has_role(user, *PUBLICITY_ROLES)
        return covers(user, PUBLICITY_ROLES, org_id)
    if action == "manage_plan":
        if obj is None:
            return has_role(user, *PLAN_ROLES)
        return covers(user, PLAN_ROLES, org_id)
    if action == "view":
        return covers(user, VIEW_ROLES, org_id)
    return False


def with_ancestors(ids: set[int]) -> set[int]:
    """The organisations and every committee above them (plans and the library flow down)."""
    parents = dict(PartyOrg.objects.values_list("pk", "parent_id"))
    result: set[int] = set()
    for org_id in ids:
        node = org_id
        while node is not None and node not in result:
            result.add(node)
            node = parents.get(node)
    return result


def media_visible_to(user):
    """The library of one's own organisations and of every committee above them."""
    from .models import MediaItem

    ids = party_org_ids(user, VIEW_ROLES)
    if ids is None:
        return MediaItem.objects.all()
    return MediaItem.objects.filter(org_id__in=with_ancestors(ids))


def sees_names(user, org_id: int | None) -> bool:
    """Full names of a branch's members are for its secretary and its own members; everyone
    else (committees, leaders) sees them masked."""
    if not user.is_authenticated or org_id is None:
        return False
    if covers(user, SESSION_ROLES, org_id):
        return True
    branch = member_branch(user)
    return branch is not None and branch.pk == org_id


def name_for(viewer, person, org_id: int | None, *, full: bool | None = None) -> str:
    """`person`'s name as `viewer` may see it: their own and, where allowed, full; else masked."""
    profile = getattr(person, "profile", None)
    if profile is None:
        return person.get_username()
    if person.pk == getattr(viewer, "pk", None):
        return profile.display_name
    allowed = sees_names(viewer, org_id) if full is None else full
    return profile.display_name if allowed else profile.masked_name
