"""Who hears about what happened to a case: in-app (and email) notifications, and the
department's signed webhook. Runs after the commit; every message has a dedupe key, so a
repeated call sends nothing twice."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicloop.core.models import Role, RoleAssignment, ScopeType
from civicloop.notifications.actions import notify_many, post_webhook

from . import workflow as wf
from .models import Case, CaseEvent

log = logging.getLogger(__name__)

# What the reporter is told: at dispatch, reply and close (and when the report ends otherwise).
REPORTER_NEWS = {
    wf.DISPATCH: gettext_lazy("您反映的问题已派遣至%(department)s办理"),
    wf.REPLY: gettext_lazy("您反映的问题已有办理结果"),
    wf.APPROVE: gettext_lazy("您反映的问题已办结，请评价"),
    wf.RESOLVE_LOCALLY: gettext_lazy("您反映的问题已由社区就地解决，请评价"),
    wf.REJECT: gettext_lazy("您反映的问题未予受理"),
    wf.MERGE: gettext_lazy("您反映的问题已与同类问题合并办理"),
}
# Events the department's own system hears about by webhook.
WEBHOOK_ACTIONS = frozenset(
    {wf.DISPATCH, wf.REWORK, wf.SUPERVISE, wf.GRANT_EXTENSION, wf.DENY_EXTENSION, wf.APPROVE}
)
# Who among the staff hears of each event (besides the one who acted), by action.
TO_BASE = frozenset({wf.CREATE})
TO_DISPATCHERS = frozenset({wf.VERIFY, wf.RETURN, wf.REQUEST_EXTENSION, wf.REPLY, wf.REOPEN})
TO_DEPARTMENT = frozenset(
    {wf.DISPATCH, wf.REWORK, wf.GRANT_EXTENSION, wf.DENY_EXTENSION, wf.APPROVE}
)
TO_HOLDERS = frozenset({wf.SUPERVISE, wf.COMMENT})
# Every action someone hears about; the others (签收, 评价…) are announced to no one, so an
# action of theirs queues no announcement at all.
ANNOUNCED = (
    TO_BASE | TO_DISPATCHERS | TO_DEPARTMENT | TO_HOLDERS | set(REPORTER_NEWS) | WEBHOOK_ACTIONS
)


def announced(action: str) -> bool:
    return action in ANNOUNCED


def users_with(role: str, q: Q) -> list:
    held = RoleAssignment.objects.filter(q, role=role).values("user_id")
    return list(get_user_model().objects.filter(pk__in=held, is_active=True))


def region_staff(role: str, case: Case) -> list:
    """Holders of `role` whose region scope contains the case (the district always does)."""
    q = Q(scope_type=ScopeType.DISTRICT)
    for field, level in (("grid_id", ScopeType.GRID), ("community_id", ScopeType.COMMUNITY)):
        if getattr(case, field):
            q |= Q(scope_type=level, region_id=getattr(case, field))
    if case.street_id:
        q |= Q(scope_type=ScopeType.STREET, region_id=case.street_id)
    return users_with(role, q)


def dispatchers(case: Case) -> list:
    return region_staff(Role.DISPATCHER, case)


def department_staff(case: Case) -> list:
    if not case.department_id:
        return []
    return users_with(Role.DEPARTMENT_STAFF, Q(department_id=case.department_id))


def base_staff(case: Case) -> list:
    if not (case.grid_id or case.community_id):
        return dispatchers(case)  # 兜底: the command centre verifies what no grid holds
    people = []
    if case.grid_id:
        people += users_with(Role.GRID_WORKER, Q(scope_type=ScopeType.GRID, region_id=case.grid_id))
    if case.community_id:
        people += users_with(
            Role.COMMUNITY_STAFF, Q(scope_type=ScopeType.COMMUNITY, region_id=case.community_id)
        )
    return people


def holders(case: Case) -> list:
    """Who must act next on the case in its current state."""
    if case.state == wf.SUBMITTED:
        return base_staff(case)
    if case.state in (wf.DISPATCHED, wf.IN_PROGRESS):
        return department_staff(case)
    if case.state in (wf.VERIFIED, wf.REPLIED):
        return dispatchers(case)
    return []


def _send(people, case: Case, key: str, title: str, body: str = "", kind: str = "case") -> None:
    url = reverse("cases:detail", args=[case.pk])
    notify_many(people, kind=kind, title=title, body=body, url=url, key=key)


def announce(case_id: int, event_id: int) -> None:
    case = (
        Case.objects.select_related("department", "category", "reporter").filter(pk=case_id).first()
    )
    event = CaseEvent.objects.filter(pk=event_id).first()
    if case is None or event is None:
        return
    key = f"case:{case.pk}:event:{event.pk}"
    label = _(wf.ACTION_LABELS.get(event.action, event.action))
    title = _("问题 %(number)s：%(action)s") % {"number": case.number, "action": label}
    body = (event.note or case.description)[:300]
    actor_id = event.actor_id

    def others(people):
        return [p for p in people if p.pk != actor_id]

    action = event.action
    if action in TO_BASE:
        _send(
            others(base_staff(case)),
            case,
            key,
            _("新的群众反映待核实：%(d)s") % {"d": case.description[:40]},
        )
    elif action in TO_DISPATCHERS:
        _send(others(dispatchers(case)), case, key, title, body)
    elif action in TO_DEPARTMENT:
        _send(others(department_staff(case)), case, key, title, body)
    elif action == wf.SUPERVISE:
        _send(holders(case), case, key, _("【督办】") + title, body, kind="supervise")
    elif action in TO_HOLDERS:
        _send(others(holders(case)), case, key, title, body)

    if action in REPORTER_NEWS and case.reporter_id and case.reporter_id != actor_id:
        department = case.department.short_name or case.department.name if case.department else ""
        news = REPORTER_NEWS[action] % {"department": department}
        _send([case.reporter], case, key, news, body if event.public else "", kind="case_reporter")

    if action in WEBHOOK_ACTIONS and case.department_id and case.department.webhook_url:
        post_webhook(
            case.department,
            key=key,
            payload={
                "event": action,
                "event_id": event.pk,
                "at": event.at.isoformat(),
                "case": {
                    "id": case.pk,
                    "number": case.number,
                    "state": case.state,
                    "category": case.category.code if case.category else None,
                    "description": case.description,
                    "address": case.address,
                    "lat": case.lat,
                    "lng": case.lng,
                    "deadline": case.deadline.isoformat() if case.deadline else None,
                },
                "note": event.note,
            },
        )


def warn_deadline(case: Case, level: str) -> None:
    """即将超期 / 已超期: tells the holder and its supervisor (the command centre), once per step."""
    key = f"case:{case.pk}:step:{case.step_seq}:{level}"
    if level == "overdue":
        title = _("【已超期】问题 %(number)s 已超过%(state)s时限")
    else:
        title = _("【即将超期】问题 %(number)s 的%(state)s时限将到")
    title = title % {"number": case.number, "state": case.get_state_display()}
    people = holders(case)
    if case.state not in (wf.VERIFIED, wf.REPLIED):
        people = people + dispatchers(case)
    _send(people, case, key, title, case.description[:200], kind=f"deadline_{level}")
