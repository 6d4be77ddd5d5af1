"""For any sequence of confirmed services, redemptions and corrections made through the
product's actions: the ledger sums to the balance, the balance is never negative, and the
reward's stock falls by exactly the number of redemptions."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicloop.core.errors import ActionRefused
from civicloop.core.models import Profile, Role, RoleAssignment, ScopeType
from civicloop.volunteering import actions
from civicloop.volunteering.models import MemberRegistration, PointsAccount, PointsEntry, Reward

from .factories import community, served, task

steps = st.lists(
    st.one_of(
        st.tuples(st.just("serve"), st.integers(1, 40)),
        st.tuples(st.just("redeem"), st.integers(1, 3)),
        st.tuples(st.just("correct"), st.integers(-30, 30).filter(bool)),
    ),
    max_size=8,
)


@pytest.mark.django_db
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=steps)
def test_the_ledger_always_sums_to_a_non_negative_balance(user_named, ops):
    staff = user_named("community")
    member = get_user_model().objects.create(username=f"p-{uuid.uuid4().hex[:10]}")
    Profile.objects.create(user=member, is_party_member=True, home_region=community())
    RoleAssignment.objects.create(
        user=member,
        role=Role.PARTY_MEMBER,
        scope_type=ScopeType.PARTY_ORG,
        party_org=user_named("member").profile.party_org,
    )
    MemberRegistration.objects.create(member=member, community=community(), state="approved")
    rewards = [Reward.objects.create(name=f"r{n}", points=10 * n, stock=3) for n in (1, 2, 3)]
    redeemed, refusals = 0, []
    for op, value in ops:
        try:
            if op == "serve":
                t = task(staff, points=value, starts_in=timedelta(minutes=-5))
                served(staff, t, member)
                actions.confirm_service(staff, t.pk, member.pk)
            elif op == "redeem":
                actions.redeem_reward(member, rewards[value - 1].pk)
                redeemed += 1
            else:
                actions.correct_points(staff, member, value, "更正")
        except ActionRefused as refused:
            refusals.append(refused.code)
        account = PointsAccount.objects.filter(member=member).first()
        balance = account.balance if account else 0
        total = PointsEntry.objects.filter(member=member).aggregate(s=Sum("points"))["s"] or 0
        assert balance == total >= 0
    assert (
        sum(3 - r.stock for r in Reward.objects.filter(pk__in=[r.pk for r in rewards])) == redeemed
    )
