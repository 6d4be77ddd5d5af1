"""Pages of 随手拍 (thin: actions.py changes state, permissions.py decides who sees what)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from civicloop.core import permissions as scope
from civicloop.core import throttle
from civicloop.core.errors import ActionRefused
from civicloop.core.models import ApiToken, Department, Region, Role

from . import actions, conf, deadlines, duplicates, photos, present, queries, routing
from . import permissions as perms
from . import workflow as wf
from .forms import RATING_CHOICES, ReportForm, category_choices
from .models import Case, CasePhoto, CaseSource, CaseState


def _staff(user) -> bool:
    return user.is_authenticated and bool(
        scope.roles_of(user)
        & {Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.DISPATCHER, Role.DEPARTMENT_STAFF}
    )


@never_cache
def report(request):
    """随手拍: the report form (anonymous allowed; staff file 代办 reports for callers)."""
    user = request.user
    staff = _staff(user)
    form = ReportForm(request.POST or None, request.FILES or None, staff=staff)
    retry_after = 0
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if not user.is_authenticated:
                throttle.hit(
                    "cases:anonymous-report",
                    throttle.client_ip(request),
                    limit=conf.anon_reports_per_hour(),
                    window=3600,
                )
            images = photos.clean_uploads(data["photos"])
            case, _created = actions.create_case(
                user if user.is_authenticated else None,
                description=data["description"],
                lat=data.get("lat"),
                lng=data.get("lng"),
                address=data.get("address") or "",
                category=data.get("category") or None,
                contact_name=data.get("contact_name") or "",
                contact_phone=data.get("contact_phone") or "",
                anonymous=data.get("anonymous") or False,
                source=data.get("source") or CaseSource.APP,
                source_detail=data.get("source_detail") or "",
                images=images,
                idempotency_scope=f"u:{user.pk}"
                if user.is_authenticated
                else f"ip:{throttle.client_ip(request)}",
                idempotency_key=_form_key(request),
            )
        except throttle.RateLimited as exc:
            retry_after = exc.retry_after
            form.add_error(
                None, _("提交过于频繁，请 %(m)d 分钟后再试") % {"m": exc.retry_after // 60 + 1}
            )
        except ActionRefused as exc:
            form.add_error("photos" if exc.code.startswith("photo") else None, exc.message)
        else:
            messages.success(request, _("已提交，感谢您的反映！"))
            if user.is_authenticated and perms.can_view(user, case):
                return redirect("cases:detail", case.pk)
            return redirect("cases:follow", case.token)
    response = render(
        request,
        "cases/report.html",
        {"form": form, "staff": staff, "form_token": _form_token()},
        status=(429 if retry_after else 422) if request.method == "POST" else 200,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _form_key(request) -> str:
    # The form carries a one-time token: a double tap on 提交 files one case, not two.
    token = (request.POST.get("form_token") or "").strip()[:80]
    return f"form-{token}" if token else ""


def _form_token() -> str:
    import secrets

    return secrets.token_urlsafe(16)


@require_GET
def suggest(request):
    """htmx: categories suggested from the description typed so far."""
    text = (request.GET.get("description") or request.GET.get("text") or "")[:2000]
    return render(request, "cases/_suggest.html", {"suggestions": routing.suggest_categories(text)})


@login_required
def mine(request):
    qs = Case.objects.filter(reporter=request.user).select_related("category__parent", "community")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "cases/mine.html", {"page": page})


@login_required
def queue(request):
    """Work queues per role, with filters, search and paging."""
    user = request.user
    if not scope.is_staff_user(user):
        raise PermissionDenied
    tabs = queries.tabs_for(user)
    tab = request.GET.get("tab") or (tabs[0][0] if tabs else "all")
    tab_q = next((q for key, _label, q in tabs if key == tab), None)
    if tab_q is None:
        tab, tab_q = "all", next(q for key, _l, q in tabs if key == "all")
    try:
        qs = queries.filtered(user, request.GET).filter(tab_q)
    except ActionRefused as exc:
        messages.error(request, exc.message)
        qs = perms.visible_to(user).none()
    order = (
        "deadline"
        if tab in ("verify", "dispatch", "check", "sign", "handling", "due_soon", "overdue")
        else "-created_at"
    )
    qs = qs.order_by(order, "-id") if order == "deadline" else qs.order_by("-created_at", "-id")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    now, work = timezone.now(), deadlines.clock()
    rows = []
    for case in page:
        left = deadlines.time_left_seconds(case, now, work)
        level = case.deadline_state
        if (left is not None and left < 0) or (case.deadline and case.deadline < now):
            level = "overdue"
        rows.append({"case": case, "left": deadlines.format_left(left), "level": level})
    counts = {key: perms.visible_to(user).filter(q).count() for key, _l, q in tabs if key != "all"}
    communities = scope.regions_in_scope(
        user,
        [Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.DISPATCHER, Role.LEADER, Role.ADMIN],
        level="community",
    )
    return render(
        request,
        "cases/queue.html",
        {
            "tabs": [(k, label, counts.get(k)) for k, label, _q in tabs],
            "tab": tab,
            "page": page,
            "rows": rows,
            "states": CaseState.choices,
            "categories": category_choices()[1:],
            "departments": Department.objects.filter(active=True),
            "communities": communities,
            "params": request.GET,
        },
    )


def _visible_or_404(user, case_id: int) -> Case:
    qs = perms.visible_to(user).select_related(
        "category__parent", "department", "grid", "community", "street", "merged_into", "reporter"
    )
    return get_object_or_404(qs, pk=case_id)


@login_required
@never_cache
def detail(request, case_id: int):
    case = _visible_or_404(request.user, case_id)
    data = present.detail(case, request.user)
    staff_roles = perms.case_roles(request.user, case) - {wf.REPORTER}
    nearby = []
    if case.is_open and case.state in (wf.SUBMITTED, wf.VERIFIED):
        nearby = duplicates.for_case(case, qs=perms.visible_to(request.user))
    nearby_count = len(duplicates.for_case(case)) if not staff_roles else len(nearby)
    grid_geometry = case.grid.geometry if case.grid_id else None
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "d": data,
            "staff_view": bool(staff_roles) or scope.is_staff_user(request.user),
            "nearby": nearby,
            "nearby_count": nearby_count,
            "follow_url": request.build_absolute_uri(reverse("cases:follow", args=[case.token])),
            "departments": Department.objects.filter(active=True),
            "categories": category_choices()[1:],
            "ratings": RATING_CHOICES,
            "grid_geometry": grid_geometry,
            "grids": Region.objects.filter(level=Region.Level.GRID).order_by("code")
            if "verify" in data["actions"]
            else [],
        },
    )


@login_required
@require_POST
def act(request, case_id: int, action: str):
    fields = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    try:
        images = photos.clean_uploads(request.FILES.getlist("photos"))
        actions.perform(case_id, request.user, action, fields, images)
    except ActionRefused as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已%(action)s") % {"action": present.action_label(action)})
    if perms.visible_to(request.user).filter(pk=case_id).exists():
        return redirect("cases:detail", case_id)
    return redirect("cases:queue")


@never_cache
def follow(request, token: str):
    """The public follow page: anyone with the unguessable link sees the timeline, no personal data."""
    case = get_object_or_404(
        Case.objects.select_related("category__parent", "community", "department"), token=token
    )
    if request.method == "POST":
        try:
            actions.evaluate_by_token(token, request.POST)
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("感谢您的评价"))
        return HttpResponseRedirect(reverse("cases:follow", args=[token]))
    return render(
        request,
        "cases/follow.html",
        {
            "p": present.public(case),
            "ratings": RATING_CHOICES,
            "own": request.user.is_authenticated and case.reporter_id == request.user.pk,
            "case": case,
        },
    )


def _viewer(request):
    """Session user, or the bearer token's user (API clients fetch photos too)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = ApiToken.authenticate(header[7:].strip())
        if user is None:
            raise PermissionDenied
        return user
    return request.user


@require_GET
def photo(request, case_id: int, photo_id: int):
    user = _viewer(request)
    if not perms.visible_to(user).filter(pk=case_id).exists():
        raise Http404
    item = get_object_or_404(CasePhoto, pk=photo_id, case_id=case_id)
    thumb = request.GET.get("thumb") == "1"
    name = item.thumbnail.name if thumb else item.file.name
    content_type = item.thumbnail_content_type if thumb else item.content_type
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    extension = name.rsplit(".", 1)[-1] if "." in name else "jpg"
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=False,
        filename=f"case-{case_id}-photo-{photo_id}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
