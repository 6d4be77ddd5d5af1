"""Branch sessions: recording, attendance, scope, and each branch's progress through the books."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from civicloop.core.errors import ActionRefused
from civicloop.study import actions
from civicloop.study.models import Attendance, AuditEntry, PlanMilestone, StudyPlan, StudySession
from civicloop.study.progress import branch_progress

FIRST = "胜利社区党委第一党支部"
CITY = "兴隆台区城管局机关党支部"


def record(user, branch, lead, chapters, **extra):
    return actions.record_session(
        user,
        branch,
        date=extra.pop("date", timezone.localdate()),
        topic=extra.pop("topic", "集中学习"),
        lead_reader_id=lead.pk,
        chapter_ids=[c.pk for c in chapters],
        duration_minutes=60,
        **extra,
    )


def progress_of(branch, short):
    (p,) = branch_progress([branch])
    return next(b for b in p.books if b.textbook.short_title == short), p


@pytest.mark.django_db
def test_a_secretary_records_a_session_with_everyone_present_except_the_absent(
    foundation, user_named, chapter
):
    branch = foundation["orgs"][FIRST]
    secretary, m4 = user_named("secretary"), user_named("member04")
    session = record(
        secretary, branch, m4, [chapter("简史", 1)], absent={user_named("member09").pk: "出差"}
    )
    rows = {a.member.username: a for a in Attendance.objects.filter(session=session)}
    assert set(rows) == {"secretary", "member04", "member09", "member14", "member19"}
    assert [u for u, a in rows.items() if not a.present] == ["member09"]
    assert rows["member09"].absence_reason == "出差"
    assert AuditEntry.objects.filter(action="record_session", object_id=session.pk).exists()


@pytest.mark.django_db
def test_the_lead_reader_must_belong_to_the_branch(foundation, user_named, chapter):
    with pytest.raises(ActionRefused, match="领读人"):
        record(user_named("secretary"), foundation["orgs"][FIRST], user_named("member01"), [])


@pytest.mark.django_db
def test_a_branch_secretary_cannot_record_a_session_of_another_branch(
    foundation, user_named, chapter
):
    with pytest.raises(ActionRefused) as refused:
        record(
            user_named("secretary"),
            foundation["orgs"][CITY],
            user_named("member"),
            [chapter("简史", 1)],
        )
    assert refused.value.status == 403
    assert not StudySession.objects.exists()


@pytest.mark.django_db
def test_a_member_cannot_record_sessions(foundation, user_named):
    with pytest.raises(ActionRefused):
        record(user_named("member"), foundation["orgs"][CITY], user_named("member"), [])


@pytest.mark.django_db
def test_progress_is_the_share_of_a_textbooks_chapters_the_branch_has_led(
    foundation, user_named, chapter
):
    branch = foundation["orgs"][FIRST]
    secretary = user_named("secretary")
    book, _p = progress_of(branch, "简史")
    assert (book.done, book.total, book.most_led) == (0, 10, False)
    record(secretary, branch, secretary, [chapter("简史", n) for n in (1, 2, 3)])
    # Leading a chapter twice does not count twice.
    record(secretary, branch, secretary, [chapter("简史", n) for n in (3, 4, 5)])
    book, _p = progress_of(branch, "简史")
    assert (book.done, book.percent, book.most_led) == (5, 50, False)
    record(secretary, branch, secretary, [chapter("简史", 6)])
    book, _p = progress_of(branch, "简史")
    assert (book.done, book.most_led) == (6, True)  # 领学大半
    other, _p = progress_of(foundation["orgs"][CITY], "简史")
    assert other.done == 0


@pytest.mark.django_db
def test_a_branch_is_behind_plan_when_a_chapter_due_under_an_ancestors_plan_is_not_led(
    foundation, user_named, chapter
):
    orgs = foundation["orgs"]
    today = timezone.localdate()
    plan = StudyPlan.objects.create(
        org=orgs["中共盘锦市兴隆台区委员会"], year=today.year, title="计划"
    )
    due = PlanMilestone.objects.create(plan=plan, due=today - datetime.timedelta(days=1))
    due.chapters.set([chapter("简史", 1), chapter("简史", 2)])
    later = PlanMilestone.objects.create(plan=plan, due=today + datetime.timedelta(days=30))
    later.chapters.set([chapter("简史", 3)])
    branch, secretary = orgs[FIRST], user_named("secretary")
    _b, p = progress_of(branch, "简史")
    assert p.behind and [c.number for c in p.missing] == [1, 2] and p.due == 2
    record(secretary, branch, secretary, [chapter("简史", 1)])
    _b, p = progress_of(branch, "简史")
    assert [c.number for c in p.missing] == [2]
    record(secretary, branch, secretary, [chapter("简史", 2)])
    _b, p = progress_of(branch, "简史")
    assert not p.behind  # chapter 3 is not due yet


@pytest.mark.django_db
def test_progress_needs_a_fixed_number_of_queries_whatever_the_number_of_branches(
    study_demo, django_assert_max_num_queries
):
    from civicloop.core.models import PartyOrg

    branches = list(PartyOrg.objects.filter(kind="branch"))
    with django_assert_max_num_queries(8):
        branch_progress(branches)


# --- API -------------------------------------------------------------------------------------


def session_body(foundation, user_named, chapter, branch=FIRST, lead="member04", **extra):
    return {
        "branch_id": foundation["orgs"][branch].pk,
        "date": timezone.localdate().isoformat(),
        "topic": "学习简史第一章",
        "lead_reader_id": user_named(lead).pk,
        "chapter_ids": [chapter("简史", 1).pk],
        "duration_minutes": 90,
        "absent": [{"member_id": user_named("member19").pk, "reason": "病假"}],
        **extra,
    }


@pytest.mark.django_db
def test_the_api_records_a_session_and_reports_progress(api_as, foundation, user_named, chapter):
    client = api_as("secretary")
    created = client.post(
        "/api/v1/study/sessions",
        json.dumps(session_body(foundation, user_named, chapter)),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["present"] == 4 and created.json()["expected"] == 5
    progress = client.get("/api/v1/study/progress").json()
    assert [p["branch"] for p in progress] == [FIRST]
    jianshi = next(t for t in progress[0]["textbooks"] if t["textbook"] == "简史")
    assert (jianshi["done"], jianshi["total"]) == (1, 10)


@pytest.mark.django_db
def test_the_api_refuses_a_session_for_another_branch_and_bad_input(
    api_as, foundation, user_named, chapter
):
    client = api_as("secretary")

    def post(body):
        return client.post(
            "/api/v1/study/sessions", json.dumps(body), content_type="application/json"
        )

    other = session_body(foundation, user_named, chapter, branch=CITY, lead="member", absent=[])
    assert post(other).status_code == 404  # another branch is not even visible
    body = session_body(foundation, user_named, chapter)
    assert post({**body, "duration_minutes": 0}).status_code == 422
    assert post({**body, "chapter_ids": [999999]}).status_code == 400
    assert post({**body, "branch_id": 999999}).status_code == 404
    assert post({**body, "date": "2999-01-01"}).status_code == 400
    assert (
        post(
            {**body, "absent": [{"member_id": user_named("member01").pk, "reason": "x"}]}
        ).status_code
        == 400
    )
    assert not StudySession.objects.exists()


@pytest.mark.django_db
def test_sessions_are_visible_only_within_the_callers_party_organisations(
    api_as, study_demo, foundation
):
    first = foundation["orgs"][FIRST].pk
    city_session = StudySession.objects.filter(org=foundation["orgs"][CITY]).first()
    secretary = api_as("secretary")
    branches = {s["branch_id"] for s in secretary.get("/api/v1/study/sessions").json()["items"]}
    assert branches == {first}
    assert secretary.get(f"/api/v1/study/sessions/{city_session.pk}").status_code == 404
    member = api_as("member")
    assert {s["branch"] for s in member.get("/api/v1/study/sessions").json()["items"]} == {CITY}
    assert member.get(f"/api/v1/study/sessions/{city_session.pk}").status_code == 200
    everyone = api_as("publicity").get("/api/v1/study/sessions").json()
    assert everyone["count"] == StudySession.objects.count()
    assert api_as("resident").get("/api/v1/study/sessions").status_code == 403
    assert api_as(None).get("/api/v1/study/progress").status_code == 401


@pytest.mark.django_db
def test_the_session_page_records_attendance_with_everyone_present_by_default(
    web_as, foundation, user_named, chapter
):
    client = web_as("secretary")
    page = client.get("/study/sessions/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('type="checkbox" name="present_') == 5
    m9 = user_named("member09")
    data = {
        "branch": foundation["orgs"][FIRST].pk,
        "date": timezone.localdate().isoformat(),
        "topic": "学习简史",
        "lead_reader": user_named("member04").pk,
        "chapters": [chapter("简史", 1).pk, chapter("简史", 2).pk],
        "duration_minutes": 60,
        f"reason_{m9.pk}": "值班",
    }
    for username in ("secretary", "member04", "member14", "member19"):
        data[f"present_{user_named(username).pk}"] = "on"
    response = client.post("/study/sessions/new/", data)
    assert response.status_code == 302
    session = StudySession.objects.get()
    assert session.chapters.count() == 2
    assert not Attendance.objects.get(session=session, member=m9).present
    # An absence needs a reason.
    data.pop(f"reason_{m9.pk}")
    again = client.post("/study/sessions/new/", data)
    assert again.status_code == 200
    assert "请填写缺席原因" in again.content.decode()


@pytest.mark.django_db
def test_a_secretary_cannot_open_another_branchs_session_page(web_as, study_demo, foundation):
    city_session = StudySession.objects.filter(org=foundation["orgs"][CITY]).first()
    assert web_as("secretary").get(f"/study/sessions/{city_session.pk}/").status_code == 404
    assert web_as("member").get("/study/sessions/new/").status_code == 403


@pytest.mark.django_db
def test_the_committee_view_flags_branches_behind_plan_and_most_led(web_as, study_demo):
    html = web_as("publicity").get("/study/").content.decode()
    assert "领学大半" in html
    assert "落后于计划" in html
    behind_only = web_as("publicity").get("/study/?behind=1").content.decode()
    assert "兴隆台区实验小学党支部" in behind_only
    assert FIRST not in behind_only.split("最近的支部学习")[0]


@pytest.mark.django_db
def test_api_lists_mask_names_and_the_detail_shows_them_to_the_branchs_own_people(
    api_as, web_as, study_demo, foundation
):
    session = (
        StudySession.objects.filter(org=foundation["orgs"][FIRST])
        .exclude(lead_reader__username="secretary")
        .first()
    )
    full = session.lead_reader.profile.real_name
    masked = session.lead_reader.profile.masked_name
    listed = api_as("secretary").get("/api/v1/study/sessions").json()["items"]
    assert full not in json.dumps(listed, ensure_ascii=False)
    assert masked in [s["lead_reader"] for s in listed]
    detail = api_as("secretary").get(f"/api/v1/study/sessions/{session.pk}").json()
    assert detail["lead_reader"] == full
    overseer = api_as("publicity").get(f"/api/v1/study/sessions/{session.pk}").json()
    assert overseer["lead_reader"] == masked
    assert full not in json.dumps(overseer, ensure_ascii=False)
    # The pages follow the same rule: the committee sees the branch's people masked.
    html = web_as("publicity").get(f"/study/sessions/{session.pk}/").content.decode()
    assert full not in html and masked in html
    assert full in web_as("secretary").get(f"/study/sessions/{session.pk}/").content.decode()
