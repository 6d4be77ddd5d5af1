"""Core pages: sign-in, sign-out and the home page that shows each role what to do next."""

from __future__ import annotations

import importlib

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from .forms import LoginForm
from .models import Role
from .permissions import assignments

# What each role does next: (label, url name, description). Apps register their entries here.
ROLE_ACTIONS: dict[str, list[tuple[str, str, str]]] = {
    Role.RESIDENT: [
        (_("随手拍"), "cases:report", _("拍照反映身边的问题")),
        (_("我的反映"), "cases:mine", _("查看我反映的问题办理进度")),
        (_("百姓点单"), "volunteering:order", _("预约理发、送医、维修等志愿服务")),
        (_("微心愿"), "wishes:wall", _("发布或浏览心愿墙")),
    ],
    Role.GRID_WORKER: [
        (_("待核实"), "cases:queue", _("核实我的网格内群众反映的问题")),
        (_("代办登记"), "cases:report", _("替来电、来访群众登记问题")),
    ],
    Role.COMMUNITY_STAFF: [
        (_("待核实"), "cases:queue", _("核实本社区群众反映的问题")),
        (_("派单管理"), "volunteering:staff_tasks", _("发布志愿服务任务、确认服务")),
        (_("心愿审核"), "wishes:staff", _("核实困难群众的微心愿")),
        (_("社区驾驶舱"), "dashboard:home", _("本社区的办理数据")),
    ],
    Role.DISPATCHER: [
        (_("指挥调度"), "cases:queue", _("待派遣、待核查、即将超期、已超期")),
        (_("数据驾驶舱"), "dashboard:home", _("全区办理数据")),
    ],
    Role.DEPARTMENT_STAFF: [
        (_("部门工单"), "cases:queue", _("待签收、办理中的工单")),
        (_("部门驾驶舱"), "dashboard:home", _("本部门的办理数据")),
    ],
    Role.PARTY_MEMBER: [
        (_("党员接单"), "volunteering:tasks", _("认领志愿服务任务、扫码报到")),
        (_("我的积分"), "volunteering:points", _("积分明细与兑换")),
        (_("认领心愿"), "wishes:wall", _("认领群众的微心愿")),
        (_("心得体会"), "study:reflections", _("提交学习心得")),
    ],
    Role.BRANCH_SECRETARY: [
        (_("支部学习"), "study:home", _("记录支部学习、审阅心得")),
    ],
    Role.PUBLICITY_OFFICER: [
        (_("宣传报道"), "study:publicity", _("登记宣传报道、导入文章")),
        (_("有声书馆"), "study:media", _("微党课与有声书")),
    ],
    Role.LEADER: [
        (_("数据驾驶舱"), "dashboard:home", _("全区各项工作数据")),
    ],
    Role.ADMIN: [
        (_("后台管理"), "admin:index", _("区域、网格、部门、分类、时限、节假日、积分规则")),
        (_("数据驾驶舱"), "dashboard:home", _("全区各项工作数据")),
    ],
}


def _entries_for(roles: list[str]) -> list[dict]:
    seen, entries = set(), []
    for role in roles:
        for label, url_name, description in ROLE_ACTIONS.get(role, []):
            if url_name in seen:
                continue
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue  # that capability is not installed in this build
            seen.add(url_name)
            entries.append({"label": label, "url": url, "description": description})
    return entries


HOME_TODO_APPS = ["cases", "wishes"]


def _todo_for(user) -> list[dict]:
    """Counts of what waits for this user, from each app that has a `home.todo(user)`."""
    items = []
    for app in HOME_TODO_APPS:
        module = importlib.import_module(f"civicloop.{app}.home")
        items.extend(module.todo(user))
    return items


@never_cache
def home(request):
    if not request.user.is_authenticated:
        return render(request, "core/welcome.html", {"entries": _entries_for([Role.RESIDENT])})
    roles = []
    for a in assignments(request.user):
        if a.role not in roles:
            roles.append(a.role)
    return render(
        request,
        "core/home.html",
        {
            "entries": _entries_for(roles),
            "assignments": assignments(request.user),
            "todo": _todo_for(request.user),
        },
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        return HttpResponseRedirect(next_url or reverse("home"))
    status = 429 if any(e.code == "locked" for e in form.non_field_errors().as_data()) else 200
    return render(request, "core/login.html", {"form": form, "next": next_url}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    return HttpResponseRedirect(reverse("login"))


@login_required
def profile_view(request):
    return render(request, "core/profile.html", {"assignments": assignments(request.user)})
