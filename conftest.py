"""Shared test fixtures: the demo foundation, clients signed in as each demo role, and the rule
that in CI (CIVICLOOP_REQUIRE_ALL=1) a missing prerequisite fails instead of skipping."""

from __future__ import annotations

import os

import pytest

REQUIRE_ALL = os.environ.get("CIVICLOOP_REQUIRE_ALL") == "1"
DEMO_PASSWORD = "civicloop-demo"


def skip_or_fail(reason: str) -> None:
    """Skip a test whose real prerequisite is absent, except in CI where it must be present."""
    if REQUIRE_ALL:
        pytest.fail(f"required prerequisite missing in CI: {reason}")
    pytest.skip(reason)


def pytest_configure(config):
    from django.conf import settings

    # Demo accounts are created per test database; a slow password hash would dominate the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.WHITENOISE_USE_FINDERS = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def foundation(db):
    """Regions, grids, departments, party organisations and demo accounts (no app demo data)."""
    from civicloop.core import demo

    regions = demo.load_regions()
    departments = demo.load_departments()
    orgs = demo.load_party_orgs(regions)
    demo.load_accounts(regions, departments, orgs)
    return {"regions": regions, "departments": departments, "orgs": orgs}


@pytest.fixture
def user_named(foundation):
    from django.contrib.auth import get_user_model

    def get(username: str):
        return get_user_model().objects.get(username=username)

    return get


@pytest.fixture
def api_as(foundation):
    """api_as("grid") → a test client that sends that demo user's bearer token."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from civicloop.core.models import ApiToken

    def make(username: str | None) -> Client:
        if username is None:
            return Client()
        user = get_user_model().objects.get(username=username)
        _token, raw = ApiToken.issue(user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


@pytest.fixture
def web_as(foundation):
    """web_as("community") → a test client with that demo user's session."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    def make(username: str | None) -> Client:
        client = Client()
        if username is not None:
            client.force_login(get_user_model().objects.get(username=username))
        return client

    return make
