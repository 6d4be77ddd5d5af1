"""Fixed-window rate limits in the shared cache, so every process sees the same counts."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from . import redisclient


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


def _key(scope: str, ident: str, window: int) -> tuple[str, int]:
    bucket = int(time.time() // window)
    # Hashed: identifiers are client-chosen (usernames, keys) and cache keys must be plain ASCII.
    digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{bucket}", window - int(time.time() % window)


def _count(key: str, window: int) -> int:
    """Adds one to the window's counter and returns it. On Redis one round trip (SET NX EX, then
    INCR, pipelined; Django's own add + incr take three); elsewhere through the cache API."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        name = backend.make_and_validate_key(key)
        pipe = redisclient.client(backend, write=True).pipeline(transaction=False)
        pipe.set(name, 0, nx=True, ex=window + 1)
        pipe.incr(name)
        return int(pipe.execute()[1])
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        return 1


def hit(scope: str, ident: str, *, limit: int, window: int) -> None:
    """Counts one request; raises RateLimited once `limit` requests were made in the window."""
    key, remaining = _key(scope, ident, window)
    if _count(key, window) > limit:
        raise RateLimited(max(remaining, 1))


def check(scope: str, ident: str, *, limit: int, window: int) -> None:
    """Raises RateLimited if the window is already used up, without counting."""
    key, remaining = _key(scope, ident, window)
    if (cache.get(key) or 0) >= limit:
        raise RateLimited(max(remaining, 1))


def reset(scope: str, ident: str, *, window: int) -> None:
    cache.delete(_key(scope, ident, window)[0])


def client_ip(request) -> str:
    # Behind a reverse proxy set TRUSTED_PROXY_COUNT; otherwise the socket address is the truth.
    from django.conf import settings

    hops = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if hops:
        forwarded = [
            p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "unknown")
