"""The points ledger: each award once, balance derived from entries and never negative."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicloop.core.testing import at_once
from civicloop.volunteering import points
from civicloop.volunteering.models import PointsAccount, PointsEntry


@pytest.mark.django_db
def test_an_award_with_the_same_key_is_written_once(user_named):
    member = user_named("member01")
    first = points.award(member, 10, key="task:1:member01", reason="志愿服务")
    again = points.award(member, 10, key="task:1:member01", reason="志愿服务")
    assert first.created and not again.created
    assert points.balance(member) == 10
    assert PointsEntry.objects.filter(member=member).count() == 1


@pytest.mark.django_db
def test_a_redemption_beyond_the_balance_is_refused(user_named):
    member = user_named("member02")
    points.award(member, 5, key="a", reason="服务")
    with pytest.raises(points.InsufficientPoints):
        points.redeem(member, 6, key="r1", reason="兑换")
    assert points.balance(member) == 5


@pytest.mark.django_db
def test_ledger_entries_cannot_be_edited_or_deleted(user_named):
    entry = points.award(user_named("member03"), 3, key="k", reason="服务").entry
    entry.points = 300
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


operations = st.lists(
    st.tuples(
        st.sampled_from(["award", "redeem", "correct"]),
        st.integers(min_value=1, max_value=50),
        st.booleans(),
    ),
    max_size=25,
)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_ledger_sums_to_the_balance_and_never_goes_negative(db, ops):
    import uuid

    from django.contrib.auth import get_user_model

    member = get_user_model().objects.create(username=f"h-{uuid.uuid4().hex[:12]}")
    expected = 0
    for n, (op, amount, negative) in enumerate(ops):
        try:
            if op == "award":
                points.award(member, amount, key=f"{member.pk}:{n}", reason="服务")
                expected += amount
            elif op == "redeem":
                points.redeem(member, amount, key=f"{member.pk}:{n}", reason="兑换")
                expected -= amount
            else:
                signed = -amount if negative else amount
                points.correct(member, signed, key=f"{member.pk}:{n}", reason="更正")
                expected += signed
        except points.InsufficientPoints:
            pass
        assert expected >= 0
    assert points.balance(member) == expected
    account = PointsAccount.objects.filter(member=member).first()
    assert (account.balance if account else 0) == expected


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_awards_with_one_key_write_one_entry(user_named):
    member = user_named("member05")
    results = at_once(
        10, lambda _i: points.award(member, 8, key="task:99:member05", reason="服务").created
    )
    assert sorted(results, key=repr) == [False] * 9 + [True], results
    assert points.balance(member) == 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_never_overdraw(user_named):
    member = user_named("member06")
    points.award(member, 30, key="seed", reason="服务")
    outcomes = at_once(10, lambda n: points.redeem(member, 10, key=f"redeem:{n}", reason="兑换"))
    refused = [o for o in outcomes if isinstance(o, points.InsufficientPoints)]
    assert len(refused) == 7, outcomes
    assert len([o for o in outcomes if not isinstance(o, Exception)]) == 3, outcomes
    assert points.balance(member) == 0
