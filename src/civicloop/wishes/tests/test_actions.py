"""The actions against the database: random sequences agree with the pure state machine, every
successful step writes one event, and points are awarded at most once."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicloop.core.errors import ActionRefused
from civicloop.volunteering.models import PointsEntry
from civicloop.wishes import actions, workflow
from civicloop.wishes.models import WishEvent

from .factories import clean_photo, make_wish, user

PEOPLE = ["community", "community2", "member01", "member02", "resident"]
STEPS = st.lists(
    st.tuples(st.sampled_from(workflow.USER_ACTIONS), st.sampled_from(PEOPLE)), max_size=14
)


def run(action, actor, wish_id):
    if action == workflow.VERIFY:
        return actions.verify(actor, wish_id, "核实")
    if action == workflow.DECLINE:
        return actions.decline(actor, wish_id, "不符")
    if action == workflow.CLAIM:
        return actions.claim(actor, wish_id, "承诺")
    if action == workflow.CONTACT:
        return actions.contact(actor, wish_id, "联系")
    if action == workflow.RELEASE:
        return actions.release(actor, wish_id)
    if action == workflow.FULFIL:
        return actions.fulfil(actor, wish_id, "实现", clean_photo())
    return actions.confirm(actor, wish_id, 5)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_random_action_sequences_follow_the_state_machine(foundation, steps):
    wish = make_wish("submitted")
    expected = wish.state
    successes = 0
    for action, name in steps:
        refused = None
        try:
            run(action, user(name), wish.pk)
        except ActionRefused as exc:
            refused = exc.status
        if refused is not None:
            assert refused in (403, 404, 409)
            if refused == 409:
                assert workflow.next_state(expected, action) is None
        else:
            target = workflow.next_state(expected, action)
            assert target is not None
            expected = target
            successes += 1
        wish.refresh_from_db()
        assert wish.state == expected
        assert (wish.claimed_by_id is not None) == (
            expected in ("claimed", "contacted", "fulfilled", "confirmed")
        )
    assert WishEvent.objects.filter(wish=wish).count() == successes + 1
    assert PointsEntry.objects.filter(key=f"wish:{wish.pk}").count() == (
        1 if expected == "confirmed" else 0
    )


@pytest.mark.django_db
def test_events_cannot_be_edited_or_deleted(foundation):
    event = make_wish().events.first()
    event.note = "改写"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
