"""Benchmark data: N 随手拍 cases with a realistic history, loaded fast.

Cases are spread over the last year in creation order (ids grow with time, as in real life),
routed to the demo district's grids, filed under the demo categories, and walked through the
closed loop with 5–15 events each (create, verify, dispatch, sign, reply, approve, evaluate,
plus comments, 督办, extensions, 返工 and 退单). PostgreSQL loads through COPY (psycopg
`cursor.copy()`) with secondary indexes dropped and rebuilt around the load; SQLite through
batched INSERTs. Needs a configured Django (run.py sets it up)."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction

# How a case's final state depends on its age: (state, weight) for old (> 30 days) and recent.
OLD_STATES = [
    ("closed", 83),
    ("reopened", 2),
    ("rejected", 4),
    ("merged", 3),
    ("in_progress", 3),
    ("replied", 2),
    ("dispatched", 1),
    ("verified", 1),
    ("submitted", 1),
]
RECENT_STATES = [
    ("closed", 39),
    ("reopened", 1),
    ("in_progress", 18),
    ("dispatched", 12),
    ("submitted", 8),
    ("verified", 7),
    ("replied", 8),
    ("rejected", 4),
    ("merged", 3),
]
# The transitions each final state is reached by (after the `create` event).
PATHS = {
    "submitted": [],
    "verified": ["verify"],
    "dispatched": ["verify", "dispatch"],
    "in_progress": ["verify", "dispatch", "sign"],
    "replied": ["verify", "dispatch", "sign", "reply"],
    "closed": ["verify", "dispatch", "sign", "reply", "approve", "evaluate"],
    "rejected": ["reject"],
    "merged": ["merge"],
    # 不满意 reopens the case (to verified): the latest cycle starts again.
    "reopened": ["verify", "dispatch", "sign", "reply", "approve", "evaluate", "reopen"],
}
OPEN = frozenset({"submitted", "verified", "dispatched", "in_progress", "replied"})
# The events the dashboard's figures count (dashboard.facts.FACT_ACTIONS).
FACT_STEPS = frozenset(
    {
        "dispatch",
        "reply",
        "rework",
        "grant_extension",
        "return",
        "reopen",
        "reject",
        "merge",
        "evaluate",
    }
)
STEP_STATE = {
    "create": ("", "submitted"),
    "verify": ("submitted", "verified"),
    "reject": ("submitted", "rejected"),
    "merge": ("submitted", "merged"),
    "dispatch": ("verified", "dispatched"),
    "sign": ("dispatched", "in_progress"),
    "reply": ("in_progress", "replied"),
    "approve": ("replied", "closed"),
    "evaluate": ("closed", "closed"),
    "reopen": ("closed", "verified"),
}
ROLE_OF = {
    "create": "reporter",
    "verify": "grid_worker",
    "reject": "community_staff",
    "merge": "community_staff",
    "dispatch": "dispatcher",
    "sign": "department_staff",
    "reply": "department_staff",
    "approve": "dispatcher",
    "evaluate": "reporter",
    "reopen": "system",
    "comment": "reporter",
    "supervise": "dispatcher",
    "request_extension": "department_staff",
    "grant_extension": "dispatcher",
    "rework": "dispatcher",
    "return": "department_staff",
}
NOTES = {
    "create": "",
    "verify": "经网格员现场核实，情况属实",
    "reject": "不属于受理范围，已告知反映人",
    "merge": "与已有问题重复，合并办理",
    "dispatch": "请按时限办理并反馈",
    "sign": "已签收，安排人员处理",
    "reply": "已派人现场处理完毕，详见照片",
    "approve": "核查属实，同意办结",
    "evaluate": "处理及时，谢谢",
    "reopen": "群众不满意，重新办理",
    "comment": "请问什么时候能处理？",
    "supervise": "请加快办理进度",
    "request_extension": "需协调多个部门，申请延期",
    "grant_extension": "同意延期",
    "rework": "现场仍未处理到位，请返工",
    "return": "不属于本部门职责，申请退回",
}
DESCRIPTIONS = [
    "小区门口垃圾桶满溢已经两天没人清运，气味很大，影响居民出行",
    "路口井盖破损松动，车辆经过有异响，晚上行人容易踩空",
    "人行道上有流动摊贩占道经营，早晚高峰行人只能走机动车道",
    "楼道里堆放大量杂物和旧家具，存在消防安全隐患",
    "路灯连续几个晚上不亮，这一段路很黑，老人孩子出行不安全",
    "道路中间出现一个大坑，下雨后积水，电动车经过很危险",
    "夜间施工噪音很大，已经影响附近居民休息",
    "绿化带里的树木倒伏压在围栏上，需要尽快清理",
    "公交站牌破损，候车亭顶棚漏雨",
    "小区外墙上贴满小广告，反复张贴清理不干净",
    "有车辆长期停在消防通道上，堵住了出入口",
    "下水道堵塞，污水漫到路面，味道难闻",
]
SOURCES = [("app", 70), ("patrol", 15), ("hotline", 10), ("phone", 5)]
# A closed case's evaluation (unsatisfied ones reopen the case: final state "reopened").
RATINGS = [("satisfied", 84), ("basically_satisfied", 12), ("", 4)]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
HOUR = 3600
DAY = 24 * HOUR
# How long each step takes: (shortest, longest) in seconds.
GAPS = {
    "verify": (0.2 * HOUR, 6 * HOUR),
    "reject": (0.5 * HOUR, 8 * HOUR),
    "merge": (0.5 * HOUR, 8 * HOUR),
    "dispatch": (0.2 * HOUR, 4 * HOUR),
    "sign": (0.1 * HOUR, 3 * HOUR),
    "reply": (4 * HOUR, 96 * HOUR),
    "approve": (1 * HOUR, 24 * HOUR),
    "evaluate": (1 * HOUR, 72 * HOUR),
    "reopen": (1, 2),
}


def _lottery(pairs) -> list[str]:
    """A list in which each value appears as often as its weight: one random index draws."""
    return [value for value, weight in pairs for _ in range(weight)]


class Clock:
    """UTC timestamps as the text both PostgreSQL (session time zone UTC) and Django's SQLite
    backend read, the date and hour cached because formatting dominates the generator's time."""

    def __init__(self):
        self._hours: dict[int, str] = {}

    def text(self, epoch: float | None) -> str | None:
        if epoch is None:
            return None
        hour, rest = divmod(int(epoch), 3600)
        prefix = self._hours.get(hour)
        if prefix is None:
            prefix = datetime.fromtimestamp(hour * 3600, UTC).strftime("%Y-%m-%d %H:")
            self._hours[hour] = prefix
        minute, second = divmod(rest, 60)
        return f"{prefix}{minute:02d}:{second:02d}"


