"""微心愿: a resident's small wish, verified by the community, claimed and fulfilled by a party
member; and the append-only events that record every step."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicloop.core.appendonly import AppendOnlyModel
from civicloop.core.models import Region
from civicloop.lib.masking import mask_name


class State(models.TextChoices):
    SUBMITTED = "submitted", _("待核实")
    PUBLISHED = "published", _("已公示")
    DECLINED = "declined", _("不予通过")
    CLAIMED = "claimed", _("已认领")
    CONTACTED = "contacted", _("已联系")
    FULFILLED = "fulfilled", _("已实现")
    CONFIRMED = "confirmed", _("已反馈")


class Category(models.TextChoices):
    SCHOOL_SUPPLIES = "school_supplies", _("学习用品")
    DAILY_NECESSITIES = "daily_necessities", _("生活用品")
    MEDICAL = "medical", _("助医")
    EDUCATION = "education", _("助学")
    COMPANY = "company", _("陪伴")
    OTHER = "other", _("其他")


class BeneficiaryType(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    LEFT_BEHIND_CHILD = "left_behind_child", _("留守儿童")
    HARDSHIP_FAMILY = "hardship_family", _("困难家庭")
    DISABLED = "disabled", _("残疾人")
    SICK = "sick", _("患病群众")
    OTHER = "other", _("其他")


class PostedAs(models.TextChoices):
    RESIDENT = "resident", _("居民本人")
    COMMUNITY = "community", _("社区代发")


# States shown on the public wall; a wish under review or declined is never public.
PUBLIC_STATES = (
    State.PUBLISHED,
    State.CLAIMED,
    State.CONTACTED,
    State.FULFILLED,
    State.CONFIRMED,
)
# States in which the claimant holds the wish and may see the beneficiary's contact details.
HELD_STATES = (State.CLAIMED, State.CONTACTED, State.FULFILLED)


class Wish(models.Model):
    """One small wish (微心愿). The beneficiary's name, phone and address are stored for the
    community and the claimant only; the wall shows a masked name and the community."""

    content = models.TextField(_("心愿内容"), max_length=500)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    value_cap = models.PositiveIntegerField(_("价值上限（元）"))
    beneficiary_name = models.CharField(_("受助人姓名"), max_length=50)
    beneficiary_phone = models.CharField(_("受助人电话"), max_length=20)
    beneficiary_address = models.CharField(_("受助人地址"), max_length=200)
    beneficiary_type = models.CharField(
        _("受助人类型"),
        max_length=20,
        choices=BeneficiaryType.choices,
        default=BeneficiaryType.OTHER,
    )
    community = models.ForeignKey(
        Region, verbose_name=_("所在社区"), on_delete=models.PROTECT, related_name="+"
    )
    # Denormalised from the community so that street-wide scope is one indexed lookup.
    street = models.ForeignKey(
        Region,
        verbose_name=_("所在街道"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        related_name="wishes_posted",
    )
    posted_as = models.CharField(_("发布方式"), max_length=12, choices=PostedAs.choices)
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.SUBMITTED, db_index=True
    )

    verify_note = models.CharField(_("核实情况"), max_length=300, blank=True)
    decline_reason = models.CharField(_("不予通过原因"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True, db_index=True)
    # When the wish last went (back) on the wall without a claimant: drives 等待已久.
    on_wall_since = models.DateTimeField(_("上墙时间"), null=True, blank=True)

    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认领党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wishes_claimed",
    )
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True, db_index=True)
    first_claimed_at = models.DateTimeField(_("首次认领时间"), null=True, blank=True)
    commitment = models.CharField(_("认领承诺"), max_length=300, blank=True)
    contacted_at = models.DateTimeField(_("联系时间"), null=True, blank=True)
    contact_note = models.CharField(_("联系情况"), max_length=300, blank=True)

    fulfilled_at = models.DateTimeField(_("实现时间"), null=True, blank=True)
    fulfil_note = models.CharField(_("实现说明"), max_length=500, blank=True)
    photo = models.CharField(_("实现照片"), max_length=200, blank=True, editable=False)
    photo_type = models.CharField(max_length=20, blank=True, editable=False)
    thumbnail = models.CharField(max_length=200, blank=True, editable=False)
    thumbnail_type = models.CharField(max_length=20, blank=True, editable=False)

    confirmed_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反馈人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    confirm_note = models.CharField(_("反馈意见"), max_length=300, blank=True)
    points_awarded = models.PositiveIntegerField(_("奖励积分"), default=0)

    created_at = models.DateTimeField(_("征集时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "state"]),
            models.Index(fields=["street", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="wish_rating_1_to_5",
            ),
            # One claimant per wish, present exactly while the wish is held.
            models.CheckConstraint(
                condition=models.Q(
                    state__in=["claimed", "contacted", "fulfilled", "confirmed"],
                    claimed_by__isnull=False,
                )
                | models.Q(
                    state__in=["submitted", "published", "declined"], claimed_by__isnull=True
                ),
                name="wish_claimant_matches_state",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.content[:20]}"

    def save(self, *args, **kwargs):
        if self.community_id:
            self.street_id = self.community.street_id or self.community.parent_id
        super().save(*args, **kwargs)

    @property
    def masked_beneficiary(self) -> str:
        return mask_name(self.beneficiary_name)

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES


class WishEvent(AppendOnlyModel):
    """One step of a wish (who, in which role, from which state to which, with a note).

    Append-only: the audit trail of the wish, never edited or deleted."""

    wish = models.ForeignKey(Wish, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("操作"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("身份"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=State.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("心愿记录")
        verbose_name_plural = _("心愿记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"#{self.wish_id} {self.action} {self.from_state}→{self.to_state}"
