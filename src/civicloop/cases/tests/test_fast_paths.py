"""What the fast paths of the case API must keep: the same answers as the straightforward way
(working days counted without a walk, permissions decided without a query, names from the
reference snapshot), snapshots that follow every change, and announcements that commit with
the action when the task queue is in the database."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from civicloop.cases import actions, deadlines, present, queries, references
from civicloop.cases import permissions as perms
from civicloop.cases.models import Case, CaseEvent, Category
from civicloop.core import permissions as scope
from civicloop.core import snapshots
from civicloop.core.models import HolidayOverride, RoleAssignment
from civicloop.lib.workclock import SHANGHAI, WorkClock
from civicloop.notifications.models import Notification

from .conftest import post_json

pytestmark = pytest.mark.django_db


# --- working days ---------------------------------------------------------------------------


def walked_days(clock: WorkClock, start: date, end: date) -> int:
    count, day = 0, start
    while day < end:
        count += clock.is_working_day(day)
        day += timedelta(days=1)
    return count


def walked_seconds(clock: WorkClock, a: datetime, b: datetime) -> float:
    """Working seconds between a and b by visiting every day (the definition)."""
    if b < a:
        return -walked_seconds(clock, b, a)
    lo, hi = (
        a.astimezone(clock.tz).replace(tzinfo=None),
        b.astimezone(clock.tz).replace(tzinfo=None),
    )
    total, day = timedelta(), lo.date()
    while day <= hi.date():
        if clock.is_working_day(day):
            for start, end in ((time(8, 30), time(12)), (time(13, 30), time(17, 30))):
                begin = max(datetime.combine(day, start), lo)
                finish = min(datetime.combine(day, end), hi)
                if finish > begin:
                    total += finish - begin
        day += timedelta(days=1)
    return total.total_seconds()


@pytest.mark.parametrize("seed", range(4))
def test_working_days_are_counted_as_a_day_by_day_walk_counts_them(seed):
    rng = random.Random(seed)
    # Overrides of every kind: a weekday off, a weekend day worked, a holiday worked, a make-up
    # day off, and days in years the statutory calendar has no data for.
    overrides = {
        date(2025, 10, 3): True,  # National Day holiday, worked
        date(2025, 9, 28): False,  # make-up Sunday, off
        date(2026, 3, 14): True,  # a Saturday, worked
        date(2026, 3, 16): False,  # a Monday, off
        date(2030, 1, 7): False,  # Monday in a year without data
        date(2003, 6, 7): True,  # Saturday before the data starts
    }
    clock = WorkClock(overrides=overrides)
    for _ in range(150):
        # From 1996: the clock counts from a day in 2000, so some spans lie on both sides.
        start = date(1996, 1, 1) + timedelta(days=rng.randrange(0, 365 * 36))
        end = start + timedelta(days=rng.randrange(0, 800))
        assert clock.working_days_between(start, end) == walked_days(clock, start, end)
        a = datetime.combine(start, time(rng.randrange(24), rng.randrange(60)), SHANGHAI)
        b = datetime.combine(end, time(rng.randrange(24), rng.randrange(60)), SHANGHAI)
        assert clock.working_seconds_between(a, b) == walked_seconds(clock, a, b)
        assert clock.working_seconds_between(b, a) == -walked_seconds(clock, a, b)


# --- snapshots follow every change -----------------------------------------------------------


def sh(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def test_the_shared_clock_follows_overrides_added_and_removed():
    friday = sh(2026, 3, 13, 16, 30)
    case = Case(category=Category(code="T", name="t", sign_limit=2))
    assert deadlines.step_deadline(case, "dispatched", friday, deadlines.clock()) == sh(
        2026, 3, 16, 9, 30
    )
    day_off = HolidayOverride.objects.create(date=date(2026, 3, 16), is_working_day=False)
    assert deadlines.step_deadline(case, "dispatched", friday, deadlines.clock()) == sh(
        2026, 3, 17, 9, 30
    )
    day_off.delete()
    assert deadlines.step_deadline(case, "dispatched", friday, deadlines.clock()) == sh(
        2026, 3, 16, 9, 30
    )


def test_a_change_made_by_another_process_is_seen_once_its_token_changes():
    before = deadlines.clock()
    # Another process wrote the row (no signal here) and then its new token.
    HolidayOverride.objects.bulk_create(
        [HolidayOverride(date=date(2026, 3, 16), is_working_day=False)]
    )
    cache.set(snapshots.CALENDAR, "written-by-another-process", timeout=None)
    after = deadlines.clock()
    assert after is not before
    assert not after.is_working_day(date(2026, 3, 16))


def test_a_revoked_role_is_not_honoured_by_the_next_request(api_as, file_case, move, foundation):
    case_id = file_case()
    move(case_id, "grid", "verify")
    move(case_id, "dispatcher", "dispatch", department=foundation["departments"]["CG"].pk)
    department = api_as("department")
    assert department.get(f"/api/v1/cases/{case_id}").status_code == 200
    RoleAssignment.objects.filter(user__username="department").delete()
    assert department.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert department.get("/api/v1/cases?state=dispatched").json()["count"] == 0


def test_a_renamed_category_and_department_show_in_the_next_list(
    api_as, file_case, move, foundation
):
    case_id = file_case(category="SR01")
    dispatcher = api_as("dispatcher")
    dispatcher.get("/api/v1/cases")  # the snapshot is loaded
    category = Category.objects.get(code="SR01")
    category.name = "垃圾满溢（新）"
    category.save()
    item = next(c for c in dispatcher.get("/api/v1/cases").json()["items"] if c["id"] == case_id)
    assert item["category"]["name"] == "垃圾满溢（新）"


def test_on_redis_the_tokens_are_read_as_stored_and_follow_every_change(settings):
    """Production keeps the tokens in Redis and reads them raw, in one MGET: a missing token is
    created, reading again gives the same, and a change (here or written by another process
    through the cache) gives a new one for that snapshot only."""
    from django.core.cache import caches

    from conftest import skip_or_fail

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/13",
        }
    }
    try:
        caches["default"].clear()
    except Exception as exc:  # any connection failure means no Redis here
        skip_or_fail(f"Redis is not reachable on 127.0.0.1:6379: {exc}")
    first = {key: snapshots.token(key) for key in snapshots.KEYS}
    assert all(first.values()) and len(set(first.values())) == len(snapshots.KEYS)
    assert {key: snapshots.token(key) for key in snapshots.KEYS} == first
    snapshots.changed(snapshots.ROLES)
    caches["default"].set(snapshots.CALENDAR, "written-by-another-process", timeout=None)
    after = {key: snapshots.token(key) for key in snapshots.KEYS}
    assert {key for key in snapshots.KEYS if after[key] != first[key]} == {
        snapshots.ROLES,
        snapshots.CALENDAR,
    }
    caches["default"].clear()
    caches["default"].close()


def test_a_queue_asked_again_runs_its_compiled_sql_and_follows_every_change(
    api_as, file_case, move, foundation, monkeypatch
):
    """A member of staff's list is compiled once and then only run: it still shows every case
    that has come in since, never another viewer's scope, and nothing once the role is gone."""
    compiled = []
    compile_page = queries._compile_page
    monkeypatch.setattr(
        queries, "_compile_page", lambda *args: compiled.append(1) or compile_page(*args)
    )

    def dispatched_case(department="CG"):
        case_id = file_case()
        move(case_id, "grid", "verify")
        move(case_id, "dispatcher", "dispatch", department=foundation["departments"][department].pk)
        return case_id

    def queue(client, query="state=dispatched"):
        body = client.get(f"/api/v1/cases?{query}").json()
        return body["count"], {item["id"] for item in body["items"]}

    first, zj = dispatched_case(), dispatched_case("ZJ")
    department, department2 = api_as("department"), api_as("department2")
    assert queue(department) == (1, {first})
    compiled.clear()
    second = dispatched_case()
    assert queue(department) == (2, {first, second})
    assert queue(department, "state=dispatched&page=3") == (2, set())  # past the end
    assert queue(department, "state=dispatched&page=3") == (2, set())
    assert len(compiled) == 1  # only the page past the end was new
    # The same question from another department is its own scope, compiled for it.
    assert queue(department2) == (1, {zj})
    assert len(compiled) == 2
    RoleAssignment.objects.filter(user__username="department").delete()
    assert queue(department) == (0, set())


