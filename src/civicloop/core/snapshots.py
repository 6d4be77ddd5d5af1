"""Process-wide snapshots of tables that rarely change (grid boundaries, the admin's holiday
overrides, the names of categories, departments and regions, users' role assignments, the API
tokens already checked), so that a request does not read them from the database each time.

Each snapshot carries a version token kept in the shared cache. A change writes a new token
(at once, and again after its commit, so that no process keeps what it read before the commit);
a process compares its snapshot's token with the shared one and reloads when they differ. In a
request the tokens are read once, with one cache round trip for all of them; outside a request
(workers, shell, tests calling actions directly) they are read on every use."""

from __future__ import annotations

import threading
import uuid

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import request_finished, request_started
from django.db import transaction

from . import redisclient

GRID_POLYGONS = "cases:grid-polygons-version"
CALENDAR = "cases:calendar-version"
REFERENCES = "cases:references-version"
ROLES = "core:role-assignments-version"
API_TOKENS = "core:api-tokens-version"
KEYS = (GRID_POLYGONS, CALENDAR, REFERENCES, ROLES, API_TOKENS)

_request = threading.local()


def _reset(**kwargs) -> None:
    _request.tokens = None


def _begin(**kwargs) -> None:
    _request.tokens = {}  # inside a request: tokens are read once, on first use


request_started.connect(_begin, dispatch_uid="core.snapshots.begin")
request_finished.connect(_reset, dispatch_uid="core.snapshots.end")


def _get_many(keys) -> dict:
    """The stored tokens of `keys`. On Redis one MGET of the values as stored: a token is only
    ever compared with another, and its stored (pickled) bytes compare as the string does,
    without the cache API's work per key (a quarter of a millisecond in every API request)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        names = [backend.make_and_validate_key(key) for key in keys]
        values = redisclient.client(backend).mget(names)
        return {key: value for key, value in zip(keys, values, strict=True) if value}
    return cache.get_many(keys)


def _read_all() -> dict:
    tokens = _get_many(KEYS)
    missing = [key for key in KEYS if not tokens.get(key)]
    for key in missing:
        # A fresh (or flushed) cache: a new token makes every process reload once.
        cache.add(key, uuid.uuid4().hex, timeout=None)
    if missing:
        tokens.update(_get_many(missing))
    return tokens


def token(key: str):
    """The current version token of one snapshot: a value to compare with the token a snapshot
    was loaded under, nothing more (a str, or on Redis the bytes stored for it)."""
    memo = getattr(_request, "tokens", None)
    if memo is None:
        return _read_all().get(key, "")
    if not memo:
        memo.update(_read_all())
    return memo.get(key, "")


def changed(key: str) -> None:
    """Marks the snapshot stale for every process: now, and again after the commit."""

    def bump() -> None:
        cache.set(key, uuid.uuid4().hex, timeout=None)
        memo = getattr(_request, "tokens", None)
        if memo:
            memo.clear()

    bump()
    transaction.on_commit(bump)
