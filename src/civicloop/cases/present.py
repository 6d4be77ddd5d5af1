"""How a case looks to one viewer (API and pages share this): what is masked, what is shown."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from civicloop.core.models import PersonalDataAccess
from civicloop.lib.masking import mask_address, mask_name, mask_phone

from . import deadlines, queries
from . import permissions as perms
from . import workflow as wf
from .models import Case, CasePhoto, CaseSource, CaseState, DeadlineState

# The case columns a summary reads (with `refs`, lists load only these: see summary()).
SUMMARY_FIELDS = (
    "id",
    "state",
    "description",
    "category_id",
    "department_id",
    "grid_id",
    "community_id",
    "street_id",
    "address",
    "lat",
    "lng",
    "source",
    "deadline",
    "deadline_state",
    "duplicate_count",
    "reopen_count",
    "rework_count",
    "rating",
    "evaluated_by_default",
    "created_at",
    "updated_at",
    "token",
    # for the viewer's roles on the case (permissions.case_roles)
    "reporter_id",
    "dispatched_at",
)

ROLE_LABELS = {
    wf.GRID: "网格员",
    wf.COMMUNITY: "社区",
    wf.DISPATCHER: "指挥中心",
    wf.DEPARTMENT: "部门",
    wf.REPORTER: "反映人",
    wf.SYSTEM: "系统",
}


def action_label(action: str, language: str | None = None) -> str:
    if action == "duplicate":
        return _text(gettext_noop("同类反映并入"), language)
    return _text(wf.ACTION_LABELS.get(action, action), language)


_TEXTS: dict[tuple[str, str], str] = {}


def _text(message: str, language: str | None = None) -> str:
    """gettext(message) in the active language, remembered per language: a case's history asks
    for the same few labels on every row (a tenth of an action's answer)."""
    key = (message, language or get_language())
    found = _TEXTS.get(key)
    if found is None:
        found = _TEXTS[key] = _(message)
    return found


_LABELS: dict[tuple, str] = {}


def _label(choices, value: str, language: str | None = None) -> str:
    """A choice's label in the active language (remembered: lists ask for the same few)."""
    key = (choices, value, language or get_language())
    found = _LABELS.get(key)
    if found is None:
        found = str(choices(value).label) if value in choices.values else value
        _LABELS[key] = found
    return found


def state_label(state: str) -> str:
    return _label(CaseState, state)


def _ref(obj, name_attr: str = "name") -> dict | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": getattr(obj, name_attr)}


def category_ref(category) -> dict | None:
    if category is None:
        return None
    return {
        "id": category.pk,
        "code": category.code,
        "name": category.name,
        "parent": category.parent.name if category.parent_id else None,
    }


def summaries(cases, viewer, *, refs) -> list[dict]:
    """`summary` of many cases for one viewer, with the time, the working clock and the
    language worked out once for the page."""
    now, work, language = timezone.now(), deadlines.clock(), get_language()
    return [
        summary(case, viewer, now=now, work=work, refs=refs, language=language) for case in cases
    ]


def summary(
    case: Case,
    viewer,
    *,
    now=None,
    work=None,
    full: bool | None = None,
    refs=None,
    language: str | None = None,
) -> dict:
    """The case as a list shows it. With `refs` (references.current()) the category, department
    and regions are named from the reference snapshot by id, so the case may be loaded with
    only SUMMARY_FIELDS and no joins; without, from the case's related objects."""
    now = now or timezone.now()
    language = language or get_language()
    full = perms.sees_contact(viewer, case) if full is None else full
    left = deadlines.time_left_seconds(case, now, work)
    if refs is not None:
        category = refs.category(case.category_id)
        department = refs.department(case.department_id)
        grid, community = refs.region(case.grid_id), refs.region(case.community_id)
        street = refs.region(case.street_id)
    else:
        category, department = category_ref(case.category), _ref(case.department)
        grid, community, street = _ref(case.grid), _ref(case.community), _ref(case.street)
    return {
        "id": case.pk,
        "number": case.number,
        "state": case.state,
        "state_label": _label(CaseState, case.state, language),
        "description": case.description,
        "category": category,
        "department": department,
        "grid": grid,
        "community": community,
        "street": street,
        "address": case.address if full else mask_address(case.address),
        "lat": case.lat,
        "lng": case.lng,
        "source": case.source,
        "source_label": _label(CaseSource, case.source, language),
        "deadline": case.deadline,
        # Past the deadline is overdue even before the sweep has flagged it.
        "deadline_state": DeadlineState.OVERDUE
        if case.deadline and case.deadline < now and case.is_open
        else case.deadline_state,
        "time_left_seconds": left,
        "duplicate_count": case.duplicate_count,
        "reopen_count": case.reopen_count,
        "rework_count": case.rework_count,
        "rating": case.rating or None,
        "evaluated_by_default": case.evaluated_by_default,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "token": case.token,
    }


def actor_name(event: dict, full: bool) -> str:
    """Who acted, from an event row of `events`: a reporter's name masked unless `full`."""
    if event["actor_id"] is None:
        return _("系统") if event["actor_role"] == wf.SYSTEM else _("群众")
    real = event["actor__profile__real_name"] or ""
    if event["actor_role"] == wf.REPORTER:
        return (real if full else mask_name(real)) or _("群众")
    return real or event["actor__username"]


# A case's history and photos are read as plain values: model instances of each event with its
# actor and the actor's profile took a third of a case's answer.
PHOTO_FIELDS = ("id", "width", "height", "event_id")


def photos_by_event(case: Case) -> dict[int | None, list[dict]]:
    """The case's photos in one query, by the event they belong to (None: the report's own);
    none and no query when the case was read knowing it has none (queries.case_by_id)."""
    found: dict[int | None, list] = {}
    if not getattr(case, "has_photos", True):
        return found
    for photo in CasePhoto.objects.filter(case_id=case.pk).values(*PHOTO_FIELDS):
        found.setdefault(photo["event_id"], []).append(photo)
    return found


def events(case: Case, viewer, *, full: bool, photos: dict | None = None) -> list[dict]:
    photos = photos_by_event(case) if photos is None else photos
    language = get_language()
    rows = []
    for e in queries.events_of(case.pk):
        rows.append(
            {
                "id": e["id"],
                "action": e["action"],
                "action_label": action_label(e["action"], language),
                "from_state": e["from_state"],
                "to_state": e["to_state"],
                "to_state_label": _label(CaseState, e["to_state"], language)
                if e["to_state"]
                else "",
                "actor": actor_name(e, full),
                "actor_role": e["actor_role"],
                "actor_role_label": _text(
                    ROLE_LABELS.get(e["actor_role"], e["actor_role"]), language
                ),
                "at": e["at"],
                "note": e["note"],
                "flagged": e["flagged"],
                "data": e["data"],
                "photos": [photo_ref(case, p) for p in photos.get(e["id"], ())],
            }
        )
    return rows


def photo_ref(case: Case, photo: dict) -> dict:
    """A photo row of `photos_by_event` as the API shows it."""
    url = reverse("cases:photo", args=[case.pk, photo["id"]])
    return {
        "id": photo["id"],
        "url": url,
        "thumbnail_url": url + "?thumb=1",
        "width": photo["width"],
        "height": photo["height"],
        "event_id": photo["event_id"],
    }


def contact(case: Case, viewer, full: bool) -> dict:
    if case.anonymous:
        return {"name": _("匿名"), "phone": "", "masked": not full, "anonymous": True}
    name, phone = case.contact_name, case.contact_phone
    if not full:
        name, phone = mask_name(name), mask_phone(phone)
    return {"name": name, "phone": phone, "masked": not full, "anonymous": False}


def log_personal_access(viewer, case: Case) -> None:
    """Staff who see a reporter's full contact details leave a record (个人信息查看记录)."""
    if case.anonymous or not (case.contact_name or case.contact_phone):
        return
    if viewer.pk == case.reporter_id:
        return
    PersonalDataAccess.objects.create(
        viewer=viewer, subject=f"问题 {case.number} 反映人联系方式", purpose="办理群众反映问题"
    )


def detail(case: Case, viewer, *, now=None, log_access: bool = True, refs=None) -> dict:
    now = now or timezone.now()
    work = deadlines.clock()
    full = perms.sees_contact(viewer, case)
    photos = photos_by_event(case)
    data = summary(case, viewer, now=now, work=work, full=full, refs=refs)
    data.update(
        {
            "state_label": state_label(case.state),
            "attributes": case.attributes,
            "contact": contact(case, viewer, full),
            "source_detail": case.source_detail,
            "events": events(case, viewer, full=full, photos=photos),
            "photos": [photo_ref(case, p) for p in photos.get(None, ())],
            "merged_into": case.merged_into_id,
            "extension_request": (
                {"hours": case.extension_hours, "reason": case.extension_reason}
                if case.extension_hours
                else None
            ),
            "rating_comment": case.rating_comment,
            "time_left_label": deadlines.format_left(data["time_left_seconds"]),
            "actions": perms.available_actions(viewer, case),
            "dispatched_at": case.dispatched_at,
            "signed_at": case.signed_at,
            "replied_at": case.replied_at,
            "closed_at": case.closed_at,
        }
    )
    if full and log_access:
        log_personal_access(viewer, case)
    return data


def public(case: Case) -> dict:
    """The follow page: the timeline without names, phones or exact places."""
    from .actions import PUBLIC_NOTES

    timeline = []
    for e in case.events.filter(public=True):
        timeline.append(
            {
                "action_label": action_label(e.action),
                "role_label": _(ROLE_LABELS.get(e.actor_role, "")),
                "to_state_label": state_label(e.to_state) if e.to_state else "",
                "at": e.at,
                "note": e.note if e.action in PUBLIC_NOTES else "",
            }
        )
    return {
        "number": case.number,
        "state": case.state,
        "state_label": state_label(case.state),
        "description": case.description,
        "category": str(case.category) if case.category else "",
        "community": case.community.name if case.community else "",
        "address": mask_address(case.address),
        "department": case.department.short_name or case.department.name
        if case.department and case.dispatched_at
        else "",
        "created_at": case.created_at,
        "timeline": timeline,
        "rating": case.get_rating_display() if case.rating else "",
        "can_rate": case.reporter_id is None and case.state == wf.CLOSED and not case.rating,
    }
