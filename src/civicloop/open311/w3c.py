"""W3C date-time (the ISO 8601 subset GeoReport v2 requires): parsing client dates and
formatting ours, always with a time zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from datetime import timezone as dt_timezone

from django.utils import timezone

_DATETIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"[T ](?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?P<frac>\.\d{1,9})?)?"
    r"(?P<tz>Z|z|[+-]\d{2}:?\d{2})$",
    re.ASCII,
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
# "+08:00" sent unencoded in a query string arrives as " 08:00".
_SPACED_OFFSET = re.compile(r"^(.*\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$", re.ASCII)


class BadDate(ValueError):
    pass


def parse(value: str) -> datetime:
    """An aware datetime from a W3C date-time (with zone) or a date (midnight, local time)."""
    text = (value or "").strip()
    if len(text) > 40:
        raise BadDate(value)
    spaced = _SPACED_OFFSET.match(text)
    if spaced:
        text = f"{spaced.group(1)}+{spaced.group(2)}"
    if _DATE.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise BadDate(value) from None
        return datetime.combine(day, time(), timezone.get_current_timezone())
    match = _DATETIME.match(text)
    if not match:
        raise BadDate(value)
    tz = match.group("tz")
    if tz in ("Z", "z"):
        zone = UTC
    else:
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 14 or minutes > 59:
            raise BadDate(value)
        zone = dt_timezone(sign * timedelta(hours=hours, minutes=minutes))
    frac = match.group("frac") or ""
    try:
        return datetime(
            *map(int, match.group("date").split("-")),
            int(match.group("h")),
            int(match.group("m")),
            int(match.group("s") or 0),
            int((frac[1:] + "000000")[:6]) if frac else 0,
            tzinfo=zone,
        )
    except ValueError:
        raise BadDate(value) from None


def stamp(value: datetime | None, zone: tzinfo | None = None) -> str | None:
    """2026-11-29T20:12:11+08:00 (local time, with its offset); None stays None. `zone`: the
    current time zone when the caller has it already (a page of rows stamps many dates)."""
    if value is None:
        return None
    local = value.astimezone(zone or timezone.get_current_timezone()).replace(microsecond=0)
    return local.isoformat()
