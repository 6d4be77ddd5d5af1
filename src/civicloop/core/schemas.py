"""Request and response shapes of the core API."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=256)


class TokenOut(Schema):
    token: str
    expires_at: str


class RoleOut(Schema):
    role: str
    role_name: str
    scope_type: str
    scope_id: int | None
    scope_name: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    phone: str
    roles: list[RoleOut]


class LatLng(Schema):
    lat: float
    lng: float


class GridOut(Schema):
    id: int
    name: str
    code: str
    community: str | None
    community_id: int | None
    street: str | None
    street_id: int | None
    centroid: LatLng | None
    geometry: dict | None


class DepartmentOut(Schema):
    id: int
    name: str
    code: str
    short_name: str


class RegionOut(Schema):
    id: int
    name: str
    code: str
    level: str
    parent_id: int | None
