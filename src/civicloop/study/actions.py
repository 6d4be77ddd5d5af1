"""The only code that changes study records: one function per use case, each in a transaction,
checking role and scope through permissions.can and writing an audit row."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from civicloop.core import uploads
from civicloop.core.errors import ActionRefused
from civicloop.core.models import PartyOrg
from civicloop.lib import zhtext
from civicloop.lib.images import ImageRejected, sanitize_image

from . import conf, workflow
from . import points as study_points
from .media import MediaRejected, check_upload
from .models import (
    Article,
    Attendance,
    AuditEntry,
    Chapter,
    Lecture,
    MediaItem,
    PlanMilestone,
    PlanTopic,
    PublicityRecord,
    ReadingClass,
    Reflection,
    ReflectionEvent,
    StudyPhoto,
    StudyPlan,
    StudySession,
)
from .permissions import can, member_branch


def _refuse_unless(allowed: bool, message: str = "没有权限执行此操作") -> None:
    if not allowed:
        raise ActionRefused(message, status=403, code="forbidden")


def _audit(actor, action: str, obj, detail: str = "") -> None:
    AuditEntry.objects.create(
        actor=actor,
        action=action,
        object_type=obj.__class__.__name__.lower(),
        object_id=obj.pk,
        detail=detail[:300],
    )


def branch_members(branch: PartyOrg):
    """The party members whose profile places them in this branch."""
    return (
        get_user_model()
        .objects.filter(profile__party_org=branch, profile__is_party_member=True, is_active=True)
        .select_related("profile")
        .order_by("username")
    )


# --- photos ----------------------------------------------------------------------------------


def clean_photos(uploads) -> list:
    """Sanitise photos before any row is written, so a bad one stores nothing at all."""
    uploads = list(uploads or [])
    if len(uploads) > conf.photo_max_count():
        raise ActionRefused(f"最多上传 {conf.photo_max_count()} 张照片", status=400, code="invalid")
    cleaned = []
    for upload in uploads:
        try:
            cleaned.append(sanitize_image(upload, max_bytes=conf.photo_max_bytes()))
        except ImageRejected as exc:
            status = 413 if exc.code == "too_large" else 400
            raise ActionRefused(exc.message, status=status, code=exc.code) from exc
    return cleaned


def _referenced(names: list[str]) -> set[str]:
    photos = StudyPhoto.objects.filter(Q(content__in=names) | Q(thumbnail__in=names))
    found = {name for pair in photos.values_list("content", "thumbnail") for name in pair}
    found.update(MediaItem.objects.filter(file__in=names).values_list("file", flat=True))
    return found


def register_upload_folder() -> None:
    """Session and lecture photos and the media library live under study/."""
    uploads.register_folder("study", _referenced)


def _store_photos(cleaned, **owner) -> None:
    for image in cleaned:
        name = secrets.token_hex(16)
        content = default_storage.save(
            f"study/photos/{name}{image.extension}", ContentFile(image.content)
        )
        thumb_ext = ".webp" if image.thumbnail_content_type == "image/webp" else ".jpg"
        thumbnail = default_storage.save(
            f"study/photos/{name}-thumb{thumb_ext}", ContentFile(image.thumbnail)
        )
        StudyPhoto.objects.create(
            content=content,
            content_type=image.content_type,
            thumbnail=thumbnail,
            thumbnail_content_type=image.thumbnail_content_type,
            **owner,
        )


# --- plans -----------------------------------------------------------------------------------


def create_plan(user, org: PartyOrg, *, year: int, title: str, description: str, topics):
    _refuse_unless(can(user, "manage_plan", org), "只能为本组织及下级制定学习计划")
    with transaction.atomic():
        plan = StudyPlan.objects.create(
            org=org, year=year, title=title, description=description, created_by=user
        )
        for order, topic in enumerate(t.strip() for t in topics):
            if topic:
                PlanTopic.objects.create(plan=plan, order=order + 1, title=topic[:120])
        _audit(user, "create_plan", plan, title)
    return plan


def add_milestone(user, plan: StudyPlan, *, due: datetime.date, title: str, chapters):
    _refuse_unless(can(user, "manage_plan", plan), "只能修改本组织的学习计划")
    chapters = list(chapters)
    if not chapters:
        raise ActionRefused("请至少选择一个章节", status=400, code="invalid")
    with transaction.atomic():
        milestone = PlanMilestone.objects.create(plan=plan, due=due, title=title)
        milestone.chapters.set(chapters)
        _audit(user, "add_milestone", plan, f"{due} {title}")
    return milestone


# --- sessions --------------------------------------------------------------------------------


def record_session(
    user,
    branch: PartyOrg,
    *,
    date: datetime.date,
    topic: str,
    lead_reader_id: int,
    chapter_ids,
    duration_minutes: int,
    notes: str = "",
    absent: dict[int, str] | None = None,
    plan_topic: PlanTopic | None = None,
    photos=(),
):
    """支部学习: one row per session, one attendance row per member of the branch.

    `absent` maps member ids to a reason; everyone else in the branch was present."""
    _refuse_unless(can(user, "record_session", branch), "只能记录本支部的学习")
    if date > timezone.localdate():
        raise ActionRefused("学习日期不能晚于今天", status=400, code="invalid")
    members = {m.pk: m for m in branch_members(branch)}
    if lead_reader_id not in members:
        raise ActionRefused("领读人须是本支部党员", status=400, code="invalid")
    absent = dict(absent or {})
    strangers = set(absent) - set(members)
    if strangers:
        raise ActionRefused("缺席名单中有非本支部党员", status=400, code="invalid")
    if lead_reader_id in absent:
        raise ActionRefused("领读人不能记为缺席", status=400, code="invalid")
    chapter_ids = set(chapter_ids)
    chapters = list(Chapter.objects.filter(pk__in=chapter_ids))
    if len(chapters) != len(chapter_ids):
        raise ActionRefused("所选章节不存在", status=400, code="invalid")
    if plan_topic is not None and plan_topic.plan.org_id not in _ancestor_ids(branch):
        raise ActionRefused("所选专题不属于本支部的学习计划", status=400, code="invalid")
    cleaned = clean_photos(photos)
    with transaction.atomic():
        session = StudySession.objects.create(
            org=branch,
            date=date,
            topic=topic,
            plan_topic=plan_topic,
            lead_reader=members[lead_reader_id],
            duration_minutes=duration_minutes,
            notes=notes,
            recorded_by=user,
        )
        session.chapters.set(chapters)
        Attendance.objects.bulk_create(
            Attendance(
                session=session,
                member_id=member_id,
                present=member_id not in absent,
                absence_reason=(absent.get(member_id) or "")[:100],
            )
            for member_id in members
        )
        _store_photos(cleaned, session=session)
        _audit(user, "record_session", session, f"{branch.name} {date} {topic}")
        for member_id, member in members.items():
            if member_id == lead_reader_id:
                study_points.award(
                    member, "lead_reading", f"session:{session.pk}", f"领读：{topic}"
                )
            elif member_id not in absent:
                study_points.award(
                    member, "attendance", f"session:{session.pk}", f"参加支部学习：{topic}"
                )
    return session


def _ancestor_ids(org: PartyOrg) -> set[int]:
    ids, node = set(), org
    while node is not None:
        ids.add(node.pk)
        node = node.parent
    return ids


# --- reflections -----------------------------------------------------------------------------


def _reflection_event(reflection, action, actor, from_state, note=""):
    ReflectionEvent.objects.create(
        reflection=reflection,
        action=action,
        actor=actor,
        from_state=from_state or "",
        to_state=reflection.state,
        note=note[:300],
    )


def submit_reflection(user, *, title: str, body: str, textbook=None) -> Reflection:
    _refuse_unless(can(user, "write_reflection"), "只有支部党员可以提交心得体会")
    branch = member_branch(user)
    with transaction.atomic():
        reflection = Reflection.objects.create(
            author=user,
            org=branch,
            title=title,
            body=body,
            textbook=textbook,
            state=workflow.next_state(None, workflow.SUBMIT),
        )
        _reflection_event(reflection, workflow.SUBMIT, user, None)
    return reflection


def resubmit_reflection(user, reflection_id: int, *, title: str, body: str) -> Reflection:
    with transaction.atomic():
        reflection = Reflection.objects.select_for_update().get(pk=reflection_id)
        _refuse_unless(can(user, "edit_reflection", reflection), "只能修改自己的心得")
        new_state = workflow.next_state(reflection.state, workflow.RESUBMIT)
        if new_state is None:
            raise ActionRefused("只有被退回的心得可以修改后重新提交")
        old = reflection.state
        reflection.title, reflection.body, reflection.state = title, body, new_state
        reflection.save(update_fields=["title", "body", "state", "updated_at"])
        _reflection_event(reflection, workflow.RESUBMIT, user, old)
    return reflection


def review_reflection(user, reflection_id: int, action: str, comment: str = "") -> Reflection:
    """通过 or 退回 a submitted reflection; a return must carry a comment."""
    if action not in workflow.REVIEWER_ACTIONS:
        raise ActionRefused("未知的审阅操作", status=400, code="invalid")
    comment = (comment or "").strip()
    if workflow.needs_comment(action) and not comment:
        raise ActionRefused("退回时请写明修改意见", status=400, code="invalid")
    with transaction.atomic():
        reflection = Reflection.objects.select_for_update().get(pk=reflection_id)
        _refuse_unless(can(user, "review_reflection", reflection), "只有本支部书记可以审阅这篇心得")
        new_state = workflow.next_state(reflection.state, action)
        if new_state is None:
            raise ActionRefused("这篇心得已审阅过")
        old = reflection.state
        reflection.state = new_state
        reflection.review_comment = comment[:300]
        reflection.reviewed_by = user
        reflection.reviewed_at = timezone.now()
        reflection.save(
            update_fields=["state", "review_comment", "reviewed_by", "reviewed_at", "updated_at"]
        )
        _reflection_event(reflection, action, user, old, comment)
        if new_state == workflow.ACCEPTED:
            study_points.award(
                reflection.author,
                "reflection_accepted",
                f"reflection:{reflection.pk}",
                f"心得通过：{reflection.title}",
            )
    return reflection


# --- lectures, reading classes, publicity ----------------------------------------------------


def record_lecture(user, org: PartyOrg, *, photos=(), **fields) -> Lecture:
    _refuse_unless(can(user, "record_lecture", org), "只能登记本组织的宣讲")
    cleaned = clean_photos(photos)
    with transaction.atomic():
        lecture = Lecture.objects.create(org=org, recorded_by=user, **fields)
        _store_photos(cleaned, lecture=lecture)
        _audit(user, "record_lecture", lecture, lecture.topic)
    return lecture


def record_reading_class(user, org: PartyOrg, **fields) -> ReadingClass:
    _refuse_unless(can(user, "record_lecture", org), "只能登记本组织的读书班和活动")
    with transaction.atomic():
        item = ReadingClass.objects.create(org=org, recorded_by=user, **fields)
        _audit(user, "record_reading_class", item, item.title)
    return item


def record_publicity(user, org: PartyOrg, **fields) -> PublicityRecord:
    _refuse_unless(can(user, "record_publicity", org), "只能登记本组织的宣传报道")
    with transaction.atomic():
        record = PublicityRecord.objects.create(org=org, recorded_by=user, **fields)
        _audit(user, "record_publicity", record, record.title)
    return record


# --- media -----------------------------------------------------------------------------------


def upload_media(
    user, org: PartyOrg, *, kind: str, title: str, description: str, upload
) -> MediaItem:
    """Sniff, size-check and store an audio/video file; nothing is stored when it is refused."""
    _refuse_unless(can(user, "upload_media", org), "只能为本组织上传")
    size = getattr(upload, "size", None)
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    try:
        found = check_upload(
            head,
            size or 0,
            kind,
            max_audio=conf.audio_max_bytes(),
            max_video=conf.video_max_bytes(),
        )
    except MediaRejected as exc:
        raise ActionRefused(
            exc.message, status=413 if exc.code == "too_large" else 400, code=exc.code
        ) from exc
    digest = hashlib.sha256()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    name = default_storage.save(f"study/media/{secrets.token_hex(16)}{found.extension}", upload)
    try:
        with transaction.atomic():
            item = MediaItem.objects.create(
                org=org,
                kind=kind,
                title=title,
                description=description,
                file=name,
                content_type=found.content_type,
                size=size,
                sha256=digest.hexdigest(),
                uploaded_by=user,
            )
            _audit(user, "upload_media", item, title)
    except Exception:
        default_storage.delete(name)
        raise
    return item


def count_play(item: MediaItem) -> None:
    """One play per view of the public page (a conditional-free F() update, safe under load)."""
    MediaItem.objects.filter(pk=item.pk).update(plays=F("plays") + 1)


# --- articles --------------------------------------------------------------------------------


def import_article(
    user, org: PartyOrg, source, *, filename: str | None = None, to_simplified: bool = False
) -> Article:
    """Clean a pasted text or an uploaded .txt/.html/.docx and save it as an Article."""
    _refuse_unless(can(user, "import_article", org), "只能为本组织导入文章")
    try:
        cleaned = zhtext.import_article(source, filename, to_simplified=to_simplified)
    except zhtext.ArticleImportError as exc:
        raise ActionRefused(str(exc), status=400, code="unreadable") from exc
    title = cleaned.title[:300] or "（无标题）"
    with transaction.atomic():
        article = Article.objects.create(
            org=org,
            title=title,
            text=cleaned.text,
            date=cleaned.date,
            source_name=(filename or "")[:200],
            simplified=to_simplified,
            imported_by=user,
        )
        _audit(user, "import_article", article, title)
    return article
