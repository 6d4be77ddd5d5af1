"""The only code that changes volunteer-service state: one function per use case.

Each runs in one transaction, locks the row it changes (select_for_update; on SQLite the
transaction itself is the lock: BEGIN IMMEDIATE), checks role, scope and state, writes a
VolunteerEvent, and schedules notifications on commit."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.core.errors import ActionRefused
from civicloop.core.models import Region
from civicloop.lib import geo

from . import conf, points, workflow
from .models import (
    MemberRegistration,
    OrgPairing,
    Redemption,
    Reward,
    ServiceOrder,
    ServiceRecord,
    ServiceType,
    Task,
    TaskClaim,
    Volunteer,
    VolunteerEvent,
)
from .permissions import can, is_member, manages

State = TaskClaim.State


def _refuse(message: str, status: int = 409, code: str = "conflict"):
    raise ActionRefused(message, status=status, code=code)


def _forbidden(message: str | None = None):
    _refuse(message or _("没有权限执行此操作"), 403, "forbidden")


def _event(actor, action: str, **refs) -> None:
    VolunteerEvent.objects.create(actor=actor, action=action, **refs)


def _notify(recipient, *, kind: str, title: str, url: str, key: str) -> None:
    from civicloop.notifications.actions import notify

    transaction.on_commit(lambda: notify(recipient, kind=kind, title=title, url=url, key=key))


def _notify_staff(community: Region, *, title: str, key: str) -> None:
    """Tells the community's staff that something waits for them (点单, 报到申请)."""
    from civicloop.core.models import Role, RoleAssignment

    staff_ids = RoleAssignment.objects.filter(
        role=Role.COMMUNITY_STAFF, region=community
    ).values_list("user_id", flat=True)
    for user in get_user_model().objects.filter(pk__in=list(staff_ids), is_active=True):
        _notify(
            user, kind="volunteering", title=title, url=reverse("volunteering:staff_tasks"), key=key
        )


def _community(region) -> Region:
    if region is None or region.level != Region.Level.COMMUNITY:
        _refuse(_("请选择社区"), 422, "invalid_community")
    return region


# ---- 双报到 -------------------------------------------------------------------------------


def register_member(member, community: Region, *, skills: str = "") -> MemberRegistration:
    """An in-service party member registers with their residential community (pending)."""
    if not is_member(member):
        _forbidden(_("只有党员可以到社区报到"))
    _community(community)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=member.pk).first()
        if MemberRegistration.objects.filter(
            member=member, state__in=MemberRegistration.ACTIVE_STATES
        ).exists():
            _refuse(_("您已有报到申请或已在社区报到，请先撤回原报到"), code="already_registered")
        profile = getattr(member, "profile", None)
        try:
            with transaction.atomic():
                registration = MemberRegistration.objects.create(
                    member=member,
                    community=community,
                    party_org=getattr(profile, "party_org", None),
                    skills=skills[:200],
                )
        except IntegrityError:
            _refuse(_("您已有报到申请或已在社区报到，请先撤回原报到"), code="already_registered")
        _event(member, "register", registration=registration)
        _notify_staff(
            community,
            title=_("有党员申请到本社区报到"),
            key=f"registration:{registration.pk}:pending",
        )
    return registration


def decide_registration(
    staff, registration_id: int, *, approve: bool, note: str = ""
) -> MemberRegistration:
    """Community staff approve or reject a member's registration."""
    with transaction.atomic():
        registration = (
            MemberRegistration.objects.select_for_update()
            .select_related("community")
            .filter(pk=registration_id)
            .first()
        )
        if registration is None:
            _refuse(_("找不到该报到申请"), 404, "not_found")
        if not can(staff, "approve_registration", registration.community):
            _forbidden(_("只能审核本社区的报到申请"))
        action = "approve" if approve else "reject"
        try:
            registration.state = workflow.next_state(
                workflow.REGISTRATION_TRANSITIONS, registration.state, action
            )
        except workflow.TransitionNotAllowed:
            _refuse(_("该报到申请已处理"))
        registration.note = note[:200]
        registration.decided_by = staff
        registration.decided_at = timezone.now()
        registration.save()
        _event(staff, action, registration=registration, note=note[:300])
        title = (_("您已在%(c)s报到成功") if approve else _("您在%(c)s的报到申请未通过")) % {
            "c": registration.community.name
        }
        _notify(
            registration.member,
            kind="volunteering",
            title=title,
            url=reverse("volunteering:tasks"),
            key=f"registration:{registration.pk}:{action}",
        )
    return registration


