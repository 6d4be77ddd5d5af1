"""Statistics API: the dashboard's figures for one scope and period, with the same scope checks
as the pages. GET /api/v1/stats/cases|volunteering|wishes|study?scope_type=&scope_id=&from=&to="""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query as Q
from ninja import Router, Schema
from pydantic import Field

from civicloop.core.errors import ApiError

from . import metrics, sections
from .query import parse_period, parse_scope

router = Router(tags=["数据驾驶舱"])


class StatsParams(Schema):
    scope_type: str | None = Field(
        None, max_length=20, description="district|street|community|grid|department"
    )
    scope_id: str | None = Field(None, max_length=20)
    from_: str | None = Field(None, alias="from", max_length=20, description="YYYY-MM-DD")
    to: str | None = Field(None, max_length=20, description="YYYY-MM-DD (inclusive)")


def _read(request, params: StatsParams):
    scope = parse_scope(request.auth, params.scope_type, params.scope_id)
    period = parse_period(params.from_, params.to)
    return scope, period


@router.get("/stats/cases", summary="随手拍 case figures of a scope and period (live)")
def case_stats(request, params: Q[StatsParams]):
    scope, period = _read(request, params)
    figures = metrics.shared_figures(scope.type, scope.id, period)
    return {"scope": scope.as_dict(), "period": period.as_dict(), **figures}


def _section(request, params, compute):
    scope, period = _read(request, params)
    if not sections.applies(scope):
        raise ApiError(400, "bad_scope", _("该统计只按全区、街道和社区提供"))
    figures = compute(scope, period)
    if figures is None:
        raise ApiError(503, "unavailable", _("该项数据暂不可用"))
    return {**figures, "scope": scope.as_dict(), "period": period.as_dict()}


@router.get(
    "/stats/volunteering", summary="Volunteer service figures (报到率, tasks, hours, points)"
)
def volunteering_stats(request, params: Q[StatsParams]):
    return _section(request, params, sections.volunteering)


@router.get("/stats/wishes", summary="微心愿 figures (collected, claimed, fulfilled)")
def wishes_stats(request, params: Q[StatsParams]):
    return _section(request, params, sections.wishes)


@router.get("/stats/study", summary="党史学习 figures (sessions, attendance, lectures, publicity)")
def study_stats(request, params: Q[StatsParams]):
    return _section(request, params, sections.study)
