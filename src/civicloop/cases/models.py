"""随手拍: problem categories, cases, their append-only event log and photos.

For metrics (the dashboard builds on these fields):
- a case counts as *received* when created (`created_at`), as *dispatched* when `dispatched_at`
  is set, as *closed* when `state == closed` (`closed_at`);
- signing is on time when `signed_at <= sign_deadline`, closing is on time when
  `replied_at <= close_deadline` (the department's reply ends its clock; the check by the
  command centre is not counted against the department);
- satisfaction comes from `rating` (`evaluated_by_default` marks 默认满意);
- a reopen is counted in `reopen_count`, a rework in `rework_count`.
The full history is in `CaseEvent`; the columns above mirror the latest cycle of the case.
"""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicloop.core.appendonly import AppendOnlyModel
from civicloop.core.models import Department, Region


def new_token() -> str:
    return secrets.token_urlsafe(24)


class DeadlineUnit(models.TextChoices):
    HOURS = "hours", _("工作小时")
    DAYS = "days", _("工作日")


ATTRIBUTE_TYPES = frozenset(
    {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
)


class Category(models.Model):
    """问题分类: a two-level catalogue (大类 → 小类); cases are filed under a 小类."""

    code = models.CharField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("大类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"parent__isnull": True},
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("默认责任部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sign_limit = models.PositiveIntegerField(_("签收时限"), default=2)
    sign_unit = models.CharField(
        _("签收时限单位"), max_length=5, choices=DeadlineUnit.choices, default=DeadlineUnit.HOURS
    )
    close_limit = models.PositiveIntegerField(_("办结时限"), default=5)
    close_unit = models.CharField(
        _("办结时限单位"), max_length=5, choices=DeadlineUnit.choices, default=DeadlineUnit.DAYS
    )
    # Open311-style extra fields: [{code, datatype, required, description, order,
    # values: [{key, name}]}]; datatype is string|number|datetime|text|singlevaluelist|multivaluelist.
    attributes = models.JSONField(_("附加字段"), default=list, blank=True)
    keywords = models.CharField(
        _("关键词"), max_length=300, blank=True, help_text=_("用逗号分隔，用于根据描述推荐分类")
    )
    description = models.CharField(_("说明"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("问题分类")
        verbose_name_plural = _("问题分类")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        if self.parent_id:
            return f"{self.parent.name}/{self.name}"
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("分类只有大类和小类两级")})
        if not isinstance(self.attributes, list):
            raise ValidationError({"attributes": _("附加字段应为列表")})
        for spec in self.attributes:
            if not isinstance(spec, dict) or not spec.get("code"):
                raise ValidationError({"attributes": _("每个附加字段都需要 code")})
            if spec.get("datatype", "string") not in ATTRIBUTE_TYPES:
                raise ValidationError({"attributes": _("附加字段类型不正确")})
            if spec.get("datatype") in ("singlevaluelist", "multivaluelist") and not spec.get(
                "values"
            ):
                raise ValidationError({"attributes": _("列表类型的附加字段需要 values")})

    @property
    def keyword_list(self) -> list[str]:
        raw = self.keywords.replace("，", ",").replace("、", ",")
        return [k.strip() for k in raw.split(",") if k.strip()]


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", _("待核实")
    VERIFIED = "verified", _("待派遣")
    DISPATCHED = "dispatched", _("待签收")
    IN_PROGRESS = "in_progress", _("办理中")
    REPLIED = "replied", _("待核查")
    CLOSED = "closed", _("已办结")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


class CaseSource(models.TextChoices):
    APP = "app", _("群众随手拍")
    PATROL = "patrol", _("网格员巡查")
    PHONE = "phone", _("电话")
    VISIT = "visit", _("来访")
    HOTLINE = "hotline", _("12345")
    SUPERIOR = "superior", _("上级交办")
    OPEN311 = "open311", _("Open311")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class DeadlineState(models.TextChoices):
    NORMAL = "normal", _("正常")
    DUE_SOON = "due_soon", _("即将超期")
    OVERDUE = "overdue", _("已超期")


class Case(models.Model):
    """One problem a resident (or staff on someone's behalf) reported; `state` moves only
    through `cases.actions`, which writes a CaseEvent in the same transaction."""

    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    description = models.TextField(_("问题描述"), max_length=2000)
    category = models.ForeignKey(
        Category,
        verbose_name=_("问题分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # case_category_recent below leads with it
    )
    attributes = models.JSONField(_("附加字段"), default=dict, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # Routing result, denormalised from the grid so that scope filters are plain lookups.
    # A case outside every grid has none of the three: the district command centre holds it (兜底).
    grid = models.ForeignKey(
        Region,
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        Region,
        verbose_name=_("社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    street = models.ForeignKey(
        Region,
        verbose_name=_("街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The department holding the case (set at dispatch; before that, the suggested one).
    department = models.ForeignKey(
        Department,
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    state = models.CharField(
        _("状态"),
        max_length=12,
        choices=CaseState.choices,
        default=CaseState.SUBMITTED,
        db_index=True,
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=CaseSource.choices, default=CaseSource.APP, db_index=True
    )
    source_detail = models.CharField(_("来源说明"), max_length=100, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反映人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)

    # Deadline of the current step (核实, 派遣, 签收, 办结, 核查); None once closed.
    deadline = models.DateTimeField(_("当前环节时限"), null=True, blank=True, db_index=True)
    step_started_at = models.DateTimeField(null=True, blank=True)
    # Increases whenever a new deadline is set, so that each step's warnings are sent once.
    step_seq = models.PositiveIntegerField(default=0)
    deadline_state = models.CharField(
        _("时限状态"),
        max_length=10,
        choices=DeadlineState.choices,
        default=DeadlineState.NORMAL,
        db_index=True,
    )
    # Handling time limit set by the command centre at dispatch, overriding the category's.
    handling_hours = models.PositiveIntegerField(_("办结时限（工作小时）"), null=True, blank=True)

    # Milestones of the latest cycle (see the module docstring for how metrics use them).
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True, db_index=True)
    sign_deadline = models.DateTimeField(_("签收时限"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    close_deadline = models.DateTimeField(_("办结时限"), null=True, blank=True)
    replied_at = models.DateTimeField(_("办结回复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, db_index=True)

    reopen_count = models.PositiveIntegerField(_("重办次数"), default=0)
    rework_count = models.PositiveIntegerField(_("返工次数"), default=0)
    return_count = models.PositiveIntegerField(_("退单次数"), default=0)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并到"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    # "我也遇到": how many other reports were merged into this one.
    duplicate_count = models.PositiveIntegerField(_("同类反映数"), default=0)

    rating = models.CharField(_("评价"), max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    evaluated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    evaluated_by_default = models.BooleanField(_("默认满意"), default=False)

    # A department's pending request for more time (申请延期), decided by the command centre.
    extension_hours = models.PositiveIntegerField(_("申请延期（工作小时）"), null=True, blank=True)
    extension_reason = models.CharField(_("延期理由"), max_length=500, blank=True)

    # A retried POST with the same Idempotency-Key (per account, or per IP when anonymous)
    # returns the first case.
    idempotency_scope = models.CharField(max_length=80, blank=True, editable=False)
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)

    created_at = models.DateTimeField(_("反映时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("问题工单")
        verbose_name_plural = _("问题工单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["lat", "lng"], name="case_latlng"),
            models.Index(fields=["state", "deadline"], name="case_state_deadline"),
            # A department's queue (待签收, 办理中) newest first, read in order off the index; on
            # PostgreSQL the columns of the staff visibility rule ride along, so the queue's
            # count is an index-only scan (3,500 rows: 7.8 ms → 0.6 ms).
            models.Index(
                fields=["department", "state", "created_at", "id"],
                include=["dispatched_at", "reporter"],
                name="case_queue_covering",
            ),
            # Open311's requests of a service newest first, read in order off the index: the
            # plain category index made PostgreSQL walk every recent case of all categories
            # (9,000 rows for 50 at 200 k cases).
            models.Index(fields=["category", "created_at", "id"], name="case_category_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="case_idempotency_unique",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.description[:20]}"

    @property
    def number(self) -> str:
        return f"SSP{self.pk:06d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        from .workflow import OPEN_STATES

        return self.state in OPEN_STATES


class CaseEvent(AppendOnlyModel):
    """One action on a case (append-only audit trail: never updated or deleted)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("动作"), max_length=20, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The role the actor acted in ("system" for the background jobs, "reporter" for a resident).
    actor_role = models.CharField(_("身份"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=12, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Shown on the public follow page (notes of staff-internal actions are not).
    public = models.BooleanField(default=True)
    flagged = models.BooleanField(_("督办"), default=False)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_state}→{self.to_state}"


def _photo_path(instance, filename: str) -> str:
    # A random name: the stored path never reveals the case or the uploader's file name.
    extension = os.path.splitext(filename)[1].lower()[:5]
    return f"cases/{secrets.token_hex(1)}/{secrets.token_urlsafe(18)}{extension}"


class CasePhoto(models.Model):
    """A re-encoded photo of a report (event is null) or of an action such as a reply."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(upload_to=_photo_path, max_length=200)
    thumbnail = models.FileField(upload_to=_photo_path, max_length=200)
    content_type = models.CharField(max_length=20)
    thumbnail_content_type = models.CharField(max_length=20)
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"photo {self.pk} of case {self.case_id}"
