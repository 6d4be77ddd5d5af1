"""The wish state machine: the table, its guards, and random walks through it."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicloop.wishes import workflow
from civicloop.wishes.models import State
from civicloop.wishes.workflow import Actor

ACTORS = {
    "staff": Actor(scope_staff=True),
    "member": Actor(member=True),
    "claimant": Actor(member=True, claimant=True),
    "poster": Actor(poster=True),
    "nobody": Actor(),
    "system": workflow.SYSTEM,
}


def test_every_transition_leads_to_a_known_state_and_terminal_states_have_none():
    for (state, action), target in workflow.TRANSITIONS.items():
        assert state in State.values and target in State.values and action in workflow.ACTIONS
    for state in workflow.TERMINAL:
        assert workflow.allowed_in(state) == []


def test_only_the_claimant_contacts_releases_and_fulfils():
    for action in (workflow.CONTACT, workflow.RELEASE, workflow.FULFIL):
        allowed = {name for name, actor in ACTORS.items() if workflow.actor_may(action, actor)}
        assert allowed == {"claimant"}


def test_staff_verify_and_the_poster_or_staff_confirm():
    assert {n for n, a in ACTORS.items() if workflow.actor_may(workflow.VERIFY, a)} == {"staff"}
    confirmers = {n for n, a in ACTORS.items() if workflow.actor_may(workflow.CONFIRM, a)}
    assert confirmers == {"staff", "poster"}


def test_a_resident_cannot_claim_the_wish_they_posted():
    assert not workflow.actor_may(workflow.CLAIM, Actor(member=True, poster=True))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(workflow.ACTIONS), st.sampled_from(sorted(ACTORS))),
        max_size=40,
    )
)
def test_random_walks_respect_the_lifecycle(steps):
    state, history = State.SUBMITTED, [State.SUBMITTED]
    confirmations = 0
    for action, who in steps:
        target = workflow.next_state(state, action)
        if workflow.may(state, action, ACTORS[who]):
            assert target is not None
            state = target
            history.append(state)
            confirmations += action == workflow.CONFIRM
        else:
            assert target is None or not workflow.actor_may(action, ACTORS[who])
    # A wish is confirmed at most once, and only right after being fulfilled.
    assert confirmations <= 1
    for before, after in itertools.pairwise(history):
        if after == State.CONFIRMED:
            assert before == State.FULFILLED
        if after == State.FULFILLED:
            assert before == State.CONTACTED
        if after == State.CLAIMED:
            assert before == State.PUBLISHED
    # Nothing leaves a declined or confirmed wish.
    for terminal in workflow.TERMINAL:
        if terminal in history:
            assert history[history.index(terminal) :] == [terminal]


@pytest.mark.parametrize("state", State.values)
def test_no_action_is_allowed_to_nobody(state):
    assert all(not workflow.may(state, a, Actor()) for a in workflow.ACTIONS)
