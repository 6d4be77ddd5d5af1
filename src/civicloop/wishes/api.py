"""REST endpoints of the wish wall, mounted under /api/v1/ by civicloop.api.

Anonymous callers get the public, masked view; staff in scope, the claimant and the poster get
the full record, and every such view of a beneficiary's contact details is logged."""

from __future__ import annotations

import json

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field
from pydantic import ValidationError as PydanticValidationError

from civicloop.api import auth_optional
from civicloop.core.errors import ApiError
from civicloop.core.models import Region
from civicloop.lib.images import ImageRejected, sanitize_image

from . import actions, permissions, queries, workflow
from .models import Category, Wish
from .schemas import (
    ClaimIn,
    ConfirmIn,
    DeclineIn,
    FulfilIn,
    NoteIn,
    ReleaseIn,
    WishIn,
    WishOut,
    WishPage,
)

router = Router(tags=["微心愿"])

ACTION_SCHEMAS: dict[str, type[Schema]] = {
    workflow.VERIFY: NoteIn,
    workflow.DECLINE: DeclineIn,
    workflow.CLAIM: ClaimIn,
    workflow.CONTACT: NoteIn,
    workflow.RELEASE: ReleaseIn,
    workflow.FULFIL: FulfilIn,
    workflow.CONFIRM: ConfirmIn,
}


def wish_out(wish: Wish, user, full: bool) -> dict:
    """The API's view of one wish; `full` adds contact details, notes and the event log."""
    user_id = user.pk if user is not None and user.is_authenticated else None
    data = {
        "id": wish.pk,
        "content": wish.content,
        "category": wish.category,
        "category_label": wish.get_category_display(),
        "value_cap": wish.value_cap,
        "community": {"id": wish.community_id, "name": wish.community.name},
        "street": {"id": wish.street_id, "name": wish.street.name},
        "beneficiary": {
            "name": wish.beneficiary_name if full else wish.masked_beneficiary,
            "phone": wish.beneficiary_phone if full else None,
            "address": wish.beneficiary_address if full else None,
            "type": wish.beneficiary_type,
            "type_label": wish.get_beneficiary_type_display(),
        },
        "full": full,
        "state": wish.state,
        "state_label": wish.get_state_display(),
        "waiting_long": queries.is_waiting_long(wish),
        "published_at": wish.published_at,
        "claimed": wish.claimed_by_id is not None,
        "claimed_by_me": user_id is not None and wish.claimed_by_id == user_id,
        "fulfilled_at": wish.fulfilled_at,
        "confirmed_at": wish.confirmed_at,
        "rating": wish.rating,
        "actions": permissions.available_actions(user, wish) if user_id else [],
    }
    if full:
        data.update(
            verify_note=wish.verify_note,
            decline_reason=wish.decline_reason,
            commitment=wish.commitment,
            contact_note=wish.contact_note,
            fulfil_note=wish.fulfil_note,
            photo_url=reverse("wishes:photo", args=[wish.pk]) if wish.photo else None,
            points_awarded=wish.points_awarded,
            events=[
                {
                    "action": e.action,
                    "action_label": str(workflow.ACTION_LABELS.get(e.action, e.action)),
                    "role": e.role,
                    "actor": e.actor.profile.masked_name
                    if e.actor_id and hasattr(e.actor, "profile")
                    else None,
                    "from_state": e.from_state,
                    "to_state": e.to_state,
                    "note": e.note,
                    "at": e.at,
                }
                for e in wish.events.select_related("actor__profile")
            ],
        )
    return data


def _present(request, wishes: list[Wish]) -> list[dict]:
    user = request.auth
    full = [w for w in wishes if permissions.contact_purpose(user, w)]
    if full:
        actions.record_contact_views(user, full)
    full_ids = {w.pk for w in full}
    return [wish_out(w, user, w.pk in full_ids) for w in wishes]


class WishFilters(Schema):
    community_id: int | None = Field(default=None, ge=1)
    street_id: int | None = Field(default=None, ge=1)
    category: Category | None = None
    state: str | None = Field(default=None, max_length=20)
    mine: str | None = Field(default=None, pattern="^(claimed|posted)$")
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=1_000_000)


