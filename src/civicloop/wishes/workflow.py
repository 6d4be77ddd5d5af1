"""The wish's state machine as data: (state, action) → next state, and who may take each action.

Pure: no database, so that it can be property-tested and read at a glance."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import State

VERIFY = "verify"  # 核实通过并公示
DECLINE = "decline"  # 不予通过
CLAIM = "claim"  # 认领
CONTACT = "contact"  # 联系受助人
RELEASE = "release"  # 放弃认领
FULFIL = "fulfil"  # 实现心愿
CONFIRM = "confirm"  # 反馈确认
EXPIRE = "expire"  # 逾期未联系，自动退回心愿墙
POST = "post"  # 征集 (the first event; not a transition)

TRANSITIONS: dict[tuple[str, str], str] = {
    (State.SUBMITTED, VERIFY): State.PUBLISHED,
    (State.SUBMITTED, DECLINE): State.DECLINED,
    (State.PUBLISHED, CLAIM): State.CLAIMED,
    (State.CLAIMED, CONTACT): State.CONTACTED,
    (State.CLAIMED, RELEASE): State.PUBLISHED,
    (State.CONTACTED, RELEASE): State.PUBLISHED,
    (State.CLAIMED, EXPIRE): State.PUBLISHED,
    (State.CONTACTED, FULFIL): State.FULFILLED,
    (State.FULFILLED, CONFIRM): State.CONFIRMED,
}

ACTIONS = (VERIFY, DECLINE, CLAIM, CONTACT, RELEASE, FULFIL, CONFIRM, EXPIRE)
# Actions a person can take through the API and the pages (EXPIRE is the sweep's alone).
USER_ACTIONS = (VERIFY, DECLINE, CLAIM, CONTACT, RELEASE, FULFIL, CONFIRM)
TERMINAL = frozenset({State.DECLINED, State.CONFIRMED})

ACTION_LABELS = {
    POST: _("发布心愿"),
    VERIFY: _("核实通过并公示"),
    DECLINE: _("不予通过"),
    CLAIM: _("认领"),
    CONTACT: _("已联系受助人"),
    RELEASE: _("放弃认领"),
    FULFIL: _("心愿已实现"),
    CONFIRM: _("反馈确认"),
    EXPIRE: _("逾期未联系，自动退回"),
}


@dataclass(frozen=True)
class Actor:
    """What matters about the person acting on one wish."""

    scope_staff: bool = False  # community staff (or admin) whose scope covers the wish
    member: bool = False  # a party member
    claimant: bool = False  # the member who holds the wish now
    poster: bool = False  # the resident who posted the wish for themselves
    system: bool = False  # the periodic sweep


SYSTEM = Actor(system=True)


def next_state(state: str, action: str) -> str | None:
    """The state after the action, or None when the action is not allowed in this state."""
    return TRANSITIONS.get((state, action))


def allowed_in(state: str) -> list[str]:
    return [action for (s, action) in TRANSITIONS if s == state]


def actor_may(action: str, actor: Actor) -> bool:
    """Whether this kind of actor may take the action at all (state aside)."""
    if action in (VERIFY, DECLINE):
        return actor.scope_staff
    if action == CLAIM:
        return actor.member and not actor.poster
    if action in (CONTACT, RELEASE, FULFIL):
        return actor.claimant
    if action == CONFIRM:
        return actor.scope_staff or actor.poster
    if action == EXPIRE:
        return actor.system
    return False


def may(state: str, action: str, actor: Actor) -> bool:
    return next_state(state, action) is not None and actor_may(action, actor)