@dataclass
class World:
    """What the generated rows refer to: grids, categories, departments and actors."""

    grids: list[tuple[int, int, int, float, float, float, float]]  # id, community, street, box
    categories: list[tuple[int, int | None]]  # (category id, department id)
    departments: list[int]
    residents: list[int]
    actors: dict[str, list[int]]  # role → user ids
    department_staff: dict[int, int]  # department id → a staff user id
    community_staff: dict[int, int]  # community id → a staff user id
    extra: dict = field(default_factory=dict)


def _ensure_user(username: str, real_name: str, role: str, **scope) -> int:
    from civicloop.core.models import Profile, RoleAssignment

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
        user.set_unusable_password()
        user.save()
        Profile.objects.create(user=user, real_name=real_name)
    RoleAssignment.objects.get_or_create(user=user, role=role, **scope)
    return user.pk


def build_world(residents: int, seed: int = 1) -> World:
    """Reads the demo foundation and creates the staff and resident accounts the rows need."""
    from civicloop.cases.models import Category
    from civicloop.core.models import Department, Region, Role, ScopeType

    rng = random.Random(seed)
    grids = []
    for grid in Region.objects.filter(level=Region.Level.GRID).order_by("id"):
        ring = (grid.geometry or {}).get("coordinates", [[]])[0]
        if not ring:
            continue
        lngs = [p[0] for p in ring]
        lats = [p[1] for p in ring]
        grids.append(
            (
                grid.pk,
                grid.community_id,
                grid.street_id,
                min(lats),
                max(lats),
                min(lngs),
                max(lngs),
            )
        )
    categories = []
    for cat in Category.objects.filter(parent__isnull=False, active=True).select_related("parent"):
        dept = cat.department_id or (cat.parent.department_id if cat.parent_id else None)
        categories.append((cat.pk, dept))
    departments = list(Department.objects.order_by("id").values_list("pk", flat=True))
    if not categories or not grids or not departments:
        raise RuntimeError("需要演示基础数据（区域、网格、部门、问题分类）：先运行 civicloop demo")
    categories = [(c, d or departments[0]) for c, d in categories]

    with transaction.atomic():
        dept_staff = {
            d.pk: _ensure_user(
                f"bench-bm-{d.code}",
                f"{d.short_name or d.name}值班员",
                Role.DEPARTMENT_STAFF,
                scope_type=ScopeType.DEPARTMENT,
                department=d,
            )
            for d in Department.objects.all()
        }
        comm_staff = {
            c.pk: _ensure_user(
                f"bench-sq-{c.code}",
                f"{c.name}工作人员",
                Role.COMMUNITY_STAFF,
                scope_type=ScopeType.COMMUNITY,
                region=c,
            )
            for c in Region.objects.filter(level=Region.Level.COMMUNITY)
        }
    User = get_user_model()
    dispatcher = User.objects.get(username="dispatcher").pk
    resident_ids = _bulk_residents(residents, rng)
    return World(
        grids=grids,
        categories=categories,
        departments=departments,
        residents=resident_ids,
        actors={"dispatcher": [dispatcher]},
        department_staff=dept_staff,
        community_staff=comm_staff,
    )


