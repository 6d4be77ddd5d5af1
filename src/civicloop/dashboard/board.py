"""What a dashboard shows for one scope and period, as named tables (every chart is drawn from
its table and shown beside it; every table exports to Excel)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.cases.models import Case, CaseSource, Category
from civicloop.cases.workflow import OPEN_STATES
from civicloop.core.models import Department, Region

from . import conf, sections
from . import permissions as perms
from .metrics import LABELS, RATE_KEYS, Period, Snapshot, derive

BANDS = ("优", "良", "中", "差")


@dataclass
class Table:
    """A titled table: columns are (key, label); `chart` tells the page how to draw it."""

    id: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict] = field(default_factory=list)
    chart: dict | None = None
    note: str = ""

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "columns": [{"key": k, "label": str(v)} for k, v in self.columns],
            "rows": self.rows,
            "chart": self.chart,
        }


def fmt(key: str, value) -> str:
    """A figure for people: rates as percentages, missing values as —."""
    if value is None or value == "":
        return "—"
    if key in RATE_KEYS or key.endswith("_rate") or key == "rate":
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def grain_for(period: Period, asked: str | None) -> str:
    if asked in ("day", "week", "month"):
        return asked
    days = (period.end - period.start).days + 1
    return "day" if days <= 45 else "week" if days <= 190 else "month"


def bucket(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def bucket_label(day: date, grain: str) -> str:
    if grain == "month":
        return day.strftime("%Y-%m")
    if grain == "week":
        return _("%(d)s 周") % {"d": day.strftime("%m-%d")}
    return day.strftime("%m-%d")


KPI_KEYS = (
    "received",
    "closed",
    "on_time_sign_rate",
    "on_time_close_rate",
    "satisfaction_rate",
    "overdue",
    "mean_handling_hours",
    "reopened",
    "rework_rate",
    "return_rate",
    "composite_score",
)
FIGURE_COLUMNS = [
    ("received", LABELS["received"]),
    ("closed", LABELS["closed"]),
    ("on_time_close_rate", LABELS["on_time_close_rate"]),
    ("satisfaction_rate", LABELS["satisfaction_rate"]),
    ("overdue", LABELS["overdue"]),
]


def _trend(snapshot, scope, period, grain) -> Table:
    by_day = snapshot.counters(scope.type, scope.id, period, "day")
    buckets: dict[date, dict] = {}
    day = bucket(period.start, grain)
    while day <= period.end:
        buckets[day] = {}
        day = (
            day + timedelta(days=1)
            if grain == "day"
            else day + timedelta(days=7)
            if grain == "week"
            else (day + timedelta(days=32)).replace(day=1)
        )
    for d, counters in by_day.items():
        target = buckets.setdefault(bucket(d, grain), {})
        for k, v in counters.items():
            target[k] = target.get(k, 0) + v
    rows = []
    for d in sorted(buckets):
        f = derive(buckets[d])
        rows.append(
            {
                "label": bucket_label(d, grain),
                "received": f["received"],
                "closed": f["closed"],
                "on_time_close_rate": f["on_time_close_rate"],
                "satisfaction_rate": f["satisfaction_rate"],
            }
        )
    title = {"day": _("按日"), "week": _("按周"), "month": _("按月")}[grain]
    return Table(
        "trend",
        _("受理与结案趋势（%(g)s）") % {"g": title},
        [
            ("label", _("时间")),
            ("received", LABELS["received"]),
            ("closed", LABELS["closed"]),
            ("on_time_close_rate", LABELS["on_time_close_rate"]),
            ("satisfaction_rate", LABELS["satisfaction_rate"]),
        ],
        rows,
        chart={"type": "line", "x": "label", "series": ["received", "closed"]},
    )


def _breakdown(snapshot, scope, period, group, table_id, title, names, chart) -> Table:
    grouped = snapshot.counters(scope.type, scope.id, period, group)
    rows = []
    for key, counters in grouped.items():
        f = derive(counters)
        if not (f["received"] or f["closed"] or f["dispatched"] or f["evaluated"]):
            continue
        rows.append({"name": names(key), **{k: f[k] for k, _l in FIGURE_COLUMNS}})
    rows.sort(key=lambda r: (-r["received"], r["name"]))
    return Table(
        table_id,
        title,
        [("name", _("名称")), *FIGURE_COLUMNS],
        rows,
        chart=chart,
    )


def category_names() -> dict[int, str]:
    return {c.pk: c.name for c in Category.objects.all()}


def ranking(snapshot, scope, period, level: str) -> Table:
    """Children of the scope (or departments) graded 优/良/中/差 by composite score."""
    if level == "department":
        names = {d.pk: d.short_name or d.name for d in Department.objects.filter(active=True)}
        units = list(names)
        title = _("部门综合评价")
    else:
        qs = Region.objects.filter(level=level)
        if scope.type == "street":
            qs = qs.filter(street_id=scope.id)
        elif scope.type == "community":
            qs = qs.filter(community_id=scope.id)
        names = dict(qs.values_list("pk", "name"))
        units = list(qs.order_by("code").values_list("pk", flat=True))
        title = {
            "street": _("街道综合评价"),
            "community": _("社区综合评价"),
            "grid": _("网格综合评价"),
        }[level]
    grouped = snapshot.units(level, period, None if scope.type == "district" else units)
    rows = []
    for unit in units:
        f = derive(grouped.get(unit, {}))
        rows.append(
            {
                "id": unit,
                "type": level,
                "name": names[unit],
                "composite_score": f["composite_score"],
                "grade": f["grade"] or _("无数据"),
                "response_rate": f["response_rate"],
                "resolution_rate": f["resolution_rate"],
                "satisfaction_rate": f["satisfaction_rate"],
                "received": f["received"],
                "overdue": f["overdue"],
            }
        )
    rows.sort(key=lambda r: (r["composite_score"] is None, -(r["composite_score"] or 0), r["name"]))
    return Table(
        f"rank-{level}",
        title,
        [
            ("name", _("名称")),
            ("grade", LABELS["grade"]),
            ("composite_score", LABELS["composite_score"]),
            ("response_rate", LABELS["response_rate"]),
            ("resolution_rate", LABELS["resolution_rate"]),
            ("satisfaction_rate", LABELS["satisfaction_rate"]),
            ("received", LABELS["received"]),
            ("overdue", LABELS["overdue"]),
        ],
        rows,
    )


def bands(table: Table) -> list[dict]:
    """The ranking as bands: 优, 良, 中, 差 (and units without data)."""
    out = [{"grade": g, "units": [r for r in table.rows if r["grade"] == g]} for g in BANDS]
    rest = [r for r in table.rows if r["grade"] not in BANDS]
    if rest:
        out.append({"grade": _("无数据"), "units": rest})
    return out


def scoped_cases(scope: perms.Scope):
    qs = Case.objects.all()
    if scope.type != "district":
        qs = qs.filter(**{f"{scope.type}_id": scope.id})
    return qs


def open_now(scope: perms.Scope, now) -> dict:
    """Snapshot figures (not of the period): cases open now and those past their deadline."""
    qs = scoped_cases(scope).filter(state__in=OPEN_STATES)
    return {"open": qs.count(), "overdue_now": qs.filter(deadline__lt=now).count()}


def overdue_list(scope: perms.Scope, now, limit: int = 50) -> Table:
    qs = (
        scoped_cases(scope)
        .filter(state__in=OPEN_STATES, deadline__lt=now)
        .select_related("category", "community", "department")
        .order_by("deadline")[:limit]
    )
    rows = []
    for case in qs:
        rows.append(
            {
                "id": case.pk,
                "number": case.number,
                "category": case.category.name if case.category else "",
                "community": case.community.name if case.community else _("网格外"),
                "department": (case.department.short_name or case.department.name)
                if case.department
                else "",
                "state": str(case.get_state_display()),
                "deadline": timezone.localtime(case.deadline).strftime("%Y-%m-%d %H:%M"),
            }
        )
    return Table(
        "overdue",
        _("当前超期工单"),
        [
            ("number", _("编号")),
            ("category", _("问题分类")),
            ("community", _("社区")),
            ("department", _("责任部门")),
            ("state", _("环节")),
            ("deadline", _("时限")),
        ],
        rows,
        note=_("按时限先后，最多 %(n)d 件") % {"n": limit},
    )


def map_data(scope: perms.Scope, now) -> dict:
    """Open cases (points, overdue flagged), per-grid counts for the density layer, outlines."""
    qs = scoped_cases(scope).filter(state__in=OPEN_STATES, lat__isnull=False)
    points = [
        [round(lat, 5), round(lng, 5), 1 if deadline and deadline < now else 0]
        for lat, lng, deadline in qs.order_by("-deadline").values_list("lat", "lng", "deadline")[
            : conf.map_limit()
        ]
    ]
    counts = dict(qs.values_list("grid_id").annotate(n=Count("pk")).order_by())
    grids = Region.objects.filter(level=Region.Level.GRID, geometry__isnull=False)
    if scope.type in ("street", "community"):
        grids = grids.filter(**{f"{scope.type}_id": scope.id})
    elif scope.type == "grid":
        grids = grids.filter(pk=scope.id)
    elif scope.type == "department":
        grids = grids.filter(pk__in=[g for g in counts if g])
    outlines = [
        {"name": name, "geometry": geometry, "open": counts.get(pk, 0)}
        for pk, name, geometry in grids.values_list("pk", "name", "geometry")
    ]
    return {"points": points, "grids": outlines}


def volunteering_table(figures: dict | None) -> Table | None:
    if figures is None:
        return None
    keys = [
        ("tasks_published", _("发布任务")),
        ("claims", _("认领人次")),
        ("services", _("服务人次")),
        ("hours", _("服务时长（小时）")),
        ("points_awarded", _("发放积分")),
        ("points_redeemed", _("兑换积分")),
        ("registered", _("已报到党员")),
        ("party_members", _("党员人数")),
        ("registration_rate", _("报到率")),
    ]
    return Table(
        "volunteering",
        _("志愿服务"),
        [("label", _("指标")), ("value", _("数值"))],
        [{"label": str(label), "key": k, "value": figures.get(k)} for k, label in keys],
        chart={"type": "bar", "x": "label", "series": ["value"], "only": [0, 1, 2, 3]},
    )


def wishes_table(figures: dict | None) -> Table | None:
    if figures is None:
        return None
    keys = [
        ("collected", _("征集")),
        ("verified", _("核实公示")),
        ("claimed", _("认领")),
        ("fulfilled", _("实现")),
        ("confirmed", _("反馈确认")),
        ("fulfilment_rate", _("实现率")),
        ("mean_days_to_fulfil", _("平均实现天数")),
    ]
    return Table(
        "wishes",
        _("微心愿"),
        [("label", _("指标")), ("value", _("数值"))],
        [{"label": str(label), "key": k, "value": figures.get(k)} for k, label in keys],
        chart={"type": "funnel", "x": "label", "series": ["value"], "only": [0, 1, 2, 3, 4]},
    )


def study_tables(figures: dict | None) -> list[Table]:
    if figures is None:
        return []
    attendance = figures.get("attendance") or {}
    lectures = figures.get("lectures") or {}
    summary = Table(
        "study",
        _("党史学习教育"),
        [("label", _("指标")), ("value", _("数值"))],
        [
            {"label": _("支部学习场次"), "key": "sessions", "value": figures.get("sessions")},
            {"label": _("出勤率"), "key": "rate", "value": attendance.get("rate")},
            {"label": _("宣讲场次"), "key": "lectures", "value": lectures.get("count")},
            {"label": _("宣讲受众（人次）"), "key": "audience", "value": lectures.get("audience")},
            {
                "label": _("宣传报道"),
                "key": "publicity",
                "value": (figures.get("publicity") or {}).get("total"),
            },
            {
                "label": _("进度落后支部"),
                "key": "branches_behind",
                "value": figures.get("branches_behind"),
            },
        ],
    )
    channels = Table(
        "publicity",
        _("宣传报道（按渠道）"),
        [("name", _("渠道")), ("count", _("篇数"))],
        [
            {"name": c.get("label"), "count": c.get("count", 0)}
            for c in (figures.get("publicity") or {}).get("by_channel", [])
        ],
        chart={"type": "bar", "x": "name", "series": ["count"]},
    )
    progress_rows = []
    for branch in figures.get("progress") or []:
        for book in branch.get("textbooks") or []:
            progress_rows.append(
                {
                    "name": branch.get("org"),
                    "textbook": book.get("textbook"),
                    "done": book.get("done"),
                    "total": book.get("total"),
                    "share": book.get("share"),
                    "most_led": _("领学大半") if book.get("most_led") else "",
                }
            )
    progress = Table(
        "textbooks",
        _("支部教材学习进度"),
        [
            ("name", _("支部")),
            ("textbook", _("教材")),
            ("done", _("已学章节")),
            ("total", _("章节数")),
            ("share", _("进度")),
            ("most_led", _("标记")),
        ],
        progress_rows,
    )
    return [summary, channels, progress]


@dataclass
class Board:
    scope: perms.Scope
    period: Period
    grain: str
    figures: dict
    now_figures: dict
    kpis: list[dict]
    tables: list[Table]
    rankings: list[tuple[Table, list[dict]]]
    map: dict
    generated_at: object

    def table(self, table_id: str) -> Table | None:
        return next((t for t in self.tables if t.id == table_id), None)


def build(scope: perms.Scope, period: Period, grain: str | None = None, *, with_map=True) -> Board:
    snapshot = Snapshot()
    now = snapshot.now
    figures = snapshot.figures(scope.type, scope.id, period)
    grain = grain_for(period, grain)
    cats = category_names()
    sources = dict(CaseSource.choices)
    kpis = [{"key": k, "label": str(LABELS[k]), "value": fmt(k, figures[k])} for k in KPI_KEYS]
    summary = Table(
        "figures",
        _("随手拍办理指标"),
        [("label", _("指标")), ("value", _("数值")), ("key", _("代码"))],
        [{"label": str(LABELS[k]), "value": figures[k], "key": k} for k in LABELS],
    )
    tables = [
        summary,
        _trend(snapshot, scope, period, grain),
        _breakdown(
            snapshot,
            scope,
            period,
            "category_id",
            "category",
            _("按问题分类"),
            lambda k: cats.get(k, _("未分类")),
            {"type": "hbar", "x": "name", "series": ["received", "closed"], "limit": 12},
        ),
        _breakdown(
            snapshot,
            scope,
            period,
            "source",
            "source",
            _("按来源"),
            lambda k: str(sources.get(k, k or _("未知"))),
            {"type": "pie", "x": "name", "series": ["received"]},
        ),
    ]
    levels = {
        "district": ["street", "community", "department"],
        "street": ["community"],
        "community": ["grid"],
    }.get(scope.type, [])
    rankings = []
    for level in levels:
        table = ranking(snapshot, scope, period, level)
        tables.append(table)
        rankings.append((table, bands(table)))
    tables.append(overdue_list(scope, now))
    for extra in (
        volunteering_table(sections.volunteering(scope, period)),
        wishes_table(sections.wishes(scope, period)),
        *study_tables(sections.study(scope, period)),
    ):
        if extra is not None:
            tables.append(extra)
    return Board(
        scope=scope,
        period=period,
        grain=grain,
        figures=figures,
        now_figures=open_now(scope, now),
        kpis=kpis,
        tables=tables,
        rankings=rankings,
        map=map_data(scope, now) if with_map else {},
        generated_at=now,
    )
