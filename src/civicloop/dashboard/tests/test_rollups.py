"""Rollups plus live tail equal the naive GROUP BY on random histories driven through the real
case actions, whatever moment the sweeps ran at; two workers never fold a batch in twice."""

from __future__ import annotations

import contextlib
import random
from datetime import date, timedelta

import pytest
from django.db import connection

from civicloop.cases import actions
from civicloop.cases import workflow as wf
from civicloop.cases.models import Case
from civicloop.core.errors import ActionRefused
from civicloop.core.testing import at_once
from civicloop.dashboard import metrics, rollups
from civicloop.dashboard.models import (
    COUNTERS,
    DIMENSIONS,
    CaseFact,
    CaseRollup,
    RollupWatermark,
    ScopeRollup,
)

from .scenario import Story, at, frozen

GRIDS = ("胜利社区第1网格", "胜利社区第2网格", "蓝色康桥社区第1网格")
VERIFIER = {
    "胜利社区第1网格": "grid",
    "胜利社区第2网格": "community",
    "蓝色康桥社区第1网格": "community2",
}
DEPARTMENT_USER = {"CG": "department", "ZJ": "department2"}
ROLLUP_KEY = ("day", *DIMENSIONS)


# Most cases move on through the loop; the detours happen, but less often.
WEIGHTS = {
    wf.REJECT: 0.1,
    wf.MERGE: 0.1,
    wf.RESOLVE_LOCALLY: 0.2,
    wf.RETURN: 0.25,
    wf.REWORK: 0.35,
    wf.REQUEST_EXTENSION: 0.3,
}


def _actor(story: Story, case: Case, action: str, grid_name: str) -> str:
    if action in (wf.VERIFY, wf.REJECT, wf.MERGE, wf.RESOLVE_LOCALLY):
        return VERIFIER[grid_name]
    if action in (wf.SIGN, wf.RETURN, wf.REPLY, wf.REQUEST_EXTENSION):
        code = next(c for c, d in story.departments.items() if d.pk == case.department_id)
        return DEPARTMENT_USER[code]
    if action == wf.EVALUATE:
        return "resident"
    return "dispatcher"


def random_history(foundation, seed: int, steps: int = 110) -> tuple:
    rng = random.Random(seed)
    story = Story(foundation)
    moment = at(9, 28, 9, 0)
    cases: list[tuple[Case, str]] = []
    sweeps = 0
    for _ in range(steps):
        moment += timedelta(minutes=rng.choice([7, 30, 45, 90, 200, 600, 1500]))
        roll = rng.random()
        if roll < 0.12:
            with frozen(moment):
                rollups.sweep()
            sweeps += 1
            continue
        if roll < 0.27 or not cases:
            grid = rng.choice(GRIDS)
            cases.append((story.report(moment, grid=grid), grid))
            continue
        case, grid = rng.choice(cases)
        case.refresh_from_db()
        if case.state == wf.CLOSED and not case.rating and rng.random() < 0.3:
            with frozen(moment):
                actions.evaluate_by_default(case.pk)
            continue
        choices = sorted(
            a for a in wf.actions_in(case.state) if a not in (wf.COMMENT, wf.SUPERVISE, wf.REOPEN)
        )
        if not choices:
            continue
        action = rng.choices(choices, weights=[WEIGHTS.get(a, 1.0) for a in choices])[0]
        fields: dict = {}
        if action == wf.DISPATCH:
            fields["department"] = story.dept(rng.choice(["CG", "ZJ"]))
        elif action in (wf.REJECT, wf.RETURN, wf.REWORK):
            fields["reason"] = "随机理由"
        elif action in (wf.REPLY, wf.RESOLVE_LOCALLY):
            fields["result"] = "已处理"
        elif action == wf.REQUEST_EXTENSION:
            fields.update(hours=rng.choice([4, 8, 16]), reason="需要协调")
        elif action == wf.EVALUATE:
            fields["rating"] = rng.choice(["satisfied", "basically_satisfied", "unsatisfied"])
        elif action == wf.MERGE:
            others = [c for c, _g in cases if c.pk != case.pk]
            if not others:
                continue
            fields["into"] = rng.choice(others).pk
        # A refusal (merging into a rejected case, a guard) is part of life: the history goes on.
        with contextlib.suppress(ActionRefused):
            story.act(moment, case, _actor(story, case, action, grid), action, **fields)
    return story, moment + timedelta(hours=rng.choice([1, 30, 200])), sweeps


def _scopes(foundation) -> list[tuple[str, int | None]]:
    regions, departments = foundation["regions"], foundation["departments"]
    return [
        ("district", None),
        ("street", regions["振兴街道"].pk),
        ("community", regions["胜利社区"].pk),
        ("community", regions["蓝色康桥社区"].pk),
        ("grid", regions["胜利社区第2网格"].pk),
        ("department", departments["CG"].pk),
        ("department", departments["ZJ"].pk),
    ]


