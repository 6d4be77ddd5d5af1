"""The reflection review cycle as data: (state, action) → next state, plus who may act."""

from __future__ import annotations

SUBMITTED, ACCEPTED, RETURNED = "submitted", "accepted", "returned"

SUBMIT, ACCEPT, RETURN, RESUBMIT = "submit", "accept", "return", "resubmit"

TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, SUBMIT): SUBMITTED,
    (SUBMITTED, ACCEPT): ACCEPTED,  # 通过
    (SUBMITTED, RETURN): RETURNED,  # 退回修改
    (RETURNED, RESUBMIT): SUBMITTED,  # 修改后重新提交
}

# Who acts: the author writes and rewrites, the branch secretary reviews.
AUTHOR_ACTIONS = frozenset({SUBMIT, RESUBMIT})
REVIEWER_ACTIONS = frozenset({ACCEPT, RETURN})


def next_state(state: str | None, action: str) -> str | None:
    """The state after `action`, or None when the action is not allowed in `state`."""
    return TRANSITIONS.get((state, action))


def allowed_actions(state: str | None) -> set[str]:
    return {action for (from_state, action) in TRANSITIONS if from_state == state}


def needs_comment(action: str) -> bool:
    """A return must say what to change; an acceptance may be silent."""
    return action == RETURN
