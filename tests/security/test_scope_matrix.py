"""Every page and every API operation, called as every demo role and as an anonymous visitor,
with objects from inside and outside each role's scope.

The matrix is built from the URL configuration and the API schema: a pattern or operation that
is not classified below fails the test, so a new endpoint cannot escape the matrix. Each
classification says who may call it — anyone, any signed-in user, or, for URLs that name an
object, whoever the owning app's `visible_to` lets see that object. The oracle is simple:
an object outside the caller's scope is never answered with 2xx, nothing is ever a 5xx, and
API lists only hold objects the caller may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.world import STAFF_AND_PEERS

pytestmark = pytest.mark.django_db

PUBLIC = "public"  # anyone, also anonymous
LOGIN = "login"  # any signed-in user (the view itself narrows what it shows to the scope)
ADMIN = "admin"  # Django admin: superusers only
ROLES = (None, *STAFF_AND_PEERS)
# The superuser administers everything through the Django admin anyway; an app page that
# shows it an object its role scope doesn't cover is not a leak (still never a 500).
SUPERUSER = "admin"
REFUSED = {301, 302, 303, 400, 401, 403, 404, 405, 409, 422, 429}


@dataclass
class Kind:
    """A kind of object named in URLs: how to list them and who may see which."""

    items: Callable[[], list[tuple[Any, dict]]]  # (key, URL kwargs)
    visible: Callable[[Any], set]  # user → keys the user may see
    model: Any = None  # the model whose row (key = pk) a refused POST must leave unchanged

    def snapshot(self, key):
        if self.model is None or not isinstance(key, int):
            return None
        return self.model.objects.filter(pk=key).values().first()


def _qs_kind(model_qs: Callable, visible_qs: Callable, kwargs: Callable[[Any], dict]) -> Kind:
    def items():
        return [(obj.pk, kwargs(obj)) for obj in model_qs().order_by("pk")[:500]]

    def visible(user):
        return set(visible_qs(user).values_list("pk", flat=True))

    return Kind(items, visible, model_qs().model)


def _anon(user):
    from django.contrib.auth.models import AnonymousUser

    return user if user is not None else AnonymousUser()


def kinds() -> dict[str, Kind]:
    from civicloop.cases import permissions as case_perms
    from civicloop.cases.models import Case, CasePhoto
    from civicloop.core.models import Region
    from civicloop.dashboard import permissions as dash
    from civicloop.open311 import records
    from civicloop.open311.models import Submission
    from civicloop.study import permissions as study_perms
    from civicloop.study.models import (
        Article,
        MediaItem,
        Reflection,
        StudyPhoto,
        StudyPlan,
        StudySession,
    )
    from civicloop.volunteering import permissions as vol
    from civicloop.volunteering.models import (
        MemberRegistration,
        ServiceOrder,
        ServiceRecord,
        Task,
    )
    from civicloop.wishes import permissions as wish_perms
    from civicloop.wishes.models import Wish

    def registrations_visible(user):
        if not user.is_authenticated:
            return MemberRegistration.objects.none()
        mine = MemberRegistration.objects.filter(member=user)
        managed = [
            r.pk
            for r in MemberRegistration.objects.select_related("community")
            if vol.manages(user, r.community)
        ]
        return mine | MemberRegistration.objects.filter(pk__in=managed)

    def study_photos_visible(user):
        return StudyPhoto.objects.filter(
            pk__in=[
                p.pk
                for p in StudyPhoto.objects.select_related("session", "lecture")
                if study_perms.can(user, "view", p.session or p.lecture)
            ]
        )

    def plans_visible(user):
        return StudyPlan.objects.filter(
            pk__in=[
                p.pk for p in StudyPlan.objects.all() if study_perms.can(user, "manage_plan", p)
            ]
        )

    def scopes():
        rows = [("district", None)]
        rows += [
            (r.level, r.pk)
            for r in Region.objects.filter(level__in=["street", "community", "grid"]).order_by("pk")
        ]
        from civicloop.core.models import Department

        rows += [("department", d.pk) for d in Department.objects.order_by("pk")]
        return [
            ((t, pk), {"scope_type": t, "scope_id": pk if pk is not None else 0}) for t, pk in rows
        ]

    def scopes_visible(user):
        cache_key = getattr(user, "pk", None)
        if cache_key in _SCOPE_CACHE:
            return _SCOPE_CACHE[cache_key]
        seen = _SCOPE_CACHE[cache_key] = set()
        for key, _kw in scopes():
            scope = dash.resolve(key[0], key[1])
            if scope is not None and dash.is_viewer(user) and dash.can_view(user, scope):
                seen.add(key)
        return seen

    def public_photos(user):
        return {
            p.pk for p in CasePhoto.objects.only("pk") if records.public_photo(p.pk) is not None
        }

    return {
        "case": _qs_kind(
            Case.objects.all,
            lambda u: case_perms.visible_to(_anon(u)),
            lambda c: {"case_id": c.pk},
        ),
        "case_photo": _qs_kind(
            CasePhoto.objects.all,
            lambda u: CasePhoto.objects.filter(case__in=case_perms.visible_to(_anon(u))),
            lambda p: {"case_id": p.case_id, "photo_id": p.pk},
        ),
        # The follow link is a capability: whoever holds the token sees the (personal-data-free)
        # timeline; a wrong token is a 404.
        "case_token": Kind(
            lambda: (
                [(c.pk, {"token": c.token}) for c in Case.objects.order_by("pk")[:3]]
                + [("forged", {"token": "x" * 40})]
            ),
            lambda user: {c.pk for c in Case.objects.order_by("pk")[:3]},
        ),
        "open311_request": Kind(
            lambda: (
                [(c.pk, {"request_id": str(c.pk), "fmt": "json"}) for c in Case.objects.all()]
                + [("absent", {"request_id": "999999999", "fmt": "json"})]
            ),
            lambda user: set(records.public_cases().values_list("pk", flat=True)),
        ),
        "open311_token": Kind(
            lambda: (
                [
                    (s.token, {"token": s.token, "fmt": "json"})
                    for s in Submission.objects.order_by("pk")[:3]
                ]
                + [("forged", {"token": "forged-token", "fmt": "json"})]
            ),
            lambda user: set(Submission.objects.values_list("token", flat=True)),
        ),
        "open311_photo": Kind(
            lambda: [(p.pk, {"photo_id": p.pk}) for p in CasePhoto.objects.order_by("pk")],
            public_photos,
        ),
        "order": _qs_kind(
            ServiceOrder.objects.all,
            lambda u: vol.orders_visible_to(_anon(u)),
            lambda o: {"order_id": o.pk},
        ),
        "task": _qs_kind(
            Task.objects.all,
            lambda u: vol.tasks_visible_to(_anon(u)),
            lambda t: {"task_id": t.pk},
        ),
        "managed_task": _qs_kind(
            Task.objects.all,
            lambda u: Task.objects.filter(
                pk__in=[t.pk for t in Task.objects.all() if vol.manages(_anon(u), t.community)]
            ),
            lambda t: {"task_id": t.pk},
        ),
        "task_member": _qs_kind(
            Task.objects.all,
            lambda u: vol.tasks_visible_to(_anon(u)),
            lambda t: {"task_id": t.pk, "member_id": _user_id("member")},
        ),
        "registration": _qs_kind(
            MemberRegistration.objects.all,
            lambda u: registrations_visible(_anon(u)),
            lambda r: {"registration_id": r.pk},
        ),
        "service_record": _qs_kind(
            ServiceRecord.objects.all,
            lambda u: vol.records_visible_to(_anon(u)),
            lambda r: {"record_id": r.pk},
        ),
        "community": _qs_kind(
            lambda: Region.objects.filter(level="community"),
            # Member lists per community are open to signed-in users, masked outside the
            # community's own staff (checked in test_personal_data).
            lambda u: (
                Region.objects.filter(level="community")
                if _anon(u).is_authenticated
                else Region.objects.none()
            ),
            lambda r: {"community_id": r.pk},
        ),
        "wish": _qs_kind(
            Wish.objects.all,
            lambda u: wish_perms.visible_to(_anon(u)),
            lambda w: {"pk": w.pk},
        ),
        "study_session": _qs_kind(
            StudySession.objects.all,
            lambda u: study_perms.sessions_visible_to(_anon(u)),
            lambda s: {"pk": s.pk},
        ),
        "study_plan": _qs_kind(
            StudyPlan.objects.all, lambda u: plans_visible(_anon(u)), lambda p: {"pk": p.pk}
        ),
        "reflection": _qs_kind(
            Reflection.objects.all,
            lambda u: study_perms.reflections_visible_to(_anon(u)),
            lambda r: {"pk": r.pk},
        ),
        "article": _qs_kind(
            Article.objects.all,
            lambda u: study_perms.records_visible_to(_anon(u), Article),
            lambda a: {"pk": a.pk},
        ),
        "media": _qs_kind(
            MediaItem.objects.all,
            lambda u: study_perms.media_visible_to(_anon(u)),
            lambda m: {"pk": m.pk},
        ),
        # A published recording's listen link is a capability shared by QR code.
        "media_token": Kind(
            lambda: (
                [(m.pk, {"token": m.token}) for m in MediaItem.objects.order_by("pk")[:3]]
                + [("forged", {"token": "forged"})]
            ),
            lambda user: set(MediaItem.objects.filter(published=True).values_list("pk", flat=True)),
        ),
        "study_photo": _qs_kind(
            StudyPhoto.objects.all,
            lambda u: study_photos_visible(_anon(u)),
            lambda p: {"pk": p.pk},
        ),
        "dashboard_scope": Kind(scopes, lambda u: scopes_visible(_anon(u))),
    }


# Which dashboard scopes each demo user may open: the regions, departments and role
# assignments are the same demo data in every test, so it is worked out once per user.
_SCOPE_CACHE: dict = {}


def _user_id(username: str) -> int:
    return get_user_model().objects.get(username=username).pk


@dataclass
class Entry:
    access: str  # PUBLIC, LOGIN, ADMIN, or the Kind of the object the URL names
    post: bool = False  # also POST to it (actions), not only GET
    extra: dict = field(default_factory=dict)  # fixed URL kwargs (an action name, a format)


E = Entry
# Every named page. The key is "namespace:name" as in {% url %}.
WEB: dict[str, Entry] = {
    "home": E(PUBLIC),
    "login": E(PUBLIC),
    "logout": E(PUBLIC),
    "profile": E(LOGIN),
    "cases:report": E(PUBLIC),
    "cases:suggest": E(PUBLIC),
    "cases:mine": E(LOGIN),
    "cases:queue": E(LOGIN),
    "cases:detail": E("case"),
    "cases:act": E("case", post=True, extra={"action": "accept"}),
    "cases:photo": E("case_photo"),
    "cases:follow": E("case_token"),
    "open311:index": E(PUBLIC),
    "open311:discovery": E(PUBLIC, extra={"fmt": "json"}),
    "open311:services": E(PUBLIC, extra={"fmt": "json"}),
    "open311:service": E(PUBLIC, extra={"fmt": "json", "code": "nope"}),
    "open311:requests": E(PUBLIC, extra={"fmt": "json"}),
    "open311:request": E("open311_request"),
    "open311:token": E("open311_token"),
    "open311:updates": E(PUBLIC, extra={"fmt": "json"}),
    "open311:media": E("open311_photo"),
    "open311:unknown": E(PUBLIC, extra={"fmt": "json", "rest": "nothing/here"}),
    "volunteering:order": E(LOGIN),
    "volunteering:order_contact": E("order"),
    "volunteering:decline_order": E("order", post=True),
    "volunteering:tasks": E(LOGIN),
    "volunteering:task": E("task"),
    "volunteering:claim": E("task", post=True),
    "volunteering:cancel": E("task", post=True),
    "volunteering:assign": E("managed_task", post=True),
    "volunteering:cancel_task": E("managed_task", post=True),
    "volunteering:poster": E("task"),
    "volunteering:confirm": E("task_member", post=True),
    "volunteering:checkin": E(LOGIN, extra={"code": "not-a-code"}),
    "volunteering:register": E(LOGIN),
    "volunteering:withdraw": E("registration", post=True),
    "volunteering:decide_registration": E("registration", post=True),
    "volunteering:points": E(LOGIN),
    "volunteering:certificate": E("service_record"),
    "volunteering:staff_tasks": E(LOGIN),
    "volunteering:publish": E(LOGIN),
    "volunteering:pair": E(LOGIN),
    "volunteering:correct": E(LOGIN),
    "volunteering:community": E("community"),
    "volunteering:org_service": E(LOGIN),
    "volunteering:org_export": E(LOGIN),
    "wishes:wall": E(PUBLIC),
    "wishes:new": E(LOGIN),
    "wishes:mine": E(LOGIN),
    "wishes:staff": E(LOGIN),
    "wishes:stats": E(LOGIN),
    "wishes:detail": E("wish"),
    "wishes:photo": E("wish"),
    "wishes:thumb": E("wish"),
    "wishes:act": E("wish", post=True, extra={"action": "claim"}),
    "study:home": E(LOGIN),
    "study:sessions": E(LOGIN),
    "study:session_new": E(LOGIN),
    "study:session": E("study_session"),
    "study:plans": E(LOGIN),
    "study:plan_new": E(LOGIN),
    "study:milestone_new": E("study_plan", post=True),
    "study:reflections": E(LOGIN),
    "study:reflection_new": E(LOGIN),
    "study:reflection": E("reflection"),
    "study:lectures": E(LOGIN),
    "study:lecture_new": E(LOGIN),
    "study:reading": E(LOGIN),
    "study:reading_new": E(LOGIN),
    "study:publicity": E(LOGIN),
    "study:publicity_new": E(LOGIN),
    "study:articles": E(LOGIN),
    "study:article_import": E(LOGIN),
    "study:article": E("article"),
    "study:media": E(LOGIN),
    "study:media_new": E(LOGIN),
    "study:media_item": E("media"),
    "study:media_poster": E("media"),
    "study:listen": E("media_token"),
    "study:media_file": E("media_token"),
    "study:photo": E("study_photo"),
    "study:photo_thumb": E("study_photo"),
    "dashboard:home": E(LOGIN),
    "dashboard:public": E(PUBLIC),
    "dashboard:scope": E("dashboard_scope"),
    "dashboard:print": E("dashboard_scope"),
    "dashboard:report": E("dashboard_scope"),
    "dashboard:export": E("dashboard_scope", extra={"table_id": "cases"}),
    "notifications:inbox": E(LOGIN),
    "notifications:read_all": E(LOGIN, post=True),
}
# Every API operation, "METHOD /path" as in /api/v1/openapi.json.
API: dict[str, Entry] = {
    "POST /api/v1/auth/token": E(PUBLIC),
    "POST /api/v1/auth/revoke": E(LOGIN),
    "GET /api/v1/me": E(LOGIN),
    "GET /api/v1/grids": E(PUBLIC),
    "GET /api/v1/grids/{grid_id}": E(PUBLIC, extra={"grid_id": "1"}),
    "GET /api/v1/regions": E(PUBLIC),
    "GET /api/v1/departments": E(PUBLIC),
    "POST /api/v1/cases": E(PUBLIC),
    "GET /api/v1/cases": E(LOGIN),
    "GET /api/v1/cases/suggest-category": E(PUBLIC),
    "GET /api/v1/cases/{case_id}": E("case"),
    "GET /api/v1/cases/{case_id}/duplicates": E("case"),
    "POST /api/v1/cases/{case_id}/actions/{action}": E("case", extra={"action": "accept"}),
    "GET /api/v1/categories": E(PUBLIC),
    "POST /api/v1/service-orders": E(LOGIN),
    "GET /api/v1/service-orders": E(LOGIN),
    "GET /api/v1/service-orders/{order_id}": E("order"),
    "POST /api/v1/service-orders/{order_id}/decline": E("order"),
    "POST /api/v1/tasks": E(LOGIN),
    "GET /api/v1/tasks": E(LOGIN),
    "GET /api/v1/tasks/{task_id}": E("task"),
    "GET /api/v1/tasks/{task_id}/claims": E("task"),
    "POST /api/v1/tasks/{task_id}/claim": E("task"),
    "POST /api/v1/tasks/{task_id}/assign": E("managed_task"),
    "POST /api/v1/tasks/{task_id}/cancel": E("task"),
    "POST /api/v1/tasks/{task_id}/checkin": E("task"),
    "POST /api/v1/tasks/{task_id}/checkout": E("task"),
    "POST /api/v1/tasks/{task_id}/confirm": E("task"),
    "GET /api/v1/service-records": E(LOGIN),
    "GET /api/v1/points/me": E(LOGIN),
    "POST /api/v1/points/corrections": E(LOGIN),
    "GET /api/v1/rewards": E(LOGIN),
    "POST /api/v1/redemptions": E(LOGIN),
    "POST /api/v1/registrations": E(LOGIN),
    "GET /api/v1/registrations": E(LOGIN),
    "POST /api/v1/registrations/{registration_id}/approve": E("registration"),
    "POST /api/v1/registrations/{registration_id}/reject": E("registration"),
    "POST /api/v1/registrations/{registration_id}/withdraw": E("registration"),
    "GET /api/v1/wishes": E(PUBLIC),  # the wish wall: published wishes, contacts masked
    "POST /api/v1/wishes": E(LOGIN),
    "GET /api/v1/wishes/{wish_id}": E("wish"),
    "POST /api/v1/wishes/{wish_id}/actions/{action}": E("wish", extra={"action": "claim"}),
    "GET /api/v1/study/textbooks": E(LOGIN),
    "GET /api/v1/study/sessions": E(LOGIN),
    "POST /api/v1/study/sessions": E(LOGIN),
    "GET /api/v1/study/sessions/{session_id}": E("study_session"),
    "GET /api/v1/study/progress": E(LOGIN),
    "GET /api/v1/study/metrics": E(LOGIN),
    "GET /api/v1/study/reflections": E(LOGIN),
    "POST /api/v1/study/reflections": E(LOGIN),
    "POST /api/v1/study/reflections/{reflection_id}/review": E("reflection"),
    "GET /api/v1/study/lectures": E(LOGIN),
    "POST /api/v1/study/lectures": E(LOGIN),
    "GET /api/v1/study/media": E(LOGIN),
    "GET /api/v1/study/media/{item_id}": E("media"),
    "GET /api/v1/study/publicity": E(LOGIN),
    "POST /api/v1/study/publicity": E(LOGIN),
    "GET /api/v1/study/publicity/stats": E(LOGIN),
    "POST /api/v1/articles/import": E(LOGIN),
    "GET /api/v1/articles/{article_id}": E("article"),
    "GET /api/v1/stats/cases": E(LOGIN),
    "GET /api/v1/stats/volunteering": E(LOGIN),
    "GET /api/v1/stats/wishes": E(LOGIN),
    "GET /api/v1/stats/study": E(LOGIN),
    "GET /api/v1/notifications": E(LOGIN),
    "POST /api/v1/notifications/read": E(LOGIN),
}
# API URL kwarg → the web Kind's kwarg name, for kinds shared by pages and the API.
API_PARAM = {
    "case_id": "case_id",
    "order_id": "order_id",
    "task_id": "task_id",
    "registration_id": "registration_id",
    "wish_id": "pk",
    "session_id": "pk",
    "reflection_id": "pk",
    "item_id": "pk",
    "article_id": "pk",
}
# API list endpoints and the Kind whose visibility bounds what they may return.
API_LISTS = {
    "/api/v1/cases": "case",
    "/api/v1/service-orders": "order",
    "/api/v1/tasks": "task",
    "/api/v1/service-records": "service_record",
    "/api/v1/registrations": "registration",
    "/api/v1/wishes": "wish",
    "/api/v1/study/sessions": "study_session",
    "/api/v1/study/reflections": "reflection",
    "/api/v1/study/media": "media",
}


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield prefix + str(pattern.pattern), name


def _web_patterns() -> list[tuple[str, str]]:
    return [
        (route, name)
        for route, name in _walk(get_resolver().url_patterns)
        if not route.startswith(("admin/", "api/v1/", "bench/"))
    ]


def _api_operations() -> list[str]:
    from civicloop.api import api

    schema = api.get_openapi_schema()
    return [f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m in ops]


def test_every_page_is_classified():
    names = {name for _route, name in _web_patterns()}
    unnamed = [route for route, name in _web_patterns() if not name]
    assert not unnamed, f"name these URL patterns so the matrix can classify them: {unnamed}"
    missing = sorted(names - set(WEB))
    assert not missing, f"classify these pages in tests/security/test_scope_matrix.py: {missing}"
    stale = sorted(set(WEB) - names)
    assert not stale, f"these classified pages no longer exist: {stale}"


def test_every_api_operation_is_classified_and_every_api_url_is_in_the_schema():
    operations = set(_api_operations())
    missing = sorted(operations - set(API))
    assert not missing, f"classify these API operations in test_scope_matrix.py: {missing}"
    stale = sorted(set(API) - operations)
    assert not stale, f"these classified API operations no longer exist: {stale}"
    # Every URL Django routes under /api/v1/ is a documented operation (or the schema/docs).
    documented = {p.split(" ", 1)[1] for p in operations}
    for route, name in _walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/") or name in {
            "api:openapi-json",
            "api:openapi-view",
            "api:api-root",
        }:
            continue
        templated = "/" + route.replace("<int:", "{").replace("<", "{").replace(">", "}")
        assert templated in documented, f"{route} is routed but not in the API schema"


def _client(world, username: str | None, api: bool = False) -> Client:
    if username is None:
        return Client()
    if api:
        return Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[username]}")
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _samples(kind: Kind, user, *, keys: bool = False) -> tuple[list, list]:
    """One object the user may see and up to two they may not (the first and the last): their
    URL kwargs, or (key, kwargs) pairs with keys=True."""
    items = kind.items()
    seen = kind.visible(user)
    inside = [(key, kw) for key, kw in items if key in seen][:1]
    outside = [(key, kw) for key, kw in items if key not in seen]
    if len(outside) > 2:
        outside = [outside[0], outside[-1]]
    if keys:
        return inside, outside
    return [kw for _k, kw in inside], [kw for _k, kw in outside]


def _check(problems: list, who, method: str, url: str, response, *, allowed: bool) -> None:
    status = response.status_code
    label = f"{method} {url} as {who or 'anonymous'} → {status}"
    if status >= 500:
        problems.append(f"{label}: server error")
    elif not allowed and status not in REFUSED and who != SUPERUSER:
        problems.append(f"{label}: served an object outside the caller's scope")
    elif not allowed and method == "GET" and status in {301, 302, 303}:
        location = response.get("Location", "")
        if url.rstrip("/") in location and "login" not in location:
            problems.append(f"{label}: redirected to the object itself ({location})")


def _call_unchanged(problems, kind, key, client, who, method, url, *, api, allowed):
    """Calls; a refused POST on an object outside the scope must leave its row as it was."""
    before = kind.snapshot(key) if method == "POST" and not allowed else None
    response = _call(client, method, url, api=api)
    _check(problems, who, method, url, response, allowed=allowed)
    if before is not None and who != SUPERUSER and kind.snapshot(key) != before:
        problems.append(
            f"{method} {url} as {who or 'anonymous'} → {response.status_code}: changed an "
            "object outside the caller's scope"
        )


def _call(client, method: str, url: str, *, api: bool):
    if method == "GET":
        return client.get(url)
    if api:
        return client.post(url, data="{}", content_type="application/json")
    return client.post(url, {})


def _users():
    return {u.username: u for u in get_user_model().objects.filter(username__in=STAFF_AND_PEERS)}


@pytest.mark.parametrize("name", sorted(WEB))
def test_each_page_serves_only_what_the_role_may_see(world, name):
    entry = WEB[name]
    problems: list[str] = []
    users = _users()
    methods = ["GET", "POST"] if entry.post else ["GET"]
    for username in ROLES:
        user = users.get(username) if username else None
        client = _client(world, username)
        if entry.access in (PUBLIC, LOGIN, ADMIN):
            url = reverse(name, kwargs=entry.extra or None)
            for method in methods:
                response = _call(client, method, url, api=False)
                allowed = entry.access == PUBLIC or (entry.access == LOGIN and user is not None)
                _check(problems, username, method, url, response, allowed=allowed)
                if entry.access == LOGIN and user is None and response.status_code in (301, 302):
                    assert "/login/" in response["Location"], f"{url} → {response['Location']}"
            continue
        kind = kinds()[entry.access]
        inside, outside = _samples(kind, user, keys=True)
        for (key, kwargs), allowed in [(i, True) for i in inside] + [(o, False) for o in outside]:
            url = reverse(name, kwargs={**kwargs, **entry.extra})
            for method in methods:
                _call_unchanged(
                    problems, kind, key, client, username, method, url, api=False, allowed=allowed
                )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("operation", sorted(API))
def test_each_api_operation_serves_only_what_the_role_may_see(world, operation):
    entry = API[operation]
    method, path = operation.split(" ", 1)
    problems: list[str] = []
    users = _users()
    for username in ROLES:
        user = users.get(username) if username else None
        client = _client(world, username, api=True)
        if entry.access in (PUBLIC, LOGIN):
            url = path.format(**entry.extra)
            response = _call(client, method, url, api=True)
            allowed = entry.access == PUBLIC or user is not None
            _check(problems, username, method, url, response, allowed=allowed)
            if entry.access == LOGIN and user is None:
                assert response.status_code == 401, (
                    f"{operation} anonymous → {response.status_code}"
                )
            continue
        kind = kinds()[entry.access]
        inside, outside = _samples(kind, user, keys=True)
        for (key, kwargs), allowed in [(i, True) for i in inside] + [(o, False) for o in outside]:
            values = {
                api_name: kwargs[web_name]
                for api_name, web_name in API_PARAM.items()
                if web_name in kwargs and "{" + api_name + "}" in path
            }
            url = path.format(**values, **entry.extra)
            _call_unchanged(
                problems, kind, key, client, username, method, url, api=True, allowed=allowed
            )
    assert not problems, "\n".join(problems)


def _ids(payload) -> list:
    rows = payload
    if isinstance(payload, dict):
        rows = next((payload[k] for k in ("items", "results", "rows", "data") if k in payload), [])
    return [row["id"] for row in rows if isinstance(row, dict) and "id" in row]


@pytest.mark.parametrize("path", sorted(API_LISTS))
def test_api_lists_hold_only_objects_in_the_callers_scope(world, path):
    kind = kinds()[API_LISTS[path]]
    users = _users()
    problems = []
    callers = (None, *STAFF_AND_PEERS) if API[f"GET {path}"].access == PUBLIC else STAFF_AND_PEERS
    for username in callers:
        response = _client(world, username, api=True).get(path, {"page_size": 100, "limit": 100})
        if response.status_code in (401, 403):
            continue  # the role has no such list at all
        assert response.status_code == 200, f"{path} as {username}: {response.status_code}"
        ids = _ids(response.json())
        leaked = sorted(set(ids) - kind.visible(_anon(users.get(username))))
        if leaked:
            problems.append(f"{path} as {username} lists out-of-scope ids {leaked[:10]}")
    assert not problems, "\n".join(problems)


def test_the_demo_scopes_are_what_the_matrix_relies_on(world):
    """The oracle uses each app's visible_to; pin that it is narrow where the demo says so."""
    from civicloop.cases import permissions as case_perms
    from civicloop.cases.models import Case

    users = _users()
    grid = set(case_perms.visible_to(users["grid"]).values_list("grid__name", flat=True))
    grid2 = set(case_perms.visible_to(users["grid2"]).values_list("grid__name", flat=True))
    assert grid and grid <= {"胜利社区第1网格"}
    assert grid2 <= {"胜利社区第2网格"}
    community2 = case_perms.visible_to(users["community2"])
    assert not community2.filter(community__name="胜利社区").exists()
    department = case_perms.visible_to(users["department"])
    assert not department.exclude(department__code="CG").exists()
    resident = case_perms.visible_to(users["resident"])
    assert not resident.exclude(reporter=users["resident"]).exists()
    assert Case.objects.exclude(reporter=users["resident"]).exists()
