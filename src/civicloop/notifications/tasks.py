"""Background delivery of notifications."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from .models import Notification


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
