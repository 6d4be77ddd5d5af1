"""Volunteer service by party members (双报到, 点单, 派单, 接单) and the append-only points ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicloop.core.appendonly import AppendOnlyModel


class PointsEntry(AppendOnlyModel):
    """One line of the points ledger (积分台账): an award, a redemption or a correction.

    Append-only: rows are never updated or deleted. `key` is unique, so the same award can be
    attempted any number of times, concurrently too, and is written once. A member's balance is
    the sum of their entries and is kept non-negative by `points.py`, the only writer."""

    class Kind(models.TextChoices):
        AWARD = "award", _("奖励")
        REDEMPTION = "redemption", _("兑换")
        CORRECTION = "correction", _("更正")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="points_entries",
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    points = models.IntegerField(_("积分"))
    reason = models.CharField(_("事由"), max_length=200)
    key = models.CharField(_("唯一键"), max_length=120, unique=True)
    source_type = models.CharField(_("来源类型"), max_length=40, blank=True)
    source_id = models.BigIntegerField(_("来源编号"), null=True, blank=True)
    # The balance after this entry, written in the same transaction under the member's lock.
    balance_after = models.IntegerField(_("余额"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("积分台账")
        verbose_name_plural = _("积分台账")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["member", "-id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance_after__gte=0), name="points_balance_non_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.points:+d} {self.reason}"


class PointsAccount(models.Model):
    """The lock row per member that serialises ledger writes; its balance mirrors the ledger."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="points_account"
    )
    balance = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="points_account_non_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.balance}"


class ServiceType(models.TextChoices):
    """The service catalogue residents order from (点单目录)."""

    HAIRCUT = "haircut", _("理发")
    ESCORT_TO_DOCTOR = "escort_to_doctor", _("送医")
    DELIVER_MEDICINE = "deliver_medicine", _("送药")
    APPLIANCE_REPAIR = "appliance_repair", _("家电维修")
    COMPANIONSHIP = "companionship", _("陪伴")
    SHOPPING = "shopping", _("代购")
    LEGAL_ADVICE = "legal_advice", _("法律咨询")
    COUNSELLING = "counselling", _("心理疏导")
    OTHER = "other", _("其他")


