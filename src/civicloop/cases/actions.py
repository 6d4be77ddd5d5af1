"""The only code that changes a case. Each use case runs in one transaction: lock the case row,
check role + scope + state, apply the transition, write the CaseEvent, set the next deadline,
and schedule notifications for after the commit.

Two people acting on one case at once: the row lock (PostgreSQL) or the write lock taken at
BEGIN IMMEDIATE (SQLite) serialises them; the second sees the new state and gets a 409."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.core.errors import ActionRefused
from civicloop.core.models import Department, Region
from civicloop.core.permissions import is_staff_user

from . import deadlines, photos, queries, references, routing
from . import permissions as perms
from . import workflow as wf
from .models import Case, CaseEvent, CaseSource, Category, Rating

# Event notes shown on the public follow page (others may carry staff-internal remarks).
PUBLIC_NOTES = frozenset({wf.REPLY, wf.REJECT, wf.RESOLVE_LOCALLY, wf.MERGE, wf.APPROVE})
PRIVATE_ACTIONS = frozenset(
    {wf.SUPERVISE, wf.REQUEST_EXTENSION, wf.GRANT_EXTENSION, wf.DENY_EXTENSION, wf.COMMENT}
)
DUPLICATE = "duplicate"  # the event on the original when a duplicate is merged into it


def invalid(message: str, field: str | None = None) -> ActionRefused:
    return ActionRefused(message, status=422, code="invalid")


# --- field parsing -------------------------------------------------------------------------


def _text(fields: Mapping[str, Any], name: str, *, required=False, max_length=1000, label=""):
    value = fields.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(_("%(f)s 应为文本") % {"f": label or name})
    value = value.strip()
    if required and not value:
        raise invalid(_("请填写%(f)s") % {"f": label or name})
    if len(value) > max_length:
        raise invalid(_("%(f)s 最多 %(n)d 字") % {"f": label or name, "n": max_length})
    return value


def _int(fields: Mapping[str, Any], name: str, *, required=False, lo=1, hi=10**9, label=""):
    value = fields.get(name)
    if value in (None, ""):
        if required:
            raise invalid(_("请填写%(f)s") % {"f": label or name})
        return None
    if isinstance(value, bool):
        raise invalid(_("%(f)s 应为整数") % {"f": label or name})
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise invalid(_("%(f)s 应为整数") % {"f": label or name}) from None
    if not lo <= number <= hi:
        raise invalid(
            _("%(f)s 应在 %(lo)d 到 %(hi)d 之间") % {"f": label or name, "lo": lo, "hi": hi}
        )
    return number


def find_category(value) -> Category | None:
    """A 小类 by id or code; None for an empty value; 422 for an unknown or inactive one."""
    if value in (None, ""):
        return None
    qs = Category.objects.filter(active=True, parent__isnull=False).select_related(
        "parent", "department"
    )
    found = None
    if isinstance(value, int) and not isinstance(value, bool):
        found = qs.filter(pk=value).first()
    elif isinstance(value, str):
        text = value.strip()
        found = qs.filter(code=text).first()
        if found is None and text.isdigit():
            found = qs.filter(pk=int(text)).first()
    if found is None:
        raise invalid(_("问题分类不存在或已停用"))
    return found


def clean_attributes(category: Category | None, raw) -> dict:
    """Checks Open311-style attribute values against the category's definitions."""
    if raw in (None, "", {}):
        raw = {}
    if not isinstance(raw, dict):
        raise invalid(_("附加字段格式不正确"))
    if category is None:
        return {}
    result = {}
    for spec in category.attributes or []:
        code = spec.get("code")
        if not code:
            continue
        value = raw.get(code)
        if value in (None, "", []):
            if spec.get("required"):
                raise invalid(_("请填写%(f)s") % {"f": spec.get("description") or code})
            continue
        datatype = spec.get("datatype", "string")
        keys = {str(v.get("key")) for v in spec.get("values") or []}
        if datatype == "number":
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise invalid(
                    _("%(f)s 应为数字") % {"f": spec.get("description") or code}
                ) from None
        elif datatype == "singlevaluelist":
            if str(value) not in keys:
                raise invalid(_("%(f)s 的取值不正确") % {"f": spec.get("description") or code})
            value = str(value)
        elif datatype == "multivaluelist":
            values = value if isinstance(value, list) else [value]
            if not {str(v) for v in values} <= keys:
                raise invalid(_("%(f)s 的取值不正确") % {"f": spec.get("description") or code})
            value = [str(v) for v in values]
        else:
            value = str(value)[:500]
        result[code] = value
    return result