def withdraw_registration(member, registration_id: int) -> MemberRegistration:
    with transaction.atomic():
        registration = (
            MemberRegistration.objects.select_for_update()
            .filter(pk=registration_id, member=member)
            .first()
        )
        if registration is None:
            _refuse(_("找不到该报到申请"), 404, "not_found")
        try:
            registration.state = workflow.next_state(
                workflow.REGISTRATION_TRANSITIONS, registration.state, "withdraw"
            )
        except workflow.TransitionNotAllowed:
            _refuse(_("该报到已结束，无需撤回"))
        registration.save()
        _event(member, "withdraw", registration=registration)
    return registration


def pair_org(
    staff, community: Region, party_org, *, agreement_date, content, contact_name, contact_phone
) -> OrgPairing:
    """联建共建: a party organisation registers with the community it pairs with."""
    _community(community)
    if not can(staff, "pair_org", community):
        _forbidden(_("只能登记本社区的共建单位"))
    with transaction.atomic():
        try:
            with transaction.atomic():
                pairing = OrgPairing.objects.create(
                    party_org=party_org,
                    community=community,
                    agreement_date=agreement_date,
                    content=content,
                    contact_name=contact_name,
                    contact_phone=contact_phone,
                    created_by=staff,
                )
        except IntegrityError:
            _refuse(_("该党组织已与本社区联建共建"), code="already_paired")
        _event(staff, "pair_org", note=f"{party_org} ⇄ {community}")
    return pairing


# ---- 百姓点单 ---------------------------------------------------------------------------


def submit_order(
    user,
    *,
    service_type: str,
    address: str,
    phone: str,
    contact_name: str = "",
    description: str = "",
    preferred_time=None,
    community: Region | None = None,
    idempotency_key: str = "",
) -> ServiceOrder:
    """A resident orders a service for themself; community staff may file one for someone who
    phoned or came in (代办), in their own community."""
    if service_type not in ServiceType.values:
        _refuse(_("请选择服务类型"), 422, "invalid_service_type")
    if preferred_time is not None and not (
        timezone.now() - timedelta(days=1) <= preferred_time <= timezone.now() + timedelta(days=366)
    ):
        _refuse(_("期望时间应在一年之内"), 422, "invalid_time")
    profile = getattr(user, "profile", None)
    staff_filing = community is not None and manages(user, community)
    if community is None:
        community = getattr(profile, "home_region", None)
        if community is None:
            _refuse(_("请先选择您所在的社区"), 422, "invalid_community")
    _community(community)
    if not staff_filing and getattr(profile, "home_region_id", None) != community.pk:
        if manages(user, community):
            staff_filing = True
        else:
            _forbidden(_("只能向自己居住的社区点单"))
    if idempotency_key:
        earlier = ServiceOrder.objects.filter(filed_by=user, idempotency_key=idempotency_key)
        if earlier.exists():
            return earlier.get()
    with transaction.atomic():
        order = ServiceOrder.objects.create(
            idempotency_key=idempotency_key[:80],
            resident=None if staff_filing else user,
            filed_by=user,
            community=community,
            service_type=service_type,
            description=description[:1000],
            preferred_time=preferred_time,
            contact_name=(contact_name or getattr(profile, "real_name", "") or "")[:50],
            phone=phone[:20],
            address=address[:200],
        )
        _event(user, "order", order=order, note=_("代办") if staff_filing else "")
        if not staff_filing:
            _notify_staff(
                community,
                title=_("新的百姓点单：%(s)s") % {"s": order.get_service_type_display()},
                key=f"order:{order.pk}:submitted",
            )
    return order


