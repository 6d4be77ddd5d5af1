"""REST endpoints of the study app, scoped to the caller's party organisations."""

from __future__ import annotations

import datetime
import json

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from civicloop.core.errors import ApiError
from civicloop.core.models import PartyOrg
from civicloop.core.permissions import assignments

from . import actions, conf, permissions
from .metrics import figures, publicity_table
from .models import (
    Article,
    Lecture,
    MediaItem,
    PlanTopic,
    PublicityRecord,
    Reflection,
    Textbook,
)
from .progress import branch_progress
from .schemas import (
    ArticleOut,
    BranchProgressOut,
    LectureIn,
    LectureOut,
    LecturePage,
    MediaOut,
    MediaPage,
    PublicityIn,
    PublicityOut,
    PublicityPage,
    PublicityStatsOut,
    ReflectionIn,
    ReflectionOut,
    ReflectionPage,
    ReviewIn,
    SessionIn,
    SessionOut,
    SessionPage,
    TextbookOut,
)

router = Router(tags=["study"])


class Paging(Schema):
    offset: int = 0
    limit: int = 50


def _paged(qs, paging: Paging):
    if paging.offset < 0 or not 1 <= paging.limit <= 200:
        raise ApiError(422, "invalid", _("offset 不能为负，limit 须在 1 到 200 之间"))
    return {
        "count": qs.count(),
        "offset": paging.offset,
        "limit": paging.limit,
        "items": list(qs[paging.offset : paging.offset + paging.limit]),
    }


def _reader(request):
    user = request.auth
    if not permissions.is_reader(user):
        raise ApiError(403, "forbidden", _("只有党员、支部书记、宣传干事和区领导可以查看党史学习"))
    return user


def _org_for(user, action: str, org_id: int | None) -> PartyOrg:
    """The organisation a record is for: the one asked for, or the caller's own."""
    if org_id is None:
        for a in assignments(user):
            if a.party_org_id and permissions.can(user, action, a.party_org):
                return a.party_org
        root = PartyOrg.objects.filter(parent__isnull=True).order_by("id").first()
        if root is not None and permissions.can(user, action, root):
            return root
        raise ApiError(403, "forbidden", _("没有可以登记的党组织"))
    org = PartyOrg.objects.filter(pk=org_id).first()
    if org is None or not permissions.can(user, "view", org):
        raise ApiError(404, "not_found", _("找不到该党组织"))
    if not permissions.can(user, action, org):
        raise ApiError(403, "forbidden", _("不能为该党组织登记"))
    return org


# --- textbooks, sessions, progress -----------------------------------------------------------


@router.get("/study/textbooks", response=list[TextbookOut], summary="The designated textbooks")
def textbooks(request):
    _reader(request)
    return [
        {
            "id": b.pk,
            "title": b.title,
            "short_title": b.short_title,
            "chapters": [
                {"id": c.pk, "number": c.number, "title": c.title} for c in b.chapters.all()
            ],
        }
        for b in Textbook.objects.prefetch_related("chapters")
    ]


def _session_out(session, viewer, *, detail: bool = False) -> dict:
    # Lists mask other people's names; a detail shows them to the branch's own people.
    full = None if detail else False

    def name(person):
        return permissions.name_for(viewer, person, session.org_id, full=full)

    out = {
        "id": session.pk,
        "branch_id": session.org_id,
        "branch": session.org.name,
        "date": session.date,
        "topic": session.topic,
        "lead_reader_id": session.lead_reader_id,
        "lead_reader": name(session.lead_reader),
        "chapter_ids": sorted(c.pk for c in session.chapters.all()),
        "duration_minutes": session.duration_minutes,
        "notes": session.notes,
        "present": sum(1 for a in session.attendance.all() if a.present),
        "expected": len(session.attendance.all()),
    }
    if detail:
        out["attendance"] = [
            {
                "member_id": a.member_id,
                "name": name(a.member),
                "present": a.present,
                "absence_reason": a.absence_reason,
            }
            for a in session.attendance.all()
        ]
    return out


