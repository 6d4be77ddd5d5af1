"""Pages of the wish wall: thin views over permissions, queries and actions."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from civicloop.core import permissions as scope
from civicloop.core.errors import ActionRefused
from civicloop.core.models import Role
from civicloop.lib.images import ImageRejected, sanitize_image
from civicloop.volunteering import points

from . import actions, forms, metrics, permissions, queries, workflow
from .models import PostedAs, State, Wish

ACTION_FORMS = {
    workflow.VERIFY: forms.VerifyForm,
    workflow.DECLINE: forms.DeclineForm,
    workflow.CLAIM: forms.ClaimForm,
    workflow.CONTACT: forms.ContactForm,
    workflow.RELEASE: forms.ReleaseForm,
    workflow.FULFIL: forms.FulfilForm,
    workflow.CONFIRM: forms.ConfirmForm,
}
STAFF_TABS = [
    ("submitted", gettext_lazy("待核实"), [State.SUBMITTED]),
    ("fulfilled", gettext_lazy("待反馈"), [State.FULFILLED]),
    ("open", gettext_lazy("进行中"), [State.PUBLISHED, State.CLAIMED, State.CONTACTED]),
    ("done", gettext_lazy("已完成"), [State.CONFIRMED, State.DECLINED]),
]


def _cards(wishes, user) -> list[dict]:
    """What a card on the wall shows: never the beneficiary's full name, phone or address."""
    return [
        {
            "wish": w,
            "masked": w.masked_beneficiary,
            "waiting_long": queries.is_waiting_long(w),
            "can_claim": permissions.can(user, workflow.CLAIM, w),
            "mine": user.is_authenticated and w.claimed_by_id == user.pk,
        }
        for w in wishes
    ]


def wall(request):
    """心愿墙: public, no login; members see a 认领 button."""
    form = forms.WallFilterForm(request.GET or None)
    qs = permissions.public_queryset()
    if form.is_valid():
        data = form.cleaned_data
        qs = queries.filter_wall(
            qs,
            community_id=data["community"].pk if data["community"] else None,
            category=data["category"],
            state=data["state"],
        )
    qs = queries.on_wall_order(qs).select_related("community", "street")
    page = Paginator(qs, 24).get_page(request.GET.get("page"))
    user = request.user
    return render(
        request,
        "wishes/wall.html",
        {
            "form": form,
            "page": page,
            "cards": _cards(page.object_list, user),
            "is_member": permissions.is_member(user),
            "can_post": user.is_authenticated and bool(permissions.communities_for_posting(user)),
            "is_staff": permissions.is_staff(user),
        },
    )


def detail(request, pk: int):
    wish = get_object_or_404(
        permissions.visible_to(request.user).select_related(
            "community", "street", "claimed_by__profile"
        ),
        pk=pk,
    )
    user = request.user
    purpose = permissions.contact_purpose(user, wish)
    if purpose:
        actions.record_contact_views(user, [wish], purpose)
    available = permissions.available_actions(user, wish)
    action_forms = [(a, workflow.ACTION_LABELS[a], ACTION_FORMS[a](prefix=a)) for a in available]
    return render(
        request,
        "wishes/detail.html",
        {
            "wish": wish,
            "full": bool(purpose),
            "waiting_long": queries.is_waiting_long(wish),
            "action_forms": action_forms,
            "events": _events(wish) if purpose else [],
            "contact_deadline_days": _contact_days(),
            "login_to_claim": not user.is_authenticated and wish.state == State.PUBLISHED,
        },
    )


def _events(wish: Wish) -> list:
    events = list(wish.events.select_related("actor__profile"))
    for e in events:
        e.label = workflow.ACTION_LABELS.get(e.action, e.action)
    return events


def _contact_days() -> int:
    from . import conf

    return conf.contact_days()


def _back(request, wish: Wish) -> HttpResponseRedirect:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        return HttpResponseRedirect(nxt)
    return HttpResponseRedirect(reverse("wishes:detail", args=[wish.pk]))


SUCCESS = {
    workflow.VERIFY: gettext_lazy("已核实，心愿已上墙公示"),
    workflow.DECLINE: gettext_lazy("已不予通过"),
    workflow.CLAIM: gettext_lazy("认领成功，请在 %(days)d 天内联系受助人"),
    workflow.CONTACT: gettext_lazy("已记录联系情况"),
    workflow.RELEASE: gettext_lazy("已放弃认领，心愿已退回心愿墙"),
    workflow.FULFIL: gettext_lazy("已提交实现情况，等待社区或受助人反馈"),
    workflow.CONFIRM: gettext_lazy("已反馈确认，积分已发放给认领党员"),
}


