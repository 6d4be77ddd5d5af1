"""How civicloop's categories, cases and case events look in GeoReport v2: services, service
definitions, service requests and (FixMyStreet's extension) service request updates.

Public answers carry no reporter data: never the contact name, phone or Open311 e-mail, the
reporter's own name and phone are masked wherever they were typed into a text, as is any phone
number or e-mail address; the address is masked the way the public follow page masks it."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo

from django.db import router
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.cases import workflow as wf
from civicloop.cases.actions import PUBLIC_NOTES
from civicloop.cases.models import Case, CaseEvent, CasePhoto, CaseState, Category, DeadlineUnit
from civicloop.core.compiled import Compiled
from civicloop.core.models import Department
from civicloop.lib.masking import mask_address, mask_name, mask_phone

from . import conf, w3c

# open/closed: a case is closed once nothing more will happen to it in the loop — 已办结,
# 不予受理 (with the reason as status_notes) and 已合并 (pointing to the original).
CLOSED_STATES = frozenset({wf.CLOSED, wf.REJECTED, wf.MERGED})
OPEN_STATES = frozenset(wf.OPEN_STATES)
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")

# FixMyStreet's update statuses (its client understands these beyond open/closed).
UPDATE_STATUS = {
    wf.VERIFY: "investigating",
    wf.RETURN: "investigating",
    wf.DISPATCH: "action_scheduled",
    wf.SIGN: "in_progress",
    wf.REPLY: "in_progress",
    wf.REWORK: "in_progress",
    wf.APPROVE: "fixed",
    wf.RESOLVE_LOCALLY: "fixed",
    wf.REJECT: "no_further_action",
    wf.MERGE: "duplicate",
    wf.REOPEN: "open",
}
# What an update says when its event carries no public note.
UPDATE_TEXT = {
    wf.VERIFY: "问题已核实，等待派遣",
    wf.RETURN: "责任部门申请退回，指挥中心将重新派遣",
    wf.DISPATCH: "已派遣至{department}办理",
    wf.SIGN: "责任部门已签收，正在办理",
    wf.REPLY: "责任部门已回复办理结果，等待核查",
    wf.REWORK: "核查未通过，责任部门重新办理",
    wf.APPROVE: "核查通过，问题已办结",
    wf.RESOLVE_LOCALLY: "问题已就地解决",
    wf.REJECT: "不予受理",
    wf.MERGE: "与问题 {into} 合并办理",
    wf.REOPEN: "群众评价不满意，重新办理",
}
RESULT_ACTIONS = (wf.REPLY, wf.RESOLVE_LOCALLY)
# The states whose status_notes quote an event's note (see `status_notes`).
NOTED_STATES = frozenset({wf.CLOSED, wf.REJECTED, wf.MERGED, wf.REPLIED})
NOTE_ACTIONS = (wf.REPLY, wf.RESOLVE_LOCALLY, wf.APPROVE, wf.REJECT, wf.MERGE)

_PHONE = re.compile(r"(?<![\d])(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?![\d])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def status_of(state: str) -> str:
    return "closed" if state in CLOSED_STATES else "open"


def states_for(statuses: Iterable[str]) -> set[str]:
    result: set[str] = set()
    for status in statuses:
        result |= set(CLOSED_STATES) if status == "closed" else set(OPEN_STATES)
    return result


def public_cases():
    """Every case is a public service request (what is private is left out field by field)."""
    return Case.objects.all()


def scrub(text: str | None, case: Case | None = None) -> str:
    """A text without phone numbers, e-mail addresses and the reporter's own name."""
    if not text:
        return ""
    text = _PHONE.sub(lambda m: mask_phone(m.group(0)), text)
    text = _EMAIL.sub("***@***", text)
    if case is not None:
        name = (case.contact_name or "").strip()
        if len(name) >= 2:
            text = text.replace(name, mask_name(name))
        phone = (case.contact_phone or "").strip()
        if len(phone) >= 5:
            text = text.replace(phone, mask_phone(phone))
    return text