def _sessions_qs(user):
    return (
        permissions.sessions_visible_to(user)
        .select_related("org", "lead_reader__profile")
        .prefetch_related("chapters", "attendance__member__profile")
    )


@router.get("/study/sessions", response=SessionPage, summary="Branch study sessions in scope")
def list_sessions(request, paging: Query[Paging], branch_id: int | None = None):
    user = _reader(request)
    qs = _sessions_qs(user)
    if branch_id is not None:
        qs = qs.filter(org_id=branch_id)
    page = _paged(qs, paging)
    page["items"] = [_session_out(s, user) for s in page["items"]]
    return page


@router.get("/study/sessions/{session_id}", response=SessionOut, summary="One session")
def get_session(request, session_id: int):
    user = _reader(request)
    return _session_out(get_object_or_404(_sessions_qs(user), pk=session_id), user, detail=True)


@router.post("/study/sessions", response={201: SessionOut}, summary="Record a branch session")
def create_session(request, payload: SessionIn):
    user = request.auth
    branch = PartyOrg.objects.filter(pk=payload.branch_id).first()
    if branch is None or not permissions.can(user, "view", branch):
        raise ApiError(404, "not_found", _("找不到该党支部"))
    plan_topic = None
    if payload.plan_topic_id is not None:
        plan_topic = (
            PlanTopic.objects.select_related("plan").filter(pk=payload.plan_topic_id).first()
        )
        if plan_topic is None:
            raise ApiError(422, "invalid", _("所选专题不存在"))
    absent = {a.member_id: a.reason.strip() for a in payload.absent}
    if any(not reason for reason in absent.values()):
        raise ApiError(422, "invalid", _("请填写缺席原因"))
    session = actions.record_session(
        user,
        branch,
        date=payload.date,
        topic=payload.topic.strip(),
        lead_reader_id=payload.lead_reader_id,
        chapter_ids=payload.chapter_ids,
        duration_minutes=payload.duration_minutes,
        notes=payload.notes,
        absent=absent,
        plan_topic=plan_topic,
    )
    return Status(
        201, _session_out(get_object_or_404(_sessions_qs(user), pk=session.pk), user, detail=True)
    )


@router.get(
    "/study/progress",
    response=list[BranchProgressOut],
    summary="Each branch's progress through each textbook, and whether it is behind plan",
)
def progress(request):
    user = _reader(request)
    return [
        {
            "branch_id": p.branch.pk,
            "branch": p.branch.name,
            "sessions": p.sessions,
            "behind_plan": p.behind,
            "due_chapters": p.due,
            "missing_chapter_ids": [c.pk for c in p.missing],
            "textbooks": [
                {
                    "textbook_id": b.textbook.pk,
                    "textbook": b.textbook.short_title,
                    "done": b.done,
                    "total": b.total,
                    "share": round(b.share, 4),
                    "most_led": b.most_led,
                }
                for b in p.books
            ],
        }
        for p in branch_progress(permissions.branches_for(user))
    ]


@router.get("/study/metrics", summary="Study figures for the dashboard, per org subtree and period")
def metrics(
    request,
    org_id: int | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
):
    user = _reader(request)
    today = timezone.localdate()
    start = start or today.replace(month=1, day=1)
    end = end or today
    if start > end:
        raise ApiError(422, "invalid", _("开始日期不能晚于结束日期"))
    allowed = permissions.orgs_for(user, permissions.VIEW_ROLES).values_list("pk", flat=True)
    allowed = set(allowed)
    if org_id is not None:
        org = PartyOrg.objects.filter(pk=org_id).first()
        if org is None or org.pk not in allowed:
            raise ApiError(404, "not_found", _("找不到该党组织"))
        ids = org.descendant_ids() & allowed
    else:
        ids = None if permissions.party_org_ids(user, permissions.VIEW_ROLES) is None else allowed
    return figures(ids, start, end)


