"""Demo data of the dashboard: two months of 随手拍 history across the district, driven through
the real case actions with Django's clock held at each past moment (so every figure has a real
audit trail), then folded into the rollups. Idempotent: a second run changes nothing."""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from civicloop.cases import actions
from civicloop.cases.models import Case, Category
from civicloop.core.errors import ActionRefused
from civicloop.core.models import Role, RoleAssignment, ScopeType

from . import rollups

SCOPE = "dashboard-demo"
DAYS = 60
# Communities and how well each handles cases (share on time, share satisfied): the rankings
# then show every band.
COMMUNITIES = {
    "胜利社区": 0.95,
    "振兴社区": 0.9,
    "光明社区": 0.7,
    "迎宾社区": 0.85,
    "渤海社区": 0.6,
    "蓝色康桥社区": 0.97,
    "惠宾社区": 0.8,
    "丰裕社区": 0.9,
    "创新社区": 0.5,
    "欢喜岭社区": 0.75,
    "上房村": 0.65,
    "兴盛社区": 0.88,
    "友谊社区": 0.8,
    "农场社区": 0.7,
}
TEXTS = [
    "小区门口路灯不亮",
    "楼道堆放杂物堵塞通道",
    "人行道地砖破损",
    "垃圾桶满溢没人清运",
    "井盖松动有异响",
    "占道经营影响通行",
    "绿化带杂草丛生",
    "违章停车堵住消防通道",
    "供暖管道漏水",
    "广场舞噪音扰民",
]


@contextmanager
def _at(moment: datetime):
    # Hold Django's clock at a past moment; a backdated history notifies no one.
    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        mock.patch.object(actions, "_after_commit", return_value=None),
    ):
        yield


def _staff(username: str, name: str, role: str, **scope):
    from civicloop.core.models import Profile

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
        user.set_unusable_password()  # acts in the demo history only; cannot sign in
        user.save()
        Profile.objects.get_or_create(user=user, defaults={"real_name": name})
    RoleAssignment.objects.get_or_create(user=user, role=role, **scope)
    return user


def _attributes(category: Category) -> dict:
    """Values for the category's required extra fields (e.g. 井盖状况)."""
    values = {}
    for spec in category.attributes or []:
        if spec.get("required") and spec.get("code"):
            options = spec.get("values") or []
            values[spec["code"]] = options[0]["key"] if options else "1"
    return values


def _working_moment(rng: random.Random, day) -> datetime:
    tz = timezone.get_default_timezone()
    minute = rng.randrange(0, 7 * 60)
    start = datetime.combine(day, time(8, 40), tz)
    return start + timedelta(minutes=minute + (90 if minute > 200 else 0))


