"""党史学习教育 on a phone: a branch secretary records a session with attendance and chapters
and the branch's progress bar moves; a member submits a reflection and the secretary accepts
it; scanning a media item's QR code plays it without signing in."""

import pytest

from .conftest import login, logout, shot

pytestmark = pytest.mark.browser

BRANCH = "胜利社区党委第一党支部"
REFLECTION = "学习简史第七章的体会"


def jianshi_percent(page, branch_id: int, textbook_id: int) -> int:
    bar = page.locator(f"[data-branch='{branch_id}'] .bar[data-textbook='{textbook_id}']")
    return int(bar.get_attribute("data-percent"))


def test_a_session_moves_the_progress_bar_a_reflection_is_accepted_and_a_qr_plays(
    site, phone, foundation
):
    from django.contrib.auth import get_user_model

    from civicloop.study import demo
    from civicloop.study.models import MediaItem, Reflection, StudySession, Textbook

    demo.load(**foundation)
    branch = foundation["orgs"][BRANCH]
    jianshi = Textbook.objects.get(short_title="简史")
    page = phone

    # The secretary opens the study page: their branch has led 6 of 10 chapters of 简史.
    login(page, site, "secretary")
    page.goto(f"{site}/study/")
    before = jianshi_percent(page, branch.pk, jianshi.pk)
    assert before == 60
    assert page.get_by_test_id("most-led").count() >= 1
    shot(page, "study-01-branch-progress")

    # One form: topic, lead reader, chapters, everyone present but one.
    page.get_by_test_id("record-session").click()
    page.wait_for_url(f"{site}/study/sessions/new/")
    page.fill("input[name=topic]", "伟大历史转折和中国特色社会主义的开创")
    lead = get_user_model().objects.get(username="member14")
    page.select_option("select[name=lead_reader]", value=str(lead.pk))
    page.locator("details summary", has_text="简史").click()
    page.get_by_label("7. 伟大历史转折和中国特色社会主义的开创").check()
    page.get_by_label("8. 把中国特色社会主义全面推向二十一世纪").check()
    absentee = page.locator(".attendee").nth(1)
    absentee.locator("input[type=checkbox]").uncheck()
    absentee.locator("input.reason").fill("值班")
    shot(page, "study-02-session-form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{site}/study/sessions/*/")
    assert "4/5 人出席" in page.get_by_test_id("present").inner_text()
    shot(page, "study-03-session-recorded")
    session = StudySession.objects.get(topic="伟大历史转折和中国特色社会主义的开创")
    assert sorted(c.number for c in session.chapters.all()) == [7, 8]

    # The bar moved from 60% to 80%.
    page.goto(f"{site}/study/")
    assert jianshi_percent(page, branch.pk, jianshi.pk) == 80
    shot(page, "study-04-progress-moved")
    logout(page)

    # A member of the branch writes a reflection.
    login(page, site, "member09")
    page.goto(f"{site}/study/reflections/")
    page.get_by_test_id("write-reflection").click()
    page.fill("input[name=title]", REFLECTION)
    page.fill(
        "textarea[name=body]",
        "第七章讲述了伟大的历史转折。改革开放是党的一次伟大觉醒，我要在社区工作中"
        "解放思想、实事求是，为群众办实事。",
    )
    shot(page, "study-05-reflection-form")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(f"{site}/study/reflections/*/")
    assert page.get_by_test_id("state").inner_text() == "待审阅"
    logout(page)

    # The secretary accepts it.
    login(page, site, "secretary")
    page.goto(f"{site}/study/reflections/")
    page.get_by_test_id("to-review").get_by_role("link", name=REFLECTION).click()
    page.fill("textarea[name=comment]", "联系实际，体会深刻。")
    shot(page, "study-06-review")
    page.get_by_role("button", name="通过").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("state").inner_text() == "已通过"
    assert Reflection.objects.get(title=REFLECTION).state == "accepted"
    shot(page, "study-07-accepted")

    # The media item's QR page: the secretary sees the code and its URL …
    item = MediaItem.objects.order_by("id").first()
    page.goto(f"{site}/study/media/{item.pk}/")
    assert page.locator(".qr svg").count() == 1
    shot(page, "study-08-media-qr")
    logout(page)

    # … and a phone that scans it plays the audio without signing in.
    page.goto(f"{site}/study/listen/{item.token}/")
    page.wait_for_function("document.querySelector('audio').readyState > 0")
    duration = page.evaluate("document.querySelector('audio').duration")
    assert duration == pytest.approx(2.0, abs=0.1)
    page.evaluate("document.querySelector('audio').currentTime = 1.5")
    page.wait_for_function("document.querySelector('audio').currentTime >= 1.4")
    shot(page, "study-09-listen")
    item.refresh_from_db()
    assert item.plays == 1


def test_the_committee_sees_branches_behind_plan_publicity_by_channel_and_a_poster(
    site, phone, foundation
):
    from civicloop.study import demo
    from civicloop.study.models import MediaItem

    demo.load(**foundation)
    page = phone
    login(page, site, "publicity")
    page.goto(f"{site}/study/")
    assert page.get_by_test_id("behind").count() >= 1
    assert page.get_by_test_id("most-led").count() >= 1
    page.get_by_role("link", name="只看落后支部").click()
    page.wait_for_url(f"{site}/study/?behind=1")
    assert page.locator("article.branch").count() == page.get_by_test_id("behind").count()
    shot(page, "study-10-committee-behind-plan")

    page.goto(f"{site}/study/publicity/")
    table = page.get_by_test_id("publicity-table")
    assert "微信公众号" in table.inner_text()
    shot(page, "study-11-publicity-table")

    page.goto(f"{site}/study/lectures/")
    assert int(page.get_by_test_id("lecture-count").inner_text()) == len(demo.LECTURES)
    shot(page, "study-12-lectures")

    item = MediaItem.objects.order_by("id").first()
    page.goto(f"{site}/study/media/{item.pk}/poster/")
    assert page.locator(".qr svg").count() == 1
    shot(page, "study-13-poster")
