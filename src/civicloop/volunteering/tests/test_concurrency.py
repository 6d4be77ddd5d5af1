"""Claims, confirmations and redemptions under concurrency: never more than the places, one
award per service, never an overdrawn balance or negative stock (SQLite and PostgreSQL)."""

import pytest

from civicloop.core.errors import ActionRefused
from civicloop.core.testing import at_once
from civicloop.volunteering import actions, points
from civicloop.volunteering.models import PointsEntry, Reward, ServiceRecord, TaskClaim

from .factories import served, task


def refused_with(outcomes, status):
    return [o for o in outcomes if isinstance(o, ActionRefused) and o.status == status]


@pytest.mark.django_db(transaction=True)
def test_twenty_members_claiming_five_places_at_once_get_exactly_five(user_named, api_as):
    t = task(user_named("community"), places=5)
    clients = [api_as(f"member{n:02d}") for n in range(1, 21)]

    def claim(i):
        return clients[i].post(f"/api/v1/tasks/{t.pk}/claim").status_code

    outcomes = at_once(20, claim)
    assert sorted(outcomes) == [201] * 5 + [409] * 15
    assert TaskClaim.objects.filter(task=t).count() == 5


@pytest.mark.django_db(transaction=True)
def test_one_member_claiming_ten_times_at_once_holds_one_place(user_named):
    t = task(user_named("community"), places=5)
    member = user_named("member01")
    outcomes = at_once(10, lambda i: actions.claim_task(member, t.pk))
    assert len([o for o in outcomes if isinstance(o, TaskClaim)]) == 1
    assert len(refused_with(outcomes, 409)) == 9
    assert TaskClaim.objects.filter(task=t, member=member).count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_confirmations_award_once(user_named):
    staff, member = user_named("community"), user_named("member02")
    t = task(staff, points=12)
    served(staff, t, member)
    outcomes = at_once(10, lambda i: actions.confirm_service(staff, t.pk, member.pk))
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert [created for _record, created in outcomes].count(True) == 1
    assert ServiceRecord.objects.filter(member=member).count() == 1
    assert PointsEntry.objects.filter(key=f"task:{t.pk}:member:{member.pk}").count() == 1
    assert points.balance(member) == 12


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_redemptions_against_a_balance_covering_three_redeem_three(user_named):
    member = user_named("member03")
    points.award(member, 30, key="seed:member03", reason="服务")
    reward = Reward.objects.create(name="洗衣液", points=10, stock=100)
    outcomes = at_once(10, lambda i: actions.redeem_reward(member, reward.pk))
    assert len([o for o in outcomes if isinstance(o, tuple)]) == 3
    assert len(refused_with(outcomes, 409)) == 7
    reward.refresh_from_db()
    assert reward.stock == 97
    assert points.balance(member) == 0


@pytest.mark.django_db(transaction=True)
def test_simultaneous_redemptions_never_take_stock_below_zero(user_named):
    reward = Reward.objects.create(name="米面油", points=1, stock=2)
    members = [user_named(f"member{n:02d}") for n in range(4, 10)]
    for m in members:
        points.award(m, 5, key=f"seed:{m.pk}", reason="服务")
    outcomes = at_once(6, lambda i: actions.redeem_reward(members[i], reward.pk))
    assert len([o for o in outcomes if isinstance(o, tuple)]) == 2
    reward.refresh_from_db()
    assert reward.stock == 0