def test_a_compiled_page_answers_as_the_query_built_afresh(spread, user_named):
    from django.contrib.auth import get_user_model

    questions = [
        {},
        {"state": "dispatched"},
        {"state": "submitted,verified"},
        {"category": "SR01"},
        {"q": "垃圾"},
        {"created_from": "2020-01-01", "created_to": "2099-12-31"},
        {"grid": "999999"},
    ]
    queries._pages.clear()
    for user in get_user_model().objects.all():
        for params in questions:
            for start, stop in ((0, 2), (2, 4), (40, 50)):
                fresh_count, fresh = queries.page_of(
                    queries.filtered(user_named(user.username), params).select_related(None),
                    present.SUMMARY_FIELDS,
                    start,
                    stop,
                )
                expected = [[getattr(c, f) for f in present.SUMMARY_FIELDS] for c in fresh]
                for _ in range(2):  # compiled, then from the compiled page
                    count, rows = queries.visible_page(
                        user_named(user.username), params, present.SUMMARY_FIELDS, start, stop
                    )
                    assert count == fresh_count, (user.username, params, start)
                    assert [[getattr(c, f) for f in present.SUMMARY_FIELDS] for c in rows] == (
                        expected
                    )
    assert queries._pages  # the pages were kept


# --- the same answers ------------------------------------------------------------------------


