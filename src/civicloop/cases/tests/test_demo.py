"""The demo data: ~30 categories and ~40 cases in every state with real histories; idempotent."""

import pytest

from civicloop.cases import demo
from civicloop.cases.models import Case, CaseEvent, Category

pytestmark = pytest.mark.django_db


def test_demo_cases_cover_every_state_and_a_second_run_changes_nothing(foundation):
    demo.load(**foundation)
    assert Category.objects.filter(parent__isnull=False).count() >= 30
    assert Case.objects.count() == len(demo.STORIES)
    states = set(Case.objects.values_list("state", flat=True))
    assert states == {
        "submitted",
        "verified",
        "dispatched",
        "in_progress",
        "replied",
        "closed",
        "rejected",
        "merged",
    }
    assert Case.objects.filter(grid__name="胜利社区第1网格", state="submitted").exists()
    assert Case.objects.filter(department__code="CG", dispatched_at__isnull=False).count() >= 3
    events = CaseEvent.objects.count()
    demo.load(**foundation)
    assert Case.objects.count() == len(demo.STORIES) and CaseEvent.objects.count() == events
    for case in Case.objects.all():
        assert case.events.last().to_state == case.state
