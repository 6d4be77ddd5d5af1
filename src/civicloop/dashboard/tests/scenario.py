"""A known history of cases, driven through the real case actions at frozen moments, whose
October 2026 figures are worked out by hand in test_scenario.py."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from civicloop.cases import actions
from civicloop.cases.models import Case, Category, DeadlineUnit

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@contextmanager
def frozen(moment: datetime):
    """Django's clock (timezone.now, auto_now fields) stands still at `moment`."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def category(departments) -> Category:
    parent, _ = Category.objects.get_or_create(code="T", defaults={"name": "测试大类"})
    child, _ = Category.objects.get_or_create(
        code="T01",
        defaults={
            "name": "路灯不亮",
            "parent": parent,
            "department": departments["CG"],
            "sign_limit": 2,
            "sign_unit": DeadlineUnit.HOURS,
            "close_limit": 8,
            "close_unit": DeadlineUnit.HOURS,
        },
    )
    return child


class Story:
    """Acts on cases as the demo accounts, each action at its own frozen moment."""

    def __init__(self, foundation):
        self.regions = foundation["regions"]
        self.departments = foundation["departments"]
        self.category = category(self.departments)
        self.users = {u.username: u for u in get_user_model().objects.all()}

    def report(
        self, when, grid="胜利社区第1网格", by="resident", text="路灯不亮已经三天了"
    ) -> Case:
        region = self.regions[grid]
        with frozen(when):
            case, _ = actions.create_case(
                self.users[by],
                description=text,
                lat=region.centroid_lat,
                lng=region.centroid_lng,
                category=self.category,
            )
        return case

    def act(self, when, case: Case, username: str, action: str, **fields) -> Case:
        with frozen(when):
            return actions.perform(case.pk, self.users[username], action, fields)

    def dept(self, code: str) -> int:
        return self.departments[code].pk


def build_october(foundation) -> dict[str, Case]:
    """Seven cases A–G (see test_scenario.py for what happens to each and why)."""
    from civicloop.core.models import HolidayOverride

    s = Story(foundation)
    # The admin moves the make-up workday of Saturday 10 October 2026 to a day off.
    HolidayOverride.objects.create(date=at(10, 10, 0).date(), is_working_day=False, note="测试")
    cg, zj = s.dept("CG"), s.dept("ZJ")
    cases = {}

    # A: dispatched the day before 国庆, closed after it, rated 满意.
    a = cases["A"] = s.report(at(9, 30, 9, 0))
    s.act(at(9, 30, 9, 10), a, "grid", "verify")
    s.act(at(9, 30, 9, 30), a, "dispatcher", "dispatch", department=cg)
    s.act(at(9, 30, 10, 0), a, "department", "sign")
    s.act(at(10, 8, 10, 0), a, "department", "reply", result="已更换灯泡")
    s.act(at(10, 8, 11, 0), a, "dispatcher", "approve")
    s.act(at(10, 9, 9, 0), a, "resident", "evaluate", rating="satisfied")

    # B: signed late, extension granted (the overridden Saturday is a day off), replied in the
    # extended time, never rated → 默认满意.
    b = cases["B"] = s.report(at(10, 9, 9, 0))
    s.act(at(10, 9, 9, 5), b, "grid", "verify")
    s.act(at(10, 9, 9, 10), b, "dispatcher", "dispatch", department=cg)
    s.act(at(10, 9, 13, 40), b, "department", "sign")
    s.act(at(10, 12, 9, 0), b, "department", "request_extension", hours=8, reason="需协调供电")
    s.act(at(10, 12, 9, 30), b, "dispatcher", "grant_extension")
    s.act(at(10, 13, 14, 0), b, "department", "reply", result="已修复线路")
    s.act(at(10, 13, 15, 0), b, "dispatcher", "approve")
    with frozen(at(10, 21, 10, 0)):
        actions.evaluate_by_default(b.pk)

    # C: returned by the wrong department, re-dispatched, reworked, replied late, rated 不满意
    # → reopened and dispatched again, then left unsigned past its sign deadline.
    c = cases["C"] = s.report(at(10, 12, 9, 0), grid="胜利社区第2网格")
    s.act(at(10, 12, 9, 10), c, "community", "verify")
    s.act(at(10, 12, 9, 30), c, "dispatcher", "dispatch", department=zj)
    s.act(at(10, 12, 10, 0), c, "department2", "return", reason="不属于本部门")
    s.act(at(10, 12, 10, 30), c, "dispatcher", "dispatch", department=cg)
    s.act(at(10, 12, 11, 0), c, "department", "sign")
    s.act(at(10, 13, 11, 0), c, "department", "reply", result="已处理")
    s.act(at(10, 13, 14, 0), c, "dispatcher", "rework", reason="现场仍不亮")
    s.act(at(10, 15, 9, 0), c, "department", "reply", result="已更换整杆")
    s.act(at(10, 15, 10, 0), c, "dispatcher", "approve")
    s.act(at(10, 15, 11, 0), c, "resident", "evaluate", rating="unsatisfied")
    s.act(at(10, 15, 14, 0), c, "dispatcher", "dispatch", department=cg)

    # D: rejected; E: merged into C; F: resolved on the spot and rated 基本满意.
    d = cases["D"] = s.report(at(10, 14, 9, 0))
    s.act(at(10, 14, 9, 30), d, "grid", "reject", reason="属于私人住宅内部")
    e = cases["E"] = s.report(at(10, 14, 10, 0), grid="胜利社区第2网格")
    s.act(at(10, 14, 10, 30), e, "community", "merge", into=c.pk)
    f = cases["F"] = s.report(at(10, 16, 9, 0))
    s.act(at(10, 16, 10, 0), f, "grid", "resolve_locally", result="网格员现场协调解决")
    s.act(at(10, 16, 11, 0), f, "resident", "evaluate", rating="basically_satisfied")

    # G: another community (蓝色康桥), signed on time, left unreplied past its deadline.
    g = cases["G"] = s.report(at(10, 20, 9, 0), grid="蓝色康桥社区第1网格", by="community2")
    s.act(at(10, 20, 9, 10), g, "community2", "verify")
    s.act(at(10, 20, 9, 30), g, "dispatcher", "dispatch", department=zj)
    s.act(at(10, 20, 10, 0), g, "department2", "sign")
    return cases


NOW = at(10, 31, 12, 0)
