"""The 随手拍 state machine as data: (state, action) → (next state, roles that may take it).

Pure: no database. `actions.py` applies it; `permissions.can` adds scope on top.
Role codes are core.Role values plus REPORTER (the resident who filed the case) and SYSTEM
(background jobs, e.g. 默认满意)."""

from __future__ import annotations

from dataclasses import dataclass

SUBMITTED = "submitted"  # 待核实
VERIFIED = "verified"  # 待派遣
DISPATCHED = "dispatched"  # 待签收
IN_PROGRESS = "in_progress"  # 办理中
REPLIED = "replied"  # 待核查
CLOSED = "closed"  # 已办结
REJECTED = "rejected"  # 不予受理
MERGED = "merged"  # 已合并

STATES = (SUBMITTED, VERIFIED, DISPATCHED, IN_PROGRESS, REPLIED, CLOSED, REJECTED, MERGED)
OPEN_STATES = frozenset({SUBMITTED, VERIFIED, DISPATCHED, IN_PROGRESS, REPLIED})
FINAL_STATES = frozenset({REJECTED, MERGED})

GRID = "grid_worker"
COMMUNITY = "community_staff"
DISPATCHER = "dispatcher"
DEPARTMENT = "department_staff"
REPORTER = "reporter"
SYSTEM = "system"
BASE = frozenset({GRID, COMMUNITY})  # 基层

VERIFY = "verify"  # 核实
REJECT = "reject"  # 不予受理
MERGE = "merge"  # 合并
RESOLVE_LOCALLY = "resolve_locally"  # 就地解决
DISPATCH = "dispatch"  # 派遣
SIGN = "sign"  # 签收
RETURN = "return"  # 退单
REPLY = "reply"  # 办结回复
REQUEST_EXTENSION = "request_extension"  # 申请延期
GRANT_EXTENSION = "grant_extension"  # 同意延期
DENY_EXTENSION = "deny_extension"  # 不同意延期
APPROVE = "approve"  # 核查通过
REWORK = "rework"  # 返工
EVALUATE = "evaluate"  # 评价
REOPEN = "reopen"  # 重新办理 (only via an unsatisfied evaluation)
COMMENT = "comment"  # 留言
SUPERVISE = "supervise"  # 督办
CREATE = "create"  # 反映 (the first event of every case)

ACTION_LABELS = {
    CREATE: "反映问题",
    VERIFY: "核实",
    REJECT: "不予受理",
    MERGE: "合并",
    RESOLVE_LOCALLY: "就地解决",
    DISPATCH: "派遣",
    SIGN: "签收",
    RETURN: "退单",
    REPLY: "办结回复",
    REQUEST_EXTENSION: "申请延期",
    GRANT_EXTENSION: "同意延期",
    DENY_EXTENSION: "不同意延期",
    APPROVE: "核查通过",
    REWORK: "返工",
    EVALUATE: "评价",
    REOPEN: "重新办理",
    COMMENT: "留言",
    SUPERVISE: "督办",
}


@dataclass(frozen=True)
class Transition:
    to_state: str
    roles: frozenset[str]


def _t(to_state: str, *roles: str | frozenset[str]) -> Transition:
    flat: set[str] = set()
    for r in roles:
        flat |= set(r) if isinstance(r, frozenset) else {r}
    return Transition(to_state, frozenset(flat))


