"""Reading a dashboard request: which scope, which period, and whether the viewer may see it.
Shared by the pages and the API so that both refuse the same things the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.core.errors import ApiError

from . import conf
from . import permissions as perms
from .metrics import SCOPE_TYPES, Period


@dataclass
class Query:
    scope: perms.Scope
    period: Period


def today() -> date:
    return timezone.localdate()


def parse_date(value: str | None, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ApiError(
            422, "invalid", _("%(f)s 应为 YYYY-MM-DD 格式的日期") % {"f": name}
        ) from None


def parse_period(start: str | None, end: str | None) -> Period:
    """The period from/to (inclusive); by default this month up to today."""
    lo, hi = parse_date(start, "from"), parse_date(end, "to")
    now = today()
    hi = hi or now
    lo = lo or hi.replace(day=1)
    if lo > hi:
        raise ApiError(400, "bad_range", _("开始日期不能晚于结束日期"))
    if (hi - lo).days + 1 > conf.max_period_days():
        raise ApiError(400, "bad_range", _("统计期间最长 %(n)d 天") % {"n": conf.max_period_days()})
    if lo < date(2000, 1, 1) or hi > now + timedelta(days=366):
        raise ApiError(400, "bad_range", _("统计期间超出范围"))
    return Period(lo, hi)


def parse_scope(user, scope_type: str | None, scope_id) -> perms.Scope:
    """The scope asked for (default: the viewer's own); 403 outside the viewer's scopes."""
    if not perms.is_viewer(user):
        raise ApiError(403, "forbidden", _("数据驾驶舱仅供工作人员查看"))
    if scope_type in (None, ""):
        scope = perms.home_scope(user)
        if scope is None:
            raise ApiError(403, "forbidden", _("数据驾驶舱仅供工作人员查看"))
        return scope
    if scope_type not in SCOPE_TYPES:
        raise ApiError(
            422, "invalid", _("scope_type 应为 %(v)s 之一") % {"v": ", ".join(SCOPE_TYPES)}
        )
    number = None
    if scope_type != "district":
        try:
            number = int(str(scope_id).strip())
        except (TypeError, ValueError):
            raise ApiError(422, "invalid", _("请提供整数 scope_id")) from None
        if not 0 < number < 2**63:
            raise ApiError(422, "invalid", _("scope_id 超出范围"))
    scope = perms.resolve(scope_type, number)
    if scope is None:
        raise ApiError(404, "not_found", _("没有这个统计范围"))
    if not perms.can_view(user, scope):
        raise ApiError(403, "forbidden", _("您无权查看该范围的数据"))
    return scope
