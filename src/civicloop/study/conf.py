"""Settings of the study app, each overridable in Django settings."""

from __future__ import annotations

from django.conf import settings

MB = 1024 * 1024


def video_max_bytes() -> int:
    return int(getattr(settings, "CIVICLOOP_STUDY_VIDEO_MAX_BYTES", 200 * MB))


def audio_max_bytes() -> int:
    return int(getattr(settings, "CIVICLOOP_STUDY_AUDIO_MAX_BYTES", 50 * MB))


def photo_max_bytes() -> int:
    return int(getattr(settings, "CIVICLOOP_PHOTO_MAX_BYTES", 10 * MB))


def photo_max_count() -> int:
    return int(getattr(settings, "CIVICLOOP_PHOTO_MAX_COUNT", 9))


def article_max_bytes() -> int:
    return int(getattr(settings, "CIVICLOOP_STUDY_ARTICLE_MAX_BYTES", 10 * MB))


def site_url() -> str:
    return str(getattr(settings, "SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


# Study points are off unless a district turns them on; they reward taking part and are
# never shown as a ranking.
POINTS_DEFAULTS = {
    "enabled": False,
    "lead_reading": 5,  # 领读 a session
    "attendance": 2,  # attend a session
    "reflection_accepted": 3,  # a reflection accepted by the secretary
    "daily_cap": 10,  # at most this many study points per member per day
}


def points_rules() -> dict:
    return {**POINTS_DEFAULTS, **getattr(settings, "CIVICLOOP_STUDY_POINTS", {})}
