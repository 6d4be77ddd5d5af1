"""Settings of the volunteering app, with defaults (override in Django settings)."""

from django.conf import settings


def checkin_tolerance_minutes() -> int:
    """How early before a task starts, and how late after it ends, a member may still check in."""
    return int(getattr(settings, "CIVICLOOP_CHECKIN_TOLERANCE_MINUTES", 30))


def default_cancel_cutoff_hours() -> int:
    """By default a member may cancel a claim until this many hours before the task starts."""
    return int(getattr(settings, "CIVICLOOP_CANCEL_CUTOFF_HOURS", 2))


def nearby_metres() -> int:
    """What "near me" means on the task list."""
    return int(getattr(settings, "CIVICLOOP_NEARBY_METRES", 3000))


def certificate_issuer() -> str:
    return str(getattr(settings, "CIVICLOOP_CERTIFICATE_ISSUER", "中共盘锦市兴隆台区委组织部"))


def reminder_minutes() -> int:
    """Members who hold a place are reminded this long before the task starts."""
    return int(getattr(settings, "CIVICLOOP_TASK_REMINDER_MINUTES", 120))
