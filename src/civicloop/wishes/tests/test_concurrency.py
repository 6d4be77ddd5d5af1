"""Must show: two members claiming one wish at once → one claim, one 409; a confirmation raced
twice → one confirmation and exactly one ledger entry. Runs on SQLite and PostgreSQL."""

import pytest

from civicloop.core.errors import ActionRefused
from civicloop.core.testing import at_once
from civicloop.volunteering.models import PointsEntry
from civicloop.wishes import actions
from civicloop.wishes.models import State, Wish, WishEvent

from .factories import make_wish, user


def race(calls):
    """The calls at once; each outcome as a status (200, or the refusal's), any other failure
    as its repr."""

    def status(outcome):
        if isinstance(outcome, ActionRefused):
            return outcome.status
        return repr(outcome) if isinstance(outcome, Exception) else 200

    return sorted((status(o) for o in at_once(len(calls), lambda i: calls[i]())), key=str)


@pytest.mark.django_db(transaction=True)
def test_two_members_claiming_one_wish_at_once_get_one_claim_and_one_409(foundation):
    wish = make_wish(State.PUBLISHED)
    a, b = user("member01"), user("member02")
    outcomes = race(
        [lambda: actions.claim(a, wish.pk, "我来"), lambda: actions.claim(b, wish.pk, "我也来")]
    )
    assert outcomes == [200, 409]
    wish.refresh_from_db()
    assert wish.state == State.CLAIMED and wish.claimed_by in (a, b)
    assert WishEvent.objects.filter(wish=wish, action="claim").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_members_claiming_through_the_api_get_200_and_409(api_as):
    import json

    wish = make_wish(State.PUBLISHED)
    clients = [api_as("member03"), api_as("member04")]
    statuses = []

    def claim(client):
        return lambda: statuses.append(
            client.post(
                f"/api/v1/wishes/{wish.pk}/actions/claim",
                json.dumps({"commitment": "我来"}),
                content_type="application/json",
            ).status_code
        )

    assert race([claim(c) for c in clients]) == [200, 200]  # no exception escaped
    assert sorted(statuses) == [200, 409]
    assert Wish.objects.get(pk=wish.pk).claimed_by.username in ("member03", "member04")


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_raced_twice_awards_points_once(foundation):
    wish = make_wish(State.FULFILLED, claimant="member05")
    staff, poster_side = user("community"), user("admin")
    outcomes = race(
        [
            lambda: actions.confirm(staff, wish.pk, 5),
            lambda: actions.confirm(poster_side, wish.pk, 4),
        ]
    )
    assert outcomes == [200, 409]
    assert PointsEntry.objects.filter(key=f"wish:{wish.pk}").count() == 1
    assert PointsEntry.objects.filter(member=user("member05")).count() == 1
    assert WishEvent.objects.filter(wish=wish, action="confirm").count() == 1