# --- services ------------------------------------------------------------------------------


def services_queryset():
    """Services are the active 小类 under an active 大类 (the 大类 is the service's group)."""
    return Category.objects.filter(
        active=True, parent__isnull=False, parent__active=True
    ).select_related("parent", "department", "parent__department")


def find_service(code: str) -> Category | None:
    return services_queryset().filter(code=code).first() if code else None


def attribute_specs(category: Category) -> list[dict]:
    """The category's attribute configuration, cleaned and in presentation order."""
    specs = []
    for index, raw in enumerate(category.attributes or []):
        if not isinstance(raw, dict) or not raw.get("code"):
            continue
        datatype = raw.get("datatype") if raw.get("datatype") in DATATYPES else "string"
        order = raw.get("order")
        values = []
        if datatype in ("singlevaluelist", "multivaluelist"):
            values = [
                {"key": str(v.get("key")), "name": str(v.get("name") or v.get("key"))}
                for v in raw.get("values") or []
                if isinstance(v, dict) and v.get("key") not in (None, "")
            ]
        specs.append(
            {
                "variable": raw.get("variable", True) is not False,
                "code": str(raw["code"]),
                "datatype": datatype,
                "required": bool(raw.get("required")),
                "datatype_description": raw.get("datatype_description") or None,
                "order": order if isinstance(order, int) and order > 0 else index + 1,
                "description": raw.get("description") or str(raw["code"]),
                "values": values,
            }
        )
    specs.sort(key=lambda s: (s["order"], s["code"]))
    return specs


def service_notice(category: Category | None) -> str | None:
    if category is None:
        return None
    return _notice(category.close_limit, category.close_unit)


def _notice(close_limit: int, close_unit: str) -> str:
    unit = _("个工作日") if close_unit == DeadlineUnit.DAYS else _("个工作小时")
    return _("本类问题派遣至责任部门后一般在 %(n)d %(unit)s内办结") % {
        "n": close_limit,
        "unit": unit,
    }


def service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": any(s["variable"] for s in attribute_specs(category)),
        "type": conf.service_type(),
        "keywords": ", ".join(category.keyword_list) or None,
        "group": category.parent.name if category.parent_id else None,
    }


def service_definition(category: Category) -> dict:
    return {"service_code": category.code, "attributes": attribute_specs(category)}


# --- service requests ----------------------------------------------------------------------


def media_url(photo_id: int) -> str:
    return conf.site_url() + reverse("open311:media", args=[photo_id])


def _first_photo():
    """The id of a case's first report photo, read in the case query itself (one index probe
    per row, no round trip of its own)."""
    photos = CasePhoto.objects.filter(case_id=OuterRef("pk"), event__isnull=True)
    return Subquery(photos.order_by("id").values("id")[:1])


def _latest_notes(case_ids: list[int]) -> dict[int, dict[str, CaseEvent]]:
    """case id → {action: its latest public event} for the actions whose notes are public."""
    latest: dict[int, dict[str, CaseEvent]] = {}
    events = (
        CaseEvent.objects.filter(case_id__in=case_ids, action__in=NOTE_ACTIONS, public=True)
        .only("id", "case_id", "action", "note", "at", "data")
        .order_by("at", "id")
    )
    for event in events:
        latest.setdefault(event.case_id, {})[event.action] = event
    return latest


