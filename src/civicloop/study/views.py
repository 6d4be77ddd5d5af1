"""Pages of the study app: thin, server-rendered; scope through permissions, changes through
actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from civicloop.core.errors import ActionRefused
from civicloop.core.models import PartyOrg, Role
from civicloop.core.permissions import has_role
from civicloop.lib.qr import qr_svg

from . import actions, conf, forms, permissions
from .media import ranged_response
from .metrics import publicity_table
from .models import (
    Article,
    Lecture,
    MediaItem,
    PlanTopic,
    PublicityRecord,
    ReadingClass,
    Reflection,
    StudyPhoto,
    StudyPlan,
    Textbook,
)
from .progress import branch_progress


def _require_reader(user) -> None:
    if not permissions.is_reader(user):
        raise PermissionDenied(_("只有党员、支部书记、宣传干事和区领导可以查看党史学习"))


def _page(request, qs, per_page=20):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _refused(request, exc: ActionRefused) -> None:
    if exc.status == 403:
        raise PermissionDenied(exc.message)
    messages.error(request, exc.message)


def _recordable_orgs(user, action: str):
    roles = {
        "record_session": permissions.SESSION_ROLES,
        "manage_plan": permissions.PLAN_ROLES,
    }.get(action, permissions.PUBLICITY_ROLES)
    orgs = permissions.orgs_for(user, roles).order_by("id")
    if action == "record_session":
        orgs = orgs.filter(kind=PartyOrg.Kind.BRANCH)
    return list(orgs)


# --- overview and progress -------------------------------------------------------------------


@login_required
@never_cache
def home(request):
    """学习进度: every branch in scope with a bar per textbook; branches behind plan flagged."""
    user = request.user
    _require_reader(user)
    branches = permissions.branches_for(user)
    behind_only = request.GET.get("behind") == "1"
    progress = branch_progress(branches)
    behind_count = sum(1 for p in progress if p.behind)
    if behind_only:
        progress = [p for p in progress if p.behind]
    sessions = (
        permissions.sessions_visible_to(user)
        .select_related("org", "lead_reader__profile")
        .annotate(present=Count("attendance", filter=Q(attendance__present=True)))
        .order_by("-date", "-id")[:5]
    )
    pending = 0
    if permissions.can(user, "review_reflection"):
        pending = (
            permissions.reflections_visible_to(user)
            .filter(state=Reflection.State.SUBMITTED)
            .exclude(author=user)
            .count()
        )
    return render(
        request,
        "study/home.html",
        {
            "progress": progress,
            "behind_count": behind_count,
            "behind_only": behind_only,
            "sessions": sessions,
            "pending": pending,
            "can_record": bool(_recordable_orgs(user, "record_session")),
            "can_publicise": permissions.can(user, "record_publicity"),
            "can_plan": permissions.can(user, "manage_plan"),
            "is_committee": len(progress) > 1 or behind_only,
        },
    )


# --- sessions --------------------------------------------------------------------------------


@login_required
@never_cache
def sessions(request):
    _require_reader(request.user)
    qs = (
        permissions.sessions_visible_to(request.user)
        .select_related("org", "lead_reader__profile")
        .annotate(
            present=Count("attendance", filter=Q(attendance__present=True)),
            expected=Count("attendance"),
        )
        .order_by("-date", "-id")
    )
    branch = request.GET.get("branch")
    if branch and branch.isdigit():
        qs = qs.filter(org_id=int(branch))
    return render(request, "study/sessions.html", {"page": _page(request, qs)})


def _plan_topics_for(branch: PartyOrg):
    ids, node = [], branch
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    year = timezone.localdate().year
    return list(
        PlanTopic.objects.filter(plan__org_id__in=ids, plan__year=year).select_related("plan")
    )


@login_required
@never_cache
def session_new(request):
    user = request.user
    branches = _recordable_orgs(user, "record_session")
    if not branches:
        raise PermissionDenied(_("只有支部书记可以记录支部学习"))
    wanted = request.POST.get("branch") or request.GET.get("branch")
    branch = next((b for b in branches if str(b.pk) == wanted), branches[0])
    members = actions.branch_members(branch)
    form = forms.SessionForm(
        request.POST or None,
        request.FILES or None,
        members=members,
        plan_topics=_plan_topics_for(branch),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = actions.record_session(
                user,
                branch,
                date=data["date"],
                topic=data["topic"],
                lead_reader_id=data["lead_reader"],
                chapter_ids=[c.pk for c in data["chapters"]],
                duration_minutes=data["duration_minutes"],
                notes=data["notes"],
                absent=data["absent"],
                plan_topic=data["plan_topic_obj"],
                photos=data["photos"],
            )
        except ActionRefused as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("已记录支部学习"))
            return redirect("study:session", session.pk)
    return render(
        request,
        "study/session_form.html",
        {"form": form, "branch": branch, "branches": branches},
    )


@login_required
@never_cache
def session_detail(request, pk: int):
    _require_reader(request.user)
    session = get_object_or_404(
        permissions.sessions_visible_to(request.user).select_related(
            "org", "lead_reader__profile", "plan_topic", "recorded_by__profile"
        ),
        pk=pk,
    )
    attendance = session.attendance.select_related("member__profile")
    return render(
        request,
        "study/session_detail.html",
        {
            "session": session,
            "attendance": attendance,
            "present": sum(1 for a in attendance if a.present),
            "chapters": session.chapters.select_related("textbook"),
            "photos": session.photos.all(),
        },
    )


# --- plans and textbooks ---------------------------------------------------------------------


@login_required
@never_cache
def plans(request):
    _require_reader(request.user)
    user = request.user
    # A plan applies downwards, so a branch also sees the plans of the committees above it.
    ids = permissions.party_org_ids(user, permissions.VIEW_ROLES)
    plans = StudyPlan.objects.all()
    if ids is not None:
        plans = plans.filter(org_id__in=permissions.with_ancestors(ids))
    qs = plans.select_related("org").prefetch_related("topics", "milestones__chapters__textbook")
    return render(
        request,
        "study/plans.html",
        {
            "plans": qs,
            "textbooks": Textbook.objects.prefetch_related("chapters"),
            "can_plan": bool(_recordable_orgs(user, "manage_plan")),
            "today": timezone.localdate(),
        },
    )


@login_required
@never_cache
def plan_new(request):
    orgs = _recordable_orgs(request.user, "manage_plan")
    if not orgs:
        raise PermissionDenied
    form = forms.PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    form.set_orgs(orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = actions.create_plan(
                request.user,
                form.orgs[data["org"]],
                year=data["year"],
                title=data["title"],
                description=data["description"],
                topics=data["topics"].splitlines(),
            )
        except ActionRefused as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("学习计划已创建，请添加进度安排"))
            return redirect(reverse("study:milestone_new", args=[plan.pk]))
    return render(
        request, "study/form.html", {"form": form, "title": _("制定学习计划"), "multipart": False}
    )


@login_required
@never_cache
def milestone_new(request, pk: int):
    plan = get_object_or_404(StudyPlan, pk=pk)
    if not permissions.can(request.user, "manage_plan", plan):
        raise PermissionDenied
    form = forms.MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_milestone(
                request.user, plan, due=data["due"], title=data["title"], chapters=data["chapters"]
            )
        except ActionRefused as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("已添加进度安排"))
            return redirect("study:plans")
    return render(
        request,
        "study/form.html",
        {"form": form, "title": _("进度安排：") + plan.title, "multipart": False},
    )


# --- reflections -----------------------------------------------------------------------------


@login_required
@never_cache
def reflections(request):
    user = request.user
    if not permissions.is_reader(user):
        raise PermissionDenied
    visible = permissions.reflections_visible_to(user).select_related("author__profile", "org")
    mine = visible.filter(author=user)
    reviewing = permissions.can(user, "review_reflection")
    to_review = (
        visible.filter(state=Reflection.State.SUBMITTED).exclude(author=user)
        if reviewing
        else visible.none()
    )
    overseer = has_role(
        user, Role.BRANCH_SECRETARY, Role.PUBLICITY_OFFICER, Role.LEADER, Role.ADMIN
    )
    counts = []
    if overseer:
        counts = (
            visible.values("org__name")
            .annotate(
                total=Count("id"),
                submitted=Count("id", filter=Q(state=Reflection.State.SUBMITTED)),
                accepted=Count("id", filter=Q(state=Reflection.State.ACCEPTED)),
                returned=Count("id", filter=Q(state=Reflection.State.RETURNED)),
            )
            .order_by("org__name")
        )
    return render(
        request,
        "study/reflections.html",
        {
            "mine": mine,
            "to_review": to_review,
            "counts": counts,
            "can_write": permissions.can(user, "write_reflection"),
        },
    )


@login_required
@never_cache
def reflection_new(request):
    if not permissions.can(request.user, "write_reflection"):
        raise PermissionDenied(_("只有支部党员可以提交心得体会"))
    form = forms.ReflectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reflection = actions.submit_reflection(
                request.user, title=data["title"], body=data["body"], textbook=data["textbook"]
            )
        except ActionRefused as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("心得已提交，等待支部书记审阅"))
            return redirect("study:reflection", reflection.pk)
    return render(
        request, "study/form.html", {"form": form, "title": _("写心得体会"), "multipart": False}
    )


@login_required
@never_cache
def reflection_detail(request, pk: int):
    user = request.user
    reflection = get_object_or_404(
        permissions.reflections_visible_to(user).select_related(
            "author__profile", "org", "textbook", "reviewed_by__profile"
        ),
        pk=pk,
    )
    can_review = permissions.can(user, "review_reflection", reflection) and (
        reflection.state == Reflection.State.SUBMITTED
    )
    can_edit = (
        permissions.can(user, "edit_reflection", reflection)
        and reflection.state == Reflection.State.RETURNED
    )
    review_form = forms.ReviewForm(request.POST or None) if can_review else None
    edit_form = None
    if can_edit:
        edit_form = forms.ReflectionForm(
            request.POST or None,
            initial={"title": reflection.title, "body": reflection.body},
        )
    if request.method == "POST":
        try:
            if review_form is not None and review_form.is_valid():
                actions.review_reflection(
                    user,
                    reflection.pk,
                    review_form.cleaned_data["action"],
                    review_form.cleaned_data["comment"],
                )
                messages.success(request, _("审阅意见已保存"))
                return redirect("study:reflection", pk)
            if edit_form is not None and edit_form.is_valid():
                actions.resubmit_reflection(
                    user,
                    reflection.pk,
                    title=edit_form.cleaned_data["title"],
                    body=edit_form.cleaned_data["body"],
                )
                messages.success(request, _("已重新提交"))
                return redirect("study:reflection", pk)
            if review_form is None and edit_form is None:
                raise PermissionDenied
        except ActionRefused as exc:
            _refused(request, exc)
    return render(
        request,
        "study/reflection_detail.html",
        {
            "reflection": reflection,
            "review_form": review_form,
            "edit_form": edit_form,
            "events": reflection.events.select_related("actor__profile"),
        },
    )


# --- lectures and reading classes ------------------------------------------------------------


@login_required
@never_cache
def lectures(request):
    _require_reader(request.user)
    qs = permissions.records_visible_to(request.user, Lecture).select_related("org")
    totals = qs.aggregate(count=Count("id"), audience=Sum("audience"))
    year = timezone.localdate().year
    this_year = qs.filter(date__year=year).aggregate(count=Count("id"), audience=Sum("audience"))
    return render(
        request,
        "study/lectures.html",
        {
            "page": _page(request, qs.prefetch_related("photos")),
            "totals": totals,
            "this_year": this_year,
            "year": year,
            "can_record": bool(_recordable_orgs(request.user, "record_lecture")),
        },
    )


def _record_form(request, form_class, title, *, multipart=False, save):
    orgs = _recordable_orgs(request.user, "record_lecture")
    if not orgs:
        raise PermissionDenied
    form = form_class(request.POST or None, request.FILES or None)
    form.set_orgs(orgs)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in form._meta.fields}
        try:
            return save(form.orgs[form.cleaned_data["org"]], fields, form.cleaned_data)
        except ActionRefused as exc:
            _refused(request, exc)
    return render(
        request, "study/form.html", {"form": form, "title": title, "multipart": multipart}
    )


@login_required
@never_cache
def lecture_new(request):
    def save(org, fields, data):
        actions.record_lecture(request.user, org, photos=data["photos"], **fields)
        messages.success(request, _("宣讲已登记"))
        return redirect("study:lectures")

    return _record_form(request, forms.LectureForm, _("登记宣讲"), multipart=True, save=save)


@login_required
@never_cache
def reading(request):
    _require_reader(request.user)
    qs = permissions.records_visible_to(request.user, ReadingClass).select_related("org")
    totals = qs.aggregate(count=Count("id"), participants=Sum("participants"))
    return render(
        request,
        "study/reading.html",
        {
            "page": _page(request, qs),
            "totals": totals,
            "can_record": bool(_recordable_orgs(request.user, "record_lecture")),
        },
    )


@login_required
@never_cache
def reading_new(request):
    def save(org, fields, data):
        actions.record_reading_class(request.user, org, **fields)
        messages.success(request, _("已登记"))
        return redirect("study:reading")

    return _record_form(request, forms.ReadingClassForm, _("登记读书班或主题活动"), save=save)


# --- publicity and articles ------------------------------------------------------------------


@login_required
@never_cache
def publicity(request):
    _require_reader(request.user)
    qs = permissions.records_visible_to(request.user, PublicityRecord).select_related("org")
    channel = request.GET.get("channel", "")
    listed = qs.filter(channel=channel) if channel in PublicityRecord.Channel.values else qs
    return render(
        request,
        "study/publicity.html",
        {
            "page": _page(request, listed),
            "table": publicity_table(qs),
            "channels": PublicityRecord.Channel.choices,
            "channel": channel,
            "can_record": permissions.can(request.user, "record_publicity"),
        },
    )


@login_required
@never_cache
def publicity_new(request):
    def save(org, fields, data):
        actions.record_publicity(request.user, org, **fields)
        messages.success(request, _("宣传报道已登记"))
        return redirect("study:publicity")

    return _record_form(request, forms.PublicityForm, _("登记宣传报道"), save=save)


@login_required
@never_cache
def articles(request):
    _require_reader(request.user)
    qs = permissions.records_visible_to(request.user, Article).select_related("org")
    return render(
        request,
        "study/articles.html",
        {"page": _page(request, qs), "can_import": permissions.can(request.user, "import_article")},
    )


@login_required
@never_cache
def article_import(request):
    orgs = _recordable_orgs(request.user, "import_article")
    if not orgs:
        raise PermissionDenied
    form = forms.ArticleImportForm(request.POST or None, request.FILES or None)
    form.set_orgs(orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("file")
        try:
            if upload is not None:
                if upload.size > conf.article_max_bytes():
                    raise ActionRefused(_("文件过大"), status=413, code="too_large")
                source, filename = upload.read(), upload.name
            else:
                source, filename = data["text"], None
            article = actions.import_article(
                request.user,
                form.orgs[data["org"]],
                source,
                filename=filename,
                to_simplified=data["to_simplified"],
            )
        except ActionRefused as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("文章已导入"))
            return redirect("study:article", article.pk)
    return render(
        request, "study/form.html", {"form": form, "title": _("导入文章"), "multipart": True}
    )


@login_required
@never_cache
def article_detail(request, pk: int):
    _require_reader(request.user)
    article = get_object_or_404(
        permissions.records_visible_to(request.user, Article).select_related("org"), pk=pk
    )
    return render(
        request,
        "study/article_detail.html",
        {"article": article, "paragraphs": [p for p in article.text.split("\n\n") if p]},
    )


# --- media library and 码上听 ----------------------------------------------------------------


def listen_url(item: MediaItem) -> str:
    return conf.site_url() + reverse("study:listen", args=[item.token])


@login_required
@never_cache
def media(request):
    _require_reader(request.user)
    qs = permissions.media_visible_to(request.user).select_related("org")
    kind = request.GET.get("kind", "")
    if kind in MediaItem.Kind.values:
        qs = qs.filter(kind=kind)
    return render(
        request,
        "study/media.html",
        {
            "page": _page(request, qs),
            "kind": kind,
            "can_upload": permissions.can(request.user, "upload_media"),
        },
    )


@login_required
@never_cache
def media_new(request):
    orgs = _recordable_orgs(request.user, "upload_media")
    if not orgs:
        raise PermissionDenied
    form = forms.MediaForm(request.POST or None, request.FILES or None)
    form.set_orgs(orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = actions.upload_media(
                request.user,
                form.orgs[data["org"]],
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                upload=data["file"],
            )
        except ActionRefused as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("已上传"))
            return redirect("study:media_item", item.pk)
    return render(
        request,
        "study/form.html",
        {
            "form": form,
            "title": _("上传微党课或有声书"),
            "multipart": True,
            "note": _("音频不超过 %(audio)d MB，视频不超过 %(video)d MB")
            % {
                "audio": conf.audio_max_bytes() // conf.MB,
                "video": conf.video_max_bytes() // conf.MB,
            },
        },
    )


@login_required
@never_cache
def media_item(request, pk: int):
    _require_reader(request.user)
    item = get_object_or_404(
        permissions.media_visible_to(request.user).select_related("org"), pk=pk
    )
    url = listen_url(item)
    return render(
        request,
        "study/media_item.html",
        {"item": item, "url": url, "qr": mark_safe(qr_svg(url))},  # noqa: S308 - our own SVG
    )


@login_required
@never_cache
def media_poster(request, pk: int):
    _require_reader(request.user)
    item = get_object_or_404(
        permissions.media_visible_to(request.user).select_related("org"), pk=pk
    )
    url = listen_url(item)
    return render(
        request,
        "study/poster.html",
        {"item": item, "url": url, "qr": mark_safe(qr_svg(url))},  # noqa: S308 - our own SVG
    )


@never_cache
@require_safe
def listen(request, token: str):
    """码上听: the public page a QR code opens; plays without login. Each view counts one play."""
    item = get_object_or_404(MediaItem, token=token, published=True)
    if request.method == "GET":  # a HEAD (link previews, checkers) is not a listener
        actions.count_play(item)
        item.refresh_from_db(fields=["plays"])
    return render(request, "study/listen.html", {"item": item})


@require_safe
def media_file(request, token: str):
    """The media bytes for the public player, with Range support so phones can seek."""
    item = get_object_or_404(MediaItem, token=token, published=True)
    try:
        opened = default_storage.open(item.file, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return ranged_response(request, opened, item.size, item.content_type, f'"{item.sha256}"')


@login_required
@require_GET
def photo(request, pk: int, thumb: bool = False):
    item = get_object_or_404(StudyPhoto.objects.select_related("session", "lecture"), pk=pk)
    owner = item.session or item.lecture
    if not permissions.can(request.user, "view", owner):
        raise Http404
    name = item.thumbnail if thumb else item.content
    content_type = item.thumbnail_content_type if thumb else item.content_type
    try:
        opened = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(opened, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
