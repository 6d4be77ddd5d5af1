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