def history(regions, departments, *, days: int = DAYS, per_day: float = 2.0, seed: int = 20261001):
    """Creates the backdated cases; returns how many."""
    rng = random.Random(seed)
    users = {u.username: u for u in get_user_model().objects.filter(is_active=True)}
    dispatcher = users["dispatcher"]
    resident = users["resident"]
    categories = list(
        Category.objects.filter(active=True, parent__isnull=False, department__isnull=False)
    )
    if not categories:
        return 0
    today = timezone.localdate()
    created = 0
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        for n in range(rng.randint(0, int(per_day * 2))):
            name = rng.choice(list(COMMUNITIES))
            community = regions.get(name)
            if community is None:
                continue
            quality = COMMUNITIES[name]
            grid = regions.get(f"{name}第{rng.randint(1, 2)}网格")
            category = rng.choice(categories)
            moment = _working_moment(rng, day)
            key = f"{day.isoformat()}-{n}"
            base = _staff(
                f"demo-sq-{community.code}",
                f"{community.name}工作人员",
                Role.COMMUNITY_STAFF,
                scope_type=ScopeType.COMMUNITY,
                region=community,
            )
            source = rng.choice(["app", "app", "app", "patrol", "hotline", "phone", "visit"])
            # Residents report from the app; calls, visits and patrols are filed by staff.
            reporter = (resident if rng.random() < 0.6 else None) if source == "app" else base
            if Case.objects.filter(idempotency_scope=SCOPE, idempotency_key=key).exists():
                continue
            with _at(moment):
                case, fresh = actions.create_case(
                    reporter,
                    description=f"{rng.choice(TEXTS)}（{name}）",
                    lat=(grid.centroid_lat if grid else community.centroid_lat)
                    + rng.uniform(-0.003, 0.003),
                    lng=(grid.centroid_lng if grid else community.centroid_lng)
                    + rng.uniform(-0.002, 0.002),
                    category=category,
                    attributes=_attributes(category),
                    source=source,
                    contact_name="" if rng.random() < 0.5 else "居民",
                    idempotency_scope=SCOPE,
                    idempotency_key=key,
                )
            if not fresh:
                continue
            created += 1
            department = category.department
            handler = _staff(
                f"demo-bm-{department.code}",
                f"{department.short_name or department.name}值班员",
                Role.DEPARTMENT_STAFF,
                scope_type=ScopeType.DEPARTMENT,
                department=department,
            )
            _walk(rng, case, moment, quality, base, dispatcher, handler, department, today)
    return created


def _walk(rng, case, moment, quality, base, dispatcher, handler, department, today) -> None:
    now = timezone.now()

    def act(after_minutes: float, user, action: str, **fields) -> bool:
        nonlocal moment
        moment = moment + timedelta(minutes=after_minutes)
        if moment >= now:
            return False
        with _at(moment):
            try:
                actions.perform(case.pk, user, action, fields)
            except ActionRefused:
                return False
        return True

    roll = rng.random()
    if roll < 0.05:
        act(30, base, "reject", reason="不属于受理范围")
        return
    if roll < 0.12:
        act(60, base, "resolve_locally", result="网格员现场协调解决")
        return
    if not act(rng.choice([10, 40, 120]), base, "verify"):
        return
    if not act(rng.choice([15, 60]), dispatcher, "dispatch", department=department.pk):
        return
    on_time = rng.random() < quality
    if rng.random() < 0.06:
        act(45, handler, "return", reason="不属于本部门职责")
        return
    if not act(rng.choice([20, 60]) if on_time else 60 * 26, handler, "sign"):
        return
    if not on_time and rng.random() < 0.5:
        return  # still being handled (and by now overdue)
    if rng.random() < 0.12:
        act(120, handler, "request_extension", hours=16, reason="需协调产权单位")
        act(30, dispatcher, "grant_extension")
    if not act(
        rng.choice([240, 600, 1500]) if on_time else 60 * 24 * 6,
        handler,
        "reply",
        result="已处理完毕",
    ):
        return
    if rng.random() < 0.1:
        act(90, dispatcher, "rework", reason="现场核查未完全整改")
        if not act(600, handler, "reply", result="已整改到位"):
            return
    if not act(rng.choice([60, 180]), dispatcher, "approve"):
        return
    if case.source == "app" and case.reporter_id and rng.random() < 0.8:
        r = rng.random()
        rating = (
            "satisfied"
            if r < quality
            else "basically_satisfied"
            if r < quality + (1 - quality) / 2
            else "unsatisfied"
        )
        act(rng.choice([120, 1440]), case.reporter, "evaluate", rating=rating)


def load(regions, departments, orgs) -> list[str]:
    if Case.objects.filter(idempotency_scope=SCOPE).exists():
        made = Case.objects.filter(idempotency_scope=SCOPE).count()
        rollups.sweep()
        return [f"数据驾驶舱演示历史工单 {made} 件（已存在）"]
    with transaction.atomic():
        made = history(regions, departments)
    rollups.sweep(budget_seconds=120)
    return [f"数据驾驶舱演示历史工单 {made} 件（近 {DAYS} 天）", "工单日汇总已更新"]