# --- reflections -----------------------------------------------------------------------------


def _reflection_out(r, viewer, *, full: bool | None = None) -> dict:
    return {
        "id": r.pk,
        "author_id": r.author_id,
        "author": permissions.name_for(viewer, r.author, r.org_id, full=full),
        "branch_id": r.org_id,
        "title": r.title,
        "body": r.body,
        "state": r.state,
        "review_comment": r.review_comment,
        "created_at": r.created_at,
    }


@router.get("/study/reflections", response=ReflectionPage, summary="Reflections the caller sees")
def list_reflections(request, paging: Query[Paging], state: str | None = None):
    user = request.auth
    qs = permissions.reflections_visible_to(user).select_related("author__profile")
    if state is not None:
        if state not in Reflection.State.values:
            raise ApiError(422, "invalid", _("未知的状态"))
        qs = qs.filter(state=state)
    page = _paged(qs, paging)
    page["items"] = [_reflection_out(r, user, full=False) for r in page["items"]]
    return page


@router.post("/study/reflections", response={201: ReflectionOut}, summary="Submit a reflection")
def create_reflection(request, payload: ReflectionIn):
    textbook = None
    if payload.textbook_id is not None:
        textbook = Textbook.objects.filter(pk=payload.textbook_id).first()
        if textbook is None:
            raise ApiError(422, "invalid", _("教材不存在"))
    reflection = actions.submit_reflection(
        request.auth, title=payload.title.strip(), body=payload.body, textbook=textbook
    )
    return Status(201, _reflection_out(reflection, request.auth))


@router.post(
    "/study/reflections/{reflection_id}/review",
    response=ReflectionOut,
    summary="Accept or return a reflection (branch secretary)",
)
def review(request, reflection_id: int, payload: ReviewIn):
    user = request.auth
    get_object_or_404(permissions.reflections_visible_to(user), pk=reflection_id)
    reflection = actions.review_reflection(user, reflection_id, payload.action, payload.comment)
    return _reflection_out(reflection, user)


# --- lectures --------------------------------------------------------------------------------


@router.get("/study/lectures", response=LecturePage, summary="Lectures with running totals")
def list_lectures(request, paging: Query[Paging]):
    user = _reader(request)
    qs = permissions.records_visible_to(user, Lecture)
    page = _paged(qs, paging)
    page["total_audience"] = qs.aggregate(n=Sum("audience"))["n"] or 0
    return page


@router.post("/study/lectures", response={201: LectureOut}, summary="Record a lecture")
def create_lecture(request, payload: LectureIn):
    user = request.auth
    org = _org_for(user, "record_lecture", payload.org_id)
    if payload.date > timezone.localdate() + datetime.timedelta(days=1):
        raise ApiError(422, "invalid", _("日期不能晚于今天"))
    fields = payload.dict(exclude={"org_id"})
    return Status(201, actions.record_lecture(user, org, **fields))


# --- media -----------------------------------------------------------------------------------


def _media_out(item) -> dict:
    from django.urls import reverse

    return {
        "id": item.pk,
        "org_id": item.org_id,
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "content_type": item.content_type,
        "size": item.size,
        "plays": item.plays,
        "listen_url": conf.site_url() + reverse("study:listen", args=[item.token]),
    }


@router.get("/study/media", response=MediaPage, summary="Media library items in scope")
def list_media(request, paging: Query[Paging], kind: str | None = None):
    user = _reader(request)
    qs = permissions.media_visible_to(user)
    if kind is not None:
        if kind not in MediaItem.Kind.values:
            raise ApiError(422, "invalid", _("类型只能是 audio 或 video"))
        qs = qs.filter(kind=kind)
    page = _paged(qs, paging)
    page["items"] = [_media_out(m) for m in page["items"]]
    return page


@router.get("/study/media/{item_id}", response=MediaOut, summary="One media item")
def get_media(request, item_id: int):
    user = _reader(request)
    return _media_out(get_object_or_404(permissions.media_visible_to(user), pk=item_id))