def decline_order(staff, order_id: int, reason: str) -> ServiceOrder:
    with transaction.atomic():
        order = ServiceOrder.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            _refuse(_("找不到该点单"), 404, "not_found")
        if not can(staff, "decline_order", order):
            _forbidden(_("只能处理本社区的点单"))
        if not reason.strip():
            _refuse(_("请填写未受理原因"), 422, "reason_required")
        try:
            order.state = workflow.next_state(workflow.ORDER_TRANSITIONS, order.state, "decline")
        except workflow.TransitionNotAllowed:
            _refuse(_("该点单已处理"))
        order.decline_reason = reason[:200]
        order.save()
        _event(staff, "decline_order", order=order, note=reason[:300])
        if order.resident_id:
            _notify(
                order.resident,
                kind="volunteering",
                title=_("您的服务点单未受理：%(r)s") % {"r": reason[:60]},
                url=reverse("volunteering:order"),
                key=f"order:{order.pk}:declined",
            )
    return order


# ---- 社区派单 ---------------------------------------------------------------------------


def new_checkin_code() -> str:
    """Unguessable (~120 bits) and URL-safe, so the poster's URL is the only way in."""
    return secrets.token_urlsafe(15)


def publish_task(
    staff,
    *,
    community: Region,
    title: str,
    service_type: str,
    address: str,
    starts_at,
    ends_at,
    places: int,
    points: int,
    description: str = "",
    lat: float | None = None,
    lng: float | None = None,
    checkin_radius_m: int | None = None,
    cancel_cutoff=None,
    order_id: int | None = None,
    idempotency_key: str = "",
) -> Task:
    """社区派单: publish a task from a resident's order or the community's own need."""
    _community(community)
    if not can(staff, "publish_task", community):
        _forbidden(_("只能在本社区发布任务"))
    if service_type not in ServiceType.values:
        _refuse(_("请选择服务类型"), 422, "invalid_service_type")
    if not title.strip() or not address.strip():
        _refuse(_("请填写标题和地点"), 422, "invalid")
    if ends_at <= starts_at:
        _refuse(_("结束时间必须晚于开始时间"), 422, "invalid_window")
    now = timezone.now()
    if not now - timedelta(days=366) <= starts_at <= now + timedelta(days=366):
        _refuse(_("开始时间应在一年之内"), 422, "invalid_window")
    if ends_at - starts_at > timedelta(days=31):
        _refuse(_("任务时间不能超过31天"), 422, "invalid_window")
    if not 1 <= places <= 1000:
        _refuse(_("名额应在1到1000之间"), 422, "invalid_places")
    if not 1 <= points <= 1000:
        _refuse(_("积分应在1到1000之间"), 422, "invalid_points")
    if (lat is None) != (lng is None) or (
        lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)
    ):
        _refuse(_("坐标不正确"), 422, "invalid_point")
    if checkin_radius_m is not None and (lat is None or not 10 <= checkin_radius_m <= 50_000):
        _refuse(_("报到范围需要任务坐标，且在10米到50公里之间"), 422, "invalid_radius")
    if cancel_cutoff is None:
        cancel_cutoff = starts_at - timedelta(hours=conf.default_cancel_cutoff_hours())
    if cancel_cutoff > starts_at:
        _refuse(_("取消截止时间不能晚于开始时间"), 422, "invalid_cutoff")
    if idempotency_key:
        earlier = Task.objects.filter(created_by=staff, idempotency_key=idempotency_key)
        if earlier.exists():
            return earlier.get()
    with transaction.atomic():
        order = None
        if order_id is not None:
            order = ServiceOrder.objects.select_for_update().filter(pk=order_id).first()
            if order is None or order.community_id != community.pk:
                _refuse(_("找不到本社区的该点单"), 404, "not_found")
            try:
                order.state = workflow.next_state(workflow.ORDER_TRANSITIONS, order.state, "accept")
            except workflow.TransitionNotAllowed:
                _refuse(_("该点单已派单或已处理"))
            order.save(update_fields=["state"])
        task = Task.objects.create(
            community=community,
            order=order,
            title=title[:100],
            description=description[:2000],
            service_type=service_type,
            address=address[:200],
            lat=lat,
            lng=lng,
            starts_at=starts_at,
            ends_at=ends_at,
            places=places,
            points=points,
            checkin_code=new_checkin_code(),
            checkin_radius_m=checkin_radius_m,
            cancel_cutoff=cancel_cutoff,
            created_by=staff,
            idempotency_key=idempotency_key[:80],
        )
        _event(staff, "publish", task=task, order=order)
        if order is not None and order.resident_id:
            _notify(
                order.resident,
                kind="volunteering",
                title=_("您的点单已派单：%(t)s") % {"t": task.title},
                url=reverse("volunteering:order"),
                key=f"order:{order.pk}:accepted",
            )
    return task


