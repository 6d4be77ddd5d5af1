"""Background work of the wish wall: the periodic sweep that returns lapsed claims to the wall."""

from __future__ import annotations

from civicloop.core.periodic import register

from . import actions


@register
def release_uncontacted_claims() -> int:
    """Claims not followed by contact within CIVICLOOP_WISH_CONTACT_DAYS go back to the wall."""
    return actions.expire_overdue_claims()
