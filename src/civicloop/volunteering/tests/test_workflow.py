"""The state machines and guards as pure functions."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from civicloop.volunteering import workflow

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_a_claim_goes_claimed_checked_in_checked_out_confirmed():
    state = "claimed"
    for action in ("check_in", "check_out", "confirm"):
        state = workflow.next_state(workflow.CLAIM_TRANSITIONS, state, action)
    assert state == "confirmed"


def test_a_checked_in_claim_cannot_be_cancelled():
    assert "cancel" not in workflow.allowed_actions(workflow.CLAIM_TRANSITIONS, "checked_in")


def test_hours_are_capped_by_the_window():
    start, end = T0, T0 + timedelta(hours=2)
    early, late = start - timedelta(minutes=25), end + timedelta(minutes=40)
    assert workflow.served_hours(early, late, start, end) == Decimal("2.00")
    assert workflow.served_hours(start + timedelta(minutes=30), end, start, end) == Decimal("1.50")


@settings(max_examples=200)
@given(
    checkin=st.integers(-300, 600),
    stay=st.integers(0, 900),
    length=st.integers(1, 600),
)
def test_hours_never_exceed_the_window_nor_go_negative(checkin, stay, length):
    start, end = T0, T0 + timedelta(minutes=length)
    hours = workflow.served_hours(
        T0 + timedelta(minutes=checkin), T0 + timedelta(minutes=checkin + stay), start, end
    )
    assert Decimal(0) <= hours <= Decimal(length) / 60 + Decimal("0.01")


@settings(max_examples=200)
@given(offset=st.integers(-1000, 1000), tolerance=st.integers(0, 120))
def test_check_in_is_open_exactly_within_the_window_and_tolerance(offset, tolerance):
    start, end = T0, T0 + timedelta(minutes=60)
    now = T0 + timedelta(minutes=offset)
    inside = -tolerance <= offset <= 60 + tolerance
    assert workflow.within_checkin_window(now, start, end, timedelta(minutes=tolerance)) is inside


@given(st.sampled_from(["claimed", "cancelled", "checked_in", "checked_out", "confirmed"]))
def test_no_transition_leaves_a_confirmed_or_cancelled_claim(state):
    for (s, _action), target in workflow.CLAIM_TRANSITIONS.items():
        assert s not in {"confirmed", "cancelled"}
        assert target != "claimed"


def test_registration_rate_is_a_fraction_of_members():
    assert workflow.registration_rate(3, 4) == 0.75
    assert workflow.registration_rate(0, 0) is None