def _bulk_residents(count: int, rng: random.Random) -> list[int]:
    """`count` resident accounts (unusable passwords) with profiles, inserted in bulk."""
    from civicloop.core.models import Profile

    User = get_user_model()
    existing = list(
        User.objects.filter(username__startswith="bench-jm-").values_list("pk", flat=True)
    )
    if len(existing) >= count:
        return existing[:count]
    start = len(existing)
    users = []
    for n in range(start, count):
        user = User(username=f"bench-jm-{n:06d}", is_active=True)
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=2000)
    fresh = list(
        User.objects.filter(username__startswith="bench-jm-")
        .exclude(pk__in=existing)
        .values_list("pk", flat=True)
    )
    Profile.objects.bulk_create(
        [
            Profile(
                user_id=pk,
                real_name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                phone=f"13{rng.randrange(10**9):09d}",
            )
            for pk in fresh
        ],
        batch_size=2000,
    )
    return existing + fresh


# --- rows ---------------------------------------------------------------------------------


CASE_COLUMNS = [
    "id",
    "token",
    "description",
    "category_id",
    "attributes",
    "lat",
    "lng",
    "address",
    "grid_id",
    "community_id",
    "street_id",
    "department_id",
    "state",
    "source",
    "source_detail",
    "reporter_id",
    "filed_by_id",
    "contact_name",
    "contact_phone",
    "anonymous",
    "deadline",
    "step_started_at",
    "step_seq",
    "deadline_state",
    "handling_hours",
    "verified_at",
    "dispatched_at",
    "sign_deadline",
    "signed_at",
    "close_deadline",
    "replied_at",
    "replied_by_id",
    "closed_at",
    "reopen_count",
    "rework_count",
    "return_count",
    "merged_into_id",
    "duplicate_count",
    "rating",
    "rating_comment",
    "evaluated_at",
    "evaluated_by_default",
    "extension_hours",
    "extension_reason",
    "idempotency_scope",
    "idempotency_key",
    "created_at",
    "updated_at",
    "version",
]
EVENT_COLUMNS = [
    "id",
    "case_id",
    "action",
    "actor_id",
    "actor_role",
    "from_state",
    "to_state",
    "note",
    "data",
    "public",
    "flagged",
    "at",
]