def cancel_task(staff, task_id: int, reason: str = "") -> Task:
    with transaction.atomic():
        task = Task.objects.select_for_update().filter(pk=task_id).first()
        if task is None:
            _refuse(_("找不到该任务"), 404, "not_found")
        if not can(staff, "cancel_task", task):
            _forbidden(_("只能取消本社区的任务"))
        if task.state != Task.State.PUBLISHED:
            _refuse(_("任务已取消"))
        if task.claims.filter(state=State.CONFIRMED).exists():
            _refuse(_("已有确认的服务，不能取消任务"))
        task.state = Task.State.CANCELLED
        task.save(update_fields=["state"])
        for claim in task.claims.filter(state=State.CLAIMED).select_related("member"):
            _notify(
                claim.member,
                kind="volunteering",
                title=_("您认领的任务已取消：%(t)s") % {"t": task.title},
                url=reverse("volunteering:tasks"),
                key=f"task:{task.pk}:cancelled",
            )
        _event(staff, "cancel_task", task=task, note=reason[:300])
    return task


# ---- 党员接单 ---------------------------------------------------------------------------


def _locked_task(task_id: int) -> Task:
    task = Task.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        _refuse(_("找不到该任务"), 404, "not_found")
    return task


def claim_task(member, task_id: int, *, assigned_by=None, now=None) -> TaskClaim:
    """线上认领: one place, if any is left. The task row lock serialises claims of one task, so
    the count of active claims cannot be overtaken between the check and the insert."""
    now = now or timezone.now()
    if not is_member(member):
        _forbidden(_("只有党员可以认领任务"))
    with transaction.atomic():
        task = _locked_task(task_id)
        if assigned_by is not None and not can(assigned_by, "assign", task):
            _forbidden(_("只能为本社区的任务指派党员"))
        if task.state != Task.State.PUBLISHED:
            _refuse(_("任务已取消"), code="task_cancelled")
        if now >= task.ends_at:
            _refuse(_("任务已结束"), code="task_ended")
        active = list(
            TaskClaim.objects.filter(task=task, state__in=TaskClaim.ACTIVE_STATES).values_list(
                "member_id", flat=True
            )
        )
        if member.pk in active:
            _refuse(_("您已认领该任务"), code="already_claimed")
        if workflow.places_left(task.places, len(active)) == 0:
            _refuse(_("名额已满"), code="task_full")
        try:
            with transaction.atomic():
                claim = TaskClaim.objects.create(task=task, member=member, assigned_by=assigned_by)
        except IntegrityError:  # the partial unique index: a duplicate that slipped through
            _refuse(_("您已认领该任务"), code="already_claimed")
        actor = assigned_by or member
        _event(actor, "assign" if assigned_by else "claim", task=task, claim=claim)
        if assigned_by is not None:
            _notify(
                member,
                kind="volunteering",
                title=_("社区为您指派了志愿服务任务：%(t)s") % {"t": task.title},
                url=reverse("volunteering:tasks"),
                key=f"task:{task.pk}:assigned",
            )
    return claim


def assign_member(staff, task_id: int, member) -> TaskClaim:
    return claim_task(member, task_id, assigned_by=staff)


def _locked_claim(task_id: int, member) -> TaskClaim:
    claim = (
        TaskClaim.objects.select_for_update()
        .filter(task_id=task_id, member=member)
        .exclude(state=State.CANCELLED)
        .first()
    )
    if claim is None:
        _refuse(_("您没有认领该任务"), 404, "not_claimed")
    return claim


def _advance(claim: TaskClaim, action: str, message: str) -> None:
    try:
        claim.state = workflow.next_state(workflow.CLAIM_TRANSITIONS, claim.state, action)
    except workflow.TransitionNotAllowed:
        _refuse(message, code=f"cannot_{action}")


def cancel_claim(member, task_id: int, *, now=None) -> TaskClaim:
    now = now or timezone.now()
    with transaction.atomic():
        _locked_task(task_id)
        claim = _locked_claim(task_id, member)
        if not workflow.can_cancel(now, claim.task.cancel_cutoff):
            _refuse(_("已过取消截止时间，如有变化请联系社区"), code="past_cutoff")
        _advance(claim, "cancel", _("已报到的任务不能取消"))
        claim.cancelled_at = now
        claim.save()
        _event(member, "cancel_claim", task_id=task_id, claim=claim)
    return claim