# The dispatcher may act at 待核实 too, but `permissions.can` allows that only for cases
# outside every grid (兜底), which no grid worker or community holds.
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (SUBMITTED, VERIFY): _t(VERIFIED, BASE, DISPATCHER),
    (SUBMITTED, REJECT): _t(REJECTED, BASE, DISPATCHER),
    (SUBMITTED, MERGE): _t(MERGED, BASE, DISPATCHER),
    (SUBMITTED, RESOLVE_LOCALLY): _t(CLOSED, BASE),
    (VERIFIED, DISPATCH): _t(DISPATCHED, DISPATCHER),
    (VERIFIED, REJECT): _t(REJECTED, DISPATCHER),
    (VERIFIED, MERGE): _t(MERGED, DISPATCHER),
    (DISPATCHED, SIGN): _t(IN_PROGRESS, DEPARTMENT),
    (DISPATCHED, RETURN): _t(VERIFIED, DEPARTMENT),
    (IN_PROGRESS, REPLY): _t(REPLIED, DEPARTMENT),
    (IN_PROGRESS, REQUEST_EXTENSION): _t(IN_PROGRESS, DEPARTMENT),
    (IN_PROGRESS, GRANT_EXTENSION): _t(IN_PROGRESS, DISPATCHER),
    (IN_PROGRESS, DENY_EXTENSION): _t(IN_PROGRESS, DISPATCHER),
    (REPLIED, APPROVE): _t(CLOSED, DISPATCHER),
    (REPLIED, REWORK): _t(IN_PROGRESS, DISPATCHER),
    (CLOSED, EVALUATE): _t(CLOSED, REPORTER, DISPATCHER, COMMUNITY, SYSTEM),
    (CLOSED, REOPEN): _t(VERIFIED, SYSTEM),
}
# A reply while an extension is pending leaves the request undecided on a replied case; the
# command centre can still decide it there.
for _state in (REPLIED,):
    TRANSITIONS[(_state, GRANT_EXTENSION)] = _t(_state, DISPATCHER)
    TRANSITIONS[(_state, DENY_EXTENSION)] = _t(_state, DISPATCHER)
for _state in OPEN_STATES:
    TRANSITIONS[(_state, COMMENT)] = _t(_state, BASE, DISPATCHER, DEPARTMENT, REPORTER)
    TRANSITIONS[(_state, SUPERVISE)] = _t(_state, DISPATCHER)

# Actions a person may ask for by name (REOPEN follows an unsatisfied evaluation; CREATE is
# the report itself).
USER_ACTIONS = frozenset(a for (_s, a) in TRANSITIONS if a != REOPEN)
EXTENSION_DECISIONS = frozenset({GRANT_EXTENSION, DENY_EXTENSION})

# Who holds the case in each state (for notifications and the queues).
HOLDER = {
    SUBMITTED: BASE,
    VERIFIED: frozenset({DISPATCHER}),
    DISPATCHED: frozenset({DEPARTMENT}),
    IN_PROGRESS: frozenset({DEPARTMENT}),
    REPLIED: frozenset({DISPATCHER}),
    CLOSED: frozenset({REPORTER}),
}


@dataclass(frozen=True)
class Facts:
    """What the guards need to know about a case, beyond its state."""

    state: str
    extension_pending: bool = False
    evaluated: bool = False
    replied_by_actor: bool = False  # the actor wrote the reply under check


def actions_in(state: str) -> frozenset[str]:
    return frozenset(a for (s, a) in TRANSITIONS if s == state)


def next_state(state: str, action: str) -> str | None:
    t = TRANSITIONS.get((state, action))
    return t.to_state if t else None


def guard(facts: Facts, action: str) -> str | None:
    """None if the action may happen in this situation, else why not (a 409 for the client)."""
    if (facts.state, action) not in TRANSITIONS:
        return "当前状态下不能执行此操作"
    if action == REQUEST_EXTENSION and facts.extension_pending:
        return "已有延期申请待审批"
    if action in EXTENSION_DECISIONS and not facts.extension_pending:
        return "没有待审批的延期申请"
    if action == EVALUATE and facts.evaluated:
        return "该问题已评价"
    if action == APPROVE and facts.replied_by_actor:
        return "不能核查自己的办结回复"
    return None


def allowed(facts: Facts, action: str, roles: frozenset[str] | set[str]) -> bool:
    t = TRANSITIONS.get((facts.state, action))
    return t is not None and bool(t.roles & set(roles)) and guard(facts, action) is None


def available(facts: Facts, roles: frozenset[str] | set[str]) -> list[str]:
    """The actions these roles may take now, in the order of ACTION_LABELS."""
    return [a for a in ACTION_LABELS if a != REOPEN and allowed(facts, a, roles)]


def evaluation_reopens(rating: str) -> bool:
    return rating == "unsatisfied"