@pytest.fixture
def spread(file_case, move, foundation):
    """Cases in two communities and at the district (兜底), in several states."""
    ids = [
        file_case(grid="胜利社区第1网格"),
        file_case(grid="胜利社区第2网格"),
        file_case(grid="蓝色康桥社区第1网格"),
    ]
    move(ids[0], "grid", "verify")
    move(ids[0], "dispatcher", "dispatch", department=foundation["departments"]["CG"].pk)
    move(ids[2], "community2", "verify")
    return ids


def test_permissions_decided_in_memory_match_the_visibility_query(spread, user_named):
    from django.contrib.auth import get_user_model

    users = list(get_user_model().objects.all())
    assert len(users) > 5
    for case in Case.objects.filter(pk__in=spread):
        for user in users:
            user = user_named(user.username)
            expected = perms.visible_to(user).filter(pk=case.pk).exists()
            assert perms.can_view(user, case) == expected, (user.username, case.pk)
            region = case.grid or case.community or case.street
            walked = set()
            if case.grid_id and scope.covers_region(user, ["grid_worker"], case.grid):
                walked.add("grid_worker")
            if region is not None and scope.covers_region(user, ["community_staff"], region):
                walked.add("community_staff")
            if scope.covers_region(user, ["dispatcher"], region):
                walked.add("dispatcher")
            roles = perms.case_roles(user, case) & {"grid_worker", "community_staff", "dispatcher"}
            assert roles == walked, (user.username, case.pk)


def test_a_summary_from_the_reference_snapshot_equals_one_from_the_joined_case(spread, user_named):
    viewer = user_named("dispatcher")
    now = timezone.now()
    refs = references.current()
    joined = Case.objects.select_related(
        "category__parent", "department", "grid", "community", "street"
    ).filter(pk__in=spread)
    for case in joined:
        alone = Case.objects.only(*present.SUMMARY_FIELDS).get(pk=case.pk)
        assert present.summary(alone, viewer, now=now, refs=refs) == present.summary(
            case, viewer, now=now
        )


