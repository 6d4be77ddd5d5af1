"""Background delivery of notifications: email, and signed webhooks to departments.

Each delivery is claimed with a conditional UPDATE before it is sent, so that two workers
never send the same email or webhook twice."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from civicloop.core.periodic import register

from .models import Notification, WebhookDelivery

log = logging.getLogger(__name__)
WEBHOOK_TIMEOUT = 10
WEBHOOK_MAX_ATTEMPTS = 6
CLAIM_STALE = timedelta(minutes=5)


@task()
def send_notification_email(notification_id: int) -> bool:
    # Claim the row first so that two workers never send the same email.
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    n = Notification.objects.select_related("recipient").get(pk=notification_id)
    link = f"{settings.SITE_URL}{n.url}" if n.url else ""
    send_mail(
        n.title, f"{n.body}\n\n{link}".strip(), None, [n.recipient.email], fail_silently=False
    )
    return True


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex: what the receiver recomputes to verify."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _claim(delivery_id: int) -> bool:
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_STALE),
            pk=delivery_id,
            delivered_at__isnull=True,
            attempts__lt=WEBHOOK_MAX_ATTEMPTS,
        ).update(claimed_at=now)
    )


@task()
def deliver_webhook(delivery_id: int) -> bool:
    if not _claim(delivery_id):
        return False
    delivery = WebhookDelivery.objects.select_related("department").get(pk=delivery_id)
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "civicloop-webhook/1",
        "X-Civicloop-Delivery": delivery.key,
        "X-Civicloop-Timestamp": timestamp,
    }
    secret = delivery.department.webhook_secret
    if secret:
        headers["X-Civicloop-Signature"] = "sha256=" + sign(secret, timestamp, body)
    status, error = None, ""
    try:
        request = urllib.request.Request(delivery.url, data=body, headers=headers, method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        status, error = exc.code, str(exc)[:300]
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = str(exc)[:300]
    ok = status is not None and 200 <= status < 300
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        attempts=delivery.attempts + 1,
        last_status=status,
        last_error=error,
        delivered_at=timezone.now() if ok else None,
        claimed_at=timezone.now() if ok else None,
    )
    if not ok:
        log.warning("webhook %s to %s failed: %s %s", delivery.key, delivery.url, status, error)
    return ok


@register
def retry_webhooks() -> int:
    """Re-sends webhooks that failed (up to WEBHOOK_MAX_ATTEMPTS, at most one per minute)."""
    pending = WebhookDelivery.objects.filter(
        delivered_at__isnull=True,
        claimed_at__isnull=True,
        attempts__gt=0,
        attempts__lt=WEBHOOK_MAX_ATTEMPTS,
    ).values_list("pk", flat=True)[:100]
    count = 0
    for pk in pending:
        deliver_webhook.call(pk)
        count += 1
    return count
