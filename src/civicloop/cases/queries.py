"""Filters and work queues over the cases a viewer may see (shared by the API and the pages)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, datetime, time, timedelta

from django.db import router
from django.db.models import Exists, Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicloop.core import compiled as compiled_sql
from civicloop.core import permissions as scope
from civicloop.core.compiled import Compiled
from civicloop.core.errors import ActionRefused
from civicloop.core.models import Role

from . import permissions as perms
from . import workflow as wf
from .models import Case, CaseEvent, CasePhoto, DeadlineState

OVERDUE = Q(deadline_state=DeadlineState.OVERDUE)
DUE_SOON = Q(deadline_state=DeadlineState.DUE_SOON)


def overdue_q(now=None) -> Q:
    """Past its deadline now, whether or not the sweep has flagged it yet."""
    return Q(state__in=wf.OPEN_STATES) & (OVERDUE | Q(deadline__lt=now or timezone.now()))


def due_soon_q(now=None) -> Q:
    return Q(state__in=wf.OPEN_STATES, deadline__gte=now or timezone.now()) & DUE_SOON


# (tab key, label, filter, roles that see the tab)
TABS = [
    ("verify", _("待核实"), Q(state=wf.SUBMITTED), {Role.GRID_WORKER, Role.COMMUNITY_STAFF}),
    (
        "verify_district",
        _("兜底待核实"),
        Q(state=wf.SUBMITTED, grid__isnull=True, community__isnull=True),
        {Role.DISPATCHER},
    ),
    ("dispatch", _("待派遣"), Q(state=wf.VERIFIED), {Role.DISPATCHER}),
    ("check", _("待核查"), Q(state=wf.REPLIED), {Role.DISPATCHER}),
    (
        "due_soon",
        _("即将超期"),
        Q(state__in=wf.OPEN_STATES) & DUE_SOON,
        {Role.DISPATCHER, Role.LEADER},
    ),
    ("overdue", _("已超期"), Q(state__in=wf.OPEN_STATES) & OVERDUE, {Role.DISPATCHER, Role.LEADER}),
    (
        "requests",
        _("延期/退单待处理"),
        Q(extension_hours__isnull=False) | Q(state=wf.VERIFIED, return_count__gt=0),
        {Role.DISPATCHER},
    ),
    ("sign", _("待签收"), Q(state=wf.DISPATCHED), {Role.DEPARTMENT_STAFF}),
    ("handling", _("办理中"), Q(state=wf.IN_PROGRESS), {Role.DEPARTMENT_STAFF}),
    (
        "open",
        _("办理中全部"),
        Q(state__in=wf.OPEN_STATES),
        {Role.LEADER, Role.ADMIN, Role.COMMUNITY_STAFF, Role.GRID_WORKER},
    ),
    ("all", _("全部"), Q(), None),
]


def tabs_for(user) -> list[tuple[str, str, Q]]:
    roles = scope.roles_of(user)
    now = timezone.now()
    return [
        (key, label, q(now) if callable(q) else q)
        for key, label, q, who in TABS
        if who is None or roles & who
    ]


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ActionRefused(f"{name} 应为 YYYY-MM-DD 日期", status=422, code="invalid") from None


def _id(value, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ActionRefused(f"{name} 应为整数编号", status=422, code="invalid") from None
    if number < 1:
        raise ActionRefused(f"{name} 应为正整数", status=422, code="invalid")
    return number


def filtered(user, params) -> tuple:
    """The visible cases matching `params` (a dict-like of query parameters)."""
    qs = perms.visible_to(user).select_related(
        "category__parent", "department", "grid", "community", "street"
    )
    state = params.get("state")
    if state:
        states = [s for s in str(state).split(",") if s]
        if not set(states) <= set(wf.STATES):
            raise ActionRefused("state 取值不正确", status=422, code="invalid")
        qs = qs.filter(state__in=states)
    category = params.get("category")
    if category:
        if str(category).isdigit():
            qs = qs.filter(Q(category_id=int(category)) | Q(category__parent_id=int(category)))
        else:
            qs = qs.filter(Q(category__code=category) | Q(category__parent__code=category))
    for field in ("department", "community", "grid", "street"):
        value = _id(params.get(field), field)
        if value is not None:
            qs = qs.filter(**{f"{field}_id": value})
    overdue = params.get("overdue")
    if overdue in ("1", "true", "True", True):
        qs = qs.filter(overdue_q())
    elif overdue in ("due_soon",):
        qs = qs.filter(due_soon_q())
    start = _date(params.get("created_from"), "created_from")
    end = _date(params.get("created_to"), "created_to")
    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(created_at__gte=datetime.combine(start, time(), tz))
    if end:
        qs = qs.filter(created_at__lt=datetime.combine(end + timedelta(days=1), time(), tz))
    text = (params.get("q") or "").strip()[:100]
    if text:
        term = Q()
        for word in text.split():
            term &= Q(description__icontains=word) | Q(address__icontains=word)
            if word.upper().startswith("SSP") and word[3:].isdigit():
                term = Q(pk=int(word[3:])) | term
        qs = qs.filter(term)
    return qs


def page_bounds(page, page_size) -> tuple[int, int]:
    page = _id(page, "page") or 1
    page_size = _id(page_size, "page_size") or 20
    if page_size > 100:
        raise ActionRefused("page_size 最大 100", status=422, code="invalid")
    return page, page_size


def page_of(qs, fields: tuple[str, ...], start: int, stop: int) -> tuple[int, list[Case]]:
    """How many cases `qs` holds, and qs[start:stop] as cases holding only `fields` (attribute
    names), in one statement: the count rides along as an uncorrelated subquery, which the
    database runs once (a round trip less per list, as many as the page's own on a busy
    server). A page past the end asks for the count by itself.
    The cases are light_case()s."""
    return _page(qs.db, _compile_page(qs, fields, start, stop), fields, start, qs.count)


def _compile_page(qs, fields, start: int, stop: int) -> tuple:
    count = qs.order_by().values(n=Func(Value(1), function="COUNT", output_field=IntegerField()))
    page = qs.annotate(_count=Subquery(count, output_field=IntegerField())).values_list(
        *fields, "_count"
    )[start:stop]
    return compiled_sql.compile_values(page, qs.db)


def _page(db: str, compiled, fields, start: int, count) -> tuple[int, list[Case]]:
    rows = compiled_sql.run(db, *compiled)
    if not rows:
        return (count() if start else 0), []  # an empty first page: there are none at all
    return rows[0][-1], [light_case(fields, row[:-1], db) for row in rows]


# A viewer's pages, compiled: (db, user id, superuser, role snapshot, parameters, fields,
# bounds, time zone) -> (sql, params, converters). Building and compiling the scoped, filtered
# query with its count took longer than running it; a member of staff asks for the same queue
# again and again. Everything the SQL depends on is in the key (the visible cases follow only
# from the user's role assignments, whose snapshot token changes with any of them), so an
# entry is only ever reused for the same user asking the same thing under the same scope.
# Filters relative to now (overdue) are compiled afresh each time.
_PAGES_KEPT = 2000
_pages: OrderedDict = OrderedDict()
_pages_lock = threading.Lock()


def visible_page(
    user, params: dict, fields: tuple[str, ...], start: int, stop: int
) -> tuple[int, list[Case]]:
    """page_of(filtered(user, params)), compiled once per user and question (see _pages)."""
    db, key = router.db_for_read(Case), None
    if user is not None and user.is_authenticated and "overdue" not in params:
        key = (
            db,
            user.pk,
            user.is_superuser,
            scope.roles_token(),
            tuple(sorted((str(k), str(v)) for k, v in params.items())),
            fields,
            start,
            stop,
            timezone.get_current_timezone_name(),
        )
        with _pages_lock:
            compiled = _pages.get(key)
            if compiled is not None:
                _pages.move_to_end(key)
        if compiled is not None:
            return _page(db, compiled, fields, start, lambda: filtered(user, params).count())
    qs = filtered(user, params).select_related(None).using(db)
    compiled = _compile_page(qs, fields, start, stop)
    if key is not None:
        with _pages_lock:
            _pages[key] = compiled
            while len(_pages) > _PAGES_KEPT:
                _pages.popitem(last=False)
    return _page(db, compiled, fields, start, qs.count)


def light_case(fields, values, db: str) -> Case:
    """A case from one row of values, without Model.__init__ (a third of a 50-row list's
    time): it holds `fields` (attribute names); any other field loads on access, as with
    only()."""
    case = Case.__new__(Case)
    case.__dict__.update(zip(fields, values, strict=True))
    state = case._state = ModelState()
    state.adding, state.db = False, db
    return case


CASE_COLUMNS = tuple(field.attname for field in Case._meta.concrete_fields)


def _case_row(for_update: bool):
    def build(_shape, pk):
        photos = CasePhoto.objects.filter(case_id=OuterRef("pk"))
        qs = Case.objects.filter(pk=pk).annotate(has_photos=Exists(photos)).order_by()
        if for_update:
            qs = qs.select_for_update(of=("self",))
        return qs.values_list(*CASE_COLUMNS, "has_photos")

    return Compiled(build, {"pk": Case._meta.pk})


_CASE = {False: _case_row(False), True: _case_row(True)}


def case_by_id(pk: int, *, for_update: bool = False) -> Case | None:
    """One case with every column, by id; `for_update` locks its row until the transaction
    ends. `case.has_photos` comes with it, so that a case's answer skips the photo query when
    there are none (photos.store sets it when it adds one)."""
    pk = int(pk)
    if not 0 < pk < 2**63:
        return None  # no such id: as the ORM's lookups, never an overflow from the database
    db = router.db_for_write(Case) if for_update else router.db_for_read(Case)
    rows = _CASE[for_update].rows(db, pk=pk)
    if not rows:
        return None
    *columns, has_photos = rows[0]
    case = light_case(CASE_COLUMNS, columns, db)
    case.has_photos = has_photos
    return case


EVENT_FIELDS = (
    "id",
    "action",
    "from_state",
    "to_state",
    "actor_id",
    "actor_role",
    "at",
    "note",
    "flagged",
    "data",
    "actor__username",
    "actor__profile__real_name",
)
_EVENTS = Compiled(
    lambda _shape, pk: (
        CaseEvent.objects.filter(case_id=pk).order_by("at", "id").values_list(*EVENT_FIELDS)
    ),
    {"pk": Case._meta.pk},
)


def events_of(case_id: int) -> list[dict]:
    """A case's history, oldest first, as dicts of EVENT_FIELDS."""
    db = router.db_for_read(CaseEvent)
    return [dict(zip(EVENT_FIELDS, row, strict=True)) for row in _EVENTS.rows(db, pk=case_id)]
