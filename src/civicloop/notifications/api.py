"""The caller's notifications."""

from datetime import datetime

from ninja import Router, Schema

from .actions import mark_read
from .models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read: bool


class UnreadOut(Schema):
    unread: int
    items: list[NotificationOut]


@router.get("/notifications", response=UnreadOut)
def list_notifications(request, unread_only: bool = False, limit: int = 50):
    qs = Notification.objects.filter(recipient=request.auth)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    items = [
        {
            "id": n.pk,
            "kind": n.kind,
            "title": n.title,
            "body": n.body,
            "url": n.url,
            "created_at": n.created_at,
            "read": n.read_at is not None,
        }
        for n in qs[: max(1, min(limit, 200))]
    ]
    unread = Notification.objects.filter(recipient=request.auth, read_at__isnull=True).count()
    return {"unread": unread, "items": items}


@router.post("/notifications/read", response=UnreadOut)
def read_notifications(request):
    mark_read(request.auth)
    return list_notifications(request)
