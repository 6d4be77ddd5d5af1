"""Lectures, reading classes, publicity, the figures for the dashboard, every page per role,
and the demo data."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from civicloop.study import demo
from civicloop.study.metrics import figures
from civicloop.study.models import (
    Lecture,
    MediaItem,
    PublicityRecord,
    Reflection,
    StudySession,
    Textbook,
)

DISTRICT = "中共盘锦市兴隆台区委员会"


@pytest.mark.django_db
def test_lectures_keep_running_totals_of_sessions_and_audience(api_as, study_demo, foundation):
    client = api_as("publicity")
    before = client.get("/api/v1/study/lectures").json()
    body = {
        "org_id": foundation["orgs"][DISTRICT].pk,
        "troupe": "兴隆台区百姓宣讲团",
        "speaker": "刘振华",
        "unit_visited": "迎宾社区",
        "topic": "学党史、办实事",
        "date": timezone.localdate().isoformat(),
        "audience": 75,
    }
    created = client.post(
        "/api/v1/study/lectures", json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    after = client.get("/api/v1/study/lectures").json()
    assert after["count"] == before["count"] + 1
    assert after["total_audience"] == before["total_audience"] + 75
    bad = client.post(
        "/api/v1/study/lectures",
        json.dumps({**body, "audience": -1}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    # The 区委 is outside a branch member's scope: not even visible to them.
    refused = api_as("member").post(
        "/api/v1/study/lectures", json.dumps(body), content_type="application/json"
    )
    assert refused.status_code == 404


@pytest.mark.django_db
def test_publicity_is_counted_per_month_and_channel(api_as, foundation):
    client = api_as("publicity")
    org = foundation["orgs"][DISTRICT].pk
    for date, channel in [
        ("2026-03-02", "wechat"),
        ("2026-03-20", "wechat"),
        ("2026-03-21", "douyin"),
        ("2026-04-01", "panjin_daily"),
    ]:
        response = client.post(
            "/api/v1/study/publicity",
            json.dumps(
                {"org_id": org, "kind": "report", "channel": channel, "date": date, "title": "报道"}
            ),
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    stats = client.get("/api/v1/study/publicity/stats").json()
    rows = {r["month"]: r for r in stats["rows"]}
    assert rows["2026-03"]["counts"]["wechat"] == 2
    assert rows["2026-03"]["counts"]["douyin"] == 1
    assert rows["2026-03"]["total"] == 3
    assert rows["2026-04"]["counts"]["panjin_daily"] == 1
    assert stats["total"] == 4
    assert stats["channels"]["liaohe_oil"] == "辽河石油报"
    bad_channel = client.post(
        "/api/v1/study/publicity",
        json.dumps(
            {"org_id": org, "kind": "report", "channel": "tv", "date": "2026-03-01", "title": "x"}
        ),
        content_type="application/json",
    )
    assert bad_channel.status_code == 422
    bad_link = client.post(
        "/api/v1/study/publicity",
        json.dumps(
            {
                "org_id": org,
                "kind": "report",
                "channel": "wechat",
                "date": "2026-03-01",
                "title": "x",
                "link": "javascript:alert(1)",
            }
        ),
        content_type="application/json",
    )
    assert bad_link.status_code == 422


@pytest.mark.django_db
def test_the_publicity_page_shows_the_month_by_channel_table(web_as, study_demo):
    html = web_as("publicity").get("/study/publicity/").content.decode()
    assert 'data-testid="publicity-table"' in html
    for label in ("盘锦日报", "辽河石油报", "广播电视台", "微信公众号", "抖音", "门户网站"):
        assert label in html


@pytest.mark.django_db
def test_figures_cover_sessions_attendance_lectures_and_publicity_for_a_subtree(
    study_demo, foundation
):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=365)
    everything = figures(None, start, today)
    assert everything["sessions"] == StudySession.objects.count()
    assert 0 < everything["attendance"]["rate"] <= 1
    assert everything["lectures"]["count"] == Lecture.objects.count()
    assert everything["publicity"]["total"] == PublicityRecord.objects.count()
    assert everything["branches_behind"] >= 1
    first = foundation["orgs"]["胜利社区党委第一党支部"]
    one = figures(first.descendant_ids(), start, today)
    assert one["sessions"] == StudySession.objects.filter(org=first).count()
    assert [p["org"] for p in one["progress"]] == [first.name]
    jianshi = next(t for t in one["progress"][0]["textbooks"] if t["textbook"] == "简史")
    assert jianshi["most_led"] is True
    assert one["lectures"]["count"] == 0


@pytest.mark.django_db
def test_the_metrics_endpoint_is_scoped(api_as, study_demo, foundation):
    secretary = api_as("secretary").get("/api/v1/study/metrics").json()
    assert [p["org"] for p in secretary["progress"]] == ["胜利社区党委第一党支部"]
    other = foundation["orgs"]["兴隆台区城管局机关党支部"].pk
    assert api_as("secretary").get(f"/api/v1/study/metrics?org_id={other}").status_code == 404
    leader = api_as("leader").get("/api/v1/study/metrics").json()
    assert len(leader["progress"]) > 1
    bad = api_as("leader").get("/api/v1/study/metrics?start=2026-05-01&end=2026-01-01")
    assert bad.status_code == 422


STUDY_PAGES = [
    "/study/",
    "/study/sessions/",
    "/study/plans/",
    "/study/reflections/",
    "/study/lectures/",
    "/study/reading/",
    "/study/media/",
    "/study/publicity/",
    "/study/articles/",
]


@pytest.mark.parametrize("username", ["secretary", "member", "publicity", "leader", "admin"])
@pytest.mark.django_db
def test_every_study_page_opens_for_every_study_role(web_as, study_demo, username):
    client = web_as(username)
    assert {path: client.get(path).status_code for path in STUDY_PAGES} == dict.fromkeys(
        STUDY_PAGES, 200
    )


@pytest.mark.django_db
def test_residents_and_staff_outside_party_work_cannot_open_study_pages(web_as, study_demo):
    assert web_as("resident").get("/study/").status_code == 403
    assert web_as("department").get("/study/lectures/").status_code == 403
    assert web_as(None).get("/study/").status_code == 302


@pytest.mark.django_db
def test_record_forms_are_only_for_those_who_record(web_as, study_demo):
    for path in ("/study/lectures/new/", "/study/publicity/new/", "/study/reading/new/"):
        assert web_as("publicity").get(path).status_code == 200
        assert web_as("member").get(path).status_code == 403
        assert web_as("leader").get(path).status_code == 403


@pytest.mark.django_db
def test_a_plan_is_made_with_topics_and_a_schedule(web_as, foundation, books):
    client = web_as("secretary")
    branch = foundation["orgs"]["胜利社区党委第一党支部"].pk
    response = client.post(
        "/study/plans/new/",
        {"org": branch, "year": 2026, "title": "支部计划", "topics": "专题一\n\n专题二"},
    )
    assert response.status_code == 302
    from civicloop.study.models import StudyPlan

    plan = StudyPlan.objects.get()
    assert [t.title for t in plan.topics.all()] == ["专题一", "专题二"]
    chapter = books["简史"].chapters.get(number=1)
    client.post(
        f"/study/plans/{plan.pk}/milestones/new/",
        {"due": "2026-03-31", "title": "第一章", "chapters": [chapter.pk]},
    )
    assert list(plan.milestones.get().chapters.all()) == [chapter]
    other = foundation["orgs"]["兴隆台区城管局机关党支部"].pk
    refused = client.post("/study/plans/new/", {"org": other, "year": 2026, "title": "x"})
    assert refused.status_code == 200  # not a choice for this secretary
    assert StudyPlan.objects.count() == 1


@pytest.mark.django_db
def test_the_demo_is_idempotent_and_has_a_branch_that_led_most_of_a_textbook(foundation):
    demo.load(**foundation)
    counts = [
        m.objects.count()
        for m in (Textbook, StudySession, Reflection, Lecture, PublicityRecord, MediaItem)
    ]
    demo.load(**foundation)
    again = [
        m.objects.count()
        for m in (Textbook, StudySession, Reflection, Lecture, PublicityRecord, MediaItem)
    ]
    assert counts == again
    assert Textbook.objects.get(short_title="简史").chapters.count() == 10
    assert Reflection.objects.filter(state="submitted").exists()
    from civicloop.study.progress import branch_progress

    progress = branch_progress([foundation["orgs"]["胜利社区党委第一党支部"]])
    assert any(b.most_led for b in progress[0].books)


@pytest.mark.django_db
def test_session_photos_are_served_only_to_those_who_see_the_session(web_as, study_demo):
    from civicloop.study.models import StudyPhoto

    photo = StudyPhoto.objects.filter(session__isnull=False).first()
    response = web_as("secretary").get(f"/study/photos/{photo.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert web_as("secretary").get(f"/study/photos/{photo.pk}/thumb/").status_code == 200
    assert web_as("member").get(f"/study/photos/{photo.pk}/").status_code == 404
    assert web_as(None).get(f"/study/photos/{photo.pk}/").status_code == 302


@pytest.mark.django_db
def test_a_lecture_is_recorded_with_a_photo_and_a_bad_photo_stores_nothing(
    web_as, foundation, settings
):

    from django.core.files.uploadedfile import SimpleUploadedFile

    from civicloop.study.demo import demo_photo

    client = web_as("publicity")
    org = foundation["orgs"][DISTRICT].pk
    fields = {
        "org": org,
        "troupe": "百姓宣讲团",
        "speaker": "刘振华",
        "unit_visited": "丰裕社区",
        "topic": "学党史",
        "date": timezone.localdate().isoformat(),
        "audience": 40,
    }
    bad = SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    refused = client.post("/study/lectures/new/", {**fields, "photos": [bad]})
    assert refused.status_code == 200
    assert not Lecture.objects.exists()
    good = SimpleUploadedFile("p.jpg", demo_photo((200, 40, 40)), content_type="image/jpeg")
    assert client.post("/study/lectures/new/", {**fields, "photos": [good]}).status_code == 302
    assert Lecture.objects.get().photos.count() == 1
