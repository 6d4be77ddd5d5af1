"""Study points: off by default; when on, awarded once per action within a daily cap."""

from __future__ import annotations

import pytest
from django.utils import timezone

from civicloop.study import actions
from civicloop.volunteering.points import balance

BODY = "学习了简史第一章，深刻体会到党的初心使命，要在社区服务中践行。" * 2
FIRST = "胜利社区党委第一党支部"


def record(foundation, user_named, lead="member04", absent=None):
    return actions.record_session(
        user_named("secretary"),
        foundation["orgs"][FIRST],
        date=timezone.localdate(),
        topic="集中学习",
        lead_reader_id=user_named(lead).pk,
        chapter_ids=[],
        duration_minutes=60,
        absent=absent or {},
    )


@pytest.mark.django_db
def test_no_study_points_are_awarded_by_default(foundation, user_named):
    record(foundation, user_named)
    assert balance(user_named("member04")) == 0
    assert balance(user_named("member09")) == 0


@pytest.mark.django_db
def test_when_enabled_leading_and_attending_earn_points_and_absence_earns_none(
    foundation, user_named, settings
):
    settings.CIVICLOOP_STUDY_POINTS = {"enabled": True}
    record(foundation, user_named, absent={user_named("member19").pk: "病假"})
    assert balance(user_named("member04")) == 5
    assert balance(user_named("member09")) == 2
    assert balance(user_named("member19")) == 0


@pytest.mark.django_db
def test_the_daily_cap_limits_study_points(foundation, user_named, settings):
    settings.CIVICLOOP_STUDY_POINTS = {"enabled": True, "daily_cap": 6}
    record(foundation, user_named)  # member04 leads: 5
    record(foundation, user_named, lead="member09")  # member04 attends: 2, capped to 1
    record(foundation, user_named, lead="member09")  # nothing left today
    assert balance(user_named("member04")) == 6


@pytest.mark.django_db
def test_an_accepted_reflection_earns_points_once(foundation, user_named, settings):
    settings.CIVICLOOP_STUDY_POINTS = {"enabled": True}
    reflection = actions.submit_reflection(user_named("member04"), title="体会", body=BODY)
    actions.review_reflection(user_named("secretary"), reflection.pk, "accept")
    assert balance(user_named("member04")) == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_awards_never_pass_the_daily_cap(user_named, settings):
    from civicloop.core.testing import at_once
    from civicloop.study import points

    settings.CIVICLOOP_STUDY_POINTS = {"enabled": True, "attendance": 2, "daily_cap": 7}
    member = user_named("member04")
    outcomes = at_once(
        8, lambda n: points.award(member, "attendance", f"session:{n}", "参加支部学习")
    )
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert balance(member) == 7