def status_notes(
    case: Case | RequestRow, notes: dict[str, CaseEvent], label: str | None = None
) -> str | None:
    """`label`: the state's name when the caller has it already."""
    label = label or str(CaseState(case.state).label)
    if case.state == wf.CLOSED:
        results = [notes[a] for a in RESULT_ACTIONS if a in notes]
        if results:
            return scrub(max(results, key=lambda e: (e.at, e.id)).note, case) or label
        approve = notes.get(wf.APPROVE)
        return scrub(approve.note, case) if approve and approve.note else label
    if case.state == wf.REJECTED:
        reject = notes.get(wf.REJECT)
        reason = scrub(reject.note, case) if reject else ""
        return _("不予受理：%(why)s") % {"why": reason} if reason else label
    if case.state == wf.MERGED:
        text = _("与问题 %(id)s 合并办理") % {"id": case.merged_into_id}
        merge = notes.get(wf.MERGE)
        if merge and merge.note:
            text += "：" + scrub(merge.note, case)
        return text
    if case.state == wf.REPLIED and wf.REPLY in notes:
        return _("%(label)s（部门回复：%(note)s）") % {
            "label": label,
            "note": scrub(notes[wf.REPLY].note, case),
        }
    return label


def _coordinate(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)


# What a GeoReport v2 request is made of, read as plain values (a case row is wide, and model
# instances for a page of cases with their Open311 record cost more than the query itself).
# Category and department come from the process's `directory`, not from joins.
REQUEST_FIELDS = (
    "id",
    "description",
    "category_id",
    "lat",
    "lng",
    "address",
    "department_id",
    "state",
    "contact_name",
    "contact_phone",
    "dispatched_at",
    "close_deadline",
    "deadline",
    "closed_at",
    "merged_into_id",
    "created_at",
    "updated_at",
    "open311__full_description",
    "open311__address_id",
    "open311__media_url",
)


class RequestRow:
    """One case as `requests_queryset` reads it: the attributes `scrub` and `status_notes` use,
    under the names a Case has, plus the few related values a request shows."""

    __slots__ = (*(f for f in REQUEST_FIELDS if f != "id"), "pk", "first_photo_id")

    def __init__(self, values: dict):
        self.pk = values.pop("id")
        for name, value in values.items():
            setattr(self, name, value)


def _first_photo():
    """The id of a case's first report photo, read in the case query itself (one index probe
    per row, no round trip of its own)."""
    photos = CasePhoto.objects.filter(case_id=OuterRef("pk"), event__isnull=True)
    return Subquery(photos.order_by("id").values("id")[:1])


def requests_queryset(qs=None):
    """Cases as values for `service_requests` (filter, order and slice it as any queryset)."""
    if qs is None:
        return _all_requests().all()
    return qs.annotate(first_photo_id=_first_photo()).values(*REQUEST_FIELDS, "first_photo_id")


def _period_page(bounds, start, end, categories=None, states=None):
    qs = requests_queryset().filter(created_at__gte=start, created_at__lte=end)
    if categories is not None:
        qs = qs.filter(category_id__in=categories)
    if states is not None:
        qs = qs.filter(state__in=states)
    return qs.order_by("-created_at", "-id")[bounds[0] : bounds[1]]


_PERIOD_PAGE = Compiled(
    _period_page,
    {
        "start": Case._meta.get_field("created_at"),
        "end": Case._meta.get_field("created_at"),
        "categories": Case._meta.get_field("category").target_field,
        "states": Case._meta.get_field("state"),
    },
)
REQUEST_COLUMNS = (*REQUEST_FIELDS, "first_photo_id")


def period_page(start, end, bounds: slice, categories=None, states=None) -> list[dict]:
    """requests_queryset() created in start..end (and of these category ids, in these states),
    newest first, one page: the rows its values() gives, from SQL compiled once per shape (the
    list of requests is asked for all day with new values)."""
    if (categories is not None and not categories) or (states is not None and not states):
        return []  # as the ORM answers an empty IN (), without asking the database
    arguments = {"start": start, "end": end}
    if categories is not None:
        arguments["categories"] = sorted(set(categories))
    if states is not None:
        arguments["states"] = sorted(set(states))
    rows = _PERIOD_PAGE.rows(router.db_for_read(Case), (bounds.start, bounds.stop), **arguments)
    return [dict(zip(REQUEST_COLUMNS, row, strict=True)) for row in rows]


