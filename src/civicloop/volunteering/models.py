"""Volunteer service by party members (双报到, 点单, 派单, 接单) and the append-only points ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PointsEntry(models.Model):
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

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("积分台账只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("积分台账只能追加，不能删除")


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
