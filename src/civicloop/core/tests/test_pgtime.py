"""Timestamps read from PostgreSQL through psycopg's own loader (core.pgtime) are the values
Django's loader gives: aware, in UTC, the same instant."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

if connection.settings_dict["ENGINE"].endswith("postgresql"):
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg.pq import Format

    from civicloop.core import pgtime

    LITERALS = [
        "2026-11-30 09:03:11.736598+00",
        "2026-11-30 17:03:11+08",  # Asia/Shanghai
        "2026-03-29 01:30:00-05:30",
        "1999-12-31 23:59:59.999999+00",
        "2100-01-01 00:00:00+14",
        "0001-01-02 00:00:00+00",
    ]

    def _read(literals):
        with connection.cursor() as cur:
            cur.execute(
                "SELECT v::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n) "
                "ORDER BY n",
                [literals],
            )
            return [row[0] for row in cur.fetchall()]

    def _loader():
        connection.ensure_connection()
        oid = pgtime._OID
        return connection.connection.adapters.get_loader(oid, Format.TEXT)

    @pytest.mark.django_db
    def test_a_new_connection_reads_timestamps_with_psycopgs_loader():
        connection.close()
        assert _loader() is pgtime.UtcTimestamptzLoader

    @pytest.mark.django_db
    def test_the_values_are_those_djangos_loader_gives():
        fast = _read(LITERALS)
        with connection.cursor() as cur:  # Django's own loader, on this cursor only
            cls = type("DjangoUtc", (BaseTzLoader,), {"timezone": datetime.UTC})
            cur.cursor.adapters.register_loader(pgtime._OID, cls)
            cur.execute(
                "SELECT v::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n) "
                "ORDER BY n",
                [LITERALS],
            )
            slow = [row[0] for row in cur.fetchall()]
        assert fast == slow
        assert [v.tzinfo for v in fast] == [datetime.UTC] * len(LITERALS)
        assert fast[1] == datetime.datetime(2026, 11, 30, 9, 3, 11, tzinfo=datetime.UTC)

    @pytest.mark.django_db
    def test_a_model_round_trips_its_timestamps(django_user_model):
        stored = datetime.datetime(2026, 2, 17, 3, 4, 5, 678901, tzinfo=datetime.UTC)
        user = django_user_model.objects.create(username="pgtime", last_login=stored)
        read = django_user_model.objects.values_list("last_login", flat=True).get(pk=user.pk)
        assert read == stored and read.tzinfo is datetime.UTC

    @pytest.mark.django_db
    def test_a_session_in_another_zone_keeps_djangos_loader():
        connection.ensure_connection()
        raw = connection.connection
        try:
            raw.execute("SET TIME ZONE 'Asia/Shanghai'")
            raw.adapters.register_loader(pgtime._OID, BaseTzLoader)
            pgtime.use_native_loader(connection)
            assert _loader() is BaseTzLoader
        finally:
            connection.close()  # the next test gets a fresh connection, in UTC
