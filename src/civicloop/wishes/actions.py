"""The only code that changes a wish: one function per use case, each in one transaction that
locks the wish, checks role, scope and state, writes the WishEvent, and schedules side effects
(notifications) for after the commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.core.errors import ActionRefused
from civicloop.core.models import Region, Role, ScopeType
from civicloop.lib.images import CleanImage
from civicloop.notifications.actions import notify
from civicloop.volunteering import points

from . import conf, permissions, workflow
from .models import BeneficiaryType, Category, PostedAs, State, Wish, WishEvent

SYSTEM_ROLE = "system"
_clock: ContextVar[Callable[[], datetime]] = ContextVar("wish_clock", default=timezone.now)


def now() -> datetime:
    return _clock.get()()


@contextmanager
def at_time(moment: datetime) -> Iterator[None]:
    """Runs actions as if at `moment` (demo history); events and timestamps agree with it."""
    token = _clock.set(lambda: moment)
    try:
        yield
    finally:
        _clock.reset(token)


def _role_of(user, wish: Wish, action: str) -> str:
    """The capacity in which the user acts, as recorded on the event."""
    if user is None:
        return SYSTEM_ROLE
    if action in (workflow.CLAIM, workflow.CONTACT, workflow.RELEASE, workflow.FULFIL):
        return Role.PARTY_MEMBER
    if permissions.in_staff_scope(user, wish):
        return Role.COMMUNITY_STAFF
    return Role.RESIDENT


def _record(wish: Wish, action: str, user, from_state: str, note: str = "") -> WishEvent:
    return WishEvent.objects.create(
        wish=wish,
        action=action,
        actor=user,
        role=_role_of(user, wish, action),
        from_state=from_state,
        to_state=wish.state,
        note=note[:500],
        at=now(),
    )


def _url(wish: Wish) -> str:
    return reverse("wishes:detail", args=[wish.pk])


def _after_commit(fn: Callable[[], object]) -> None:
    transaction.on_commit(fn)


def _notify_later(recipient, wish: Wish, kind: str, title: str, body: str = "") -> None:
    if recipient is None:
        return
    key = f"wish:{wish.pk}:{kind}:{wish.events.count()}"
    url = _url(wish)
    _after_commit(
        lambda: notify(recipient, kind=f"wish_{kind}", title=title, body=body, url=url, key=key)
    )


def _community_staff(community: Region):
    return (
        get_user_model()
        .objects.filter(
            role_assignments__role=Role.COMMUNITY_STAFF,
            role_assignments__scope_type=ScopeType.COMMUNITY,
            role_assignments__region=community,
        )
        .distinct()
    )


def _clean_text(value: str, field: str, max_length: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ActionRefused(_("请填写%(field)s") % {"field": field}, status=422, code="invalid")
    if len(text) > max_length:
        raise ActionRefused(
            _("%(field)s不能超过 %(n)d 个字") % {"field": field, "n": max_length},
            status=422,
            code="invalid",
        )
    return text


def post_wish(
    user,
    *,
    content: str,
    category: str,
    value_cap: int,
    beneficiary_name: str,
    beneficiary_phone: str,
    beneficiary_address: str,
    beneficiary_type: str = BeneficiaryType.OTHER,
    community: Region | None = None,
) -> Wish:
    """征集: a resident posts their own wish, or community staff post one for a 困难群众."""
    if category not in Category.values:
        raise ActionRefused(_("心愿类别不正确"), status=422, code="invalid")
    if beneficiary_type not in BeneficiaryType.values:
        raise ActionRefused(_("受助人类型不正确"), status=422, code="invalid")
    if not isinstance(value_cap, int) or value_cap < 1 or value_cap > conf.max_value():
        raise ActionRefused(
            _("心愿价值上限须在 1 至 %(max)d 元之间") % {"max": conf.max_value()},
            status=422,
            code="invalid",
        )
    allowed = permissions.communities_for_posting(user)
    if community is None:
        if len(allowed) != 1:
            raise ActionRefused(_("请选择心愿所在社区"), status=422, code="invalid")
        community = allowed[0]
    elif community.pk not in {c.pk for c in allowed}:
        raise ActionRefused(_("不能在该社区发布心愿"), status=403, code="forbidden")
    fields = {
        "content": _clean_text(content, _("心愿内容"), 500),
        "beneficiary_name": _clean_text(beneficiary_name, _("受助人姓名"), 50),
        "beneficiary_phone": _clean_text(beneficiary_phone, _("受助人电话"), 20),
        "beneficiary_address": _clean_text(beneficiary_address, _("受助人地址"), 200),
    }
    staff = permissions.is_staff(user)
    with transaction.atomic():
        wish = Wish.objects.create(
            category=category,
            value_cap=value_cap,
            beneficiary_type=beneficiary_type,
            community=community,
            created_at=now(),
            posted_by=user,
            posted_as=PostedAs.COMMUNITY if staff else PostedAs.RESIDENT,
            **fields,
        )
        WishEvent.objects.create(
            wish=wish,
            action=workflow.POST,
            actor=user,
            role=Role.COMMUNITY_STAFF if staff else Role.RESIDENT,
            from_state="",
            to_state=wish.state,
            at=wish.created_at,
        )
        if not staff:
            for person in _community_staff(community):
                _notify_later(person, wish, "submitted", _("有新的微心愿待核实"), wish.content[:60])
    return wish


def _transition(
    user, wish_id: int, action: str, change: Callable[[Wish], str] | None = None
) -> Wish:
    """Locks the wish, checks that the action is allowed now and to this user, applies the
    change (which returns the event's note) and writes the event, all in one transaction."""
    with transaction.atomic():
        wish = (
            # of=self: lock the wish only, not the joined community and street rows.
            Wish.objects.select_for_update(of=("self",))
            .filter(pk=wish_id)
            .select_related("community", "street")
            .first()
        )
        visible = wish is not None and (
            user is None or permissions.visible_to(user).filter(pk=wish.pk).exists()
        )
        if not visible:
            raise ActionRefused(_("找不到该心愿"), status=404, code="not_found")
        target = workflow.next_state(wish.state, action)
        if target is None:
            raise ActionRefused(
                _("心愿当前状态为「%(state)s」，不能%(action)s")
                % {"state": wish.get_state_display(), "action": workflow.ACTION_LABELS[action]},
                status=409,
                code="conflict",
            )
        actor = workflow.SYSTEM if user is None else permissions.actor_for(user, wish)
        if not workflow.actor_may(action, actor):
            raise ActionRefused(_("您不能对该心愿执行此操作"), status=403, code="forbidden")
        from_state = wish.state
        wish.state = target
        note = change(wish) if change else ""
        wish.save()
        _record(wish, action, user, from_state, note or "")
    return wish


def verify(user, wish_id: int, note: str) -> Wish:
    """核实: staff verified by phone or visit; the wish goes on the wall."""
    note = _clean_text(note, _("核实情况"), 300)

    def change(wish: Wish) -> str:
        moment = now()
        wish.verify_note = note
        wish.published_at = moment
        wish.on_wall_since = moment
        if wish.posted_as == PostedAs.RESIDENT:
            _notify_later(wish.posted_by, wish, "published", _("您的微心愿已核实并上墙公示"))
        return note

    return _transition(user, wish_id, workflow.VERIFY, change)


def decline(user, wish_id: int, reason: str) -> Wish:
    reason = _clean_text(reason, _("不予通过原因"), 300)

    def change(wish: Wish) -> str:
        wish.decline_reason = reason
        if wish.posted_as == PostedAs.RESIDENT:
            _notify_later(wish.posted_by, wish, "declined", _("您的微心愿未通过核实"), reason)
        return reason

    return _transition(user, wish_id, workflow.DECLINE, change)


def claim(user, wish_id: int, commitment: str) -> Wish:
    """认领: one claimant per wish, with a written commitment."""
    commitment = _clean_text(commitment, _("认领承诺"), 300)

    def change(wish: Wish) -> str:
        moment = now()
        wish.claimed_by = user
        wish.claimed_at = moment
        wish.first_claimed_at = wish.first_claimed_at or moment
        wish.commitment = commitment
        wish.contacted_at = None
        wish.contact_note = ""
        if wish.posted_as == PostedAs.RESIDENT:
            _notify_later(wish.posted_by, wish, "claimed", _("您的微心愿已被党员认领"))
        return commitment

    return _transition(user, wish_id, workflow.CLAIM, change)


def contact(user, wish_id: int, note: str) -> Wish:
    note = _clean_text(note, _("联系情况"), 300)

    def change(wish: Wish) -> str:
        wish.contacted_at = now()
        wish.contact_note = note
        return note

    return _transition(user, wish_id, workflow.CONTACT, change)


def _back_to_wall(wish: Wish) -> None:
    wish.claimed_by = None
    wish.claimed_at = None
    wish.commitment = ""
    wish.contacted_at = None
    wish.contact_note = ""
    wish.on_wall_since = now()


def release(user, wish_id: int, note: str = "") -> Wish:
    """放弃认领: the member gives the wish back to the wall."""
    note = _clean_text(note, _("说明"), 300, required=False)

    def change(wish: Wish) -> str:
        _back_to_wall(wish)
        return note

    return _transition(user, wish_id, workflow.RELEASE, change)


def fulfil(user, wish_id: int, note: str, photo: CleanImage) -> Wish:
    """实现: the member reports the wish fulfilled, with a photo and a note."""
    note = _clean_text(note, _("实现说明"), 500)
    if photo is None:
        raise ActionRefused(_("请上传实现心愿的照片"), status=422, code="invalid")

    def change(wish: Wish) -> str:
        stem = f"wishes/{now():%Y/%m}/{uuid.uuid4().hex}"
        wish.photo = default_storage.save(stem + photo.extension, ContentFile(photo.content))
        wish.photo_type = photo.content_type
        thumb_ext = ".webp" if photo.thumbnail_content_type == "image/webp" else ".jpg"
        wish.thumbnail = default_storage.save(
            f"{stem}-thumb{thumb_ext}", ContentFile(photo.thumbnail)
        )
        wish.thumbnail_type = photo.thumbnail_content_type
        wish.fulfilled_at = now()
        wish.fulfil_note = note
        for person in _community_staff(wish.community):
            _notify_later(person, wish, "fulfilled", _("有微心愿已实现，待反馈确认"))
        if wish.posted_as == PostedAs.RESIDENT:
            _notify_later(wish.posted_by, wish, "fulfilled", _("您的微心愿已实现，请反馈评价"))
        return note

    return _transition(user, wish_id, workflow.FULFIL, change)


def confirm(user, wish_id: int, rating: int, note: str = "") -> Wish:
    """反馈: the beneficiary or the community confirms and rates; the claimant gets points,
    once (the ledger key is the wish)."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ActionRefused(_("评分须为 1 至 5 分"), status=422, code="invalid")
    note = _clean_text(note, _("反馈意见"), 300, required=False)

    def change(wish: Wish) -> str:
        wish.confirmed_at = now()
        wish.confirmed_by = user
        wish.rating = rating
        wish.confirm_note = note
        amount = conf.points_per_wish()
        if amount > 0:
            posted = points.award(
                wish.claimed_by,
                amount,
                key=f"wish:{wish.pk}",
                reason=_("实现微心愿：%(content)s") % {"content": wish.content[:40]},
                source=wish,
                by=user,
            )
            wish.points_awarded = posted.entry.points
        _notify_later(
            wish.claimed_by,
            wish,
            "confirmed",
            _("您实现的微心愿已获反馈，获得 %(n)d 积分") % {"n": wish.points_awarded},
        )
        return f"{rating}★ {note}".strip()

    return _transition(user, wish_id, workflow.CONFIRM, change)


def expire_claim(wish_id: int) -> bool:
    """Auto-release: a claim not followed by contact within the configured days lapses.

    Safe to run any number of times, in several workers: the row is locked and re-checked."""
    deadline = now() - timedelta(days=conf.contact_days())
    try:
        with transaction.atomic():
            wish = Wish.objects.select_for_update().filter(pk=wish_id).first()
            if wish is None or wish.state != State.CLAIMED or wish.claimed_at > deadline:
                return False
            member = wish.claimed_by

            def change(w: Wish) -> str:
                _back_to_wall(w)
                _notify_later(member, w, "expired", _("您认领的微心愿因逾期未联系，已退回心愿墙"))
                return _("认领后 %(n)d 天内未联系受助人") % {"n": conf.contact_days()}

            _transition(None, wish_id, workflow.EXPIRE, change)
    except ActionRefused:
        return False
    return True


def expire_overdue_claims() -> int:
    """The sweep: every claim past its contact deadline goes back to the wall."""
    deadline = now() - timedelta(days=conf.contact_days())
    ids = list(
        Wish.objects.filter(state=State.CLAIMED, claimed_at__lte=deadline).values_list(
            "pk", flat=True
        )
    )
    return sum(1 for pk in ids if expire_claim(pk))


def record_contact_views(user, wishes, purpose: str | None = None) -> None:
    """Logs that the user saw the beneficiaries' full contact details (个人信息查看记录)."""
    from civicloop.core.models import PersonalDataAccess

    rows = []
    for wish in wishes:
        why = purpose or permissions.contact_purpose(user, wish)
        own = wish.posted_as == PostedAs.RESIDENT and wish.posted_by_id == user.pk
        if why and not own:  # a resident reading back what they posted is not logged
            rows.append(
                PersonalDataAccess(
                    viewer=user, subject=f"微心愿#{wish.pk} 受助人", purpose=why[:120]
                )
            )
    if rows:
        PersonalDataAccess.objects.bulk_create(rows)
