"""Sending notifications: in-app always, email when the recipient has an address."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification, WebhookDelivery


def notify(
    recipient, *, kind: str, title: str, body: str = "", url: str = "", key: str
) -> Notification | None:
    """Creates the notification unless one with this key exists; returns it, or None if it did."""
    dedupe_key = f"{key}:{recipient.pk}"[:200]
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                title=title[:200],
                body=body,
                url=url,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return None
    if recipient.email:
        from .tasks import send_notification_email

        transaction.on_commit(lambda: send_notification_email.enqueue(notification.pk))
    return notification


def notify_many(
    recipients, *, kind: str, title: str, body: str = "", url: str = "", key: str
) -> int:
    """`notify` for several recipients at once: one transaction and one INSERT for all of them;
    a recipient who already has this key's notification gets nothing new. Returns how many
    recipients were given (each once)."""
    people = list({p.pk: p for p in recipients if p is not None}.values())
    if not people:
        return 0
    keys = {p.pk: f"{key}:{p.pk}"[:200] for p in people}
    rows = [
        Notification(
            recipient=p,
            kind=kind,
            title=title[:200],
            body=body,
            url=url,
            dedupe_key=keys[p.pk],
        )
        for p in people
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        mailed = [keys[p.pk] for p in people if p.email]
        if mailed:
            from .tasks import send_notification_email

            # Not yet emailed (new, or left from an earlier try): the task claims each row, so
            # that a notification is emailed once however often it is enqueued.
            pending = Notification.objects.filter(
                dedupe_key__in=mailed, emailed_at__isnull=True
            ).values_list("pk", flat=True)
            for pk in pending:
                transaction.on_commit(lambda pk=pk: send_notification_email.enqueue(pk))
    return len(people)


def mark_read(user, notification_ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def post_webhook(department, *, key: str, payload: dict) -> WebhookDelivery | None:
    """Queues one signed POST of `payload` to the department's webhook, once per key."""
    if not department.webhook_url:
        return None
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                department=department, key=key[:200], url=department.webhook_url, payload=payload
            )
    except IntegrityError:
        return None
    from .tasks import deliver_webhook

    transaction.on_commit(lambda: deliver_webhook.enqueue(delivery.pk))
    return delivery