@login_required
@require_POST
def act(request, pk: int, action: str):
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    wish = get_object_or_404(permissions.visible_to(request.user), pk=pk)
    form = form_class(request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request, wish)
    data = form.cleaned_data
    user = request.user
    try:
        if action == workflow.VERIFY:
            actions.verify(user, pk, data["note"])
        elif action == workflow.DECLINE:
            actions.decline(user, pk, data["reason"])
        elif action == workflow.CLAIM:
            actions.claim(user, pk, data["commitment"])
        elif action == workflow.CONTACT:
            actions.contact(user, pk, data["note"])
        elif action == workflow.RELEASE:
            actions.release(user, pk, data["note"])
        elif action == workflow.FULFIL:
            upload = data["photo"]
            limit = settings.CIVICLOOP_PHOTO_MAX_BYTES
            if upload.size > limit:
                raise ActionRefused(_("照片过大"), status=413)
            try:
                clean = sanitize_image(upload, max_bytes=limit)
            except ImageRejected as exc:
                raise ActionRefused(exc.message, status=422) from None
            actions.fulfil(user, pk, data["note"], clean)
        else:
            actions.confirm(user, pk, data["rating"], data["note"])
    except ActionRefused as exc:
        if exc.status == 404:
            raise Http404 from None
        if exc.status == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
        return _back(request, wish)
    message = SUCCESS[action]
    if action == workflow.CLAIM:
        message = str(message) % {"days": _contact_days()}
    messages.success(request, message)
    return _back(request, wish)


@login_required
@require_http_methods(["GET", "POST"])
def new_wish(request):
    user = request.user
    communities = permissions.communities_for_posting(user)
    if not communities:
        raise PermissionDenied(_("您的账号没有所属社区，不能发布心愿"))
    staff = permissions.is_staff(user)
    initial = {}
    profile = getattr(user, "profile", None)
    if not staff and profile is not None:
        initial = {"beneficiary_name": profile.real_name, "beneficiary_phone": profile.phone}
    form = forms.WishForm(request.POST or None, communities=communities, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wish = actions.post_wish(
                user,
                content=data["content"],
                category=data["category"],
                value_cap=data["value_cap"],
                beneficiary_name=data["beneficiary_name"],
                beneficiary_phone=data["beneficiary_phone"],
                beneficiary_address=data["beneficiary_address"],
                beneficiary_type=data["beneficiary_type"],
                community=data["community"],
            )
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("心愿已提交，等待核实") if staff else _("心愿已提交，社区核实后将在心愿墙公示"),
            )
            return HttpResponseRedirect(reverse("wishes:detail", args=[wish.pk]))
    return render(request, "wishes/new.html", {"form": form, "staff": staff})


@login_required
def mine(request):
    """我认领的心愿 (with the contact and fulfil forms) and 我发布的心愿."""
    user = request.user
    claimed = list(
        Wish.objects.filter(claimed_by=user)
        .select_related("community", "street")
        .order_by("-claimed_at")
    )
    held = []
    for w in claimed:
        available = permissions.available_actions(user, w)
        held.append(
            {
                "wish": w,
                "forms": [
                    (a, workflow.ACTION_LABELS[a], ACTION_FORMS[a](prefix=a))
                    for a in available
                    if a in (workflow.CONTACT, workflow.FULFIL)
                ],
            }
        )
    posted = (
        Wish.objects.filter(posted_by=user, posted_as=PostedAs.RESIDENT)
        .select_related("community")
        .order_by("-created_at")
    )
    try:
        points_url = reverse("volunteering:points")
    except NoReverseMatch:
        points_url = ""
    return render(
        request,
        "wishes/mine.html",
        {
            "held": held,
            "posted": posted,
            "is_member": permissions.is_member(user),
            "balance": points.balance(user),
            "points_url": points_url,
            "can_post": bool(permissions.communities_for_posting(user)),
        },
    )


@login_required
def staff(request):
    """心愿审核: community staff review, follow and confirm the wishes of their community."""
    user = request.user
    if not permissions.is_staff(user):
        raise PermissionDenied(_("仅社区工作人员可以审核心愿"))
    tab = request.GET.get("tab", "submitted")
    tabs = []
    base = permissions.staff_queryset(user)
    selected = STAFF_TABS[0]
    for key, label, states in STAFF_TABS:
        tabs.append({"key": key, "label": label, "count": base.filter(state__in=states).count()})
        if key == tab:
            selected = (key, label, states)
    qs = (
        base.filter(state__in=selected[2])
        .select_related("community", "claimed_by__profile")
        .order_by("created_at" if selected[0] == "submitted" else "-updated_at")
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "wishes/staff.html",
        {"tabs": tabs, "tab": selected[0], "page": page},
    )


STATS_ROLES = (*permissions.STAFF_ROLES, Role.LEADER)


@login_required
def stats(request):
    user = request.user
    if not scope.has_role(user, *STATS_ROLES):
        raise PermissionDenied(_("仅工作人员可以查看心愿统计"))
    form = forms.PeriodForm(request.GET or None)
    start = end = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    qs = Wish.objects.filter(
        scope.region_q(user, STATS_ROLES, street="street", community="community", grid="")
    )
    return render(
        request,
        "wishes/stats.html",
        {"form": form, "figures": metrics.figures(qs, start=start, end=end)},
    )


def photo(request, pk: int, thumb: bool = False):
    """The proof photo, for those who see the whole record (it may show the beneficiary)."""
    wish = get_object_or_404(permissions.visible_to(request.user), pk=pk)
    name = wish.thumbnail if thumb else wish.photo
    if not name or not permissions.contact_purpose(request.user, wish):
        raise Http404
    content_type = (wish.thumbnail_type if thumb else wish.photo_type) or (
        mimetypes.guess_type(name)[0] or "application/octet-stream"
    )
    response = FileResponse(default_storage.open(name), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = (
        f'inline; filename="wish-{wish.pk}{"-thumb" if thumb else ""}"'
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
