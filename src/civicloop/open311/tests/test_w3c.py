"""W3C date-times: what clients may send, and what we answer (always with a zone)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicloop.open311 import w3c


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2010-01-01T00:00:00Z", datetime(2010, 1, 1, tzinfo=UTC)),
        ("1994-11-05T08:15:30-05:00", datetime(1994, 11, 5, 13, 15, 30, tzinfo=UTC)),
        ("1994-11-05T13:15:30Z", datetime(1994, 11, 5, 13, 15, 30, tzinfo=UTC)),
        ("2026-03-01T08:00+08:00", datetime(2026, 3, 1, 0, 0, tzinfo=UTC)),
        ("2026-03-01T08:00:00.25+0800", datetime(2026, 3, 1, 0, 0, 0, 250000, tzinfo=UTC)),
        ("2026-03-01T08:00:00 08:00", datetime(2026, 3, 1, 0, 0, tzinfo=UTC)),
        ("2026-03-01", datetime(2026, 2, 28, 16, 0, tzinfo=UTC)),  # midnight in Shanghai
    ],
)
def test_client_dates_are_understood(text, expected):
    assert w3c.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2026-03-01T08:00:00",
        "2026-02-30T00:00:00Z",
        "2026-03-01T25:00:00Z",
        "2026-03-01T08:00:00+15:00",
        "20260301T080000Z",
        "2026-03-01T08:00:00Z" + "0" * 40,
    ],
)
def test_malformed_dates_are_refused(text):
    with pytest.raises(w3c.BadDate):
        w3c.parse(text)


def test_answers_carry_the_local_offset():
    assert w3c.stamp(datetime(2026, 1, 1, 0, 0, 0, 123, tzinfo=UTC)) == "2026-01-01T08:00:00+08:00"
    assert w3c.stamp(None) is None


@settings(max_examples=60, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)),
    offset=st.integers(min_value=-12 * 60, max_value=14 * 60),
)
def test_every_date_we_write_reads_back_as_the_same_instant(moment, offset):
    aware = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=offset)))
    assert w3c.parse(w3c.stamp(aware)) == aware