def task_for_code(code: str) -> Task:
    task = Task.objects.filter(checkin_code=code).select_related("community").first()
    if task is None or not code:
        _refuse(_("报到码无效，请扫描任务现场的二维码"), 404, "wrong_code")
    return task


def check_in(member, task_id: int, code: str, *, lat=None, lng=None, now=None) -> TaskClaim:
    """线下报到: with the code from the poster, inside the window (± tolerance), and within the
    radius of the place when the task sets one."""
    now = now or timezone.now()
    with transaction.atomic():
        task = _locked_task(task_id)
        # Compared as bytes: compare_digest refuses str with non-ASCII characters.
        if not secrets.compare_digest(str(code or "").encode(), task.checkin_code.encode()):
            _refuse(_("报到码不正确，请扫描任务现场的二维码"), 422, "wrong_code")
        claim = _locked_claim(task_id, member)
        if task.state != Task.State.PUBLISHED:
            _refuse(_("任务已取消"), code="task_cancelled")
        tolerance = timedelta(minutes=conf.checkin_tolerance_minutes())
        if not workflow.within_checkin_window(now, task.starts_at, task.ends_at, tolerance):
            local = timezone.localtime
            _refuse(
                _("不在报到时间内：请在 %(a)s 至 %(b)s 之间报到")
                % {
                    "a": local(task.starts_at - tolerance).strftime("%m-%d %H:%M"),
                    "b": local(task.ends_at + tolerance).strftime("%m-%d %H:%M"),
                },
                code="outside_window",
            )
        if task.checkin_radius_m:
            if lat is None or lng is None:
                _refuse(_("本任务需要定位报到，请允许获取位置后重试"), 422, "location_required")
            distance = geo.distance_m(lat, lng, task.lat, task.lng)
            if distance > task.checkin_radius_m:
                _refuse(
                    _("您距离服务地点约 %(d)d 米，需在 %(r)d 米内报到")
                    % {"d": distance, "r": task.checkin_radius_m},
                    code="too_far",
                )
        _advance(claim, "check_in", _("您已报到"))
        claim.checked_in_at, claim.checkin_lat, claim.checkin_lng = now, lat, lng
        claim.save()
        _event(member, "check_in", task=task, claim=claim)
    return claim


def check_out(member, task_id: int, *, now=None) -> TaskClaim:
    now = now or timezone.now()
    with transaction.atomic():
        _locked_task(task_id)
        claim = _locked_claim(task_id, member)
        _advance(claim, "check_out", _("请先扫码报到"))
        claim.checked_out_at = now
        claim.save()
        _event(member, "check_out", task_id=task_id, claim=claim)
    return claim


# ---- 积分奖励 ---------------------------------------------------------------------------


def volunteer_number(member) -> str:
    """The member's volunteer number, created on first use: district code + sequence."""
    existing = Volunteer.objects.filter(member=member).values_list("number", flat=True).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(member=member, number=f"V211103{member.pk:08d}")
    except IntegrityError:
        volunteer = Volunteer.objects.get(member=member)
    return volunteer.number