def test_a_light_row_summarises_as_the_case_does_and_loads_the_rest_on_access(spread, user_named):
    viewer = user_named("dispatcher")
    now, refs = timezone.now(), references.current()
    cases = list(Case.objects.filter(pk__in=spread).order_by("pk"))
    count, light = queries.page_of(
        Case.objects.filter(pk__in=spread).order_by("pk"), present.SUMMARY_FIELDS, 0, 10
    )
    assert count == len(spread)
    assert [c.pk for c in light] == [c.pk for c in cases]
    for row, case in zip(light, cases, strict=True):
        assert present.summary(row, viewer, now=now, refs=refs) == present.summary(
            case, viewer, now=now, refs=refs
        )
    assert light[0].contact_phone == cases[0].contact_phone  # not among the fields read


def test_reads_compiled_once_give_what_the_orm_gives(spread, user_named, foundation):
    """case_by_id and events_of run SQL compiled on their first use: for every case and for
    the same case after it changed, each column as the ORM reads and converts it."""
    from django.db import transaction

    case_id = spread[0]
    queries.case_by_id(case_id)  # compiled here, then run again after the case has changed
    actions.perform(case_id, user_named("department"), "sign", {"note": "签收了"})
    for pk in spread:
        orm = Case.objects.get(pk=pk)
        for for_update in (False, True):
            with transaction.atomic():
                fast = queries.case_by_id(pk, for_update=for_update)
            for field in Case._meta.concrete_fields:
                assert getattr(fast, field.attname) == getattr(orm, field.attname), field.name
            assert fast.has_photos is orm.photos.exists()
        expected = list(
            CaseEvent.objects.filter(case_id=pk).order_by("at", "id").values(*queries.EVENT_FIELDS)
        )
        assert queries.events_of(pk) == expected
        assert all(e["at"].tzinfo is not None for e in expected)
    signed = queries.events_of(case_id)[-1]
    assert (signed["action"], signed["note"]) == ("sign", "签收了")
    assert signed["actor__profile__real_name"]


def _without_time_left(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "time_left_seconds"} for r in rows]


def test_a_page_of_summaries_equals_each_case_summarised_alone(spread, file_case, user_named):
    """summaries() works out the time, clock and language once: for every viewer it must give
    what summary() gives case by case."""
    from django.contrib.auth import get_user_model

    spread = [*spread, file_case(grid="胜利社区第1网格", who="grid")]
    refs = references.current()
    cases = list(Case.objects.filter(pk__in=spread).order_by("pk"))
    for user in get_user_model().objects.all():
        viewer = user_named(user.username)
        page = present.summaries(cases, viewer, refs=refs)
        alone = [present.summary(c, viewer, refs=refs) for c in cases]
        assert _without_time_left(page) == _without_time_left(alone), viewer.username


def test_an_action_stores_every_column_it_changed(file_case, user_named, foundation):
    """An action updates only the columns it changed: what it returns is what is stored, step
    by step through the loop and back again."""
    case_id = file_case()
    department = foundation["departments"]["CG"].pk
    steps = [
        ("grid", "verify", {}),
        ("dispatcher", "dispatch", {"department": department, "note": "请处理"}),
        ("department", "sign", {}),
        ("department", "request_extension", {"hours": 8, "reason": "需采购配件"}),
        ("dispatcher", "grant_extension", {}),
        ("department", "reply", {"result": "已清运"}),
        ("dispatcher", "approve", {}),
        ("resident", "evaluate", {"rating": "unsatisfied", "comment": "又满了"}),
    ]
    fields = [f.attname for f in Case._meta.concrete_fields]
    for who, action, body in steps:
        returned = actions.perform(case_id, user_named(who), action, body)
        stored = Case.objects.get(pk=case_id)
        assert {f: getattr(returned, f) for f in fields} == {
            f: getattr(stored, f) for f in fields
        }, action
    assert stored.reopen_count == 1 and stored.extension_hours is None


