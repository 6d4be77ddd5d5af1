"""数据驾驶舱: every case figure, its formula written once, for any scope and period.

Scopes: district, street, community, grid (by the case's routed region) and department (the
department holding the case). A period is a range of whole local days (Asia/Shanghai), both ends
inclusive. Which date puts a case (or one of its events) in the period is given per figure below
and in docs/metrics.md; figures describe the latest handling cycle of a case where they use its
columns, and every occurrence where they use its events.

| key | 中文 | formula (date that puts it in the period) |
|---|---|---|
| received | 受理数 | cases created (created_at) |
| verified | 立案数 | cases verified, or resolved on the spot (verified_at, else closed_at) |
| dispatched | 派遣数 | dispatch events (event time; a re-dispatch after 退单 counts again) |
| due | 应结案数 | cases whose handling deadline passed, or that replied (close_deadline) |
| closed | 结案数 | cases now closed (closed_at) |
| closed_on_time | 按期结案数 | due cases replied by their deadline (close_deadline) |
| overdue | 超期数 | due − closed_on_time: replied late, or past the deadline unreplied |
| on_time_sign_rate | 按时签收率 | signed by the sign deadline ÷ signed or past it (dispatched_at) |
| on_time_close_rate | 按期结案率 | closed_on_time ÷ due |
| rework_rate | 返工率 | rework events ÷ reply events (event time) |
| extension_rate | 延期率 | extensions granted ÷ dispatched (event time) |
| return_rate | 退单率 | return events ÷ dispatched (event time) |
| evaluated | 已评价 | evaluation events, incl. 默认满意 (event time) |
| satisfied / basically_satisfied / unsatisfied | 满意 / 基本满意 / 不满意 | by rating |
| satisfaction_rate | 满意率 | (satisfied + basically_satisfied) ÷ evaluated |
| reopened | 重办数 | reopen events (event time) |
| rejected | 不予受理 | reject events (event time) |
| merged | 合并 | merge events (event time) |
| mean_handling_hours | 平均处置时长 | working hours dispatched_at → closed_at ÷ closed dispatched cases (closed_at) |
| response_rate | 响应率 | = on_time_sign_rate |
| resolution_rate | 解决率 | = on_time_close_rate |
| composite_score | 综合得分 | 100 × weighted mean of the three rates (weights in conf.py) |

Every figure is a ratio or a sum of the additive counters in `models.COUNTERS`; `facts.py`
says how one case adds to them. `figures()` reads the rollups plus the live tail;
`naive_counters()` computes the same counters straight from the case and event tables."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicloop.cases.models import Case, CaseEvent

from . import conf, rollups
from .facts import EVENT_COUNTERS, RATING_COUNTERS
from .models import COUNTERS, CaseRollup, ScopeRollup

SCOPE_TYPES = ("district", "street", "community", "grid", "department")
GROUPS = ("day", "street_id", "community_id", "grid_id", "department_id", "category_id", "source")
# Breakdowns every scope keeps in ScopeRollup (group_value is text): how to read the value back.
SCOPE_GROUPS = {"category_id": int, "source": str}

# The keys of the case figures, in the order the API and the exports list them, with 中文.
LABELS: dict[str, str] = {
    "received": _("受理数"),
    "verified": _("立案数"),
    "dispatched": _("派遣数"),
    "due": _("应结案数"),
    "closed": _("结案数"),
    "closed_on_time": _("按期结案数"),
    "on_time_sign_rate": _("按时签收率"),
    "on_time_close_rate": _("按期结案率"),
    "rework_rate": _("返工率"),
    "extension_rate": _("延期率"),
    "return_rate": _("退单率"),
    "evaluated": _("已评价"),
    "satisfied": _("满意"),
    "basically_satisfied": _("基本满意"),
    "unsatisfied": _("不满意"),
    "satisfaction_rate": _("满意率"),
    "reopened": _("重办数"),
    "rejected": _("不予受理"),
    "merged": _("合并"),
    "overdue": _("超期数"),
    "mean_handling_hours": _("平均处置时长（工作小时）"),
    "response_rate": _("响应率"),
    "resolution_rate": _("解决率"),
    "composite_score": _("综合得分"),
    "grade": _("等级"),
}
RATE_KEYS = frozenset(
    {
        "on_time_sign_rate",
        "on_time_close_rate",
        "rework_rate",
        "extension_rate",
        "return_rate",
        "satisfaction_rate",
        "response_rate",
        "resolution_rate",
    }
)


@dataclass(frozen=True)
class Period:
    """Whole local days from `start` to `end`, both inclusive."""

    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_default_timezone()
        lo = datetime.combine(self.start, time.min, tz)
        hi = datetime.combine(self.end + timedelta(days=1), time.min, tz)
        return lo, hi

    def as_dict(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = date(year, month, 1)
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        return cls(start, nxt - timedelta(days=1))


def ratio(numerator: float, denominator: float) -> float | None:
    """A rate rounded to 4 places; None (shown as —) when there is nothing to divide by."""
    return round(numerator / denominator, 4) if denominator else None


def grade(score: float | None) -> str:
    """优 / 良 / 中 / 差 for a composite score; '' without one."""
    if score is None:
        return ""
    for bound, label in conf.bands():
        if score >= bound:
            return label
    return "差"


def composite(rates: dict[str, float | None]) -> float | None:
    """100 × the weighted mean of the rates present (weights renormalised over them)."""
    weights = conf.weights()
    parts = [(weights[k], v) for k, v in rates.items() if v is not None and weights.get(k)]
    total = sum(w for w, _v in parts)
    if not total:
        return None
    return round(100 * sum(w * v for w, v in parts) / total, 1)


def derive(c: dict[str, float]) -> dict:
    """The case figures (API keys) from additive counters."""
    g = lambda name: int(c.get(name, 0) or 0)  # noqa: E731
    sign = ratio(g("signed_on_time"), g("sign_due"))
    close = ratio(g("closed_on_time"), g("due"))
    satisfaction = ratio(g("satisfied") + g("basically_satisfied"), g("evaluated"))
    score = composite({"response": sign, "resolution": close, "satisfaction": satisfaction})
    handled = g("handled")
    return {
        "received": g("received"),
        "verified": g("verified"),
        "dispatched": g("dispatched"),
        "due": g("due"),
        "closed": g("closed"),
        "closed_on_time": g("closed_on_time"),
        "on_time_sign_rate": sign,
        "on_time_close_rate": close,
        "rework_rate": ratio(g("reworked"), g("replied")),
        "extension_rate": ratio(g("extended"), g("dispatched")),
        "return_rate": ratio(g("returned"), g("dispatched")),
        "evaluated": g("evaluated"),
        "satisfied": g("satisfied"),
        "basically_satisfied": g("basically_satisfied"),
        "unsatisfied": g("unsatisfied"),
        "default_satisfied": g("default_satisfied"),
        "satisfaction_rate": satisfaction,
        "reopened": g("reopened"),
        "rejected": g("rejected"),
        "merged": g("merged"),
        "overdue": g("due") - g("closed_on_time"),
        "mean_handling_hours": (
            round(c.get("handling_seconds", 0) / handled / 3600, 1) if handled else None
        ),
        "response_rate": sign,
        "resolution_rate": close,
        "composite_score": score,
        "grade": grade(score),
    }


def _zero() -> dict[str, int]:
    return dict.fromkeys(COUNTERS, 0)


class Snapshot:
    """The case counters as of one moment: rollups plus the live tail, computed once and reused
    for every table and chart of a page."""

    def __init__(self, now: datetime | None = None, *, live: bool = True):
        self.now = now or timezone.now()
        self.tail = rollups.tail_rows(self.now) if live else []

    def counters(
        self, scope_type: str, scope_id: int | None, period: Period, group: str | None = None
    ) -> dict:
        """{group value: counters} (group None: {None: counters})."""
        if group is not None and group not in GROUPS:
            raise ValueError(group)
        out: dict = defaultdict(_zero)
        sums = {name: Sum(name) for name in COUNTERS}
        column, convert = group, None
        if group in (None, "day") or group in SCOPE_GROUPS:
            # A scope's totals and trend (one row per day), or its breakdown by category or
            # source (one row per day and value): ScopeRollup, however many cases.
            qs = ScopeRollup.objects.filter(
                scope_type=scope_type,
                scope_id=scope_id or 0,
                group_by=group if group in SCOPE_GROUPS else "",
                day__range=(period.start, period.end),
            )
            if group in SCOPE_GROUPS:
                column, convert = "group_value", SCOPE_GROUPS[group]
        else:
            qs = CaseRollup.objects.filter(
                rollups.scope_q(scope_type, scope_id), day__range=(period.start, period.end)
            )
        if group is None:
            row = qs.aggregate(**sums)
            out[None].update({k: v or 0 for k, v in row.items()})
        else:
            for row in qs.values(column).annotate(**sums).order_by():
                key = row.pop(column)
                out[convert(key) if convert else key].update({k: v or 0 for k, v in row.items()})
        lo, hi = period.start.isoformat(), period.end.isoformat()
        field = f"{scope_type}_id"
        for row in self.tail:
            if not lo <= row["day"] <= hi:
                continue
            if scope_type != "district" and row.get(field) != scope_id:
                continue
            key = None if group is None else row[group]
            if group == "day":
                key = date.fromisoformat(key)
            target = out[key]
            for name in COUNTERS:
                target[name] += row.get(name, 0)
        return dict(out)

    def units(self, level: str, period: Period, ids: list[int] | None = None) -> dict:
        """{scope id: counters} of every street, community, grid or department (or of those in
        `ids`): the rankings, from ScopeRollup."""
        out: dict = defaultdict(_zero)
        sums = {name: Sum(name) for name in COUNTERS}
        qs = ScopeRollup.objects.filter(
            scope_type=level, group_by="", day__range=(period.start, period.end)
        )
        if ids is not None:
            qs = qs.filter(scope_id__in=ids)
        rows = qs.values("scope_id").annotate(**sums).order_by()
        for row in rows:
            key = row.pop("scope_id")
            out[key].update({k: v or 0 for k, v in row.items()})
        lo, hi = period.start.isoformat(), period.end.isoformat()
        wanted = None if ids is None else set(ids)
        for row in self.tail:
            unit = row.get(f"{level}_id")
            if unit and lo <= row["day"] <= hi and (wanted is None or unit in wanted):
                for name in COUNTERS:
                    out[unit][name] += row.get(name, 0)
        return dict(out)

    def figures(self, scope_type: str, scope_id: int | None, period: Period) -> dict:
        return derive(self.counters(scope_type, scope_id, period)[None])

    def grouped(
        self, scope_type: str, scope_id: int | None, period: Period, group: str
    ) -> dict[object, dict]:
        return {k: derive(c) for k, c in self.counters(scope_type, scope_id, period, group).items()}


def counters_of(period: Period, scope_type: str = "district", scope_id: int | None = None) -> dict:
    """The live additive counters of a scope and period (for tests and the benchmark)."""
    return Snapshot().counters(scope_type, scope_id, period)[None]


def figures(scope_type: str, scope_id: int | None, period: Period, now=None) -> dict:
    """The case figures (API keys) of one scope and period, live."""
    return Snapshot(now).figures(scope_type, scope_id, period)


def shared_figures(scope_type: str, scope_id: int | None, period: Period) -> dict:
    """`figures`, shared between identical requests (the cache, Redis in production) for up
    to conf.answer_seconds() while no event is recorded and the rollups stay as they were: a
    wall screen watched by a hundred viewers costs one computation, a new report still shows
    at once, and a deadline that passes counts at most that many seconds late."""
    seconds = conf.answer_seconds()
    if not seconds:
        return figures(scope_type, scope_id, period)
    stamp = ".".join(map(str, rollups.freshness()))
    window = int(timezone.now().timestamp() // seconds)
    key = f"dash:cases:{scope_type}:{scope_id or 0}:{period.start}:{period.end}:{stamp}:{window}"
    answer = cache.get(key)
    if answer is None:
        answer = figures(scope_type, scope_id, period)
        cache.set(key, answer, seconds * 2)
    return answer


# --- naive: the same counters with plain aggregates over the raw tables ---------------------


def naive_counters(scope_type: str, scope_id: int | None, period: Period, now=None) -> dict:
    """The counters of `facts.case_days`, summed with GROUP BY queries over Case and CaseEvent
    (no rollups). The benchmark's floor, and the tests' reference for the rollups."""
    now = now or timezone.now()
    lo, hi = period.bounds()
    cases = Case.objects.filter(rollups.scope_q(scope_type, scope_id))

    def within(field: str) -> Q:
        return Q(**{f"{field}__gte": lo, f"{field}__lt": hi})

    replied_or_late = Q(replied_at__isnull=False) | Q(close_deadline__lte=now)
    signed_or_late = Q(signed_at__isnull=False) | Q(sign_deadline__lte=now)
    # verified_at, else closed_at (就地解决): a case with neither is not verified.
    verified_in = within("verified_at") | (Q(verified_at__isnull=True) & within("closed_at"))
    row = cases.aggregate(
        received=Count("pk", filter=within("created_at")),
        verified=Count("pk", filter=verified_in),
        sign_due=Count("pk", filter=within("dispatched_at") & signed_or_late),
        signed_on_time=Count(
            "pk",
            filter=within("dispatched_at")
            & Q(signed_at__isnull=False)
            & (Q(sign_deadline__isnull=True) | Q(signed_at__lte=F("sign_deadline"))),
        ),
        due=Count("pk", filter=within("close_deadline") & replied_or_late),
        closed_on_time=Count(
            "pk",
            filter=within("close_deadline")
            & Q(replied_at__isnull=False)
            & Q(replied_at__lte=F("close_deadline")),
        ),
        closed=Count("pk", filter=within("closed_at") & Q(state="closed")),
    )
    counters = _zero()
    counters.update(row)
    work = rollups.clock()
    for dispatched_at, closed_at in cases.filter(
        within("closed_at"), state="closed", dispatched_at__isnull=False
    ).values_list("dispatched_at", "closed_at"):
        counters["handled"] += 1
        counters["handling_seconds"] += max(
            0, round(work.working_seconds_between(dispatched_at, closed_at))
        )
    events = CaseEvent.objects.filter(at__gte=lo, at__lt=hi)
    if scope_type != "district" and scope_id is not None:
        events = events.filter(**{f"case__{scope_type}_id": scope_id})
    for action, n in (
        events.filter(action__in=list(EVENT_COUNTERS))
        .values_list("action")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counters[EVENT_COUNTERS[action]] += n
    for rating, by_default, n in (
        events.filter(action="evaluate")
        .values_list("data__rating", "data__by_default")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counter = RATING_COUNTERS.get(rating)
        if counter is None:
            continue
        counters["evaluated"] += n
        counters[counter] += n
        if by_default:
            counters["default_satisfied"] += n
    return counters


def naive_figures(scope_type: str, scope_id: int | None, period: Period, now=None) -> dict:
    return derive(naive_counters(scope_type, scope_id, period, now))
