"""Pages of volunteer service: 点单, 接单, 报到, 积分, 派单管理, 双服务 (thin: actions.py decides)."""

from __future__ import annotations

import secrets
from functools import wraps
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicloop.core.errors import ActionRefused
from civicloop.core.models import PartyOrg, PersonalDataAccess, Region
from civicloop.core.permissions import region_ids
from civicloop.lib import geo
from civicloop.lib.masking import mask_address, mask_name, mask_phone
from civicloop.lib.qr import qr_svg

from . import actions, certificate, conf, export, points, stats
from .forms import AssignForm, CorrectionForm, OrderForm, PairingForm, RegistrationForm, TaskForm
from .models import (
    MemberRegistration,
    OrgPairing,
    PointsEntry,
    Reward,
    ServiceOrder,
    ServiceRecord,
    Task,
    TaskClaim,
)
from .permissions import (
    STAFF,
    can,
    is_member,
    is_staff,
    manages,
    orders_visible_to,
    org_ids,
    records_visible_to,
    sees_task_address,
    tasks_visible_to,
)


def _back(request, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = fallback
    return HttpResponseRedirect(target)


def _came_from(request) -> str:
    """Where a refused action should land: the page itself for GET forms, else the page the
    form was on (same site only), else the home page — never back to a POST-only URL."""
    if request.method == "GET":
        return request.path
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        path = urlsplit(referer).path
        if path and path != request.path:
            return path
    return reverse("home")


def refusals_as_messages(view):
    """A refused action becomes a message on the page the user came from (404/403 as such)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ActionRefused as exc:
            if exc.status == 404:
                raise Http404(exc.message) from exc
            messages.error(request, exc.message)
            return _back(request, _came_from(request))

    return wrapper


def _staff_communities(user):
    ids = region_ids(user, STAFF, level="community")
    qs = Region.objects.filter(level=Region.Level.COMMUNITY)
    return qs if ids is None else qs.filter(pk__in=ids)


def _full_name(user) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "real_name", "") or user.get_username()


# ---- 百姓点单 ---------------------------------------------------------------------------


@login_required
@refusals_as_messages
def order(request):
    staff_communities = _staff_communities(request.user) if is_staff(request.user) else None
    form = OrderForm(request.POST or None, staff_communities=staff_communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = actions.submit_order(
            request.user,
            service_type=data["service_type"],
            description=data["description"],
            preferred_time=data["preferred_time"],
            contact_name=data["contact_name"],
            phone=data["phone"],
            address=data["address"],
            community=data.get("community"),
        )
        messages.success(request, _("点单已提交，社区将尽快为您派单"))
        return HttpResponseRedirect(reverse("volunteering:order") + f"#order-{created.pk}")
    if request.method == "GET":
        profile = getattr(request.user, "profile", None)
        form.initial.setdefault("phone", getattr(profile, "phone", ""))
        form.initial.setdefault("contact_name", getattr(profile, "real_name", ""))
    mine = (
        ServiceOrder.objects.filter(Q(resident=request.user) | Q(filed_by=request.user))
        .select_related("community")
        .prefetch_related("tasks__claims__member__profile")[:30]
    )
    return render(request, "volunteering/order.html", {"form": form, "orders": mine})


# ---- 党员接单 ---------------------------------------------------------------------------


def _registration(user):
    return (
        MemberRegistration.objects.filter(member=user, state__in=MemberRegistration.ACTIVE_STATES)
        .select_related("community")
        .first()
    )


def _task_rows(user, tasks, *, near=None):
    tasks = list(tasks)
    mine = dict(
        TaskClaim.objects.filter(task__in=tasks, member=user)
        .exclude(state=TaskClaim.State.CANCELLED)
        .values_list("task_id", "state")
    )
    counts = dict(
        TaskClaim.objects.filter(task__in=tasks, state__in=TaskClaim.ACTIVE_STATES)
        .values("task_id")
        .annotate(n=Count("id"))
        .values_list("task_id", "n")
    )
    rows = []
    for task in tasks:
        state = mine.get(task.pk)
        rows.append(
            {
                "task": task,
                "my_state": state,
                "my_state_name": TaskClaim.State(state).label if state else "",
                "left": max(task.places - counts.get(task.pk, 0), 0),
                "address": task.address if state else mask_address(task.address),
                "distance": (
                    round(geo.distance_m(near[0], near[1], task.lat, task.lng))
                    if near and task.lat is not None
                    else None
                ),
            }
        )
    return rows


@login_required
def tasks(request):
    user = request.user
    if not is_member(user):
        raise PermissionDenied(_("只有党员可以接单"))
    registration = _registration(user)
    tab = request.GET.get("tab", "community")
    now = timezone.now()
    open_tasks = tasks_visible_to(user).filter(state=Task.State.PUBLISHED, ends_at__gt=now)
    near = None
    if tab == "near":
        try:
            lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise ValueError
            near = (lat, lng)
        except (KeyError, ValueError):
            near = None
        if near:
            lo_lat, hi_lat, lo_lng, hi_lng = geo.bbox_around(lat, lng, conf.nearby_metres())
            selected = open_tasks.filter(lat__range=(lo_lat, hi_lat), lng__range=(lo_lng, hi_lng))
        else:
            selected = open_tasks.none()
    elif tab == "mine":
        mine = TaskClaim.objects.filter(member=user).exclude(state=TaskClaim.State.CANCELLED)
        selected = (
            tasks_visible_to(user).filter(pk__in=mine.values("task_id")).order_by("-starts_at")
        )
    else:
        tab = "community"
        selected = (
            open_tasks.filter(community=registration.community if registration else None)
            if registration
            else open_tasks.none()
        )
    rows = _task_rows(user, selected.select_related("community")[:50], near=near)
    if near:
        rows.sort(key=lambda r: r["distance"] if r["distance"] is not None else 10**9)
    records = {
        r.claim.task_id: r
        for r in ServiceRecord.objects.filter(
            member=user, claim__task__in=[row["task"] for row in rows]
        ).select_related("claim")
    }
    for row in rows:
        row["record"] = records.get(row["task"].pk)
    return render(
        request,
        "volunteering/tasks.html",
        {
            "tab": tab,
            "rows": rows,
            "near": near,
            "registration": registration,
            "registration_form": RegistrationForm(),
            "now": now,
            "sees_orgs": org_ids(user) != set(),
        },
    )


@login_required
@require_POST
@refusals_as_messages
def register(request):
    form = RegistrationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择社区"))
    else:
        actions.register_member(
            request.user, form.cleaned_data["community"], skills=form.cleaned_data["skills"]
        )
        messages.success(request, _("报到申请已提交，等待社区审核"))
    return HttpResponseRedirect(reverse("volunteering:tasks"))


@login_required
@require_POST
@refusals_as_messages
def withdraw(request, registration_id: int):
    actions.withdraw_registration(request.user, registration_id)
    messages.success(request, _("已撤回报到"))
    return HttpResponseRedirect(reverse("volunteering:tasks"))


@login_required
@require_POST
@refusals_as_messages
def claim(request, task_id: int):
    get_object_or_404(tasks_visible_to(request.user), pk=task_id)
    actions.claim_task(request.user, task_id)
    messages.success(request, _("认领成功，请按时到场扫码报到"))
    return _back(request, reverse("volunteering:tasks") + "?tab=mine")


@login_required
@require_POST
@refusals_as_messages
def cancel(request, task_id: int):
    get_object_or_404(tasks_visible_to(request.user), pk=task_id)
    actions.cancel_claim(request.user, task_id)
    messages.success(request, _("已取消认领"))
    return _back(request, reverse("volunteering:tasks") + "?tab=mine")


# ---- 线下报到 ---------------------------------------------------------------------------


@login_required
@refusals_as_messages
def checkin(request, code: str):
    """The page the poster's QR code opens: check in, then check out."""
    task = Task.objects.filter(checkin_code=code).select_related("community").first()
    if task is None:
        return render(
            request,
            "volunteering/checkin.html",
            {"error": _("报到码无效，请扫描任务现场张贴的二维码")},
            status=404,
        )
    claim = (
        TaskClaim.objects.filter(task=task, member=request.user)
        .exclude(state=TaskClaim.State.CANCELLED)
        .first()
    )
    if request.method == "POST":
        if claim is None:
            messages.error(request, _("您没有认领该任务，请先在“党员接单”中认领"))
        elif request.POST.get("action") == "checkout":
            actions.check_out(request.user, task.pk)
            messages.success(request, _("签退成功，等待社区或服务对象确认"))
        else:
            lat, lng = _floats(request.POST.get("lat"), request.POST.get("lng"))
            actions.check_in(request.user, task.pk, code, lat=lat, lng=lng)
            messages.success(request, _("报到成功"))
        return HttpResponseRedirect(request.path)
    tolerance = conf.checkin_tolerance_minutes()
    return render(
        request,
        "volunteering/checkin.html",
        {
            "task": task,
            "claim": claim,
            "tolerance": tolerance,
            "opens": task.starts_at - timezone.timedelta(minutes=tolerance),
            "closes": task.ends_at + timezone.timedelta(minutes=tolerance),
            "address": task.address
            if sees_task_address(request.user, task)
            else mask_address(task.address),
        },
    )


def _floats(lat, lng):
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        return None, None
    if -90 <= lat <= 90 and -180 <= lng <= 180:
        return lat, lng
    return None, None


@login_required
def poster(request, task_id: int):
    task = get_object_or_404(Task.objects.select_related("community"), pk=task_id)
    if not can(request.user, "see_checkin_code", task):
        raise PermissionDenied
    url = request.build_absolute_uri(reverse("volunteering:checkin", args=[task.checkin_code]))
    return render(
        request,
        "volunteering/poster.html",
        {"task": task, "url": url, "qr": mark_safe(qr_svg(url))},  # noqa: S308 - our own SVG
    )


# ---- 积分 -----------------------------------------------------------------------------------


@login_required
@refusals_as_messages
def points_view(request):
    user = request.user
    if request.method == "POST":
        try:
            reward_id = int(request.POST.get("reward", ""))
        except ValueError:
            raise Http404 from None
        if not 1 <= reward_id < 2**63:
            raise Http404
        redemption, _created = actions.redeem_reward(
            user, reward_id, key=request.POST.get("key", "")[:60]
        )
        messages.success(
            request, _("兑换成功：%(n)s，请到社区领取") % {"n": redemption.reward.name}
        )
        return HttpResponseRedirect(reverse("volunteering:points"))
    registration = _registration(user)
    board = None
    if stats.leaderboards_enabled() and registration:
        board = stats.community_leaderboard(registration.community)
        for row in board:
            if row["member_id"] != user.pk:
                row["name"] = mask_name(row["name"])
    return render(
        request,
        "volunteering/points.html",
        {
            "balance": points.balance(user),
            "entries": PointsEntry.objects.filter(member=user).order_by("-id")[:50],
            "rewards": Reward.objects.filter(active=True),
            "records": ServiceRecord.objects.filter(member=user).select_related("community")[:50],
            "hours": stats.hours(
                ServiceRecord.objects.filter(member=user).aggregate(h=Sum("hours"))["h"]
            ),
            "board": board,
            "registration": registration,
            "redeem_key": secrets.token_hex(8),
        },
    )


@login_required
def certificate_pdf(request, record_id: int):
    record = get_object_or_404(
        records_visible_to(request.user).select_related(
            "member__profile", "community", "party_org", "confirmed_by__profile"
        ),
        pk=record_id,
    )
    response = HttpResponse(certificate.render(record), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{record.certificate_number}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---- 社区派单管理 ---------------------------------------------------------------------------


def _staff_community(request):
    communities = _staff_communities(request.user)
    if not communities.exists():
        raise PermissionDenied(_("只有社区工作人员可以管理派单"))
    chosen = request.GET.get("community") or request.POST.get("community_id")
    if chosen:
        if not chosen.isdigit() or len(chosen) > 18:
            raise Http404
        community = communities.filter(pk=int(chosen)).first()
        if community is None:
            raise PermissionDenied(_("只能管理本社区"))
        return community, communities
    return communities.first(), communities


@login_required
def staff_tasks(request):
    community, communities = _staff_community(request)
    now = timezone.now()
    orders = list(
        ServiceOrder.objects.filter(community=community, state=ServiceOrder.State.SUBMITTED)
        .select_related("resident__profile")
        .order_by("created_at")[:50]
    )
    for o in orders:
        o.masked_phone = mask_phone(o.phone)
        o.masked_address = mask_address(o.address)
        o.masked_name = mask_name(o.contact_name)
    task_list = list(
        Task.objects.filter(community=community)
        .filter(Q(ends_at__gt=now - timezone.timedelta(days=30)))
        .order_by("-starts_at")
        .prefetch_related("claims__member__profile")[:50]
    )
    for task in task_list:
        task.active_claims = [c for c in task.claims.all() if c.state != TaskClaim.State.CANCELLED]
    registrations = MemberRegistration.objects.filter(community=community).select_related(
        "member__profile", "party_org"
    )
    pairings = OrgPairing.objects.filter(community=community, active=True).select_related(
        "party_org"
    )
    for pairing in pairings:
        pairing.rate = stats.registration_rate(pairing.party_org)
    initial = {}
    from_order = None
    if request.GET.get("order"):
        from_order = next((o for o in orders if str(o.pk) == request.GET["order"]), None)  # no SQL
        if from_order is not None:
            start = from_order.preferred_time or (now + timezone.timedelta(hours=2))
            initial = {
                "title": f"{from_order.get_service_type_display()}：{from_order.description[:40]}"
                if from_order.description
                else from_order.get_service_type_display(),
                "service_type": from_order.service_type,
                "description": from_order.description,
                "address": from_order.address,
                "starts_at": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
                "ends_at": timezone.localtime(start + timezone.timedelta(hours=2)).strftime(
                    "%Y-%m-%dT%H:%M"
                ),
                "order": from_order.pk,
            }
    board = stats.community_leaderboard(community) if stats.leaderboards_enabled() else None
    return render(
        request,
        "volunteering/staff_tasks.html",
        {
            "community": community,
            "communities": communities,
            "orders": orders,
            "tasks": task_list,
            "registrations": registrations,
            "pending": [r for r in registrations if r.state == MemberRegistration.State.PENDING],
            "approved": [r for r in registrations if r.state == MemberRegistration.State.APPROVED],
            "pairings": pairings,
            "task_form": TaskForm(initial=initial),
            "from_order": from_order,
            "pairing_form": PairingForm(),
            "assign_form": AssignForm(),
            "correction_form": CorrectionForm(),
            "board": board,
            "now": now,
        },
    )


@login_required
@require_POST
@refusals_as_messages
def publish(request):
    community, _all = _staff_community(request)
    form = TaskForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{'；'.join(errors)}")
        return _back(request, reverse("volunteering:staff_tasks"))
    data = form.cleaned_data
    task = actions.publish_task(
        request.user,
        community=community,
        title=data["title"],
        description=data["description"],
        service_type=data["service_type"],
        address=data["address"],
        lat=data["lat"],
        lng=data["lng"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        places=data["places"],
        points=data["points"],
        checkin_radius_m=data["checkin_radius_m"],
        cancel_cutoff=data["cancel_cutoff"],
        order_id=data["order"],
    )
    messages.success(request, _("任务已发布：%(t)s") % {"t": task.title})
    return HttpResponseRedirect(
        reverse("volunteering:staff_tasks") + f"?community={community.pk}#task-{task.pk}"
    )


def _staff_task(request, task_id: int) -> Task:
    task = get_object_or_404(Task.objects.select_related("community"), pk=task_id)
    if not manages(request.user, task.community):
        raise PermissionDenied(_("只能管理本社区的任务"))
    return task


@login_required
@require_POST
@refusals_as_messages
def assign(request, task_id: int):
    task = _staff_task(request, task_id)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(form.errors.get("member", [])))
    else:
        actions.assign_member(request.user, task.pk, form.cleaned_data["member"])
        messages.success(request, _("已指派"))
    return _back(request, reverse("volunteering:staff_tasks"))


@login_required
@require_POST
@refusals_as_messages
def cancel_task(request, task_id: int):
    task = _staff_task(request, task_id)
    actions.cancel_task(request.user, task.pk, request.POST.get("reason", ""))
    messages.success(request, _("任务已取消"))
    return _back(request, reverse("volunteering:staff_tasks"))


@login_required
@require_POST
@refusals_as_messages
def confirm(request, task_id: int, member_id: int):
    get_object_or_404(tasks_visible_to(request.user), pk=task_id)
    record, created = actions.confirm_service(request.user, task_id, member_id)
    if created:
        messages.success(request, _("已确认服务，积分 %(p)d 分已发放") % {"p": record.points})
    else:
        messages.info(request, _("该服务此前已确认"))
    return _back(request, reverse("volunteering:staff_tasks"))


@login_required
@require_POST
@refusals_as_messages
def decline_order(request, order_id: int):
    get_object_or_404(orders_visible_to(request.user), pk=order_id)
    actions.decline_order(request.user, order_id, request.POST.get("reason", ""))
    messages.success(request, _("已标记为未受理"))
    return _back(request, reverse("volunteering:staff_tasks"))


@login_required
def order_contact(request, order_id: int):
    """Staff open the full contact of an order: logged in PersonalDataAccess."""
    order_obj = get_object_or_404(orders_visible_to(request.user), pk=order_id)
    if not manages(request.user, order_obj.community):
        raise PermissionDenied
    PersonalDataAccess.objects.create(
        viewer=request.user, subject=f"service_order:{order_obj.pk}", purpose="志愿服务点单联系"
    )
    return render(request, "volunteering/order_contact.html", {"order": order_obj})


@login_required
@require_POST
@refusals_as_messages
def decide_registration(request, registration_id: int):
    approve = request.POST.get("decision") == "approve"
    actions.decide_registration(
        request.user, registration_id, approve=approve, note=request.POST.get("note", "")
    )
    messages.success(request, _("已通过报到") if approve else _("已退回报到申请"))
    return _back(request, reverse("volunteering:staff_tasks"))


@login_required
@require_POST
@refusals_as_messages
def pair(request):
    community, _all = _staff_community(request)
    form = PairingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请完整填写共建信息"))
    else:
        data = form.cleaned_data
        actions.pair_org(
            request.user,
            community,
            data["party_org"],
            agreement_date=data["agreement_date"],
            content=data["content"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
        )
        messages.success(request, _("已登记联建共建单位"))
    return _back(request, reverse("volunteering:staff_tasks"))


@login_required
@require_POST
@refusals_as_messages
def correct(request):
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写党员账号、更正分值和原因"))
    else:
        data = form.cleaned_data
        actions.correct_points(request.user, data["member"], data["points"], data["reason"])
        messages.success(request, _("已记录积分更正"))
    return _back(request, reverse("volunteering:staff_tasks"))


@login_required
def task_detail(request, task_id: int):
    """A task with its claims: for the community's staff and for the resident who ordered."""
    task = get_object_or_404(
        tasks_visible_to(request.user).select_related("community", "order"), pk=task_id
    )
    staff = manages(request.user, task.community)
    resident = task.order_id is not None and task.order.resident_id == request.user.pk
    if not (staff or resident):
        raise PermissionDenied
    claims = task.claims.exclude(state=TaskClaim.State.CANCELLED).select_related("member__profile")
    for c in claims:
        c.shown_name = _full_name(c.member) if staff else mask_name(_full_name(c.member))
        c.can_confirm = can(request.user, "confirm", c)
    return render(
        request,
        "volunteering/task_detail.html",
        {"task": task, "claims": claims, "staff": staff},
    )


@login_required
def community(request, community_id: int):
    """A community's registered members and co-building organisations (names masked except
    for the community's own staff)."""
    region = get_object_or_404(Region, pk=community_id, level=Region.Level.COMMUNITY)
    staff = manages(request.user, region)
    registrations = MemberRegistration.objects.filter(
        community=region, state=MemberRegistration.State.APPROVED
    ).select_related("member__profile", "party_org")
    members = [
        {
            "name": _full_name(r.member) if staff else mask_name(_full_name(r.member)),
            "org": r.party_org.name if r.party_org else "",
            "since": r.decided_at,
        }
        for r in registrations
    ]
    pairings = list(
        OrgPairing.objects.filter(community=region, active=True).select_related("party_org")
    )
    for pairing in pairings:
        pairing.rate = stats.registration_rate(pairing.party_org)
    records = ServiceRecord.objects.filter(community=region)
    totals = records.aggregate(n=Count("id"), hours=Sum("hours"), points=Sum("points"))
    totals["hours"] = stats.hours(totals["hours"])
    board = stats.community_leaderboard(region) if stats.leaderboards_enabled() else None
    if board and not staff:
        for row in board:
            if row["member_id"] != request.user.pk:
                row["name"] = mask_name(row["name"])
    return render(
        request,
        "volunteering/community.html",
        {
            "community": region,
            "members": members,
            "pairings": pairings,
            "totals": totals,
            "board": board,
            "staff": staff,
        },
    )


# ---- 双服务 ---------------------------------------------------------------------------------


def _org_for(request):
    ids = org_ids(request.user)
    if ids is not None and not ids:
        raise PermissionDenied(_("只有党组织书记可以查看党员服务情况"))
    orgs = PartyOrg.objects.all() if ids is None else PartyOrg.objects.filter(pk__in=ids)
    chosen = request.GET.get("org", "")
    if chosen and (not chosen.isdigit() or len(chosen) > 18):
        raise Http404
    org = orgs.filter(pk=int(chosen)).first() if chosen else orgs.order_by("id").first()
    if org is None:
        raise Http404
    return org, orgs


@login_required
def org_service(request):
    org, orgs = _org_for(request)
    members, records = stats.org_service(org)
    # The organisation's members by full name: personal data, so the viewing is recorded.
    PersonalDataAccess.objects.create(
        viewer=request.user, subject=f"party_org:{org.pk}:members", purpose="双服务查看"
    )
    rate = stats.registration_rate(org)
    board = stats.org_leaderboard(org) if stats.leaderboards_enabled() else None
    return render(
        request,
        "volunteering/org_service.html",
        {
            "org": org,
            "orgs": orgs[:200],
            "members": members,
            "records": records[:100],
            "rate": rate,
            "board": board,
            "pairings": OrgPairing.objects.filter(party_org=org).select_related("community"),
        },
    )


@login_required
def org_export(request):
    org, _orgs = _org_for(request)
    members, records = stats.org_service(org)
    PersonalDataAccess.objects.create(
        viewer=request.user, subject=f"party_org:{org.pk}:members", purpose="双服务导出"
    )
    response = HttpResponse(
        export.org_workbook(org, members, records),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="service-{org.pk}-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    return response
