"""Timestamps read from PostgreSQL, parsed by psycopg's own loader (C, with psycopg[binary]).

Django reads every `timestamptz` through a loader of its own: a subclass of psycopg's
pure-Python one, so that it can pin each value's time zone to the connection's. A list of 50
cases carries some 200 of them, and parsing them in Python took about a millisecond of the
list's five; an Open311 page, a quarter of its time.

Django sets each new connection's session time zone to its own (UTC, with USE_TZ and no
database TIME_ZONE). Then psycopg's loader returns the very same aware datetimes, in
`datetime.UTC`, and `use_native_loader` registers it on that connection. Where the two differ
(a database TIME_ZONE setting, a server that kept another zone), Django's loader stays."""

from __future__ import annotations

import datetime

from psycopg import adapters
from psycopg.adapt import Loader
from psycopg.pq import Format

_OID = adapters.types["timestamptz"].oid
_NATIVE = adapters.get_loader(_OID, Format.TEXT)  # psycopg's default: the C one when built


class UtcTimestamptzLoader(Loader):
    """psycopg's loader, under the `timezone` attribute Django checks on each new cursor
    (equal to the connection's, so Django keeps this one rather than registering its own)."""

    timezone = datetime.UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        # Each value goes straight to the native loader: no Python frame of ours per value.
        self.load = _NATIVE(oid, context).load

    def load(self, data):  # the abstract method; each instance has its own (see __init__)
        return _NATIVE(self.oid).load(data)


def use_native_loader(connection) -> None:
    """On a new PostgreSQL connection: psycopg's loader where it gives what Django's would."""
    if not hasattr(connection.connection, "adapters"):
        return  # psycopg2, whose C loader Django already uses
    if connection.timezone is not datetime.UTC:
        return
    if connection.connection.info.timezone is not datetime.UTC:
        return  # the session kept another zone: Django's loader pins each value instead
    connection.connection.adapters.register_loader(_OID, UtcTimestamptzLoader)
