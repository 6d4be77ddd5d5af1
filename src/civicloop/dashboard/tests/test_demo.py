"""The dashboard demo: a backdated history through the real actions, loaded once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from civicloop.cases.models import Case
from civicloop.dashboard import demo, metrics, rollups
from civicloop.dashboard.models import CaseRollup


def test_demo_history_matches_the_naive_figures_and_a_second_run_adds_nothing(foundation):
    from civicloop.cases import demo as cases_demo

    cases_demo.load_categories(foundation["departments"])
    made = demo.history(foundation["regions"], foundation["departments"], days=12, per_day=3)
    rollups.sweep()
    assert made > 10 and CaseRollup.objects.exists()
    today = timezone.localdate()
    period = metrics.Period(today - timedelta(days=20), today)
    live = metrics.Snapshot().counters("district", None, period)[None]
    assert live == metrics.naive_counters("district", None, period)
    assert live["received"] == made and live["closed"] > 0
    count = Case.objects.count()
    assert "已存在" in demo.load(**foundation)[0]
    assert Case.objects.count() == count
