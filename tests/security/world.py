"""The demo district loaded once per test module (regions, accounts and every app's demo data),
with a bearer token per demo role; each test runs inside a savepoint on top of it."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

ROLES = ("resident", "grid", "dispatcher", "department", "member", "leader")
STAFF_AND_PEERS = (
    "resident",
    "grid",
    "grid2",
    "community",
    "community2",
    "dispatcher",
    "department",
    "department2",
    "member",
    "secretary",
    "publicity",
    "leader",
    "admin",
)


@dataclass
class World:
    tokens: dict[str, str] = field(default_factory=dict)
    media_root: str = ""
    summary: list[str] = field(default_factory=list)

    def auth(self, username: str | None) -> dict[str, str]:
        if username is None:
            return {}
        return {"Authorization": f"Bearer {self.tokens[username]}"}


@contextlib.contextmanager
def requests_keep_connection():
    """A WSGI request closes 'old' database connections when it ends; inside a test the
    connection carries the test's transaction, so keep it open (as django.test.Client does)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def load_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Module-scoped fixture body (registered as `world` in tests/security/conftest.py and in
    tests/test_fuzz_api.py)."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import transaction
    from django.test import override_settings

    from civicloop.core.demo import load_all
    from civicloop.core.models import ApiToken

    media = tmp_path_factory.mktemp("world-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            cache.clear()
            result = World(media_root=str(media), summary=load_all())
            for user in get_user_model().objects.filter(username__in=STAFF_AND_PEERS):
                _token, raw = ApiToken.issue(user)
                result.tokens[user.username] = raw
            yield result
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def media_root(request, settings, tmp_path_factory):
    """Fixture body for `_media_root`: tests on the demo world use its media folder (where the
    demo photos are); the others get a fresh one, as everywhere in the suite."""
    if "world" in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("world").media_root
    else:
        settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
