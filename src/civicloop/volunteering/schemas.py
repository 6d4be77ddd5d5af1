"""Request and response shapes of the volunteering API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

PHONE = r"^[0-9+\-\s]{5,20}$"
MAX_ID = 2**63 - 1  # the database's bigint: larger ids would fail in SQL, not as 404


class OrderIn(Schema):
    service_type: str = Field(..., max_length=20)
    description: str = Field("", max_length=1000)
    preferred_time: datetime | None = None
    contact_name: str = Field("", max_length=50)
    phone: str = Field(..., pattern=PHONE)
    address: str = Field(..., min_length=2, max_length=200)
    community_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="代办: the community staff file for"
    )


class OrderOut(Schema):
    id: int
    service_type: str
    service_type_name: str
    description: str
    preferred_time: datetime | None
    contact_name: str
    phone: str
    address: str
    community_id: int
    community: str
    state: str
    state_name: str
    on_behalf: bool
    decline_reason: str
    task_ids: list[int]
    created_at: datetime


class TaskIn(Schema):
    title: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    service_type: str = Field(..., max_length=20)
    address: str = Field(..., min_length=1, max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    starts_at: datetime
    ends_at: datetime
    places: int = Field(..., ge=1, le=1000)
    points: int = Field(..., ge=1, le=1000)
    checkin_radius_m: int | None = Field(None, ge=10, le=50_000)
    cancel_cutoff: datetime | None = None
    community_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="defaults to the staff's community"
    )
    order_id: int | None = Field(None, ge=1, le=MAX_ID, description="the 点单 this task answers")


class TaskOut(Schema):
    id: int
    title: str
    description: str
    service_type: str
    service_type_name: str
    community_id: int
    community: str
    address: str
    lat: float | None
    lng: float | None
    starts_at: datetime
    ends_at: datetime
    cancel_cutoff: datetime
    places: int
    places_left: int
    points: int
    state: str
    order_id: int | None
    checkin_radius_m: int | None
    my_claim: str | None = None
    checkin_code: str | None = Field(None, description="only for the community's staff")
    checkin_url: str | None = None
    distance_m: float | None = None


class ClaimOut(Schema):
    id: int
    task_id: int
    member_id: int
    member: str
    state: str
    state_name: str
    claimed_at: datetime
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    confirmed_at: datetime | None
    assigned: bool


class CheckinIn(Schema):
    code: str = Field(..., min_length=1, max_length=64)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)


class MemberIn(Schema):
    member: int = Field(..., ge=1, le=MAX_ID)


class RecordOut(Schema):
    id: int
    member_id: int
    volunteer_number: str
    activity: str
    date: date
    place: str
    hours: Decimal
    points: int
    certificate_number: str
    confirmed_by: str


class ConfirmOut(Schema):
    awarded: bool
    record: RecordOut


class EntryOut(Schema):
    points: int
    reason: str
    at: datetime
    kind: str
    balance_after: int


class PointsOut(Schema):
    balance: int
    entries: list[EntryOut]


class CorrectionIn(Schema):
    member: int = Field(..., ge=1, le=MAX_ID)
    points: int = Field(..., ge=-10_000, le=10_000)
    reason: str = Field(..., min_length=1, max_length=200)


class RewardOut(Schema):
    id: int
    name: str
    description: str
    points: int
    stock: int


class RedemptionIn(Schema):
    reward: int = Field(..., ge=1, le=MAX_ID)


class RedemptionOut(Schema):
    id: int
    reward: int
    reward_name: str
    points: int
    balance: int
    at: datetime


class RegistrationIn(Schema):
    community_id: int = Field(..., ge=1, le=MAX_ID)
    skills: str = Field("", max_length=200)


class DecisionIn(Schema):
    note: str = Field("", max_length=200)


class RegistrationOut(Schema):
    id: int
    member_id: int
    member: str
    community_id: int
    community: str
    party_org: str | None
    state: str
    state_name: str
    skills: str
    note: str
    created_at: datetime