def test_the_actions_offered_are_exactly_those_check_allows(spread, user_named):
    from django.contrib.auth import get_user_model

    from civicloop.cases import workflow as wf
    from civicloop.core.errors import ActionRefused

    for case in Case.objects.filter(pk__in=spread):
        for user in get_user_model().objects.all():
            user = user_named(user.username)
            allowed = []
            for action in wf.ACTION_LABELS:
                if action not in wf.USER_ACTIONS:
                    continue
                try:
                    perms.check(user, action, case)
                except ActionRefused:
                    continue
                allowed.append(action)
            assert perms.available_actions(user, case) == allowed, (user.username, case.pk)


def test_a_list_counts_in_its_page_query_on_every_page_and_past_the_end(api_as, spread):
    dispatcher = api_as("dispatcher")
    whole = dispatcher.get("/api/v1/cases?page_size=100").json()
    total = whole["count"]
    assert total == len(whole["items"]) >= 3
    second = dispatcher.get("/api/v1/cases?page_size=2&page=2").json()
    assert second["count"] == total
    assert [c["id"] for c in second["items"]] == [c["id"] for c in whole["items"][2:4]]
    past = dispatcher.get(f"/api/v1/cases?page_size=2&page={total + 1}").json()
    assert (past["count"], past["items"]) == (total, [])
    none = dispatcher.get("/api/v1/cases?q=没有这样的描述").json()
    assert (none["count"], none["items"]) == (0, [])


def test_the_list_and_the_detail_agree_on_each_case(api_as, spread):
    dispatcher = api_as("dispatcher")
    items = dispatcher.get("/api/v1/cases?page_size=100").json()["items"]
    assert {c["id"] for c in items} >= set(spread)
    for item in items:
        detail = dispatcher.get(f"/api/v1/cases/{item['id']}").json()
        assert {k: detail[k] for k in item if k != "time_left_seconds"} == {
            k: v for k, v in item.items() if k != "time_left_seconds"
        }


# --- announcements ---------------------------------------------------------------------------


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued():
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.filter(task_path__endswith="announce_events"))


