"""Shapes of the wish API's requests and answers."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from .models import BeneficiaryType, Category


class WishIn(Schema):
    content: str = Field(min_length=1, max_length=500)
    category: Category
    beneficiary_name: str = Field(min_length=1, max_length=50)
    beneficiary_phone: str = Field(min_length=3, max_length=20, pattern=r"^[0-9+\-\s]+$")
    beneficiary_address: str = Field(min_length=1, max_length=200)
    value_cap: int = Field(ge=1, le=1_000_000)
    beneficiary_type: BeneficiaryType = BeneficiaryType.OTHER
    community_id: int | None = Field(default=None, ge=1)


class NoteIn(Schema):
    note: str = Field(min_length=1, max_length=300)


class DeclineIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class ClaimIn(Schema):
    commitment: str = Field(min_length=1, max_length=300)


class ReleaseIn(Schema):
    note: str = Field(default="", max_length=300)


class FulfilIn(Schema):
    note: str = Field(min_length=1, max_length=500)


class ConfirmIn(Schema):
    rating: int = Field(ge=1, le=5)
    note: str = Field(default="", max_length=300)


class RegionRef(Schema):
    id: int
    name: str


class Beneficiary(Schema):
    name: str
    phone: str | None = None
    address: str | None = None
    type: str
    type_label: str


class EventOut(Schema):
    action: str
    action_label: str
    role: str
    actor: str | None
    from_state: str
    to_state: str
    note: str
    at: datetime


class WishOut(Schema):
    id: int
    content: str
    category: str
    category_label: str
    value_cap: int
    community: RegionRef
    street: RegionRef
    beneficiary: Beneficiary
    full: bool  # True when the beneficiary's contact details are included
    state: str
    state_label: str
    waiting_long: bool
    published_at: datetime | None
    claimed: bool
    claimed_by_me: bool
    fulfilled_at: datetime | None
    confirmed_at: datetime | None
    rating: int | None
    actions: list[str]
    # Only for those who see the full record (staff in scope, the claimant, the poster).
    verify_note: str | None = None
    decline_reason: str | None = None
    commitment: str | None = None
    contact_note: str | None = None
    fulfil_note: str | None = None
    photo_url: str | None = None
    points_awarded: int | None = None
    events: list[EventOut] | None = None


class WishPage(Schema):
    count: int
    items: list[WishOut]
