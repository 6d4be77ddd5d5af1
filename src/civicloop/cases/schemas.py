"""Response shapes of the cases API (requests are parsed by actions.py, JSON or multipart)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class Ref(Schema):
    id: int
    name: str


class CategoryRef(Schema):
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
    category: CategoryRef | None
    department: Ref | None
    grid: Ref | None
    community: Ref | None
    street: Ref | None
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


class PhotoOut(Schema):
    id: int
    url: str
    thumbnail_url: str
    width: int
    height: int
    event_id: int | None


class EventOut(Schema):
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
    photos: list[PhotoOut]


class ContactOut(Schema):
    name: str
    phone: str
    masked: bool
    anonymous: bool


class ExtensionOut(Schema):
    hours: int
    reason: str


class CaseDetailOut(CaseSummaryOut):
    attributes: dict[str, Any]
    contact: ContactOut
    source_detail: str
    events: list[EventOut]
    photos: list[PhotoOut]
    merged_into: int | None
    extension_request: ExtensionOut | None
    rating_comment: str
    time_left_label: str
    actions: list[str]
    dispatched_at: datetime | None
    signed_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None


class DuplicateOut(CaseSummaryOut):
    distance_m: float


class SuggestionOut(Schema):
    id: int
    code: str
    name: str
    parent: str | None
    department: str | None


class CategoryOut(Schema):
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