@router.get(
    "/wishes",
    auth=auth_optional,
    response=WishPage,
    summary="The wish wall (public, masked), or the caller's and their scope's wishes",
)
def list_wishes(request, filters: Query[WishFilters]):
    user = request.auth
    qs = permissions.visible_to(user)
    if filters.mine == "claimed":
        qs = qs.filter(claimed_by=user) if user.is_authenticated else qs.none()
    elif filters.mine == "posted":
        qs = qs.filter(posted_by=user) if user.is_authenticated else qs.none()
    qs = queries.filter_wall(
        qs,
        community_id=filters.community_id,
        street_id=filters.street_id,
        category=filters.category,
        state=filters.state,
    )
    qs = queries.on_wall_order(qs).select_related("community", "street")
    count = qs.count()
    page = list(qs[filters.offset : filters.offset + filters.limit])
    return {"count": count, "items": _present(request, page)}


@router.get("/wishes/{wish_id}", auth=auth_optional, response=WishOut, summary="One wish")
def get_wish(request, wish_id: int):
    wish = get_object_or_404(
        permissions.visible_to(request.auth).select_related("community", "street"), pk=wish_id
    )
    return _present(request, [wish])[0]


@router.post("/wishes", response={201: WishOut}, summary="Post a wish (征集)")
def create_wish(request, payload: WishIn):
    community = None
    if payload.community_id is not None:
        community = Region.objects.filter(
            pk=payload.community_id, level=Region.Level.COMMUNITY
        ).first()
        if community is None:
            raise ApiError(422, "invalid", _("社区不存在"))
    wish = actions.post_wish(
        request.auth,
        content=payload.content,
        category=payload.category,
        value_cap=payload.value_cap,
        beneficiary_name=payload.beneficiary_name,
        beneficiary_phone=payload.beneficiary_phone,
        beneficiary_address=payload.beneficiary_address,
        beneficiary_type=payload.beneficiary_type,
        community=community,
    )
    wish = Wish.objects.select_related("community", "street").get(pk=wish.pk)
    return Status(201, _present(request, [wish])[0])


def _payload(request) -> tuple[dict, dict]:
    content_type = request.content_type or ""
    if content_type.startswith("multipart/form-data"):
        return request.POST.dict(), request.FILES
    if not request.body:
        return {}, {}
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad_request", _("请求体不是有效的 JSON")) from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", _("请求体应为 JSON 对象"))
    return data, {}


def _photo(files) -> object:
    upload = files.get("photo") if files else None
    if upload is None:
        raise ApiError(422, "invalid", _("请上传实现心愿的照片"))
    limit = settings.CIVICLOOP_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise ApiError(413, "too_large", _("照片过大"))
    try:
        return sanitize_image(upload, max_bytes=limit)
    except ImageRejected as exc:
        raise ApiError(413 if exc.code == "too_large" else 422, exc.code, exc.message) from None


@router.post(
    "/wishes/{wish_id}/actions/{action}",
    response=WishOut,
    summary="Act on a wish: verify, decline, claim, contact, release, fulfil, confirm",
)
def act(request, wish_id: int, action: str):
    schema = ACTION_SCHEMAS.get(action)
    if schema is None:
        raise ApiError(404, "unknown_action", _("没有这个操作"))
    data, files = _payload(request)
    try:
        fields = schema.model_validate(data)
    except PydanticValidationError as exc:
        raise NinjaValidationError(exc.errors(include_url=False, include_context=False)) from None
    user = request.auth
    if action == workflow.VERIFY:
        actions.verify(user, wish_id, fields.note)
    elif action == workflow.DECLINE:
        actions.decline(user, wish_id, fields.reason)
    elif action == workflow.CLAIM:
        actions.claim(user, wish_id, fields.commitment)
    elif action == workflow.CONTACT:
        actions.contact(user, wish_id, fields.note)
    elif action == workflow.RELEASE:
        actions.release(user, wish_id, fields.note)
    elif action == workflow.FULFIL:
        actions.fulfil(user, wish_id, fields.note, _photo(files))
    else:
        actions.confirm(user, wish_id, fields.rating, fields.note)
    wish = Wish.objects.select_related("community", "street").get(pk=wish_id)
    return _present(request, [wish])[0]
