"""Direct regression tests for the findings in docs/security-findings.md that the broad
suites (fuzzing, matrix) first revealed: each names the input that used to fail."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def _web(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.mark.parametrize("bad", [":", "abc", "1.5", "９", "99999999999999999999999"])
def test_a_non_numeric_community_on_the_staff_pages_is_refused_not_a_500(world, bad):
    client = _web("community")
    assert client.get("/volunteer/staff/", {"community": bad}).status_code in (403, 404)
    response = client.post("/volunteer/staff/pair/", {"community_id": bad})
    assert response.status_code in (302, 403, 404)


@pytest.mark.parametrize("code", ["网格", "ü", "\u200b", "x" * 500])
def test_a_check_in_code_with_any_characters_is_refused_not_a_500(world, code):
    from civicloop.volunteering.models import Task

    task = Task.objects.order_by("pk").first()
    response = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens['member']}").post(
        f"/api/v1/tasks/{task.pk}/checkin", {"code": code}, content_type="application/json"
    )
    assert 400 <= response.status_code < 500, response.content[:300]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/study/reflections", {"title": "学习\x00心得", "body": "认真学习" * 10}),
        ("/api/v1/study/reflections", {"title": "学习心得", "body": "认真\x00学习" * 10}),
    ],
)
def test_text_with_a_nul_character_is_refused_not_a_500(world, path, body):
    """PostgreSQL cannot store NUL: the API must refuse it before the database does."""
    from civicloop.study.models import Reflection

    before = Reflection.objects.count()
    response = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens['member']}").post(
        path, body, content_type="application/json"
    )
    # Refused centrally for every API path (400 nul_character) before the schema (422) sees it.
    assert response.status_code in (400, 422), response.content[:300]
    assert response.json()["error"]["code"] in {"nul_character", "invalid"}
    assert Reflection.objects.count() == before
