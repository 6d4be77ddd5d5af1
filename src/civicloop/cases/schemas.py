"""Response shapes of the cases API (requests are parsed by actions.py, JSON or multipart)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class CaseRef(Schema):
    id: int
    name: str


class CaseCategoryRef(Schema):
    id: int
    code: str
    name: str
    parent: str | None


class CaseSummaryOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    description: str
    category: CaseCategoryRef | None
    department: CaseRef | None
    grid: CaseRef | None
    community: CaseRef | None
    street: CaseRef | None
    address: str
    lat: float | None
    lng: float | None
    source: str
    source_label: str
    deadline: datetime | None
    deadline_state: str
    time_left_seconds: int | None
    duplicate_count: int
    reopen_count: int
    rework_count: int
    rating: str | None
    evaluated_by_default: bool
    created_at: datetime
    updated_at: datetime
    token: str


class CaseListOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[CaseSummaryOut]


class CasePhotoOut(Schema):
    id: int
    url: str
    thumbnail_url: str
    width: int
    height: int
    event_id: int | None


class CaseEventOut(Schema):
    id: int
    action: str
    action_label: str
    from_state: str
    to_state: str
    to_state_label: str
    actor: str
    actor_role: str
    actor_role_label: str
    at: datetime
    note: str
    flagged: bool
    data: dict[str, Any]
    photos: list[CasePhotoOut]


class CaseContactOut(Schema):
    name: str
    phone: str
    masked: bool
    anonymous: bool


class CaseExtensionOut(Schema):
    hours: int
    reason: str


class CaseDetailOut(CaseSummaryOut):
    attributes: dict[str, Any]
    contact: CaseContactOut
    source_detail: str
    events: list[CaseEventOut]
    photos: list[CasePhotoOut]
    merged_into: int | None
    extension_request: CaseExtensionOut | None
    rating_comment: str
    time_left_label: str
    actions: list[str]
    dispatched_at: datetime | None
    signed_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None


class CaseDuplicateOut(CaseSummaryOut):
    distance_m: float


class CategorySuggestionOut(Schema):
    id: int
    code: str
    name: str
    parent: str | None
    department: str | None


class CaseCategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    parent: str | None
    department: str | None
    department_id: int | None
    sign_limit: int
    sign_unit: str
    close_limit: int
    close_unit: str
    attributes: list[dict[str, Any]]
