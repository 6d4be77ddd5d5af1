"""Deadlines on the working clock (weekends, 国庆, admin overrides), the overdue sweep that
warns once, and 默认满意."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from civicloop.cases import deadlines, tasks
from civicloop.cases.models import Case, CaseEvent, Category, DeadlineUnit
from civicloop.core.models import HolidayOverride
from civicloop.lib.workclock import SHANGHAI
from civicloop.notifications.models import Notification

pytestmark = pytest.mark.django_db


def sh(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def unsaved_case(sign=2, sign_unit=DeadlineUnit.HOURS, close=1, close_unit=DeadlineUnit.DAYS):
    category = Category(
        code="T",
        name="t",
        sign_limit=sign,
        sign_unit=sign_unit,
        close_limit=close,
        close_unit=close_unit,
    )
    return Case(category=category)


def test_signing_time_over_a_weekend_counts_only_working_hours():
    # Friday 2026-03-13 16:30 + 2 working hours: 1 h on Friday, 1 h on Monday morning.
    deadline = deadlines.step_deadline(
        unsaved_case(), "dispatched", sh(2026, 3, 13, 16, 30), deadlines.clock()
    )
    assert deadline == sh(2026, 3, 16, 9, 30)


def test_a_lunch_break_is_not_working_time():
    deadline = deadlines.step_deadline(
        unsaved_case(), "dispatched", sh(2026, 3, 11, 11, 0), deadlines.clock()
    )
    assert deadline == sh(2026, 3, 11, 14, 30)


def test_a_handling_deadline_across_national_day_2026_lands_after_the_holiday():
    # Signed Wed 30 Sep 16:00; 1 working day → Oct 1–7 are off → end of Thu 8 Oct.
    deadline = deadlines.step_deadline(
        unsaved_case(), "in_progress", sh(2026, 9, 30, 16, 0), deadlines.clock()
    )
    assert deadline == sh(2026, 10, 8, 17, 30)
    # The make-up Saturday 10 Oct is a working day: 3 working days from Oct 8 → Sat Oct 10 is
    # day 2, Mon Oct 12 day 3.
    three = deadlines.step_deadline(
        unsaved_case(close=3), "in_progress", sh(2026, 10, 8, 10, 0), deadlines.clock()
    )
    assert three == sh(2026, 10, 12, 17, 30)


def test_an_admin_override_moves_the_deadline():
    HolidayOverride.objects.create(date=date(2026, 3, 16), is_working_day=False, note="临时调休")
    deadline = deadlines.step_deadline(
        unsaved_case(), "dispatched", sh(2026, 3, 13, 16, 30), deadlines.clock()
    )
    assert deadline == sh(2026, 3, 17, 9, 30)


def test_the_dispatchers_hours_override_the_category(file_case, move, foundation):
    case_id = file_case()
    move(case_id, "grid", "verify")
    move(
        case_id,
        "dispatcher",
        "dispatch",
        department=foundation["departments"]["CG"].pk,
        deadline_hours=3,
    )
    move(case_id, "department", "sign")
    case = Case.objects.get(pk=case_id)
    work = deadlines.clock()
    assert case.deadline == work.add_working_hours(case.signed_at, 3)
    assert case.close_deadline == case.deadline
    assert work.is_working_time(case.deadline)


def dispatched(file_case, move, foundation):
    case_id = file_case(category="DL01", attributes={"cover_state": "missing"})
    move(case_id, "grid", "verify")
    move(case_id, "dispatcher", "dispatch", department=foundation["departments"]["ZJ"].pk)
    return Case.objects.get(pk=case_id)


def test_the_sweep_flags_overdue_cases_and_notifies_holder_and_dispatcher_once(
    file_case, move, foundation
):
    case = dispatched(file_case, move, foundation)
    later = case.deadline + timedelta(days=3)
    assert tasks.sweep_deadlines(now=later)["overdue"] == 1
    assert tasks.sweep_deadlines(now=later)["overdue"] == 0
    case.refresh_from_db()
    assert case.deadline_state == "overdue"
    warned = Notification.objects.filter(kind="deadline_overdue")
    assert set(warned.values_list("recipient__username", flat=True)) == {
        "department2",
        "dispatcher",
    }
    assert warned.count() == 2


def test_due_soon_is_flagged_before_the_deadline_then_overdue_after_it(file_case, move, foundation):
    case = dispatched(file_case, move, foundation)
    work = deadlines.clock()
    shortly_before = case.deadline - timedelta(minutes=5)
    if not work.is_working_time(shortly_before):
        shortly_before = case.deadline
    assert tasks.sweep_deadlines(now=shortly_before)["due_soon"] == 1
    assert Case.objects.get(pk=case.pk).deadline_state == "due_soon"
    assert tasks.sweep_deadlines(now=shortly_before)["due_soon"] == 0
    assert tasks.sweep_deadlines(now=case.deadline + timedelta(hours=30))["overdue"] == 1
    assert Notification.objects.filter(kind="deadline_due_soon").count() == 2
    assert Notification.objects.filter(kind="deadline_overdue").count() == 2


def test_a_new_step_gets_its_own_warnings(file_case, move, foundation):
    case = dispatched(file_case, move, foundation)
    tasks.sweep_deadlines(now=case.deadline + timedelta(days=3))
    move(case.pk, "department2", "sign")
    case.refresh_from_db()
    assert case.deadline_state == "normal"
    tasks.sweep_deadlines(now=case.deadline + timedelta(days=3))
    assert (
        Notification.objects.filter(
            kind="deadline_overdue", recipient__username="dispatcher"
        ).count()
        == 2
    )


def test_an_unrated_case_is_satisfied_by_default_after_the_period_and_marked(
    file_case, move, foundation, settings
):
    settings.CIVICLOOP_DEFAULT_SATISFACTION_DAYS = 7
    case_id = file_case()
    move(case_id, "community", "resolve_locally", result="已解决")
    assert tasks.sweep_default_satisfaction() == 0
    Case.objects.filter(pk=case_id).update(closed_at=timezone.now() - timedelta(days=8))
    assert tasks.sweep_default_satisfaction() == 1
    assert tasks.sweep_default_satisfaction() == 0
    case = Case.objects.get(pk=case_id)
    assert case.rating == "satisfied" and case.evaluated_by_default
    event = CaseEvent.objects.get(case=case, action="evaluate")
    assert event.data["by_default"] is True and event.actor is None and event.actor_role == "system"