@functools.cache
def _all_requests():
    """Built once per process and only ever cloned (filter, order_by… copy it; it is never
    evaluated): building this queryset costs more than a list request's query itself."""
    return requests_queryset(public_cases())


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    code: str
    name: str
    close_limit: int
    close_unit: str


class Directory:
    """Categories (by id and by service code) and department names as requests show them, read
    whole (two small tables) and kept per process for a while: a page of requests then needs no
    join for them, and a service_code filter becomes category ids, with which the database plans
    from the category's own statistics (a rare category is read off its index instead of
    walking every case of the period). A save or delete in this process forgets it at once
    (signals); another process's change shows within TTL seconds, or at once for an id or code
    this process has not seen."""

    TTL = 60.0
    RELOAD_AT_MOST_EVERY = 1.0  # an unknown code or id reloads, but not on every request

    def __init__(self) -> None:
        self.loaded_at = -1e9
        self.categories: dict[int, ServiceInfo] = {}
        self.by_code: dict[str, int] = {}
        self.departments: dict[int, str] = {}

    def forget(self) -> None:
        self.loaded_at = -1e9

    def _load(self) -> None:
        rows = Category.objects.order_by().values_list(
            "id", "code", "name", "close_limit", "close_unit"
        )
        self.categories = {row[0]: ServiceInfo(*row[1:]) for row in rows}
        self.by_code = {info.code: pk for pk, info in self.categories.items()}
        self.departments = dict(Department.objects.order_by().values_list("id", "name"))
        self.loaded_at = time.monotonic()

    def fresh(self, wanted_categories=(), wanted_codes=(), wanted_departments=()) -> Directory:
        """Itself, reloaded if it is old or lacks one of the wanted ids or codes."""
        age = time.monotonic() - self.loaded_at
        lacking = (
            any(c not in self.categories for c in wanted_categories)
            or any(c not in self.by_code for c in wanted_codes)
            or any(d not in self.departments for d in wanted_departments)
        )
        if age > self.TTL or (lacking and age > self.RELOAD_AT_MOST_EVERY):
            self._load()
        return self


directory = Directory()


def category_ids(codes: Iterable[str]) -> list[int]:
    """The ids of the categories with these service codes (unknown codes match nothing)."""
    codes = list(dict.fromkeys(codes))
    known = directory.fresh(wanted_codes=codes).by_code
    return [known[c] for c in codes if c in known]


def forget_directory(**kwargs) -> None:
    """Connected to category and department saves and deletes."""
    directory.forget()


def service_requests(rows: Iterable[dict]) -> list[dict]:
    """The rows of `requests_queryset` as GeoReport v2 requests: at most one more query for any
    number of them, for the notes of the cases whose status_notes quote one."""
    cases = [RequestRow(r) for r in rows]
    noted = [c.pk for c in cases if c.state in NOTED_STATES]
    notes = _latest_notes(noted) if noted else {}
    known = directory.fresh(
        wanted_categories={c.category_id for c in cases if c.category_id is not None},
        wanted_departments={c.department_id for c in cases if c.department_id is not None},
    )
    notices: dict[tuple, str] = {}
    page = _Page(
        media_base=media_url(0)[:-1],  # ".../open311/v2/media/", the id appended per row
        zone=timezone.get_current_timezone(),
        labels={state: str(label) for state, label in CaseState.choices},
        decimals=conf.coordinate_decimals(),
    )
    answer = []
    for case in cases:
        service = known.categories.get(case.category_id)
        notice = None
        if service is not None:
            unit = (service.close_limit, service.close_unit)
            if unit not in notices:
                notices[unit] = _notice(*unit)
            notice = notices[unit]
        department = known.departments.get(case.department_id) if case.dispatched_at else None
        answer.append(
            service_request(case, notes.get(case.pk, {}), service, notice, department, page)
        )
    return answer


