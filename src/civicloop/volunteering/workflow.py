"""State machines of volunteer service as data, and the pure guards around them.

Claim: claimed → (cancel) cancelled; claimed → (check_in) checked_in → (check_out) checked_out
→ (confirm) confirmed. A claim that was checked in but never checked out can still be confirmed:
the confirmation closes it at the end of the window."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

CLAIM_TRANSITIONS: dict[tuple[str, str], str] = {
    ("claimed", "cancel"): "cancelled",
    ("claimed", "check_in"): "checked_in",
    ("checked_in", "check_out"): "checked_out",
    ("checked_in", "confirm"): "confirmed",
    ("checked_out", "confirm"): "confirmed",
}

ORDER_TRANSITIONS: dict[tuple[str, str], str] = {
    ("submitted", "accept"): "accepted",  # turned into a task 派单
    ("submitted", "decline"): "declined",
    ("accepted", "complete"): "done",
}

REGISTRATION_TRANSITIONS: dict[tuple[str, str], str] = {
    ("pending", "approve"): "approved",
    ("pending", "reject"): "rejected",
    ("pending", "withdraw"): "withdrawn",
    ("approved", "withdraw"): "withdrawn",
}


class TransitionNotAllowed(Exception):
    pass


def next_state(table: dict[tuple[str, str], str], state: str, action: str) -> str:
    try:
        return table[(state, action)]
    except KeyError:
        raise TransitionNotAllowed(f"{action} is not allowed in state {state}") from None


def allowed_actions(table: dict[tuple[str, str], str], state: str) -> set[str]:
    return {action for (s, action) in table if s == state}


def within_checkin_window(
    now: datetime, starts_at: datetime, ends_at: datetime, tolerance: timedelta
) -> bool:
    """线下报到 is possible from `tolerance` before the start until `tolerance` after the end."""
    return starts_at - tolerance <= now <= ends_at + tolerance


def can_cancel(now: datetime, cancel_cutoff: datetime) -> bool:
    return now <= cancel_cutoff


def served_hours(
    checked_in_at: datetime, checked_out_at: datetime, starts_at: datetime, ends_at: datetime
) -> Decimal:
    """Hours on site, counted only inside the task's window (early arrival and lingering,
    like travel, do not count), rounded to a hundredth; never negative."""
    begin = max(checked_in_at, starts_at)
    end = min(checked_out_at, ends_at)
    seconds = max((end - begin).total_seconds(), 0)
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def places_left(places: int, active_claims: int) -> int:
    return max(places - active_claims, 0)


def registration_rate(registered: int, members: int) -> float | None:
    """报到率 as a fraction; None for an organisation without members."""
    if members <= 0:
        return None
    return min(registered / members, 1.0)
