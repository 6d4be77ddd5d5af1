"""In-app notifications (站内消息); each is created once per dedupe key and delivered once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # A stable key per (event, recipient): creating the same notification twice is a no-op.
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


class WebhookDelivery(models.Model):
    """One signed POST to a department's own system; created once per key, delivered once."""

    department = models.ForeignKey(
        "core.Department", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    key = models.CharField(max_length=200, unique=True)
    url = models.URLField(max_length=500)
    payload = models.JSONField()
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    # A worker claims the row (claimed_at) before sending; a stale claim may be taken over.
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("部门 Webhook 推送")
        verbose_name_plural = _("部门 Webhook 推送")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.department} {self.key}"