def confirm_service(user, task_id: int, member_id: int, *, now=None) -> tuple[ServiceRecord, bool]:
    """The community (or the resident served) confirms a member's service: one ServiceRecord and
    one award, however many times and however concurrently it is confirmed."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = (
            TaskClaim.objects.select_for_update()
            .filter(task_id=task_id, member_id=member_id)
            .exclude(state=State.CANCELLED)
            .first()
        )
        if claim is None:
            _refuse(_("该党员没有认领此任务"), 404, "not_claimed")
        task = Task.objects.select_related("community", "order").get(pk=task_id)
        claim.task = task
        if not can(user, "confirm", claim):
            if claim.member_id == user.pk:
                _forbidden(_("不能确认自己的服务"))
            _forbidden(_("只有本社区或被服务的居民可以确认"))
        if claim.state == State.CONFIRMED:
            return ServiceRecord.objects.get(claim=claim), False
        _advance(claim, "confirm", _("党员尚未报到，不能确认服务"))
        if claim.checked_out_at is None:
            claim.checked_out_at = min(now, task.ends_at)
        hours = workflow.served_hours(
            claim.checked_in_at, claim.checked_out_at, task.starts_at, task.ends_at
        )
        member = claim.member
        profile = getattr(member, "profile", None)
        record = ServiceRecord.objects.create(
            claim=claim,
            member=member,
            volunteer_number=volunteer_number(member),
            party_org=getattr(profile, "party_org", None),
            community=task.community,
            activity=task.title,
            service_type=task.service_type,
            date=timezone.localdate(claim.checked_in_at),
            place=task.address,
            started_at=max(claim.checked_in_at, task.starts_at),
            ended_at=min(claim.checked_out_at, task.ends_at),
            hours=hours,
            points=task.points,
            certificate_number=f"XLT{timezone.localdate(now):%Y%m%d}{claim.pk:07d}",
            confirmed_by=user,
        )
        points.award(
            member,
            task.points,
            key=f"task:{task.id}:member:{member.id}",
            reason=_("志愿服务：%(t)s") % {"t": task.title},
            source=record,
            by=user,
        )
        claim.confirmed_at, claim.confirmed_by = now, user
        claim.save()
        if task.order_id and task.order.state == ServiceOrder.State.ACCEPTED:
            ServiceOrder.objects.filter(pk=task.order_id).update(state=ServiceOrder.State.DONE)
        _event(user, "confirm", task=task, claim=claim)
        _notify(
            member,
            kind="volunteering",
            title=_("服务已确认，获得 %(p)d 积分：%(t)s") % {"p": task.points, "t": task.title},
            url=reverse("volunteering:points"),
            key=f"task:{task.pk}:confirmed",
        )
    return record, True


def correct_points(staff, member, amount: int, reason: str) -> points.Posted:
    """更正: a new signed entry with a reason, by staff who serve where the member serves."""
    from .permissions import community_q

    if not can(staff, "correct_points", member):
        _forbidden()
    in_scope = (
        MemberRegistration.objects.filter(
            community_q(staff), member=member, state=MemberRegistration.State.APPROVED
        ).exists()
        or ServiceRecord.objects.filter(community_q(staff), member=member).exists()
    )
    if not in_scope:
        _forbidden(_("该党员不在您的社区服务"))
    if not reason.strip() or amount == 0 or abs(amount) > 10_000:
        _refuse(_("请填写更正分值（非零）和原因"), 422, "invalid")
    try:
        with transaction.atomic():
            posted = points.correct(
                member,
                amount,
                key=f"correction:{member.pk}:{secrets.token_hex(8)}",
                reason=reason,
                by=staff,
            )
            _event(staff, "correct_points", note=f"{member.pk}:{amount:+d} {reason}"[:300])
    except points.InsufficientPoints as exc:
        _refuse(exc.message, code=exc.code)
    return posted


def redeem_reward(member, reward_id: int, *, key: str = "") -> tuple[Redemption, bool]:
    """积分兑换: stock and ledger change in one transaction; the reward row lock serialises
    redemptions of one reward, the account lock those of one member."""
    if not is_member(member):
        _forbidden(_("只有党员可以兑换积分"))
    key = f"redeem:{member.pk}:{key}" if key else f"redeem:{member.pk}:{secrets.token_hex(8)}"
    try:
        with transaction.atomic():
            reward = Reward.objects.select_for_update().filter(pk=reward_id, active=True).first()
            if reward is None:
                _refuse(_("找不到该兑换商品"), 404, "not_found")
            earlier = Redemption.objects.filter(entry__key=key).first()
            if earlier is not None:
                return earlier, False
            if reward.stock < 1:
                _refuse(_("该商品已兑完"), code="out_of_stock")
            posted = points.redeem(
                member,
                reward.points,
                key=key,
                reason=_("积分兑换：%(n)s") % {"n": reward.name},
                source=reward,
                by=member,
            )
            Reward.objects.filter(pk=reward.pk).update(stock=F("stock") - 1)
            redemption = Redemption.objects.create(
                member=member, reward=reward, points=reward.points, entry=posted.entry
            )
    except points.InsufficientPoints as exc:
        _refuse(exc.message, code=exc.code)
    return redemption, True