# --- publicity -------------------------------------------------------------------------------


@router.get("/study/publicity", response=PublicityPage, summary="Publicity records in scope")
def list_publicity(request, paging: Query[Paging], channel: str | None = None):
    user = _reader(request)
    qs = permissions.records_visible_to(user, PublicityRecord)
    if channel is not None:
        if channel not in PublicityRecord.Channel.values:
            raise ApiError(422, "invalid", _("未知的渠道"))
        qs = qs.filter(channel=channel)
    return _paged(qs, paging)


@router.post("/study/publicity", response={201: PublicityOut}, summary="Record publicity")
def create_publicity(request, payload: PublicityIn):
    user = request.auth
    org = _org_for(user, "record_publicity", payload.org_id)
    if payload.link:
        try:
            URLValidator(schemes=["http", "https"])(payload.link)
        except ValidationError as exc:
            raise ApiError(422, "invalid", _("链接不是有效的网址")) from exc
    fields = payload.dict(exclude={"org_id"})
    return Status(201, actions.record_publicity(user, org, **fields))


@router.get(
    "/study/publicity/stats",
    response=PublicityStatsOut,
    summary="Publicity counts per month and channel",
)
def publicity_stats(request):
    user = _reader(request)
    table = publicity_table(permissions.records_visible_to(user, PublicityRecord))
    codes = [code for code, _label in table["channels"]]
    return {
        "channels": {code: str(label) for code, label in table["channels"]},
        "rows": [
            {
                "month": r["month"],
                "counts": dict(zip(codes, r["counts"], strict=True)),
                "total": r["total"],
            }
            for r in table["rows"]
        ],
        "total": table["total"],
    }


# --- article import --------------------------------------------------------------------------


def _truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


@router.post(
    "/articles/import",
    response={201: ArticleOut},
    summary='Import an article: JSON {"text","to_simplified"} or a multipart "file"',
)
def import_article(request):
    user = request.auth
    content_type = request.headers.get("Content-Type", "")
    org_id = None
    if content_type.startswith("multipart/form-data"):
        upload = request.FILES.get("file")
        to_simplified = _truthy(request.POST.get("to_simplified", ""))
        org_raw = request.POST.get("org_id")
        if upload is None:
            text = request.POST.get("text", "")
            source, filename = text, None
        else:
            if upload.size > conf.article_max_bytes():
                raise ApiError(413, "too_large", _("文件过大"))
            source, filename = upload.read(), upload.name or ""
    else:
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "bad_request", _("请求体不是有效的 JSON")) from exc
        if not isinstance(body, dict):
            raise ApiError(422, "invalid", _("请求体应为 JSON 对象"))
        source, filename = body.get("text"), None
        to_simplified = body.get("to_simplified", False)
        if not isinstance(to_simplified, bool):
            raise ApiError(422, "invalid", _("to_simplified 应为 true 或 false"))
        org_raw = body.get("org_id")
    if (
        not isinstance(source, str | bytes)
        or not source
        or (isinstance(source, str) and not source.strip())
    ):
        raise ApiError(422, "invalid", _("请提供 text 或上传 file"))
    if isinstance(source, str) and len(source) > 500_000:
        raise ApiError(413, "too_large", _("文章过长"))
    if org_raw not in (None, ""):
        try:
            org_id = int(org_raw)
        except (TypeError, ValueError) as exc:
            raise ApiError(422, "invalid", _("org_id 应为整数")) from exc
    org = _org_for(user, "import_article", org_id)
    article = actions.import_article(
        user, org, source, filename=filename, to_simplified=to_simplified
    )
    return Status(
        201, {"id": article.pk, "title": article.title, "text": article.text, "date": article.date}
    )


@router.get("/articles/{article_id}", response=ArticleOut, summary="One imported article")
def get_article(request, article_id: int):
    user = _reader(request)
    return get_object_or_404(permissions.records_visible_to(user, Article), pk=article_id)