class Generator:
    """Case rows and their event rows, deterministic for a seed."""

    def __init__(self, world: World, *, now: float, seed: int = 1):
        self.w = world
        self.now = now
        self.rng = random.Random(seed)
        self.clock = Clock()
        self.old_states = _lottery(OLD_STATES)
        self.recent_states = _lottery(RECENT_STATES)
        self.sources = _lottery(SOURCES)
        self.ratings = _lottery(RATINGS)
        self.next_event_id = 1

    def _final(self, created: float, forced: str | None) -> str:
        if forced:
            return forced
        lottery = self.recent_states if self.now - created < 30 * DAY else self.old_states
        return lottery[int(self.rng.random() * len(lottery))]

    def case(self, case_id: int, created: float, *, state=None, department=None, events="all"):
        """One case row (a tuple in CASE_COLUMNS order) and its event rows; `events` is "all"
        (5–15 per case), "facts" (only those the dashboard counts) or "" (none)."""
        rng, t, w, now = self.rng, self.clock.text, self.w, self.now
        final = self._final(created, state)
        state = "verified" if final == "reopened" else final
        if rng.random() < 0.03:
            grid = community = street = None  # outside every grid: the district holds it
            lat = 41.10 + rng.random() * 0.05
            lng = 122.0 + rng.random() * 0.12
        else:
            grid, community, street, s, n, west, east = w.grids[int(rng.random() * len(w.grids))]
            lat = round(s + (n - s) * rng.random(), 6)
            lng = round(west + (east - west) * rng.random(), 6)
        category, category_dept = w.categories[int(rng.random() * len(w.categories))]
        dept = department or category_dept
        source = self.sources[int(rng.random() * len(self.sources))]
        residents = w.residents
        reporter = (
            residents[int(rng.random() * len(residents))] if source == "app" and residents else None
        )
        contact_name = "" if reporter else SURNAMES[case_id % len(SURNAMES)] + "先生"
        contact_phone = "" if reporter else f"139{(case_id * 7919) % 10**8:08d}"
        rating = ""
        if final == "closed":
            rating = self.ratings[int(rng.random() * len(self.ratings))]
        elif final == "reopened":
            rating = "unsatisfied"
        path = PATHS[final]
        if final == "closed" and not rating:
            path = path[:-1]  # not evaluated yet
        # Milestones, each after the previous by a plausible delay.
        moments = {"create": created}
        at = created
        for step in path:
            low, high = GAPS[step]
            at = min(at + low + (high - low) * rng.random(), now - 60)
            moments[step] = at
        by_default = rating == "satisfied" and rng.random() < 0.3
        evaluation = rating
        if final == "reopened":  # the unsatisfied evaluation cleared the cycle's milestones
            dispatched_at = sign_deadline = signed_at = close_deadline = replied_at = None
            closed_at = evaluated_at = None
            rating = ""
        else:
            dispatched_at = moments.get("dispatch")
            sign_deadline = dispatched_at + 2 * HOUR if dispatched_at else None
            signed_at = moments.get("sign")
            close_deadline = signed_at + 5 * DAY if signed_at else None
            replied_at = moments.get("reply")
            closed_at = moments.get("approve")
            evaluated_at = moments.get("evaluate")
        deadline = None
        deadline_state = "normal"
        if state in OPEN:
            deadline = at + (5 * DAY if state == "in_progress" else 8 * HOUR)
            if deadline < now:
                deadline_state = "overdue"
            elif deadline - now < 4 * HOUR:
                deadline_state = "due_soon"
        holder_dept = dept if "dispatch" in moments else category_dept
        text = DESCRIPTIONS[case_id % len(DESCRIPTIONS)]
        row = (
            case_id,
            f"bench{case_id:010d}",
            f"{text}（编号{case_id}）",
            category,
            "{}",
            lat,
            lng,
            f"兴隆台区 {case_id % 500 + 1} 号附近",
            grid,
            community,
            street,
            holder_dept,
            state,
            source,
            "",
            reporter,
            None,
            contact_name,
            contact_phone,
            False,
            t(deadline),
            t(at),
            len(path) + 1,
            deadline_state,
            None,
            t(moments.get("verify")),
            t(dispatched_at),
            t(sign_deadline),
            t(signed_at),
            t(close_deadline),
            t(replied_at),
            w.department_staff.get(dept) if replied_at else None,
            t(closed_at),
            1 if final == "reopened" else 0,
            0,
            0,
            None,
            0,
            rating,
            "",
            t(evaluated_at),
            by_default,
            None,
            "",
            "",
            "",
            t(created),
            t(at),
            len(path),
        )
        if not events:
            return row, []
        history = self._events(
            case_id,
            path,
            moments,
            reporter,
            community,
            dept,
            evaluation,
            by_default,
            facts=events == "facts",
        )
        return row, history

    def _events(
        self, case_id, path, moments, reporter, community, dept, evaluation, by_default, *, facts
    ):
        rng, w = self.rng, self.w
        dispatcher = w.actors["dispatcher"][0]
        comm_user = w.community_staff.get(community) if community else dispatcher
        actor_of = {
            "reporter": reporter,
            "grid_worker": comm_user,
            "community_staff": comm_user,
            "dispatcher": dispatcher,
            "department_staff": w.department_staff.get(dept),
            "system": None,
        }
        data_of = {
            "dispatch": f'{{"department": {dept}, "deadline_hours": null}}',
            "evaluate": json.dumps({"rating": evaluation, "by_default": by_default}),
            "reopen": '{"rating": "unsatisfied"}',
        }
        steps = ["create", *path]
        padding: list[tuple[int, str]] = []
        if not facts:
            # 5–15 events: talk, 督办 and extensions fitted into the case's history.
            extras = max(0, rng.randint(5, 15) - len(steps))
            signed = steps.index("sign") if "sign" in steps else None
            while len(padding) < extras:
                kind = rng.random()
                if signed is not None and kind < 0.15 and len(padding) + 2 <= extras:
                    padding.append((signed, "request_extension"))
                    padding.append((signed, "grant_extension"))
                elif kind < 0.55:
                    padding.append((rng.randrange(len(steps)), "comment"))
                else:
                    padding.append((rng.randrange(len(steps)), "supervise"))
            padding.sort()
        rows = []
        pad = 0
        for index, step in enumerate(steps):
            at = moments[step]
            from_state, to_state = STEP_STATE[step]
            if not facts or step in FACT_STEPS:
                role = ROLE_OF[step]
                if step == "evaluate":
                    role = "system" if by_default else ("reporter" if reporter else "dispatcher")
                rows.append(
                    self._event_row(
                        case_id,
                        step,
                        actor_of[role],
                        role,
                        from_state,
                        to_state,
                        NOTES[step],
                        data_of.get(step, "{}"),
                        at,
                        True,
                        False,
                    )
                )
            following = moments[steps[index + 1]] if index + 1 < len(steps) else self.now - 30
            while pad < len(padding) and padding[pad][0] == index:
                action = padding[pad][1]
                at = at + (following - at) * (0.1 + 0.8 * rng.random())
                role = ROLE_OF[action]
                rows.append(
                    self._event_row(
                        case_id,
                        action,
                        actor_of[role],
                        role,
                        to_state,
                        to_state,
                        NOTES[action],
                        "{}",
                        at,
                        action != "supervise",
                        action == "supervise",
                    )
                )
                pad += 1
        return rows

    def _event_row(
        self, case_id, action, actor, role, from_state, to_state, note, data, at, public, flagged
    ):
        event_id = self.next_event_id
        self.next_event_id += 1
        return (
            event_id,
            case_id,
            action,
            actor,
            role,
            from_state,
            to_state,
            note,
            data,
            public,
            flagged,
            self.clock.text(at),
        )


