"""Dashboard pages (thin): read scope and period, check the viewer, build the board, render."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from civicloop.core.errors import ApiError

from . import board as boards
from . import exports
from . import permissions as perms
from .metrics import Period, Snapshot
from .query import parse_period, parse_scope, today

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Refused(Exception):
    def __init__(self, response):
        self.response = response


def _read(request, scope_type: str | None, scope_id: int | None, *, month: bool = False):
    """(scope, period) or a refusal: 403 out of scope, 404 no such scope, 400 bad dates."""
    try:
        if scope_type == "district":
            scope_id = None
        scope = parse_scope(request.user, scope_type, scope_id)
        if month:
            period = _month(request.GET.get("month"))
        else:
            period = parse_period(request.GET.get("from"), request.GET.get("to"))
    except ApiError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from None
        if exc.status_code == 404:
            raise Http404(exc.message) from None
        raise Refused(HttpResponseBadRequest(exc.message)) from None
    return scope, period


def _month(value: str | None) -> Period:
    """A calendar month (YYYY-MM); by default the last complete one."""
    if value:
        try:
            year, month = (int(p) for p in value.split("-", 1))
            return Period.month(year, month)
        except ValueError:
            raise ApiError(400, "invalid", _("月份格式应为 YYYY-MM")) from None
    first = today().replace(day=1)
    previous = date.fromordinal(first.toordinal() - 1)
    return Period.month(previous.year, previous.month)


def _page(request, scope, period, template="dashboard/board.html", **extra):
    board = boards.build(scope, period, request.GET.get("grain"))
    tables = {t.id: t for t in board.tables}
    # Only the charted tables go to the page's script; every table is in the HTML itself.
    chart_data = {t.id: t.as_json() for t in board.tables if t.chart}
    context = {
        "board": board,
        "tables": tables,
        "chart_data": chart_data,
        "map_data": board.map,
        "held": perms.held_scopes(request.user),
        "children": perms.children(scope),
        "parent": _parent(request.user, scope),
        "scope_path": f"{scope.type}/{scope.id or 0}",
        "query": request.GET.urlencode(),
        "month": (period.start.strftime("%Y-%m")),
        **extra,
    }
    return render(request, template, context)


def _parent(user, scope):
    """The scope one level up, when the viewer may see it (for the breadcrumb)."""
    from civicloop.core.models import Region

    if scope.type in ("district", "department"):
        return None
    region = Region.objects.filter(pk=scope.id).select_related("parent").first()
    if region is None or region.parent is None:
        return None
    up = region.parent
    candidate = (
        perms.district_scope() if up.level == "district" else perms.Scope(up.level, up.pk, up.name)
    )
    return candidate if perms.can_view(user, candidate) else None


def _guard(view):
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refused as refused:
            return refused.response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@never_cache
@login_required
@require_GET
@_guard
def home(request):
    """The viewer's own dashboard (district, street, community, grid or department)."""
    scope, period = _read(request, None, None)
    return _page(request, scope, period)


@never_cache
@login_required
@require_GET
@_guard
def scope(request, scope_type: str, scope_id: int):
    scope, period = _read(request, scope_type, scope_id)
    return _page(request, scope, period)


@never_cache
@login_required
@require_GET
@_guard
def print_view(request, scope_type: str, scope_id: int):
    """The monthly meeting's printable page (?month=YYYY-MM, default last month)."""
    scope, period = _read(request, scope_type, scope_id, month=True)
    return _page(request, scope, period, "dashboard/print.html")


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
@require_GET
@_guard
def export_table(request, scope_type: str, scope_id: int, table_id: str):
    scope, period = _read(request, scope_type, scope_id)
    board = boards.build(scope, period, request.GET.get("grain"), with_map=False)
    table = board.table(table_id)
    if table is None:
        raise Http404(_("没有这张表"))
    from urllib.parse import quote

    name = quote(f"{scope.name}-{table.title}-{period.start}-{period.end}.xlsx")
    return _download(exports.table_xlsx(board, table), name)


@never_cache
@login_required
@require_GET
@_guard
def monthly_report(request, scope_type: str, scope_id: int):
    """月度通报 (Excel, one sheet per table) of a scope for ?month=YYYY-MM."""
    scope, period = _read(request, scope_type, scope_id, month=True)
    board = boards.build(scope, period, "day", with_map=False)
    from urllib.parse import quote

    name = quote(f"{scope.name}-{period.start:%Y年%m月}-月度通报.xlsx")
    return _download(exports.monthly_report_xlsx(board), name)


PUBLIC_CACHE_SECONDS = 300


@require_GET
def public(request):
    """District-wide, anonymised figures of this year for residents (no sign-in)."""
    now = timezone.localtime()
    key = f"dashboard:public:{now.year}"
    data = cache.get(key)
    if data is None:
        data = _public_figures(now.date())
        cache.set(key, data, PUBLIC_CACHE_SECONDS)
    return render(request, "dashboard/public.html", data)


def _public_figures(today_: date) -> dict:
    period = Period(date(today_.year, 1, 1), today_)
    snapshot = Snapshot()
    figures = snapshot.figures("district", None, period)
    by_month = snapshot.counters("district", None, period, "day")
    months: dict[str, dict] = {}
    for day, counters in by_month.items():
        m = months.setdefault(day.strftime("%Y-%m"), {"received": 0, "closed": 0})
        m["received"] += counters.get("received", 0)
        m["closed"] += counters.get("closed", 0)
    trend = [{"label": k, **v} for k, v in sorted(months.items())]
    names = boards.category_names()
    categories = sorted(
        (
            {"name": names.get(k, _("未分类")), "closed": c.get("closed", 0)}
            for k, c in snapshot.counters("district", None, period, "category_id").items()
        ),
        key=lambda r: -r["closed"],
    )[:8]
    return {
        "year": today_.year,
        "figures": figures,
        "satisfaction": boards.fmt("satisfaction_rate", figures["satisfaction_rate"]),
        "on_time": boards.fmt("on_time_close_rate", figures["on_time_close_rate"]),
        "mean_hours": boards.fmt("mean_handling_hours", figures["mean_handling_hours"]),
        "chart_data": {
            "public-trend": {
                "id": "public-trend",
                "columns": [
                    {"key": "label", "label": _("月份")},
                    {"key": "received", "label": _("受理数")},
                    {"key": "closed", "label": _("结案数")},
                ],
                "rows": trend,
                "chart": {"type": "bar", "x": "label", "series": ["received", "closed"]},
            },
        },
        "trend": trend,
        "categories": [c for c in categories if c["closed"]],
        "scope_name": perms.district_scope().name,
    }
