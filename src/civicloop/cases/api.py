"""REST endpoints of 随手拍, mounted under /api/v1/ by civicloop.api (thin: actions do the work)."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router

from civicloop.api import auth_optional
from civicloop.core import throttle
from civicloop.core.errors import ApiError

from . import (
    actions,
    conf,
    duplicates,
    photos,
    present,
    queries,
    references,
    routing,
)
from . import permissions as perms
from .models import Case, Category
from .schemas import (
    CaseCategoryOut,
    CaseDetailOut,
    CaseDuplicateOut,
    CaseListOut,
    CaseSummaryOut,
    CategorySuggestionOut,
)

router = Router(tags=["cases"])

CREATE_BODY = {
    "requestBody": {
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["description"],
                    "properties": {
                        "description": {"type": "string", "maxLength": 2000},
                        "lat": {"type": "number"},
                        "lng": {"type": "number"},
                        "address": {"type": "string", "maxLength": 200},
                        "category": {"type": ["string", "integer"]},
                        "contact_name": {"type": "string"},
                        "contact_phone": {"type": "string"},
                        "anonymous": {"type": "boolean"},
                        "source": {"type": "string"},
                        "source_detail": {"type": "string"},
                        "attributes": {"type": "object"},
                    },
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "description": {"type": "string"},
                        "lat": {"type": "number"},
                        "lng": {"type": "number"},
                        "address": {"type": "string"},
                        "category": {"type": "string"},
                        "photos": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                        },
                    },
                }
            },
        },
    },
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": 100},
            "description": "A retried report with the same key returns the first case.",
        }
    ],
}
ACTION_BODY = {
    "requestBody": {
        "content": {
            "application/json": {"schema": {"type": "object", "additionalProperties": True}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "result": {"type": "string"},
                        "photos": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                        },
                    },
                }
            },
        }
    }
}


def _body(request) -> tuple[dict, list]:
    """JSON fields, or multipart fields plus uploaded photos."""
    content_type = request.content_type or ""
    if content_type.startswith("multipart/form-data"):
        fields = {k: request.POST.get(k) for k in request.POST}
        files = request.FILES.getlist("photos") + request.FILES.getlist("photo")
        return fields, files
    if not request.body:
        return {}, []
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad_json", _("请求体不是有效的 JSON")) from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", _("请求体应为 JSON 对象"))
    return data, []


def _json(request, data: dict, status: int = 200) -> HttpResponse:
    """`data` rendered as ninja renders a response after checking it against the endpoint's
    declared schema. The dicts of present.py have exactly those shapes (test_fast_paths checks
    each against its schema), so the check, a third of a list's time, is left out."""
    from civicloop.api import api

    return api.create_response(request, data, status=status)


def _user(request):
    return request.auth if getattr(request.auth, "is_authenticated", False) else None


def _visible_case(request, case_id: int) -> Case:
    qs = perms.visible_to(request.auth).select_related(
        "category__parent", "department", "grid", "community", "street", "merged_into"
    )
    return get_object_or_404(qs, pk=case_id)


def _visible_case_alone(request, case_id: int) -> Case:
    """The case row only (its category, department and regions are named by references), if
    the caller may see it (`can_view`: the visibility rule decided in memory)."""
    case = queries.case_by_id(case_id)
    if case is None or not perms.can_view(request.auth, case):
        raise Http404
    return case


def _flag(value) -> bool:
    return value in (True, "1", "true", "on", "yes")