PERIODS = [
    metrics.Period(date(2026, 9, 1), date(2026, 12, 31)),
    metrics.Period(date(2026, 10, 1), date(2026, 10, 31)),
    metrics.Period(date(2026, 10, 8), date(2026, 10, 8)),
    metrics.Period(date(2026, 9, 28), date(2026, 10, 11)),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_plus_tail_equal_the_naive_group_by_on_random_histories(foundation, seed):
    _story, now, _sweeps = random_history(foundation, seed)
    assert Case.objects.count() > 5
    with frozen(now):
        snapshot = metrics.Snapshot()
        for scope_type, scope_id in _scopes(foundation):
            for period in PERIODS:
                live = snapshot.counters(scope_type, scope_id, period)[None]
                naive = metrics.naive_counters(scope_type, scope_id, period)
                assert live == naive, (scope_type, scope_id, period)
        rollups.sweep()
        swept = metrics.Snapshot(live=False)
        for scope_type, scope_id in _scopes(foundation):
            for period in PERIODS:
                assert swept.counters(scope_type, scope_id, period)[None] == (
                    metrics.naive_counters(scope_type, scope_id, period)
                )


def test_grouped_counters_add_up_to_the_scope_total(foundation):
    _story, now, _sweeps = random_history(foundation, 7)
    with frozen(now):
        rollups.sweep()
        snapshot = metrics.Snapshot()
        period = PERIODS[0]
        total = snapshot.counters("district", None, period)[None]
        for group in ("day", "community_id", "department_id", "category_id", "source"):
            parts = snapshot.counters("district", None, period, group)
            summed = {k: sum(p[k] for p in parts.values()) for k in total}
            assert summed == total, group
        # The per-scope rollups agree with the fine rows grouped by the same dimension.
        for level in ("street", "community", "grid", "department"):
            fine = snapshot.counters("district", None, period, f"{level}_id")
            assert snapshot.units(level, period) == {k: v for k, v in fine.items() if k}, level


def test_an_action_a_moment_ago_is_counted_before_any_sweep(foundation):
    story = Story(foundation)
    case = story.report(at(10, 9, 9, 0))
    with frozen(at(10, 9, 9, 0)):
        rollups.sweep()
    period = metrics.Period(date(2026, 10, 9), date(2026, 10, 9))
    story.act(at(10, 9, 9, 1), case, "grid", "reject", reason="重复")
    with frozen(at(10, 9, 9, 1)):
        assert metrics.figures("district", None, period)["rejected"] == 1
        # The sweep leaves an event younger than the lag to the tail, and the figure holds.
        rollups.sweep()
        assert RollupWatermark.objects.get().last_event_id < case.events.last().pk
        assert metrics.figures("district", None, period)["rejected"] == 1


def _dispatched_on_9_october(foundation):
    """A report of 9:00 on a working day, verified, dispatched at 9:10 (sign by 11:10)."""
    story = Story(foundation)
    case = story.report(at(10, 9, 9, 0))
    story.act(at(10, 9, 9, 5), case, "grid", "verify")
    story.act(at(10, 9, 9, 10), case, "dispatcher", "dispatch", department=story.dept("CG"))
    return story, case


def test_a_deadline_passing_counts_without_any_event(foundation):
    _dispatched_on_9_october(foundation)
    period = metrics.Period(date(2026, 10, 9), date(2026, 10, 9))
    with frozen(at(10, 9, 10, 0)):
        rollups.sweep()
        assert metrics.counters_of(period)["sign_due"] == 0
    # The sign deadline (2 working hours: 11:10) passes; no one acts.
    with frozen(at(10, 9, 11, 30)):
        assert metrics.counters_of(period)["sign_due"] == 1
        rollups.sweep()
        assert (
            metrics.Snapshot(live=False).counters("district", None, period)[None]["sign_due"] == 1
        )
        assert metrics.figures("district", None, period)["on_time_sign_rate"] == 0.0


def test_identical_requests_share_one_answer_until_an_event_or_the_window_passes(
    foundation, django_assert_max_num_queries, settings
):
    settings.CIVICLOOP_DASHBOARD_ANSWER_SECONDS = 10
    story, case = _dispatched_on_9_october(foundation)
    period = metrics.Period(date(2026, 10, 9), date(2026, 10, 9))
    with frozen(at(10, 9, 10, 0)):
        rollups.sweep()
        first = metrics.shared_figures("district", None, period)
        assert first == metrics.figures("district", None, period)
        with django_assert_max_num_queries(1):  # the freshness stamp; the rest is shared
            assert metrics.shared_figures("district", None, period) == first
        assert first["received"] == 1 and first["rejected"] == 0
    # A new report is counted at once: the last event id is part of the key.
    story.report(at(10, 9, 10, 0))
    with frozen(at(10, 9, 10, 0)):
        assert metrics.shared_figures("district", None, period)["received"] == 2
        assert metrics.shared_figures("street", case.street_id, period)["received"] == 2
    # A deadline passing (sign by 11:10) changes no event: counted in the next window.
    with frozen(at(10, 9, 11, 30)):
        assert metrics.shared_figures("district", None, period)["on_time_sign_rate"] == 0.0
    settings.CIVICLOOP_DASHBOARD_ANSWER_SECONDS = 0
    with frozen(at(10, 9, 11, 30)):
        assert metrics.shared_figures("district", None, period) == metrics.figures(
            "district", None, period
        )


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_fold_each_event_in_once(foundation):
    story = Story(foundation)
    for n in range(6):
        case = story.report(at(10, 12, 9, n))
        story.act(at(10, 12, 9, 30 + n), case, "grid", "verify")
    now = at(10, 12, 12, 0)
    # One patch of the clock for both threads: patching inside each would race on restore.
    with frozen(now):
        outcomes = at_once(2, lambda _i: rollups.sweep())
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    period = metrics.Period(date(2026, 10, 12), date(2026, 10, 12))
    with frozen(now):
        swept = metrics.Snapshot(live=False).counters("district", None, period)[None]
    assert swept["received"] == 6 and swept["verified"] == 6
    assert sum(CaseRollup.objects.values_list("received", flat=True)) == 6


@pytest.mark.parametrize("seed", [4, 5])
def test_a_rebuild_from_nothing_equals_the_naive_group_by_and_later_sweeps_stay_exact(
    foundation, seed
):
    story, now, _sweeps = random_history(foundation, seed)
    with frozen(now):
        result = rollups.rebuild(chunk=3)  # small chunks: cases straddle several passes
        assert result["cases"] == Case.objects.count()
        assert RollupWatermark.objects.get().last_event_id == result["last_event_id"]
        swept = metrics.Snapshot(live=False)
        for scope_type, scope_id in _scopes(foundation):
            for period in PERIODS:
                assert swept.counters(scope_type, scope_id, period)[None] == (
                    metrics.naive_counters(scope_type, scope_id, period)
                ), (scope_type, scope_id, period)
    # The loop goes on after the rebuild: new cases and actions, a sweep, the same figures.
    later = now + timedelta(hours=2)
    case = story.report(later, grid=GRIDS[0])
    story.act(later + timedelta(minutes=5), case, "grid", "reject", reason="重复")
    with frozen(later + timedelta(hours=1)):
        rollups.sweep()
        swept = metrics.Snapshot(live=False)
        for scope_type, scope_id in _scopes(foundation):
            assert swept.counters(scope_type, scope_id, PERIODS[0])[None] == (
                metrics.naive_counters(scope_type, scope_id, PERIODS[0])
            ), scope_type


def test_a_sweep_stops_below_an_event_younger_than_the_lag(foundation):
    story = Story(foundation)
    old = story.report(at(10, 9, 9, 0))
    young = story.report(at(10, 9, 9, 59) + timedelta(seconds=50))
    # At 10:00 the 9:59:50 report is younger than the 30-second lag: the sweep stops below it.
    assert rollups.settled_event_id(at(10, 9, 10, 0)) == old.events.last().pk
    assert rollups.settled_event_id(at(10, 9, 11, 0)) == young.events.last().pk


# Worker processes compute a rebuild on PostgreSQL only (they read the parent's database).
if connection.settings_dict["ENGINE"].endswith("postgresql"):

    @pytest.mark.django_db(transaction=True)
    def test_a_parallel_rebuild_writes_what_a_serial_one_does(foundation):
        _story, now, _sweeps = random_history(foundation, 1)
        with frozen(now):
            serial = rollups.rebuild(processes=1, chunk=2)
            facts = {f.case_id: f.days for f in CaseFact.objects.all()}
            rows = sorted(CaseRollup.objects.values_list(*ROLLUP_KEY, "received", "closed", "due"))
            parallel = rollups.rebuild(processes=2, chunk=2)
        assert parallel["processes"] == 2 and parallel["cases"] == serial["cases"] > 5
        assert {f.case_id: f.days for f in CaseFact.objects.all()} == facts
        got = sorted(CaseRollup.objects.values_list(*ROLLUP_KEY, "received", "closed", "due"))
        assert got == rows


def _rollup_tables() -> tuple[list, list]:
    """Both rollup tables' rows that count anything (a sweep may leave a row at zero)."""

    def rows(model, key):
        return sorted(
            (tuple(r[k] for k in key), tuple(r[c] for c in COUNTERS))
            for r in model.objects.values(*key, *COUNTERS)
            if any(r[c] for c in COUNTERS)
        )

    return (
        rows(CaseRollup, ROLLUP_KEY),
        rows(ScopeRollup, ("day", "scope_type", "scope_id", "group_by", "group_value")),
    )


def test_a_rebuild_writes_the_rows_the_sweeps_wrote(foundation):
    _story, now, _sweeps = random_history(foundation, 6)
    with frozen(now + timedelta(minutes=5)):
        rollups.sweep()
        swept = _rollup_tables()
        rollups.rebuild()
        rebuilt = _rollup_tables()
    assert swept[1] and any(key[3] == "category_id" for key, _c in swept[1])
    assert rebuilt == swept
