"""What waits for the viewer in the 随手拍 loop, for their home page."""

from __future__ import annotations

from django.urls import reverse

from civicloop.core import permissions as scope

from . import permissions as perms
from . import queries
from . import workflow as wf


def todo(user) -> list[dict]:
    if scope.is_staff_user(user):
        visible = perms.visible_to(user)
        items = []
        for key, label, q in queries.tabs_for(user):
            if key in {"all", "open"}:
                continue
            count = visible.filter(q).count()
            if count:
                items.append(
                    {"label": label, "count": count, "url": f"{reverse('cases:queue')}?tab={key}"}
                )
        return items
    mine = perms.visible_to(user).filter(reporter=user, state__in=wf.OPEN_STATES).count()
    if mine:
        return [{"label": "我反映的问题在办", "count": mine, "url": reverse("cases:mine")}]
    return []
