"""REST endpoints of volunteer service (点单, 派单, 接单, 报到, 积分, 双报到), under /api/v1/."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from civicloop.core.errors import ApiError
from civicloop.core.models import PersonalDataAccess, Region
from civicloop.core.permissions import region_ids
from civicloop.lib import geo
from civicloop.lib.masking import mask_address, mask_name, mask_phone

from . import actions, conf, points
from .models import MemberRegistration, PointsEntry, Reward, ServiceOrder, Task, TaskClaim
from .permissions import (
    STAFF,
    can,
    manages,
    orders_visible_to,
    records_visible_to,
    sees_order_contact,
    sees_task_address,
    tasks_visible_to,
)
from .schemas import (
    MAX_ID,
    CheckinIn,
    ClaimOut,
    ConfirmOut,
    CorrectionIn,
    DecisionIn,
    MemberIn,
    OrderIn,
    OrderOut,
    PointsOut,
    RecordOut,
    RedemptionIn,
    RedemptionOut,
    RegistrationIn,
    RegistrationOut,
    RewardOut,
    TaskIn,
    TaskOut,
)

router = Router(tags=["volunteering"])


def _aware(value):
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _idempotency_key(request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 80:
        raise ApiError(422, "invalid_idempotency_key", _("Idempotency-Key 不能超过80个字符"))
    return key


def _person(user, *, full: bool) -> str:
    profile = getattr(user, "profile", None)
    name = getattr(profile, "real_name", "") or user.get_username()
    return name if full else mask_name(name)


def order_out(user, order: ServiceOrder, *, full: bool | None = None) -> dict:
    if full is None:
        full = order.resident_id == user.pk or order.filed_by_id == user.pk
    return {
        "id": order.pk,
        "service_type": order.service_type,
        "service_type_name": order.get_service_type_display(),
        "description": order.description,
        "preferred_time": order.preferred_time,
        "contact_name": order.contact_name if full else mask_name(order.contact_name),
        "phone": order.phone if full else mask_phone(order.phone),
        "address": order.address if full else mask_address(order.address),
        "community_id": order.community_id,
        "community": order.community.name,
        "state": order.state,
        "state_name": order.get_state_display(),
        "on_behalf": order.on_behalf,
        "decline_reason": order.decline_reason,
        "task_ids": [t.pk for t in order.tasks.all()],
        "created_at": order.created_at,
    }


def task_out(user, task: Task, *, active: int | None = None, my_claim=None, near=None) -> dict:
    if active is None:
        active = task.claims.filter(state__in=TaskClaim.ACTIVE_STATES).count()
    if my_claim is None:
        my_claim = (
            task.claims.filter(member=user)
            .exclude(state=TaskClaim.State.CANCELLED)
            .values_list("state", flat=True)
            .first()
        )
    staff = can(user, "see_checkin_code", task)
    data = {
        "id": task.pk,
        "title": task.title,
        "description": task.description,
        "service_type": task.service_type,
        "service_type_name": task.get_service_type_display(),
        "community_id": task.community_id,
        "community": task.community.name,
        "address": (
            task.address
            if sees_task_address(user, task, my_claim_state=my_claim or "")
            else mask_address(task.address)
        ),
        "lat": task.lat,
        "lng": task.lng,
        "starts_at": task.starts_at,
        "ends_at": task.ends_at,
        "cancel_cutoff": task.cancel_cutoff,
        "places": task.places,
        "places_left": max(task.places - active, 0),
        "points": task.points,
        "state": task.state,
        "order_id": task.order_id,
        "checkin_radius_m": task.checkin_radius_m,
        "my_claim": my_claim,
        "checkin_code": task.checkin_code if staff else None,
        "checkin_url": reverse("volunteering:checkin", args=[task.checkin_code]) if staff else None,
    }
    if near is not None and task.lat is not None:
        data["distance_m"] = round(geo.distance_m(near[0], near[1], task.lat, task.lng))
    return data


def claim_out(user, claim: TaskClaim) -> dict:
    full = manages(user, claim.task.community) or claim.member_id == user.pk
    return {
        "id": claim.pk,
        "task_id": claim.task_id,
        "member_id": claim.member_id,
        "member": _person(claim.member, full=full),
        "state": claim.state,
        "state_name": claim.get_state_display(),
        "claimed_at": claim.claimed_at,
        "checked_in_at": claim.checked_in_at,
        "checked_out_at": claim.checked_out_at,
        "confirmed_at": claim.confirmed_at,
        "assigned": claim.assigned_by_id is not None,
    }


def record_out(record) -> dict:
    return {
        "id": record.pk,
        "member_id": record.member_id,
        "volunteer_number": record.volunteer_number,
        "activity": record.activity,
        "date": record.date,
        "place": record.place,
        "hours": record.hours,
        "points": record.points,
        "certificate_number": record.certificate_number,
        "confirmed_by": _person(record.confirmed_by, full=False),
    }


def registration_out(registration: MemberRegistration, *, full: bool) -> dict:
    return {
        "id": registration.pk,
        "member_id": registration.member_id,
        "member": _person(registration.member, full=full),
        "community_id": registration.community_id,
        "community": registration.community.name,
        "party_org": registration.party_org.name if registration.party_org else None,
        "state": registration.state,
        "state_name": registration.get_state_display(),
        "skills": registration.skills,
        "note": registration.note,
        "created_at": registration.created_at,
    }


def _check_id(value: int, message: str) -> None:
    if not 1 <= value <= MAX_ID:
        raise ApiError(404, "not_found", message)


def _visible_task(user, task_id: int) -> Task:
    _check_id(task_id, _("找不到该任务"))
    task = tasks_visible_to(user).filter(pk=task_id).select_related("community", "order").first()
    if task is None:
        raise ApiError(404, "not_found", _("找不到该任务"))
    return task


def _community_for(user, community_id: int | None) -> Region:
    """The community a staff member acts on: the one named, or their only one."""
    if community_id is not None:
        community = Region.objects.filter(pk=community_id, level=Region.Level.COMMUNITY).first()
        if community is None:
            raise ApiError(422, "invalid_community", _("社区不存在"))
        return community
    ids = region_ids(user, STAFF, level="community")
    if ids is not None and len(ids) == 1:
        return Region.objects.get(pk=next(iter(ids)))
    raise ApiError(422, "community_required", _("请指定社区（community_id）"))


# ---- 点单 -----------------------------------------------------------------------------------


@router.post("/service-orders", response={201: OrderOut}, summary="百姓点单: order a service")
def create_order(request, payload: OrderIn):
    user = request.auth
    community = None
    if payload.community_id is not None:
        community = Region.objects.filter(pk=payload.community_id).first()
        if community is None:
            raise ApiError(422, "invalid_community", _("社区不存在"))
    order = actions.submit_order(
        user,
        service_type=payload.service_type,
        description=payload.description,
        preferred_time=_aware(payload.preferred_time),
        contact_name=payload.contact_name,
        phone=payload.phone,
        address=payload.address,
        community=community,
        idempotency_key=_idempotency_key(request),
    )
    return Status(201, order_out(user, order, full=True))


@router.get("/service-orders", response=list[OrderOut], summary="Orders the caller may see")
def list_orders(request, state: str | None = None, limit: int = Query(50, ge=1, le=200)):
    user = request.auth
    qs = orders_visible_to(user).select_related("community").prefetch_related("tasks")
    if state:
        qs = qs.filter(state=state)
    return [order_out(user, o) for o in qs[:limit]]


@router.get("/service-orders/{order_id}", response=OrderOut, summary="One order, in full")
def get_order(request, order_id: int):
    user = request.auth
    _check_id(order_id, _("找不到该点单"))
    order = orders_visible_to(user).select_related("community").filter(pk=order_id).first()
    if order is None:
        raise ApiError(404, "not_found", _("找不到该点单"))
    full = sees_order_contact(user, order)
    if full and order.resident_id != user.pk and order.filed_by_id != user.pk:
        PersonalDataAccess.objects.create(
            viewer=user, subject=f"service_order:{order.pk}", purpose="志愿服务点单联系"
        )
    return order_out(user, order, full=full)


class OrderDeclineIn(Schema):
    reason: str


@router.post("/service-orders/{order_id}/decline", response=OrderOut, summary="Decline an order")
def decline(request, order_id: int, payload: OrderDeclineIn):
    if len(payload.reason) > 200:
        raise ApiError(422, "invalid", _("原因不能超过200字"))
    _check_id(order_id, _("找不到该点单"))
    if not orders_visible_to(request.auth).filter(pk=order_id).exists():
        raise ApiError(404, "not_found", _("找不到该点单"))
    order = actions.decline_order(request.auth, order_id, payload.reason)
    return order_out(request.auth, order)


# ---- 派单 / 接单 ----------------------------------------------------------------------------


@router.post("/tasks", response={201: TaskOut}, summary="社区派单: publish a task")
def create_task(request, payload: TaskIn):
    user = request.auth
    community = _community_for(user, payload.community_id)
    task = actions.publish_task(
        user,
        community=community,
        title=payload.title,
        description=payload.description,
        service_type=payload.service_type,
        address=payload.address,
        lat=payload.lat,
        lng=payload.lng,
        starts_at=_aware(payload.starts_at),
        ends_at=_aware(payload.ends_at),
        places=payload.places,
        points=payload.points,
        checkin_radius_m=payload.checkin_radius_m,
        cancel_cutoff=_aware(payload.cancel_cutoff),
        order_id=payload.order_id,
        idempotency_key=_idempotency_key(request),
    )
    return Status(201, task_out(user, task, active=0))


@router.get("/tasks", response=list[TaskOut], summary="Tasks: open ones, mine, or near a point")
def list_tasks(
    request,
    community_id: int | None = Query(None, ge=1, le=MAX_ID),
    lat: float | None = Query(None, ge=-90, le=90),
    lng: float | None = Query(None, ge=-180, le=180),
    mine: bool = False,
    include_past: bool = False,
    limit: int = Query(50, ge=1, le=200),
):
    user = request.auth
    qs = tasks_visible_to(user).select_related("community", "order")
    if community_id:
        qs = qs.filter(community_id=community_id)
    if mine:
        mine_ids = TaskClaim.objects.filter(member=user, state__in=TaskClaim.ACTIVE_STATES)
        qs = qs.filter(pk__in=mine_ids.values("task_id"))
    elif not include_past:
        qs = qs.filter(state=Task.State.PUBLISHED, ends_at__gt=timezone.now())
    near = None
    if lat is not None and lng is not None:
        near = (lat, lng)
        lo_lat, hi_lat, lo_lng, hi_lng = geo.bbox_around(lat, lng, conf.nearby_metres())
        qs = qs.filter(lat__range=(lo_lat, hi_lat), lng__range=(lo_lng, hi_lng))
    qs = qs.annotate(active=Count("claims", filter=Q(claims__state__in=TaskClaim.ACTIVE_STATES)))
    tasks = list(qs[:limit])
    mine_states = dict(
        TaskClaim.objects.filter(task__in=tasks, member=user)
        .exclude(state=TaskClaim.State.CANCELLED)
        .values_list("task_id", "state")
    )
    out = [
        task_out(user, t, active=t.active, my_claim=mine_states.get(t.pk, ""), near=near)
        for t in tasks
    ]
    for item in out:
        item["my_claim"] = item["my_claim"] or None
    if near is not None:
        out.sort(key=lambda item: item.get("distance_m") or 0)
    return out


@router.get("/tasks/{task_id}", response=TaskOut, summary="One task")
def get_task(request, task_id: int):
    return task_out(request.auth, _visible_task(request.auth, task_id))


@router.get("/tasks/{task_id}/claims", response=list[ClaimOut], summary="Who holds a place")
def list_claims(request, task_id: int):
    user = request.auth
    task = _visible_task(user, task_id)
    if not (manages(user, task.community) or (task.order and task.order.resident_id == user.pk)):
        raise ApiError(403, "forbidden", _("只有本社区或点单居民可以查看认领名单"))
    claims = task.claims.select_related("member__profile", "task__community")
    return [claim_out(user, c) for c in claims]


@router.post("/tasks/{task_id}/claim", response={201: ClaimOut}, summary="线上认领 a place")
def claim(request, task_id: int):
    _visible_task(request.auth, task_id)
    claim = actions.claim_task(request.auth, task_id)
    return Status(201, claim_out(request.auth, claim))


@router.post("/tasks/{task_id}/assign", response={201: ClaimOut}, summary="Staff assign a member")
def assign(request, task_id: int, payload: MemberIn):
    from django.contrib.auth import get_user_model

    _visible_task(request.auth, task_id)
    member = get_user_model().objects.filter(pk=payload.member).first()
    if member is None:
        raise ApiError(422, "invalid_member", _("党员不存在"))
    claim = actions.assign_member(request.auth, task_id, member)
    return Status(201, claim_out(request.auth, claim))


@router.post("/tasks/{task_id}/cancel", response=ClaimOut, summary="Cancel my claim")
def cancel(request, task_id: int):
    _visible_task(request.auth, task_id)
    return claim_out(request.auth, actions.cancel_claim(request.auth, task_id))


@router.post("/tasks/{task_id}/checkin", response=ClaimOut, summary="线下报到 with the code")
def checkin(request, task_id: int, payload: CheckinIn):
    _visible_task(request.auth, task_id)
    claim = actions.check_in(request.auth, task_id, payload.code, lat=payload.lat, lng=payload.lng)
    return claim_out(request.auth, claim)


@router.post("/tasks/{task_id}/checkout", response=ClaimOut, summary="签退")
def checkout(request, task_id: int):
    _visible_task(request.auth, task_id)
    return claim_out(request.auth, actions.check_out(request.auth, task_id))


@router.post("/tasks/{task_id}/confirm", response=ConfirmOut, summary="Confirm service → points")
def confirm(request, task_id: int, payload: MemberIn):
    _visible_task(request.auth, task_id)
    record, created = actions.confirm_service(request.auth, task_id, payload.member)
    return {"awarded": created, "record": record_out(record)}


@router.get("/service-records", response=list[RecordOut], summary="志愿服务记录 one may see")
def list_records(
    request,
    member: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(100, ge=1, le=500),
):
    qs = records_visible_to(request.auth).select_related("confirmed_by__profile")
    if member:
        qs = qs.filter(member_id=member)
    return [record_out(r) for r in qs[:limit]]


# ---- 积分 -----------------------------------------------------------------------------------


@router.get("/points/me", response=PointsOut, summary="My balance and ledger")
def my_points(request, limit: int = Query(100, ge=1, le=1000)):
    user = request.auth
    entries = PointsEntry.objects.filter(member=user).order_by("-id")[:limit]
    return {
        "balance": points.balance(user),
        "entries": [
            {
                "points": e.points,
                "reason": e.reason,
                "at": e.at,
                "kind": e.kind,
                "balance_after": e.balance_after,
            }
            for e in entries
        ],
    }


@router.post("/points/corrections", response={201: PointsOut}, summary="更正 (staff)")
def correction(request, payload: CorrectionIn):
    from django.contrib.auth import get_user_model

    member = get_user_model().objects.filter(pk=payload.member).first()
    if member is None:
        raise ApiError(422, "invalid_member", _("党员不存在"))
    actions.correct_points(request.auth, member, payload.points, payload.reason)
    entries = PointsEntry.objects.filter(member=member).order_by("-id")[:1]
    return Status(
        201,
        {
            "balance": points.balance(member),
            "entries": [
                {
                    "points": e.points,
                    "reason": e.reason,
                    "at": e.at,
                    "kind": e.kind,
                    "balance_after": e.balance_after,
                }
                for e in entries
            ],
        },
    )


@router.get("/rewards", response=list[RewardOut], summary="积分兑换 catalogue")
def rewards(request):
    return [
        {
            "id": r.pk,
            "name": r.name,
            "description": r.description,
            "points": r.points,
            "stock": r.stock,
        }
        for r in Reward.objects.filter(active=True)
    ]


@router.post("/redemptions", response={201: RedemptionOut, 200: RedemptionOut})
def redeem(request, payload: RedemptionIn):
    """积分兑换: stock and points in one transaction. A retried call with the same
    Idempotency-Key returns the first redemption (200) instead of redeeming twice."""
    user = request.auth
    redemption, created = actions.redeem_reward(user, payload.reward, key=_idempotency_key(request))
    body = {
        "id": redemption.pk,
        "reward": redemption.reward_id,
        "reward_name": redemption.reward.name,
        "points": redemption.points,
        "balance": points.balance(user),
        "at": redemption.at,
    }
    return Status(201 if created else 200, body)


# ---- 双报到 ---------------------------------------------------------------------------------


@router.post("/registrations", response={201: RegistrationOut}, summary="党员到社区报到")
def register(request, payload: RegistrationIn):
    community = Region.objects.filter(pk=payload.community_id, level=Region.Level.COMMUNITY).first()
    if community is None:
        raise ApiError(422, "invalid_community", _("社区不存在"))
    registration = actions.register_member(request.auth, community, skills=payload.skills)
    return Status(201, registration_out(registration, full=True))


def _visible_registrations(user):
    from .permissions import community_q

    return MemberRegistration.objects.filter(Q(member=user) | community_q(user)).select_related(
        "community", "party_org", "member__profile"
    )


@router.get("/registrations", response=list[RegistrationOut], summary="Mine, or my community's")
def list_registrations(request, state: str | None = None, limit: int = Query(100, ge=1, le=500)):
    user = request.auth
    qs = _visible_registrations(user)
    if state:
        qs = qs.filter(state=state)
    rows = [(r, manages(user, r.community) or r.member_id == user.pk) for r in qs[:limit]]
    communities = sorted({r.community_id for r, full in rows if full and r.member_id != user.pk})
    if communities:
        # Members' full names shown to the community's staff: personal data, so recorded.
        PersonalDataAccess.objects.create(
            viewer=user,
            subject=f"registrations:community:{','.join(map(str, communities))}"[:120],
            purpose="双报到管理",
        )
    return [registration_out(r, full=full) for r, full in rows]


def _registration(user, registration_id: int) -> MemberRegistration:
    _check_id(registration_id, _("找不到该报到申请"))
    registration = _visible_registrations(user).filter(pk=registration_id).first()
    if registration is None:
        raise ApiError(404, "not_found", _("找不到该报到申请"))
    return registration


@router.post("/registrations/{registration_id}/approve", response=RegistrationOut)
def approve_registration(request, registration_id: int, payload: DecisionIn):
    _registration(request.auth, registration_id)
    registration = actions.decide_registration(
        request.auth, registration_id, approve=True, note=payload.note
    )
    return registration_out(registration, full=True)


@router.post("/registrations/{registration_id}/reject", response=RegistrationOut)
def reject_registration(request, registration_id: int, payload: DecisionIn):
    _registration(request.auth, registration_id)
    registration = actions.decide_registration(
        request.auth, registration_id, approve=False, note=payload.note
    )
    return registration_out(registration, full=True)


@router.post("/registrations/{registration_id}/withdraw", response=RegistrationOut)
def withdraw_registration(request, registration_id: int):
    _check_id(registration_id, _("找不到该报到申请"))
    registration = actions.withdraw_registration(request.auth, registration_id)
    return registration_out(registration, full=True)
