"""The redis-py client behind Django's Redis cache, for the few places that talk to Redis
directly (one round trip where the cache API would take several). Django's backend builds a
new client object on every call (a twentieth of a millisecond); this one is kept per thread for
as long as the backend is the same."""

from __future__ import annotations

import threading

_local = threading.local()


def client(backend, *, write: bool = False):
    """`backend._cache.get_client(write=write)`, kept (backend: a RedisCache)."""
    kept = getattr(_local, "kept", None)
    if kept is None or kept[0] is not backend:  # first use, or the cache was reconfigured
        kept = _local.kept = (backend, {})
    found = kept[1].get(write)
    if found is None:
        found = kept[1][write] = backend._cache.get_client(None, write=write)
    return found
