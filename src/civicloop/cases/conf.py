"""Settings of the cases app, each overridable in the Django settings or the environment."""

from __future__ import annotations

import os

from django.conf import settings


def _int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return int(value)


def duplicate_metres() -> int:
    return _int("CIVICLOOP_DUPLICATE_METRES", 100)


def duplicate_days() -> int:
    return _int("CIVICLOOP_DUPLICATE_DAYS", 7)


def default_satisfaction_days() -> int:
    return _int("CIVICLOOP_DEFAULT_SATISFACTION_DAYS", 7)


def anon_reports_per_hour() -> int:
    return _int("CIVICLOOP_ANON_REPORTS_PER_HOUR", 10)


def verify_hours() -> int:
    """Working hours the base (grid worker, community) has to verify a report."""
    return _int("CIVICLOOP_VERIFY_HOURS", 4)


def dispatch_hours() -> int:
    """Working hours the command centre has to dispatch a verified case."""
    return _int("CIVICLOOP_DISPATCH_HOURS", 2)


def check_hours() -> int:
    """Working hours the command centre has to check a department's reply."""
    return _int("CIVICLOOP_CHECK_HOURS", 8)


def due_soon_hours() -> float:
    """A step is 即将超期 when this many working hours (or 20% of the step, if less) remain."""
    return float(getattr(settings, "CIVICLOOP_DUE_SOON_HOURS", 2))


def photo_max_bytes() -> int:
    return int(getattr(settings, "CIVICLOOP_PHOTO_MAX_BYTES", 10 * 1024 * 1024))


def photo_max_count() -> int:
    return int(getattr(settings, "CIVICLOOP_PHOTO_MAX_COUNT", 9))
