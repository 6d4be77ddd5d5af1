"""Fixtures of the Open311 tests: two services (one with every attribute datatype), an API key,
a helper that files a report by POST, and one that walks a case through the loop."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

ATTRIBUTES = [
    {
        "code": "cover_state",
        "datatype": "singlevaluelist",
        "required": True,
        "description": "井盖状况",
        "order": 1,
        "values": [{"key": "missing", "name": "缺失"}, {"key": "broken", "name": "破损"}],
    },
    {
        "code": "hazards",
        "datatype": "multivaluelist",
        "required": False,
        "description": "危险情况",
        "order": 2,
        "values": [{"key": "night", "name": "夜间无照明"}, {"key": "school", "name": "学校附近"}],
    },
    {
        "code": "depth",
        "datatype": "number",
        "required": False,
        "description": "深度（米）",
        "order": 3,
    },
    {
        "code": "seen_at",
        "datatype": "datetime",
        "required": False,
        "description": "发现时间",
        "order": 4,
    },
    {
        "code": "landmark",
        "datatype": "string",
        "required": False,
        "description": "附近标志物",
        "order": 5,
    },
    {
        "code": "details",
        "datatype": "text",
        "required": False,
        "description": "补充说明",
        "order": 6,
    },
    {
        "code": "notice",
        "datatype": "string",
        "variable": False,
        "required": False,
        "description": "请注意安全，勿靠近井口",
        "order": 7,
    },
]


@pytest.fixture
def services(foundation):
    """DL → DL91 (a cover, every attribute datatype) and DL92 (a road, no attributes)."""
    from civicloop.cases.models import Category, DeadlineUnit

    departments = foundation["departments"]
    parent = Category.objects.create(code="DL", name="道路交通", department=departments["JT"])
    cover = Category.objects.create(
        code="DL91",
        name="井盖破损",
        parent=parent,
        department=departments["CG"],
        keywords="井盖,窨井",
        description="井盖缺失、破损、松动",
        close_limit=8,
        close_unit=DeadlineUnit.HOURS,
        attributes=ATTRIBUTES,
    )
    road = Category.objects.create(
        code="DL92", name="道路破损", parent=parent, department=departments["CG"]
    )
    Category.objects.create(code="DL93", name="已停用", parent=parent, active=False)
    return {"cover": cover, "road": road, "group": parent}


@pytest.fixture
def api_key(db):
    from civicloop.open311.models import ApiKey

    key, raw = ApiKey.issue("盘锦市12345平台")
    key.raw = raw
    return key


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def in_grid(foundation):
    grid = foundation["regions"]["胜利社区第1网格"]
    return {"lat": f"{grid.centroid_lat:.6f}", "long": f"{grid.centroid_lng:.6f}"}


@pytest.fixture
def report(client, services, api_key, in_grid):
    """report(fmt="json", **fields) → the POST response (a valid cover report by default)."""

    def post(fmt="json", expect=None, environ=None, **fields):
        data = {
            "api_key": api_key.raw,
            "service_code": "DL91",
            "description": "胜利街与兴隆台大街路口井盖缺失，夜间很危险",
            "attribute[cover_state]": "missing",
            **in_grid,
        }
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        response = client.post(f"/open311/v2/requests.{fmt}", data, **(environ or {}))
        if expect is not None:
            assert response.status_code == expect, response.content.decode()
        return response

    return post


def jpeg_bytes(size=(64, 48), colour=(40, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def loop(user_named, foundation):
    """loop(case_id, "verify", "dispatch", ...) drives the case with the demo staff accounts."""
    from civicloop.cases import actions

    department = foundation["departments"]["CG"]
    steps = {
        "verify": ("grid", {"note": "已到现场核实"}),
        "dispatch": ("dispatcher", {"department": department.pk, "note": "请尽快处理"}),
        "sign": ("department", {}),
        "reply": ("department", {"result": "已更换新井盖，恢复通行"}),
        "approve": ("dispatcher", {"note": "核查属实"}),
        "reject": ("grid", {"reason": "不属于政府职责范围"}),
        "rework": ("dispatcher", {"reason": "现场仍有隐患"}),
    }

    def run(case_id, *names, **overrides):
        for name in names:
            who, fields = steps[name]
            actions.perform(case_id, user_named(who), name, {**fields, **overrides.get(name, {})})

    return run