class MemberRegistration(models.Model):
    """双报到 (individual): an in-service party member registers with their residential community."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已报到")
        REJECTED = "rejected", _("未通过")
        WITHDRAWN = "withdrawn", _("已撤回")

    ACTIVE_STATES = (State.PENDING, State.APPROVED)

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="community_registrations",
    )
    community = models.ForeignKey(
        "core.Region",
        verbose_name=_("报到社区"),
        on_delete=models.PROTECT,
        related_name="member_registrations",
        limit_choices_to={"level": "community"},
    )
    # The member's own organisation when they registered: the 报到率 of that organisation.
    party_org = models.ForeignKey(
        "core.PartyOrg",
        verbose_name=_("所在党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_registrations",
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.PENDING, db_index=True
    )
    skills = models.CharField(_("特长"), max_length=200, blank=True)
    note = models.CharField(_("审核意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("党员到社区报到")
        verbose_name_plural = _("党员到社区报到")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(state__in=["pending", "approved"]),
                name="one_active_registration_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.community} ({self.get_state_display()})"


class OrgPairing(models.Model):
    """双报到 (organisation): 联建共建 — a party organisation pairs with a community."""

    party_org = models.ForeignKey(
        "core.PartyOrg",
        verbose_name=_("党组织"),
        on_delete=models.PROTECT,
        related_name="community_pairings",
    )
    community = models.ForeignKey(
        "core.Region",
        verbose_name=_("共建社区"),
        on_delete=models.PROTECT,
        related_name="org_pairings",
        limit_choices_to={"level": "community"},
    )
    agreement_date = models.DateField(_("签约日期"))
    content = models.TextField(_("共建内容"), max_length=2000)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联建共建")
        verbose_name_plural = _("联建共建")
        ordering = ["community_id", "agreement_date"]
        constraints = [
            models.UniqueConstraint(fields=["party_org", "community"], name="one_pairing_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.party_org} ⇄ {self.community}"


class ServiceOrder(models.Model):
    """百姓点单: a resident's request for a service (or one filed for them by staff, 代办)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待派单")
        ACCEPTED = "accepted", _("已派单")
        DECLINED = "declined", _("未受理")
        DONE = "done", _("已完成")

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("居民"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_orders",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "core.Region",
        verbose_name=_("社区"),
        on_delete=models.PROTECT,
        related_name="service_orders",
        limit_choices_to={"level": "community"},
    )
    service_type = models.CharField(_("服务类型"), max_length=20, choices=ServiceType.choices)
    description = models.TextField(_("需求说明"), max_length=1000, blank=True)
    preferred_time = models.DateTimeField(_("期望时间"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20)
    address = models.CharField(_("服务地址"), max_length=200)
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    decline_reason = models.CharField(_("未受理原因"), max_length=200, blank=True)
    # A retried POST with the same Idempotency-Key from the same account creates nothing new.
    idempotency_key = models.CharField(max_length=80, blank=True, editable=False)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("百姓点单")
        verbose_name_plural = _("百姓点单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["filed_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="order_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_service_type_display()} · {self.community}"

    @property
    def on_behalf(self) -> bool:
        return self.resident_id != self.filed_by_id


class Task(models.Model):
    """社区派单: a volunteer task with a place, a time window, places (名额) and points."""

    class State(models.TextChoices):
        PUBLISHED = "published", _("招募中")
        CANCELLED = "cancelled", _("已取消")

    community = models.ForeignKey(
        "core.Region",
        verbose_name=_("社区"),
        on_delete=models.PROTECT,
        related_name="volunteer_tasks",
        limit_choices_to={"level": "community"},
    )
    order = models.ForeignKey(
        ServiceOrder,
        verbose_name=_("来源点单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("任务说明"), max_length=2000, blank=True)
    service_type = models.CharField(_("服务类型"), max_length=20, choices=ServiceType.choices)
    address = models.CharField(_("地点"), max_length=200)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    places = models.PositiveIntegerField(_("名额"))
    points = models.PositiveIntegerField(_("积分"))
    checkin_code = models.CharField(_("报到码"), max_length=32, unique=True, editable=False)
    checkin_radius_m = models.PositiveIntegerField(
        _("报到范围（米）"), null=True, blank=True, help_text=_("留空则不校验位置")
    )
    cancel_cutoff = models.DateTimeField(_("取消截止"))
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.PUBLISHED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    idempotency_key = models.CharField(max_length=80, blank=True, editable=False)
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务任务")
        verbose_name_plural = _("志愿服务任务")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="task_window_positive"
            ),
            models.CheckConstraint(condition=models.Q(places__gte=1), name="task_has_places"),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="task_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ended(self) -> bool:
        from django.utils import timezone

        return self.ends_at <= timezone.now()

    @property
    def display_state(self) -> str:
        if self.state == self.State.PUBLISHED and self.ended:
            return str(_("已结束"))
        return self.get_state_display()


class TaskClaim(models.Model):
    """党员接单: a member's place in a task, from claim through check-in/out to confirmation."""

    class State(models.TextChoices):
        CLAIMED = "claimed", _("已认领")
        CANCELLED = "cancelled", _("已取消")
        CHECKED_IN = "checked_in", _("已报到")
        CHECKED_OUT = "checked_out", _("已签退")
        CONFIRMED = "confirmed", _("已确认")

    ACTIVE_STATES = (State.CLAIMED, State.CHECKED_IN, State.CHECKED_OUT, State.CONFIRMED)

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="claims"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="task_claims",
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.CLAIMED, db_index=True
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指派人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("认领时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    checkin_lat = models.FloatField(null=True, blank=True)
    checkin_lng = models.FloatField(null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("任务认领")
        verbose_name_plural = _("任务认领")
        ordering = ["claimed_at", "id"]
        constraints = [
            # One place per member per task; a cancelled claim frees it for a new claim.
            models.UniqueConstraint(
                fields=["task", "member"],
                condition=~models.Q(state="cancelled"),
                name="one_active_claim_per_member_per_task",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.task}"


class Volunteer(models.Model):
    """A member's volunteer number (志愿者编号): generated, never derived from an ID card."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="volunteer"
    )
    number = models.CharField(_("志愿者编号"), max_length=20, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("志愿者编号")
        verbose_name_plural = _("志愿者编号")

    def __str__(self) -> str:
        return self.number


class ServiceRecord(AppendOnlyModel):
    """志愿服务记录 (after the 民政部 practice): written once when a service is confirmed."""

    claim = models.OneToOneField(
        TaskClaim, verbose_name=_("认领"), on_delete=models.PROTECT, related_name="record"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("志愿者"),
        on_delete=models.PROTECT,
        related_name="service_records",
    )
    volunteer_number = models.CharField(_("志愿者编号"), max_length=20)
    party_org = models.ForeignKey(
        "core.PartyOrg",
        verbose_name=_("所在党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "core.Region", verbose_name=_("服务社区"), on_delete=models.PROTECT, related_name="+"
    )
    activity = models.CharField(_("服务项目"), max_length=100)
    service_type = models.CharField(_("服务类型"), max_length=20, choices=ServiceType.choices)
    date = models.DateField(_("服务日期"), db_index=True)
    place = models.CharField(_("服务地点"), max_length=200)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"))
    # Actual time on site (check-in to check-out within the window); travel is not counted.
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=6, decimal_places=2)
    points = models.IntegerField(_("积分"))
    certificate_number = models.CharField(_("证明编号"), max_length=30, unique=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = _("志愿服务记录")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.volunteer_number} {self.activity} {self.date}"


class Reward(models.Model):
    """积分兑换目录: something a member can redeem points for, with a stock."""

    name = models.CharField(_("名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    points = models.PositiveIntegerField(_("所需积分"))
    stock = models.PositiveIntegerField(_("库存"))
    community = models.ForeignKey(
        "core.Region",
        verbose_name=_("限定社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空则全区可兑换"),
    )
    active = models.BooleanField(_("上架"), default=True)

    class Meta:
        verbose_name = _("兑换商品")
        verbose_name_plural = _("兑换商品")
        ordering = ["points", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(points__gte=1), name="reward_costs_points"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.points} 分）"


class Redemption(models.Model):
    """积分兑换: one redemption, written in the same transaction as its ledger entry."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="redemptions",
    )
    reward = models.ForeignKey(
        Reward, verbose_name=_("商品"), on_delete=models.PROTECT, related_name="redemptions"
    )
    points = models.PositiveIntegerField(_("积分"))
    entry = models.OneToOneField(
        PointsEntry, verbose_name=_("台账记录"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("兑换时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("兑换记录")
        verbose_name_plural = _("兑换记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.member} · {self.reward.name}"


class VolunteerEvent(AppendOnlyModel):
    """The audit trail of this app: who did what to which order, task, claim or registration."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=30)
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT)
    claim = models.ForeignKey(TaskClaim, null=True, blank=True, on_delete=models.PROTECT)
    order = models.ForeignKey(ServiceOrder, null=True, blank=True, on_delete=models.PROTECT)
    registration = models.ForeignKey(
        MemberRegistration, null=True, blank=True, on_delete=models.PROTECT
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor} {self.action}"


class VolunteeringSettings(models.Model):
    """Settings an admin changes in the back office (one row)."""

    leaderboards_enabled = models.BooleanField(_("显示积分排行榜"), default=True)

    class Meta:
        verbose_name = _("志愿服务设置")
        verbose_name_plural = _("志愿服务设置")

    def __str__(self) -> str:
        return str(_("志愿服务设置"))

    @classmethod
    def current(cls) -> VolunteeringSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
