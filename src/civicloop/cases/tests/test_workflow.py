"""The transition table: every state has its documented actions, and paths through it behave."""

from hypothesis import given, settings
from hypothesis import strategies as st

from civicloop.cases import workflow as wf

DOCUMENTED = {
    wf.SUBMITTED: {wf.VERIFY, wf.REJECT, wf.MERGE, wf.RESOLVE_LOCALLY},
    wf.VERIFIED: {wf.DISPATCH, wf.REJECT, wf.MERGE},
    wf.DISPATCHED: {wf.SIGN, wf.RETURN},
    wf.IN_PROGRESS: {wf.REPLY, wf.REQUEST_EXTENSION},
    wf.REPLIED: {wf.APPROVE, wf.REWORK},
    wf.CLOSED: {wf.EVALUATE, wf.REOPEN},
    wf.REJECTED: set(),
    wf.MERGED: set(),
}
ALL_ROLES = frozenset({wf.GRID, wf.COMMUNITY, wf.DISPATCHER, wf.DEPARTMENT, wf.REPORTER, wf.SYSTEM})


def test_every_state_offers_exactly_the_documented_actions():
    for state, documented in DOCUMENTED.items():
        changing = {
            a
            for a in wf.actions_in(state)
            if a not in {wf.COMMENT, wf.SUPERVISE, wf.GRANT_EXTENSION, wf.DENY_EXTENSION}
        }
        assert changing == documented, state


def test_comment_and_supervise_are_possible_in_every_open_state_and_change_nothing():
    for state in wf.OPEN_STATES:
        assert wf.next_state(state, wf.COMMENT) == state
        assert wf.next_state(state, wf.SUPERVISE) == state
    for state in (wf.REJECTED, wf.MERGED):
        assert wf.actions_in(state) == frozenset()


def test_closed_is_reached_only_by_approval_local_resolution_or_a_satisfied_evaluation():
    into_closed = {
        (s, a) for (s, a), t in wf.TRANSITIONS.items() if t.to_state == wf.CLOSED and s != wf.CLOSED
    }
    assert into_closed == {(wf.REPLIED, wf.APPROVE), (wf.SUBMITTED, wf.RESOLVE_LOCALLY)}


def test_an_unsatisfied_evaluation_reopens_the_case_to_the_command_centre():
    assert wf.evaluation_reopens("unsatisfied")
    assert not wf.evaluation_reopens("satisfied")
    assert wf.next_state(wf.CLOSED, wf.REOPEN) == wf.VERIFIED
    assert wf.REOPEN not in wf.USER_ACTIONS


def test_a_return_goes_back_to_the_command_centre():
    assert wf.next_state(wf.DISPATCHED, wf.RETURN) == wf.VERIFIED


def test_the_handler_cannot_approve_their_own_reply():
    facts = wf.Facts(state=wf.REPLIED, replied_by_actor=True)
    assert not wf.allowed(facts, wf.APPROVE, {wf.DISPATCHER})
    assert wf.allowed(wf.Facts(state=wf.REPLIED), wf.APPROVE, {wf.DISPATCHER})


def test_extension_decisions_need_a_pending_request_and_requests_do_not_pile_up():
    assert not wf.allowed(wf.Facts(state=wf.IN_PROGRESS), wf.GRANT_EXTENSION, {wf.DISPATCHER})
    pending = wf.Facts(state=wf.IN_PROGRESS, extension_pending=True)
    assert wf.allowed(pending, wf.GRANT_EXTENSION, {wf.DISPATCHER})
    assert not wf.allowed(pending, wf.REQUEST_EXTENSION, {wf.DEPARTMENT})


def test_departments_never_verify_and_the_base_never_dispatches():
    for state in wf.STATES:
        facts = wf.Facts(state=state)
        assert wf.VERIFY not in wf.available(facts, {wf.DEPARTMENT})
        assert wf.DISPATCH not in wf.available(facts, {wf.GRID, wf.COMMUNITY})
        assert wf.APPROVE not in wf.available(facts, {wf.DEPARTMENT, wf.REPORTER})


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(wf.USER_ACTIONS)),
            st.sampled_from(["satisfied", "basically_satisfied", "unsatisfied"]),
        ),
        max_size=30,
    )
)
def test_any_sequence_of_actions_stays_inside_the_table(steps):
    state, pending, evaluated = wf.SUBMITTED, False, False
    for action, rating in steps:
        facts = wf.Facts(state=state, extension_pending=pending, evaluated=evaluated)
        if not wf.allowed(facts, action, ALL_ROLES):
            assert wf.guard(facts, action) is not None or (state, action) not in wf.TRANSITIONS
            continue
        before = state
        state = wf.next_state(state, action)
        if action == wf.REQUEST_EXTENSION:
            pending = True
        elif action in wf.EXTENSION_DECISIONS:
            pending = False
        elif action == wf.EVALUATE:
            evaluated = True
            if wf.evaluation_reopens(rating):
                state = wf.next_state(state, wf.REOPEN)
                evaluated = False
        if state != before and state in {wf.VERIFIED, wf.DISPATCHED}:
            pending = False
        assert state in wf.STATES
        assert wf.actions_in(state) or state in wf.FINAL_STATES
        if action in (wf.COMMENT, wf.SUPERVISE):
            assert state == before