@router.post(
    "/cases",
    auth=auth_optional,
    response={200: CaseSummaryOut, 201: CaseSummaryOut},
    summary="Report a problem (随手拍); anonymous allowed",
    openapi_extra=CREATE_BODY,
)
def create_case(request):
    user = _user(request)
    fields, files = _body(request)
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > 100:
        raise ApiError(422, "invalid", _("Idempotency-Key 最长 100 个字符"))
    ip = throttle.client_ip(request)
    scope = f"u:{user.pk}" if user else f"ip:{ip}"
    if key:
        existing = Case.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
        if existing is not None:
            return _json(request, present.summary(existing, user))
    if user is None:
        throttle.hit("cases:anonymous-report", ip, limit=conf.anon_reports_per_hour(), window=3600)
    images = photos.clean_uploads(files)
    case, created = actions.create_case(
        user,
        description=fields.get("description") or "",
        lat=fields.get("lat"),
        lng=fields.get("lng"),
        address=fields.get("address") or "",
        category=fields.get("category"),
        attributes=fields.get("attributes"),
        contact_name=fields.get("contact_name") or "",
        contact_phone=fields.get("contact_phone") or "",
        anonymous=_flag(fields.get("anonymous")),
        source=fields.get("source") or "app",
        source_detail=fields.get("source_detail") or "",
        images=images,
        idempotency_scope=scope,
        idempotency_key=key,
    )
    return _json(request, present.summary(case, user), status=201 if created else 200)


@router.get("/cases", response=CaseListOut, summary="Cases in the caller's scope, filtered")
def list_cases(
    request,
    state: str | None = None,
    category: str | None = None,
    department: str | None = None,
    community: str | None = None,
    grid: str | None = None,
    street: str | None = None,
    overdue: str | None = None,
    created_from: str | None = None,
    created_to: str | None = None,
    q: str | None = None,
    page: str | None = None,
    page_size: str | None = None,
):
    params = {k: v for k, v in locals().items() if k != "request" and v is not None}
    number, size = queries.page_bounds(params.pop("page", None), params.pop("page_size", None))
    # Only the columns a summary shows, no joins: names come from the reference snapshot.
    start = (number - 1) * size
    count, rows = queries.visible_page(
        request.auth, params, present.SUMMARY_FIELDS, start, start + size
    )
    return _json(
        request,
        {
            "count": count,
            "page": number,
            "page_size": size,
            "items": present.summaries(rows, request.auth, refs=references.current()),
        },
    )


@router.get(
    "/cases/suggest-category",
    auth=None,
    response=list[CategorySuggestionOut],
    summary="Categories suggested from a description (keyword rules)",
)
def suggest_category(request, text: str = ""):
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "parent": c.parent.name if c.parent_id else None,
            "department": routing.suggest_department(c).name
            if routing.suggest_department(c)
            else None,
        }
        for c in routing.suggest_categories(text[:2000])
    ]


@router.get("/cases/{int:case_id}", response=CaseDetailOut, summary="One case with its history")
def get_case(request, case_id: int):
    case = _visible_case_alone(request, case_id)
    return _json(request, present.detail(case, request.auth, refs=references.current()))


@router.get(
    "/cases/{int:case_id}/duplicates",
    response=list[CaseDuplicateOut],
    summary="Open cases of the same category nearby and recent",
)
def case_duplicates(request, case_id: int):
    case = _visible_case(request, case_id)
    visible = perms.visible_to(request.auth)
    return [
        {**present.summary(c, request.auth), "distance_m": round(d, 1)}
        for c, d in duplicates.for_case(case, qs=visible)
    ]


@router.post(
    "/cases/{int:case_id}/actions/{action}",
    response=CaseDetailOut,
    summary="Take an action on a case (verify, dispatch, sign, reply, approve, evaluate …)",
    openapi_extra=ACTION_BODY,
)
def act(request, case_id: int, action: str):
    fields, files = _body(request)
    images = photos.clean_uploads(files) if files else []
    # The case as the action saved it (its row was locked and written in the transaction).
    case = actions.perform(case_id, request.auth, action, fields, images)
    data = present.detail(case, request.auth, log_access=False, refs=references.current())
    return _json(request, data)


@router.get(
    "/categories", auth=None, response=list[CaseCategoryOut], summary="Problem categories (public)"
)
def list_categories(request):
    rows = Category.objects.filter(active=True).select_related("parent", "department")
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "parent_id": c.parent_id,
            "parent": c.parent.name if c.parent_id else None,
            "department": c.department.name if c.department_id else None,
            "department_id": c.department_id,
            "sign_limit": c.sign_limit,
            "sign_unit": c.sign_unit,
            "close_limit": c.close_limit,
            "close_unit": c.close_unit,
            "attributes": c.attributes or [],
        }
        for c in rows
    ]