# --- loading ------------------------------------------------------------------------------


def _pg_text(row) -> str:
    return "\t".join(["\\N" if v is None else str(v) for v in row])


class PgLoader:
    """COPY into PostgreSQL, secondary indexes dropped during the load and rebuilt after — when
    the load at least doubles a fifth of the first table (`adding` rows); a small append to a
    big table keeps them (rebuilding the indexes of 100 M events takes minutes).

    Foreign keys are not checked row by row during the load (session_replication_role =
    replica, which needs a superuser: the local bench server's `postgres`); the rows are
    consistent by construction."""

    def __init__(self, tables: list[str], adding: int = 0):
        self.tables = tables
        self.adding = adding
        self.index_defs: list[tuple[str, str]] = []

    def _rebuild_indexes(self, cur) -> bool:
        cur.execute(
            "SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass", [self.tables[0]]
        )
        return self.adding >= 0.2 * cur.fetchone()[0]

    def __enter__(self):
        with connection.cursor() as cur:
            cur.execute("SET session_replication_role = replica")
            cur.execute("SET synchronous_commit = off")
            cur.execute("SET maintenance_work_mem = '512MB'")
            cur.execute("SET TIME ZONE 'UTC'")
            for table in self.tables if self._rebuild_indexes(cur) else ():
                cur.execute(
                    """
                    SELECT i.relname, pg_get_indexdef(x.indexrelid)
                    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                    WHERE x.indrelid = %s::regclass
                      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                    """,
                    [table],
                )
                for name, definition in cur.fetchall():
                    self.index_defs.append((name, definition))
                    cur.execute(f'DROP INDEX "{name}"')
        return self

    def copy(self, table: str, columns: list[str], rows: Iterator[tuple], chunk: int = 5000):
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        count = 0
        with connection.cursor() as cur, cur.cursor.copy(sql) as copy:
            buffer = []
            for row in rows:
                buffer.append(_pg_text(row))
                if len(buffer) >= chunk:
                    copy.write("\n".join(buffer) + "\n")
                    count += len(buffer)
                    buffer.clear()
            if buffer:
                copy.write("\n".join(buffer) + "\n")
                count += len(buffer)
        return count

    def __exit__(self, *exc):
        with connection.cursor() as cur:
            for _name, definition in self.index_defs:
                cur.execute(definition)
            cur.execute("SET session_replication_role = origin")
            for table in self.tables:
                sql = (
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
                cur.execute(sql)
        return False


class SqliteLoader:
    """Batched INSERTs into SQLite (one transaction per batch)."""

    def __init__(self, tables):
        self.tables = tables

    def __enter__(self):
        return self

    def copy(self, table: str, columns: list[str], rows: Iterator[tuple], chunk: int = 5000):
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        count = 0
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                with transaction.atomic(), connection.cursor() as cur:
                    cur.executemany(sql, batch)
                count += len(batch)
                batch.clear()
        if batch:
            with transaction.atomic(), connection.cursor() as cur:
                cur.executemany(sql, batch)
            count += len(batch)
        return count

    def __exit__(self, *exc):
        return False


def loader(tables, adding: int = 0):
    if connection.vendor == "postgresql":
        return PgLoader(tables, adding)
    return SqliteLoader(tables)


@dataclass
class Generated:
    cases: int = 0
    events: int = 0
    first_id: int = 0
    last_id: int = 0
    pool: tuple[int, int] = (0, 0)  # ids of the dispatched cases kept for the `sign` runs
    seconds: float = 0.0
    index_seconds: float = 0.0


def _max_id(table: str) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - fixed names
        return cur.fetchone()[0]


def _remaining_columns(model, columns: list[str]) -> list[tuple[str, object]]:
    """Columns the generator does not know (added to the model later) with their defaults."""
    extra = []
    for f in model._meta.concrete_fields:
        if f.column in columns:
            continue
        default = f.get_default()
        extra.append((f.column, f.get_db_prep_save(default, connection)))
    return extra


def generate(
    world: World,
    cases: int,
    *,
    pool: int = 0,
    pool_department: int | None = None,
    events: str = "all",
    seed: int = 1,
    span_days: int = 365,
    progress=None,
) -> Generated:
    """Appends `cases` cases (and their events) created over the last `span_days` days; the
    last `pool` cases are dispatched to `pool_department` (the queue the `sign` run works on)."""
    from civicloop.cases.models import Case, CaseEvent

    case_table, event_table = Case._meta.db_table, CaseEvent._meta.db_table
    extra_case = _remaining_columns(Case, CASE_COLUMNS)
    extra_event = _remaining_columns(CaseEvent, EVENT_COLUMNS)
    case_columns = CASE_COLUMNS + [c for c, _v in extra_case]
    event_columns = EVENT_COLUMNS + [c for c, _v in extra_event]
    case_tail = tuple(v for _c, v in extra_case)
    event_tail = tuple(v for _c, v in extra_event)

    # The data ends ten minutes ago: every event is older than the rollup sweep's lag, as in a
    # district whose periodic sweep has caught up.
    now = time.time() - 600
    first = _max_id(case_table) + 1
    gen = Generator(world, now=now, seed=seed * 1_000_003 + first)  # each batch its own draw
    gen.next_event_id = _max_id(event_table) + 1
    start = now - span_days * DAY
    step = (now - 3600 - start) / max(cases, 1)
    pending_events: list[tuple] = []
    result = Generated(first_id=first, last_id=first + cases - 1)
    result.pool = (first + cases - pool, first + cases - 1) if pool else (0, 0)
    began = time.perf_counter()

    def case_rows():
        for n in range(cases):
            case_id = first + n
            created = start + n * step + gen.rng.random() * step
            in_pool = pool and n >= cases - pool
            row, evs = gen.case(
                case_id,
                created,
                state="dispatched" if in_pool else None,
                department=pool_department if in_pool else None,
                events=events,
            )
            result.events += len(evs)
            pending_events.extend(e + event_tail for e in evs)
            if progress and n and n % 200_000 == 0:
                progress(f"  … {n:,} 件")
            yield row + case_tail

    tables = [case_table, event_table] if events else [case_table]
    with loader(tables, adding=cases) as load:
        if events:
            # Cases first (in chunks), then the chunk's events: memory stays bounded.
            chunk = 50_000
            rows = case_rows()
            while True:
                batch = []
                for row in rows:
                    batch.append(row)
                    if len(batch) >= chunk:
                        break
                if not batch:
                    break
                result.cases += load.copy(case_table, case_columns, iter(batch))
                load.copy(event_table, event_columns, iter(pending_events))
                pending_events.clear()
        else:
            result.cases += load.copy(case_table, case_columns, case_rows())
        loaded = time.perf_counter()
    result.index_seconds = time.perf_counter() - loaded
    result.seconds = time.perf_counter() - began
    return result


def analyze(tables: list[str]) -> float:
    """VACUUM ANALYZE after the bulk load, as autovacuum would before long: fresh statistics
    and a visibility map for index-only scans."""
    began = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in tables:
                cur.execute(f"VACUUM (ANALYZE) {table}")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return time.perf_counter() - began
