"""Fixtures of the cases tests: the demo categories and helpers to file and move cases."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image


@pytest.fixture
def categories(foundation):
    from civicloop.cases.demo import load_categories

    return load_categories(foundation["departments"])


@pytest.fixture
def point(foundation):
    """point("胜利社区第1网格") → (lat, lng) inside that grid."""

    def get(grid_name: str) -> tuple[float, float]:
        grid = foundation["regions"][grid_name]
        return grid.centroid_lat, grid.centroid_lng

    return get


def jpeg_bytes(size=(64, 48), colour=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def post_json(client, url, data=None, **extra):
    return client.post(url, json.dumps(data or {}), content_type="application/json", **extra)


@pytest.fixture
def file_case(api_as, categories, point):
    """file_case(grid="胜利社区第1网格", category="SR01") → the id of a new case (as resident)."""

    def make(grid="胜利社区第1网格", category="SR01", who="resident", **fields):
        lat, lng = point(grid)
        body = {"description": "3号楼门前垃圾桶满溢", "lat": lat, "lng": lng, "category": category}
        body.update(fields)
        response = post_json(api_as(who), "/api/v1/cases", body)
        assert response.status_code == 201, response.content
        return response.json()["id"]

    return make


@pytest.fixture
def move(api_as):
    """move(case_id, "grid", "verify", note=...) → the response of the action call."""
    clients = {}

    def act(case_id, who, action, expect=200, **fields):
        if who not in clients:
            clients[who] = api_as(who)
        response = post_json(clients[who], f"/api/v1/cases/{case_id}/actions/{action}", fields)
        assert response.status_code == expect, (action, who, response.content)
        return response

    return act