def test_with_the_database_queue_an_action_and_its_announcement_commit_together(
    database_queue, api_as, categories, point, foundation
):
    from civicloop.cases.tasks import announce_events

    lat, lng = point("胜利社区第1网格")
    response = post_json(
        api_as("resident"),
        "/api/v1/cases",
        {"description": "路灯不亮好几天了", "lat": lat, "lng": lng},
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    # Nothing is sent inside the request: the task row is written in the report's transaction.
    assert not Notification.objects.exists()
    [row] = queued()
    event_id = Case.objects.get(pk=case_id).events.get().pk
    assert row.args_kwargs["args"] == [[[case_id, event_id]]]
    announce_events.call(*row.args_kwargs["args"])
    assert Notification.objects.filter(recipient__username="grid").exists()
    # Run again (a retried task): nobody is told twice.
    count = Notification.objects.count()
    announce_events.call(*row.args_kwargs["args"])
    assert Notification.objects.count() == count
    # An action refused (409) writes no event, so nothing is queued for it.
    refused = post_json(api_as("department"), f"/api/v1/cases/{case_id}/actions/sign", {})
    assert refused.status_code in (403, 404, 409)
    assert len(queued()) == 1


def test_an_action_no_one_hears_of_queues_nothing_and_announcing_it_would_send_nothing(
    database_queue, file_case, user_named, foundation
):
    """Actions outside notify.ANNOUNCED (签收, 评价…) are not queued: announce() has nobody to
    tell about them, not the holders, the reporter nor the department's webhook."""
    from civicloop.cases import notify
    from civicloop.cases import workflow as wf
    from civicloop.cases.models import CaseEvent
    from civicloop.notifications.models import WebhookDelivery

    department = foundation["departments"]["CG"]
    department.webhook_url = "https://example.invalid/hook"
    department.save()
    case_id = file_case()
    actions.perform(case_id, user_named("grid"), "verify")
    actions.perform(case_id, user_named("dispatcher"), "dispatch", {"department": department.pk})
    before = len(queued())
    actions.perform(case_id, user_named("department"), "sign")
    assert len(queued()) == before, "a sign tells no one"
    case = Case.objects.get(pk=case_id)
    silent = [a for a in [*wf.ACTION_LABELS, "duplicate"] if not notify.announced(a)]
    assert wf.SIGN in silent and wf.EVALUATE in silent
    for action in silent:
        event = CaseEvent.objects.create(
            case=case, action=action, actor=user_named("department"), actor_role="department"
        )
        sent, hooks = Notification.objects.count(), WebhookDelivery.objects.count()
        notify.announce(case.pk, event.pk)
        assert (Notification.objects.count(), WebhookDelivery.objects.count()) == (sent, hooks), (
            action
        )


# --- responses rendered without the schema check keep the schemas' shapes --------------------


_ZERO_MILLIS = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.000(Z|[+-]\d\d:\d\d)$")


def whole_seconds(value):
    """Times written with `.000` as without: a time whose microseconds were under 1,000 is
    written with `.000` (Django writes milliseconds) and reads back as a whole second, which
    is then written without; both name the same millisecond."""
    if isinstance(value, str):
        return _ZERO_MILLIS.sub(r"\1\2", value)
    if isinstance(value, dict):
        return {key: whole_seconds(item) for key, item in value.items()}
    if isinstance(value, list):
        return [whole_seconds(item) for item in value]
    return value


def through_schema(schema, body: dict) -> dict:
    """The body as ninja would have sent it after validating it against the schema."""
    import json

    from ninja.renderers import JSONRenderer

    dumped = schema.model_validate(body).model_dump()
    return whole_seconds(json.loads(json.dumps(dumped, cls=JSONRenderer.encoder_class)))


def test_a_time_under_a_millisecond_past_the_second_compares_as_the_whole_second():
    assert whole_seconds({"at": ["2026-11-30T10:48:12.000Z"]}) == {"at": ["2026-11-30T10:48:12Z"]}
    assert whole_seconds({"at": "2026-11-30T10:48:12.001Z"}) == {"at": "2026-11-30T10:48:12.001Z"}
    assert whole_seconds({"note": "12.000Z"}) == {"note": "12.000Z"}


def test_every_case_response_has_exactly_its_declared_shape(api_as, spread, foundation, point):
    from civicloop.cases.schemas import CaseDetailOut, CaseListOut, CaseSummaryOut

    dispatcher = api_as("dispatcher")
    listed = dispatcher.get("/api/v1/cases?page_size=100").json()
    assert whole_seconds(listed) == through_schema(CaseListOut, listed)
    assert list(listed["items"][0]) == list(CaseSummaryOut.model_fields)
    for case_id in spread:
        detail = dispatcher.get(f"/api/v1/cases/{case_id}").json()
        assert whole_seconds(detail) == through_schema(CaseDetailOut, detail)
        assert list(detail) == list(CaseDetailOut.model_fields)
    lat, lng = point("胜利社区第1网格")
    created = post_json(
        api_as("resident"),
        "/api/v1/cases",
        {"description": "井盖松动有响声", "lat": lat, "lng": lng},
    )
    assert created.status_code == 201
    assert whole_seconds(created.json()) == through_schema(CaseSummaryOut, created.json())
    signed = post_json(api_as("department"), f"/api/v1/cases/{spread[0]}/actions/sign", {})
    assert signed.status_code == 200, signed.content
    assert whole_seconds(signed.json()) == through_schema(CaseDetailOut, signed.json())
    assert signed.json()["state"] == "in_progress"


@pytest.mark.parametrize("case_id", ["0", "9223372036854775808", "99999999999999999999"])
def test_an_id_no_case_can_have_is_a_404_for_reading_and_acting(api_as, foundation, case_id):
    """The case is read by a query compiled once: an id beyond the column's range is no case,
    as with the ORM's own lookups, not a database error."""
    assert api_as("dispatcher").get(f"/api/v1/cases/{case_id}").status_code == 404
    response = post_json(api_as("department"), f"/api/v1/cases/{case_id}/actions/sign")
    assert response.status_code == 404