def _coordinate(value, lo: float, hi: float, label: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise invalid(_("%(f)s 应为数字") % {"f": label}) from None
    if not lo <= number <= hi or number != number:
        raise invalid(_("%(f)s 超出范围") % {"f": label})
    return number


# --- events and notifications --------------------------------------------------------------


def _event(case, action, user, role, from_state, *, note="", data=None, flagged=False):
    return CaseEvent.objects.create(
        case=case,
        action=action,
        actor=user if user is not None and user.is_authenticated else None,
        actor_role=role,
        from_state=from_state,
        to_state=case.state,
        note=note,
        data=data or {},
        public=action not in PRIVATE_ACTIONS,
        flagged=flagged,
    )


def _queue_shares_transaction(task) -> bool:
    """Whether the task queue is a table in this database (django_tasks_db)."""
    try:
        from django_tasks_db.backend import DatabaseBackend
    except ImportError:  # pragma: no cover - a dependency of the project
        return False
    return isinstance(task.get_backend(), DatabaseBackend)


def _after_commit(*events: CaseEvent) -> None:
    """Schedules who hears about these events, outside the request.

    With the database task queue the task is written in the action's own transaction: it
    commits with the events (an acknowledged action is never left unannounced) or rolls back
    with them (nothing is sent for what was undone). Any other queue gets the task right after
    the commit."""
    from .notify import announced
    from .tasks import announce_events

    pairs = [[event.case_id, event.pk] for event in events if announced(event.action)]
    if not pairs:
        return  # 签收, 评价…: nobody is told, so nothing is queued
    if _queue_shares_transaction(announce_events):
        announce_events.enqueue(pairs)
    else:
        transaction.on_commit(lambda: announce_events.enqueue(pairs))


# --- reporting -----------------------------------------------------------------------------


def create_case(
    user,
    *,
    description: str,
    lat=None,
    lng=None,
    address: str = "",
    category=None,
    attributes=None,
    contact_name: str = "",
    contact_phone: str = "",
    anonymous: bool = False,
    source: str = CaseSource.APP,
    source_detail: str = "",
    images=(),
    idempotency_scope: str = "",
    idempotency_key: str = "",
) -> tuple[Case, bool]:
    """反映问题: files a report (a resident for themself, or staff for a caller: 代办).

    Returns (case, created); with an idempotency key already used in this scope, the first
    case comes back with created=False and nothing new is written."""
    fields = {"description": description, "address": address}
    description = _text(fields, "description", required=True, max_length=2000, label=_("问题描述"))
    if len(description) < 4:
        raise invalid(_("请把问题描述得具体一些（至少 4 个字）"))
    address = _text(fields, "address", max_length=200, label=_("地址"))
    lat = _coordinate(lat, -90, 90, _("纬度"))
    lng = _coordinate(lng, -180, 180, _("经度"))
    if (lat is None) != (lng is None):
        raise invalid(_("纬度和经度须同时提供"))
    if lat is None and not address:
        raise invalid(_("请在地图上选择位置、使用定位或填写地址"))
    category = find_category(category) if not isinstance(category, Category) else category
    attributes = clean_attributes(category, attributes)
    contact = {"n": contact_name, "p": contact_phone, "d": source_detail}
    contact_name = _text(contact, "n", max_length=50, label=_("联系人"))
    contact_phone = _text(contact, "p", max_length=20, label=_("联系电话"))
    source_detail = _text(contact, "d", max_length=100, label=_("来源说明"))
    if contact_phone and not all(c.isdigit() or c in "+- " for c in contact_phone):
        raise invalid(_("联系电话格式不正确"))
    if source not in CaseSource.values:
        raise invalid(_("来源不正确"))
    signed_in = user is not None and user.is_authenticated
    staff = signed_in and is_staff_user(user)
    if not staff and source not in (CaseSource.APP, CaseSource.OPEN311):
        source = CaseSource.APP  # only staff file 代办 reports from calls and visits
    on_behalf = staff and source not in (CaseSource.APP, CaseSource.PATROL)
    if anonymous:
        contact_name = contact_phone = ""
    elif signed_in and not on_behalf and not (contact_name or contact_phone):
        profile = getattr(user, "profile", None)
        if profile is not None:
            contact_name, contact_phone = profile.real_name, profile.phone

    if idempotency_key:
        existing = Case.objects.filter(
            idempotency_scope=idempotency_scope, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing, False

    where = routing.route(lat, lng, address)
    stored: list[str] = []
    try:
        with transaction.atomic():
            now = timezone.now()
            case = Case(
                description=description,
                category=category,
                attributes=attributes,
                lat=lat,
                lng=lng,
                address=address,
                department=routing.suggest_department(category),
                source=source,
                source_detail=source_detail,
                reporter=user if signed_in and not on_behalf else None,
                filed_by=user if on_behalf else None,
                contact_name=contact_name,
                contact_phone=contact_phone,
                anonymous=bool(anonymous),
                idempotency_scope=idempotency_scope if idempotency_key else "",
                idempotency_key=idempotency_key,
                **where,
            )
            deadlines.start_step(case, wf.SUBMITTED, now, deadlines.clock())
            case.save()
            role = wf.REPORTER if case.reporter_id or not signed_in else _staff_role(user)
            event = _event(
                case,
                wf.CREATE,
                user,
                role,
                "",
                data={"source": source, "routed": bool(case.grid_id or case.community_id)},
            )
            photos.store(case, list(images), stored=stored)
            _after_commit(event)
    except IntegrityError:
        photos.discard(stored)
        if idempotency_key:
            existing = Case.objects.filter(
                idempotency_scope=idempotency_scope, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                return existing, False
        raise
    except BaseException:
        photos.discard(stored)
        raise
    return case, True


def _staff_role(user) -> str:
    from civicloop.core.permissions import roles_of

    roles = roles_of(user)
    for role in (wf.GRID, wf.COMMUNITY, wf.DISPATCHER, wf.DEPARTMENT):
        if role in roles:
            return role
    return next(iter(roles), wf.REPORTER)


# --- actions on a case ---------------------------------------------------------------------


def perform(case_id: int, user, action: str, fields: Mapping[str, Any] | None = None, images=()):
    """Takes `action` on the case as `user`; returns the case after the commit.

    Raises ActionRefused: 404 unknown action or case not visible, 403 out of role or scope,
    409 not allowed in the current state (nothing is written then), 422 bad fields."""
    fields = dict(fields or {})
    if action not in wf.USER_ACTIONS:
        raise ActionRefused(_("没有这个操作"), status=404, code="unknown_action")
    handler = HANDLERS[action]
    parsed = PARSERS.get(action, lambda f, u: {})(fields, user)
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = queries.case_by_id(case_id, for_update=True)
            if case is None or not perms.can_view(user, case):
                raise ActionRefused(_("找不到该问题"), status=404, code="not_found")
            if case.category_id:
                case.category = references.current().category_model(case.category_id)
            role = perms.check(user, action, case)
            ctx = Context(case, user, role, parsed, timezone.now(), deadlines.clock())
            before = dict(case.__dict__)
            event = handler(ctx)
            case.version += 1
            case.save(update_fields=_changed_fields(case, before))
            if images:
                if action not in (wf.REPLY, wf.RESOLVE_LOCALLY, wf.COMMENT, wf.VERIFY):
                    raise invalid(_("该操作不能上传照片"))
                photos.store(case, list(images), event=event, stored=stored)
            _after_commit(*ctx.extra_events, event)
    except BaseException:
        photos.discard(stored)
        raise
    return case


def _changed_fields(case: Case, before: dict) -> list[str]:
    """The columns an action changed (an UPDATE of those only: the row has some fifty), with
    updated_at and version always, and JSON fields always (they may change in place)."""
    changed = ["updated_at", "version"]
    for field in Case._meta.concrete_fields:
        name = field.attname
        if field.primary_key or name in changed:
            continue
        value = case.__dict__.get(name)
        if isinstance(value, (dict, list)) or value != before.get(name):
            changed.append(name)
    return changed


class Context:
    def __init__(self, case, user, role, fields, now, work):
        self.case, self.user, self.role, self.fields = case, user, role, fields
        self.now, self.work = now, work
        self.extra_events: list[CaseEvent] = []

    def move(self, action: str, *, note="", data=None, flagged=False) -> CaseEvent:
        """Applies the table's transition and writes its event."""
        case = self.case
        before = case.state
        after = wf.next_state(before, action)
        case.state = after
        if after != before:
            deadlines.start_step(case, after, self.now, self.work)
        return _event(
            case, action, self.user, self.role, before, note=note, data=data, flagged=flagged
        )


def _parse_note(fields, user):
    return {"note": _text(fields, "note", max_length=1000, label=_("说明"))}


def _parse_reason(label):
    def parse(fields, user):
        text = (
            fields.get("reason") if fields.get("reason") not in (None, "") else fields.get("note")
        )
        return {"note": _text({"v": text}, "v", required=True, max_length=1000, label=label)}

    return parse


def _parse_verify(fields, user):
    data = _parse_note(fields, user)
    data["category"] = find_category(fields.get("category"))
    grid_id = _int(fields, "grid", label=_("网格"))
    data["grid"] = None
    if grid_id is not None:
        data["grid"] = (
            Region.objects.filter(pk=grid_id, level=Region.Level.GRID)
            .select_related("community", "street")
            .first()
        )
        if data["grid"] is None:
            raise invalid(_("网格不存在"))
    return data


def _parse_merge(fields, user):
    into = _int(fields, "into", required=True, label=_("合并到的问题编号"))
    return {"into": into, "note": _text(fields, "note", max_length=1000)}


def _parse_dispatch(fields, user):
    department_id = _int(fields, "department", required=True, label=_("责任部门"))
    department = Department.objects.filter(pk=department_id, active=True).first()
    if department is None:
        raise invalid(_("责任部门不存在或已停用"))
    return {
        "department": department,
        "note": _text(fields, "note", max_length=1000),
        "deadline_hours": _int(fields, "deadline_hours", lo=1, hi=2000, label=_("办结时限")),
        "category": find_category(fields.get("category")),
    }


def _parse_reply(fields, user):
    text = fields.get("result") if fields.get("result") not in (None, "") else fields.get("note")
    return {"note": _text({"v": text}, "v", required=True, max_length=2000, label=_("办理结果"))}


def _parse_extension(fields, user):
    return {
        "hours": _int(fields, "hours", required=True, lo=1, hi=400, label=_("延期工作小时")),
        "note": _text(fields, "reason", required=True, max_length=500, label=_("延期理由")),
    }


def _parse_evaluate(fields, user):
    rating = fields.get("rating")
    if rating not in Rating.values:
        raise invalid(_("请选择满意、基本满意或不满意"))
    return {"rating": rating, "note": _text(fields, "comment", max_length=500, label=_("评价意见"))}


def _parse_comment(fields, user):
    text = fields.get("note") if fields.get("note") not in (None, "") else fields.get("comment")
    return {"note": _text({"v": text}, "v", required=True, max_length=1000, label=_("留言"))}


def _verify(ctx: Context):
    case, f = ctx.case, ctx.fields
    if f["category"] is not None:
        case.category = f["category"]
        suggested = routing.suggest_department(f["category"])
        if suggested is not None:
            case.department = suggested
    if f["grid"] is not None and wf.DISPATCHER in perms.case_roles(ctx.user, case):
        case.grid, case.community, case.street = f["grid"], f["grid"].community, f["grid"].street
    case.verified_at = ctx.now
    return ctx.move(wf.VERIFY, note=f["note"])


def _reject(ctx: Context):
    return ctx.move(wf.REJECT, note=ctx.fields["note"])


def _merge(ctx: Context):
    case = ctx.case
    into = ctx.fields["into"]
    if into == case.pk:
        raise invalid(_("不能合并到自己"))
    target = Case.objects.select_for_update().filter(pk=into).first()
    if target is None or not perms.can_view(ctx.user, target):
        raise invalid(_("要合并到的问题不存在"))
    if target.state in wf.FINAL_STATES:
        raise ActionRefused(_("不能合并到已合并或不予受理的问题"), status=409)
    case.merged_into = target
    event = ctx.move(wf.MERGE, note=ctx.fields["note"], data={"into": target.pk})
    target.duplicate_count += 1
    target.version += 1
    target.save(update_fields=["duplicate_count", "version", "updated_at"])
    ctx.extra_events.append(
        _event(
            target,
            DUPLICATE,
            ctx.user,
            ctx.role,
            target.state,
            note=_("同类反映 #%(n)d 并入") % {"n": case.pk},
            data={"duplicate": case.pk},
        )
    )
    return event


def _resolve_locally(ctx: Context):
    ctx.case.closed_at = ctx.now
    return ctx.move(wf.RESOLVE_LOCALLY, note=ctx.fields["note"])


def _dispatch(ctx: Context):
    case, f = ctx.case, ctx.fields
    if f["category"] is not None:
        case.category = f["category"]
    case.department = f["department"]
    case.handling_hours = f["deadline_hours"]
    case.dispatched_at = ctx.now
    case.signed_at = case.close_deadline = case.replied_at = case.replied_by = None
    case.extension_hours, case.extension_reason = None, ""
    event = ctx.move(
        wf.DISPATCH,
        note=f["note"],
        data={"department": f["department"].pk, "deadline_hours": f["deadline_hours"]},
    )
    case.sign_deadline = case.deadline
    return event


def _sign(ctx: Context):
    ctx.case.signed_at = ctx.now
    event = ctx.move(wf.SIGN, note=ctx.fields["note"])
    ctx.case.close_deadline = ctx.case.deadline
    return event


def _return(ctx: Context):
    case = ctx.case
    case.return_count += 1
    case.dispatched_at = case.sign_deadline = case.signed_at = case.close_deadline = None
    return ctx.move(wf.RETURN, note=ctx.fields["note"], data={"department": case.department_id})


def _reply(ctx: Context):
    ctx.case.replied_at = ctx.now
    ctx.case.replied_by = ctx.user
    return ctx.move(wf.REPLY, note=ctx.fields["note"])


def _request_extension(ctx: Context):
    ctx.case.extension_hours = ctx.fields["hours"]
    ctx.case.extension_reason = ctx.fields["note"]
    return ctx.move(
        wf.REQUEST_EXTENSION, note=ctx.fields["note"], data={"hours": ctx.fields["hours"]}
    )


def _grant_extension(ctx: Context):
    case = ctx.case
    hours = case.extension_hours or 0
    if case.state == wf.IN_PROGRESS and case.deadline is not None:
        start = max(case.deadline, ctx.now)
        case.deadline = ctx.work.add_working_hours(start, hours)
        case.close_deadline = case.deadline
        case.step_seq += 1  # the new deadline gets its own warnings
        case.deadline_state = deadlines.classify(case, ctx.now, ctx.work)
    elif case.close_deadline is not None:
        case.close_deadline = ctx.work.add_working_hours(case.close_deadline, hours)
    case.extension_hours, case.extension_reason = None, ""
    return ctx.move(wf.GRANT_EXTENSION, note=ctx.fields["note"], data={"hours": hours})


def _deny_extension(ctx: Context):
    hours = ctx.case.extension_hours
    ctx.case.extension_hours, ctx.case.extension_reason = None, ""
    return ctx.move(wf.DENY_EXTENSION, note=ctx.fields["note"], data={"hours": hours})


def _approve(ctx: Context):
    ctx.case.closed_at = ctx.now
    return ctx.move(wf.APPROVE, note=ctx.fields["note"])


def _rework(ctx: Context):
    case = ctx.case
    case.rework_count += 1
    case.replied_at = case.replied_by = None
    event = ctx.move(wf.REWORK, note=ctx.fields["note"])
    case.close_deadline = case.deadline
    return event


def _evaluate(ctx: Context):
    case, f = ctx.case, ctx.fields
    case.rating, case.rating_comment, case.evaluated_at = f["rating"], f["note"], ctx.now
    case.evaluated_by_default = bool(f.get("by_default"))
    data = {"rating": f["rating"], "by_default": case.evaluated_by_default}
    if ctx.role != wf.REPORTER and not case.evaluated_by_default:
        data["follow_up_call"] = True  # 回访: staff recorded what the resident said
    event = ctx.move(wf.EVALUATE, note=f["note"], data=data)
    if wf.evaluation_reopens(f["rating"]):
        case.reopen_count += 1
        case.rating, case.rating_comment, case.evaluated_at = "", "", None
        case.closed_at = case.dispatched_at = case.signed_at = case.replied_at = None
        case.sign_deadline = case.close_deadline = case.replied_by = None
        ctx.extra_events.append(
            ctx.move(wf.REOPEN, note=_("群众不满意，重新办理"), data={"rating": f["rating"]})
        )
    return event


def _comment(ctx: Context):
    return ctx.move(wf.COMMENT, note=ctx.fields["note"])


def _supervise(ctx: Context):
    note = ctx.fields["note"] or _("请抓紧办理")
    return ctx.move(wf.SUPERVISE, note=note, flagged=True)


HANDLERS = {
    wf.VERIFY: _verify,
    wf.REJECT: _reject,
    wf.MERGE: _merge,
    wf.RESOLVE_LOCALLY: _resolve_locally,
    wf.DISPATCH: _dispatch,
    wf.SIGN: _sign,
    wf.RETURN: _return,
    wf.REPLY: _reply,
    wf.REQUEST_EXTENSION: _request_extension,
    wf.GRANT_EXTENSION: _grant_extension,
    wf.DENY_EXTENSION: _deny_extension,
    wf.APPROVE: _approve,
    wf.REWORK: _rework,
    wf.EVALUATE: _evaluate,
    wf.COMMENT: _comment,
    wf.SUPERVISE: _supervise,
}
PARSERS = {
    wf.VERIFY: _parse_verify,
    wf.REJECT: _parse_reason(_("不予受理的理由")),
    wf.MERGE: _parse_merge,
    wf.RESOLVE_LOCALLY: _parse_reply,
    wf.DISPATCH: _parse_dispatch,
    wf.SIGN: _parse_note,
    wf.RETURN: _parse_reason(_("退单理由")),
    wf.REPLY: _parse_reply,
    wf.REQUEST_EXTENSION: _parse_extension,
    wf.GRANT_EXTENSION: _parse_note,
    wf.DENY_EXTENSION: _parse_note,
    wf.APPROVE: _parse_note,
    wf.REWORK: _parse_reason(_("返工理由")),
    wf.EVALUATE: _parse_evaluate,
    wf.COMMENT: _parse_comment,
    wf.SUPERVISE: _parse_note,
}


# --- background ----------------------------------------------------------------------------


def evaluate_by_default(case_id: int) -> bool:
    """默认满意: a closed case no one evaluated in time; returns whether this call recorded it."""
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None or case.state != wf.CLOSED or case.rating:
            return False
        now = timezone.now()
        ctx = Context(
            case,
            None,
            wf.SYSTEM,
            {"rating": Rating.SATISFIED, "note": _("超过评价期限，默认满意"), "by_default": True},
            now,
            deadlines.clock(),
        )
        event = _evaluate(ctx)
        case.version += 1
        case.save()
        _after_commit(*ctx.extra_events, event)
    return True


def evaluate_by_token(token: str, fields: Mapping[str, Any]) -> Case:
    """The holder of an anonymous report's follow link rates the result (no account needed)."""
    parsed = _parse_evaluate(fields, None)
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(token=token).first()
        if case is None:
            raise ActionRefused(_("找不到该问题"), status=404, code="not_found")
        if case.reporter_id is not None:
            raise ActionRefused(_("请登录反映时使用的账号进行评价"), status=403, code="forbidden")
        reason = wf.guard(perms.facts(case, None), wf.EVALUATE)
        if reason:
            raise ActionRefused(_(reason), status=409)
        ctx = Context(case, None, wf.REPORTER, parsed, timezone.now(), deadlines.clock())
        event = _evaluate(ctx)
        case.version += 1
        case.save()
        _after_commit(*ctx.extra_events, event)
    return case


# --- client applications -------------------------------------------------------------------


def comment_from_client(
    case_id: int,
    *,
    note: str,
    client: str,
    update_id: str,
    status: str = "",
    media_url: str = "",
    sent_at=None,
) -> CaseEvent:
    """留言 relayed by a client application (Open311 servicerequestupdates): a resident's
    follow-up on a report the client filed, recorded on the reporter's side (no account of
    ours stands behind it). Returns the comment event; the holder hears of it like any comment.

    The case's state never changes: what the client says of it (`status`, e.g. CLOSED) is kept
    in the event's data only. Raises ActionRefused: 404 no such case, 409 the case is not open
    (the transition table allows comments only there), 422 an empty or over-long note."""
    note = _text({"note": note}, "note", required=True, max_length=2000, label=_("留言"))
    if media_url:
        note += "\n" + _("图片链接：") + media_url
    data = {"via": "open311", "client": client, "update_id": update_id, "client_status": status}
    if sent_at is not None:
        data["client_datetime"] = sent_at.isoformat()
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
        if case is None:
            raise ActionRefused(_("找不到该问题"), status=404, code="not_found")
        if not wf.allowed(perms.facts(case, None), wf.COMMENT, {wf.REPORTER}):
            raise ActionRefused(
                _("问题当前状态（%(state)s）下不能留言") % {"state": case.get_state_display()},
                status=409,
            )
        event = _event(case, wf.COMMENT, None, wf.REPORTER, case.state, note=note, data=data)
        case.version += 1
        case.save(update_fields=["version", "updated_at"])
        _after_commit(event)
    return event
