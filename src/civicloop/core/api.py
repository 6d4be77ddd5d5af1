"""Core endpoints: tokens, the caller's roles, grids, regions and departments."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status

from civicloop.core.auth import LoginRefused, sign_in
from civicloop.core.errors import ApiError
from civicloop.core.models import ApiToken, Department, Profile, Region

from .schemas import DepartmentOut, GridOut, MeOut, RegionOut, TokenIn, TokenOut

router = Router(tags=["core"])


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut},
    summary="Exchange username/password for a token",
)
def issue_token(request, payload: TokenIn):
    try:
        user = sign_in(request, payload.username, payload.password)
    except LoginRefused as exc:
        code = "locked_out" if exc.status == 429 else "invalid_credentials"
        extra = {"retry_after": exc.retry_after} if exc.retry_after else {}
        raise ApiError(exc.status, code, exc.message, **extra) from exc
    token, raw = ApiToken.issue(user)
    return {"token": raw, "expires_at": token.expires_at.isoformat()}


@router.post("/auth/revoke", response={204: None}, summary="Revoke the token used for this call")
def revoke_token(request):
    header = request.headers.get("Authorization", "")
    raw = header.partition(" ")[2].strip()
    if not raw:
        raise ApiError(400, "no_token", _("只能吊销通过 Bearer 令牌发起的请求所用的令牌"))
    from civicloop.core.models import _hash_token

    ApiToken.objects.filter(key_hash=_hash_token(raw)).revoke()
    return Status(204, None)


@router.get("/me", response=MeOut, summary="The caller, with roles and scopes")
def me(request):
    from civicloop.core.permissions import assignments

    user = request.auth
    profile, _created = Profile.objects.get_or_create(user=user)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": profile.display_name,
        "phone": profile.phone,  # the caller's own data, unmasked
        "roles": [
            {
                "role": a.role,
                "role_name": a.get_role_display(),
                "scope_type": a.scope_type,
                "scope_id": a.scope_id,
                "scope_name": a.scope_name,
            }
            for a in assignments(user)
        ],
    }


def _grid_out(grid: Region) -> dict:
    return {
        "id": grid.pk,
        "name": grid.name,
        "code": grid.code,
        "community": grid.community.name if grid.community else None,
        "community_id": grid.community_id,
        "street": grid.street.name if grid.street else None,
        "street_id": grid.street_id,
        "centroid": {"lat": grid.centroid_lat, "lng": grid.centroid_lng}
        if grid.centroid_lat
        else None,
        "geometry": grid.geometry,
    }


def _grids():
    return Region.objects.filter(level=Region.Level.GRID).select_related("community", "street")


@router.get("/grids", auth=None, response=list[GridOut], summary="All grids (public)")
def list_grids(request):
    return [_grid_out(g) for g in _grids()]


@router.get("/grids/{grid_id}", auth=None, response=GridOut, summary="One grid (public)")
def get_grid(request, grid_id: int):
    return _grid_out(get_object_or_404(_grids(), pk=grid_id))


@router.get("/regions", auth=None, response=list[RegionOut], summary="The region tree (public)")
def list_regions(request, level: str | None = None):
    if level is not None and level not in Region.Level.values:
        raise ApiError(422, "invalid", _("level 应为 district、street、community 或 grid"))
    qs = (
        Region.objects.exclude(level=Region.Level.GRID)
        if level is None
        else Region.objects.filter(level=level)
    )
    return [
        {"id": r.pk, "name": r.name, "code": r.code, "level": r.level, "parent_id": r.parent_id}
        for r in qs
    ]


@router.get("/departments", auth=None, response=list[DepartmentOut], summary="District departments")
def list_departments(request):
    return list(Department.objects.filter(active=True).values("id", "name", "code", "short_name"))
