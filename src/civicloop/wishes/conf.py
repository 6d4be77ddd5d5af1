"""Settings of the wish wall, each overridable in Django settings."""

from __future__ import annotations

from django.conf import settings


def max_value() -> int:
    """The highest value cap (元) a wish may carry."""
    return int(getattr(settings, "CIVICLOOP_WISH_MAX_VALUE", 500))


def contact_days() -> int:
    """Days a claimant has to contact the beneficiary before the claim lapses."""
    return int(getattr(settings, "CIVICLOOP_WISH_CONTACT_DAYS", 7))


def waiting_days() -> int:
    """Days on the wall without a claimant after which a wish is marked 等待已久."""
    return int(getattr(settings, "CIVICLOOP_WISH_WAITING_DAYS", 14))


def points_per_wish() -> int:
    return int(getattr(settings, "CIVICLOOP_WISH_POINTS", 10))
