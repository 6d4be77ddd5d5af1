"""党史学习教育: textbooks and plans, branch sessions, reflections, lectures, reading classes,
the QR media library, publicity records and imported articles."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicloop.core.appendonly import AppendOnlyModel
from civicloop.core.models import PartyOrg

USER = settings.AUTH_USER_MODEL


class Textbook(models.Model):
    """A designated textbook (指定学习材料), read chapter by chapter."""

    title = models.CharField(_("书名"), max_length=120, unique=True)
    short_title = models.CharField(_("简称"), max_length=30)
    publisher = models.CharField(_("出版社"), max_length=60, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("学习教材")
        verbose_name_plural = _("学习教材")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"《{self.title}》"


class Chapter(models.Model):
    """A chapter (章 / 篇 / 专题) of a textbook."""

    textbook = models.ForeignKey(
        Textbook, verbose_name=_("教材"), on_delete=models.CASCADE, related_name="chapters"
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=160)

    class Meta:
        verbose_name = _("章节")
        verbose_name_plural = _("章节")
        ordering = ["textbook__order", "textbook_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["textbook", "number"], name="study_chapter_number")
        ]

    def __str__(self) -> str:
        return f"{self.textbook.short_title} {self.number}. {self.title}"


class StudyPlan(models.Model):
    """A committee's or branch's plan for a year; it applies to every branch under the org."""

    org = models.ForeignKey(
        PartyOrg, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="study_plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("制定人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学习计划")
        verbose_name_plural = _("学习计划")
        ordering = ["-year", "id"]

    def __str__(self) -> str:
        return self.title


class PlanTopic(models.Model):
    """A key topic (专题) of a plan."""

    plan = models.ForeignKey(
        StudyPlan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="topics"
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    title = models.CharField(_("专题"), max_length=120)
    description = models.TextField(_("内容"), blank=True)

    class Meta:
        verbose_name = _("学习专题")
        verbose_name_plural = _("学习专题")
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.title


class PlanMilestone(models.Model):
    """A step of the schedule: these chapters should have been led by `due` (进度安排)."""

    plan = models.ForeignKey(
        StudyPlan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="milestones"
    )
    due = models.DateField(_("完成时间"))
    title = models.CharField(_("内容"), max_length=120, blank=True)
    chapters = models.ManyToManyField(Chapter, verbose_name=_("章节"), related_name="+")

    class Meta:
        verbose_name = _("进度安排")
        verbose_name_plural = _("进度安排")
        ordering = ["plan", "due", "id"]

    def __str__(self) -> str:
        return f"{self.due} {self.title}"


class StudySession(models.Model):
    """A branch study session (支部学习) led by a member (领读人)."""

    org = models.ForeignKey(
        PartyOrg, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="study_sessions"
    )
    date = models.DateField(_("日期"), db_index=True)
    topic = models.CharField(_("学习主题"), max_length=120)
    plan_topic = models.ForeignKey(
        PlanTopic,
        verbose_name=_("对应专题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    lead_reader = models.ForeignKey(
        USER, verbose_name=_("领读人"), on_delete=models.PROTECT, related_name="+"
    )
    chapters = models.ManyToManyField(
        Chapter, verbose_name=_("学习章节"), blank=True, related_name="sessions"
    )
    duration_minutes = models.PositiveSmallIntegerField(_("时长（分钟）"))
    notes = models.TextField(_("学习记录"), blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("支部学习")
        verbose_name_plural = _("支部学习")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class Attendance(models.Model):
    """Whether one member of the branch took part in a session, and why not."""

    session = models.ForeignKey(
        StudySession, verbose_name=_("学习"), on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        USER, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+"
    )
    present = models.BooleanField(_("出席"), default=True)
    absence_reason = models.CharField(_("缺席原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        ordering = ["session", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="study_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.member} {'出席' if self.present else '缺席'}"


class Reflection(models.Model):
    """A member's reflection (心得体会), reviewed by the branch secretary."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待审阅")
        ACCEPTED = "accepted", _("已通过")
        RETURNED = "returned", _("已退回")

    author = models.ForeignKey(
        USER, verbose_name=_("作者"), on_delete=models.PROTECT, related_name="reflections"
    )
    org = models.ForeignKey(
        PartyOrg, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="reflections"
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"))
    textbook = models.ForeignKey(
        Textbook,
        verbose_name=_("相关教材"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    review_comment = models.CharField(_("审阅意见"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        USER,
        verbose_name=_("审阅人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审阅时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("心得体会")
        verbose_name_plural = _("心得体会")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ReflectionEvent(AppendOnlyModel):
    """Append-only history of a reflection: submitted, accepted, returned, resubmitted."""

    reflection = models.ForeignKey(
        Reflection, verbose_name=_("心得"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=20)
    actor = models.ForeignKey(USER, verbose_name=_("操作人"), on_delete=models.PROTECT)
    from_state = models.CharField(_("原状态"), max_length=12, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("心得审阅记录")
        verbose_name_plural = _("心得审阅记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"


class Lecture(models.Model):
    """One lecture of a lecture troupe (宣讲团) at a unit."""

    org = models.ForeignKey(
        PartyOrg, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="lectures"
    )
    troupe = models.CharField(_("宣讲团"), max_length=80)
    speaker = models.CharField(_("宣讲人"), max_length=50)
    unit_visited = models.CharField(_("宣讲单位"), max_length=100)
    topic = models.CharField(_("宣讲主题"), max_length=120)
    date = models.DateField(_("日期"), db_index=True)
    audience = models.PositiveIntegerField(_("受众人数"))
    notes = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("宣讲")
        verbose_name_plural = _("宣讲")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class ReadingClass(models.Model):
    """A reading class (读书班) or themed activity (主题活动)."""

    class Kind(models.TextChoices):
        READING_CLASS = "reading_class", _("读书班")
        THEMED_ACTIVITY = "themed_activity", _("主题活动")

    class Mode(models.TextChoices):
        OFFLINE = "offline", _("线下")
        ONLINE = "online", _("线上")

    org = models.ForeignKey(
        PartyOrg, verbose_name=_("主办党组织"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=120)
    organiser = models.CharField(_("承办单位"), max_length=100)
    mode = models.CharField(_("形式"), max_length=10, choices=Mode.choices)
    date = models.DateField(_("日期"), db_index=True)
    participants = models.PositiveIntegerField(_("参加人数"))
    notes = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("读书班与主题活动")
        verbose_name_plural = _("读书班与主题活动")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title


class StudyPhoto(models.Model):
    """A re-encoded photo of a session or a lecture (exactly one of the two)."""

    session = models.ForeignKey(
        StudySession, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    lecture = models.ForeignKey(
        Lecture, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    content = models.CharField(max_length=200)
    content_type = models.CharField(max_length=30)
    thumbnail = models.CharField(max_length=200)
    thumbnail_content_type = models.CharField(max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(session__isnull=False, lecture__isnull=True)
                    | models.Q(session__isnull=True, lecture__isnull=False)
                ),
                name="study_photo_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.content


def new_media_token() -> str:
    return secrets.token_urlsafe(12)


class MediaItem(models.Model):
    """A micro-lesson video (微党课) or audio book chapter (有声书馆) with a public QR page."""

    class Kind(models.TextChoices):
        VIDEO = "video", _("微党课")
        AUDIO = "audio", _("有声书")

    org = models.ForeignKey(
        PartyOrg, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("简介"), blank=True)
    file = models.CharField(max_length=200, editable=False)
    content_type = models.CharField(_("文件类型"), max_length=40, editable=False)
    size = models.PositiveBigIntegerField(_("大小（字节）"), editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    # The unguessable part of the public 码上听 URL.
    token = models.CharField(max_length=32, unique=True, default=new_media_token, editable=False)
    plays = models.PositiveIntegerField(_("播放次数"), default=0, editable=False)
    published = models.BooleanField(_("发布"), default=True)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("媒体资源")
        verbose_name_plural = _("媒体资源")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class PublicityRecord(models.Model):
    """A piece of publicity: a report, short video, bulletin or series episode on a channel."""

    class Kind(models.TextChoices):
        REPORT = "report", _("报道")
        SHORT_VIDEO = "short_video", _("短视频")
        BULLETIN = "bulletin", _("简报")
        SERIES = "series", _("系列节目")

    class Channel(models.TextChoices):
        PANJIN_DAILY = "panjin_daily", _("盘锦日报")
        LIAOHE_OIL = "liaohe_oil", _("辽河石油报")
        BROADCAST = "broadcast", _("广播电视台")
        WECHAT = "wechat", _("微信公众号")
        DOUYIN = "douyin", _("抖音")
        PORTAL = "portal", _("门户网站")

    org = models.ForeignKey(
        PartyOrg, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=14, choices=Channel.choices)
    date = models.DateField(_("日期"), db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    link = models.URLField(_("链接"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("宣传报道")
        verbose_name_plural = _("宣传报道")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title


class Article(models.Model):
    """An article imported from a pasted text or a file, cleaned of pinyin glosses."""

    org = models.ForeignKey(
        PartyOrg, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=300)
    text = models.TextField(_("正文"))
    date = models.DateField(_("文章日期"), null=True, blank=True)
    source_name = models.CharField(_("来源文件"), max_length=200, blank=True)
    simplified = models.BooleanField(_("已转简体"), default=False)
    imported_by = models.ForeignKey(
        USER, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class AuditEntry(AppendOnlyModel):
    """Append-only record of who recorded, changed or uploaded what in the study app."""

    actor = models.ForeignKey(USER, verbose_name=_("操作人"), on_delete=models.PROTECT)
    action = models.CharField(_("操作"), max_length=40)
    object_type = models.CharField(_("对象类型"), max_length=40)
    object_id = models.BigIntegerField(_("对象编号"))
    detail = models.CharField(_("摘要"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"