@dataclass(frozen=True, slots=True)
class _Page:
    """What every row of one answer shares (looked up once, not per row)."""

    media_base: str
    zone: tzinfo
    labels: dict[str, str]
    decimals: int  # of public coordinates


def service_request(
    case: RequestRow,
    notes: dict[str, CaseEvent],
    service: ServiceInfo | None,
    notice: str | None,
    department: str | None,
    page: _Page,
) -> dict:
    closed = case.state in CLOSED_STATES
    updated = case.closed_at if case.state == wf.CLOSED and case.closed_at else case.updated_at
    expected = None if closed else (case.close_deadline or case.deadline)
    photo = case.first_photo_id
    media = f"{page.media_base}{photo}" if photo else case.open311__media_url
    return {
        "service_request_id": case.pk,
        "status": "closed" if closed else "open",
        "status_notes": status_notes(case, notes, page.labels.get(case.state)),
        "service_name": service.name if service else None,
        "service_code": service.code if service else None,
        "description": scrub(case.open311__full_description or case.description, case),
        "agency_responsible": department,
        "service_notice": notice,
        "requested_datetime": w3c.stamp(case.created_at, page.zone),
        "updated_datetime": w3c.stamp(updated, page.zone),
        "expected_datetime": w3c.stamp(expected, page.zone),
        "address": mask_address(case.address) or None,
        "address_id": case.open311__address_id or None,
        "zipcode": None,
        "lat": _coordinate(case.lat, page.decimals),
        "long": _coordinate(case.lng, page.decimals),
        "media_url": media or None,
    }


# --- updates (FixMyStreet's servicerequestupdates) ----------------------------------------


def updates_queryset():
    """Status changes of public cases, oldest first (a poller follows them in order)."""
    return (
        CaseEvent.objects.filter(public=True, action__in=list(UPDATE_STATUS))
        .select_related("case")
        .order_by("at", "id")
    )


def _event_photos(event_ids: list[int]) -> dict[int, int]:
    first: dict[int, int] = {}
    rows = (
        CasePhoto.objects.filter(event_id__in=event_ids)
        .order_by("event_id", "id")
        .values_list("event_id", "id")
    )
    for event_id, photo_id in rows:
        first.setdefault(event_id, photo_id)
    return first


def updates(events: list[CaseEvent]) -> list[dict]:
    photos = _event_photos([e.pk for e in events if e.action in PUBLIC_NOTES])
    department_ids = {
        e.data.get("department") for e in events if e.action == wf.DISPATCH and e.data
    }
    departments = Department.objects.in_bulk([d for d in department_ids if isinstance(d, int)])
    rows = []
    for event in events:
        case = event.case
        note = scrub(event.note, case) if event.action in PUBLIC_NOTES else ""
        department = departments.get((event.data or {}).get("department"))
        standard = _(UPDATE_TEXT[event.action]).format(
            department=department.name if department else _("责任部门"),
            into=(event.data or {}).get("into", ""),
        )
        if event.action in (wf.REPLY, wf.RESOLVE_LOCALLY, wf.REJECT) and note:
            description = note
        elif note:
            description = f"{standard}：{note}"
        else:
            description = standard
        photo = photos.get(event.pk)
        rows.append(
            {
                "update_id": event.pk,
                "service_request_id": event.case_id,
                "status": UPDATE_STATUS[event.action],
                "updated_datetime": w3c.stamp(event.at),
                "description": description,
                "media_url": media_url(photo) if photo else "",
            }
        )
    return rows


def public_photo(photo_id: int) -> CasePhoto | None:
    """A photo shown through Open311: a report photo, or one attached to a public result."""
    photo = CasePhoto.objects.select_related("event").filter(pk=photo_id).first()
    if photo is None or not public_cases().filter(pk=photo.case_id).exists():
        return None
    if photo.event_id is not None and (
        photo.event.action not in PUBLIC_NOTES or not photo.event.public
    ):
        return None
    return photo
