"""Auto-release: a claim not followed by contact within the configured days goes back to the
wall; the sweep is idempotent and runs from the periodic worker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicloop.core import periodic
from civicloop.notifications.models import Notification
from civicloop.wishes import actions
from civicloop.wishes.models import State, Wish, WishEvent

from .factories import make_wish

pytestmark = pytest.mark.django_db


def age_claim(wish, days):
    Wish.objects.filter(pk=wish.pk).update(claimed_at=timezone.now() - timedelta(days=days))


def test_an_uncontacted_claim_returns_to_the_wall_after_seven_days(
    foundation, django_capture_on_commit_callbacks
):
    stale = make_wish(State.CLAIMED, claimant="member01")
    fresh = make_wish(State.CLAIMED, claimant="member02")
    contacted = make_wish(State.CONTACTED, claimant="member03")
    age_claim(stale, 8)
    age_claim(fresh, 6)
    age_claim(contacted, 30)

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.expire_overdue_claims() == 1
    stale.refresh_from_db()
    assert stale.state == State.PUBLISHED and stale.claimed_by is None
    assert stale.on_wall_since > timezone.now() - timedelta(minutes=1)
    event = stale.events.last()
    assert (event.action, event.role, event.actor, event.from_state) == (
        "expire",
        "system",
        None,
        "claimed",
    )
    assert Wish.objects.get(pk=fresh.pk).state == State.CLAIMED
    assert Wish.objects.get(pk=contacted.pk).state == State.CONTACTED
    assert Notification.objects.filter(recipient__username="member01", kind="wish_expired").exists()


def test_the_sweep_is_idempotent(foundation):
    wish = make_wish(State.CLAIMED)
    age_claim(wish, 10)
    assert actions.expire_overdue_claims() == 1
    assert actions.expire_overdue_claims() == 0
    assert actions.expire_claim(wish.pk) is False
    assert WishEvent.objects.filter(wish=wish, action="expire").count() == 1


def test_the_contact_period_is_configurable(foundation, settings):
    settings.CIVICLOOP_WISH_CONTACT_DAYS = 2
    wish = make_wish(State.CLAIMED)
    age_claim(wish, 3)
    assert actions.expire_overdue_claims() == 1


def test_the_periodic_worker_runs_the_sweep(foundation):
    wish = make_wish(State.CLAIMED)
    age_claim(wish, 9)
    periodic.run_periodic()
    assert Wish.objects.get(pk=wish.pk).state == State.PUBLISHED
