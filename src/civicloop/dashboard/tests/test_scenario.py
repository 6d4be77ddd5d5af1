"""Every case figure of a known October 2026 history, worked out by hand, from the metrics
module (rollups and live tail), the naive GROUP BY, the API, the dashboard page and the Excel
export."""

from __future__ import annotations

from datetime import date

import pytest

from civicloop.dashboard import metrics, rollups

from .scenario import NOW, build_october, frozen

OCTOBER = metrics.Period(date(2026, 10, 1), date(2026, 10, 31))

# A: dispatched 30 Sep 09:30, closed 8 Oct 11:00 → 6.5 h on 30 Sep + 2.5 h on 8 Oct = 9 h.
# B: dispatched 9 Oct 09:10, closed 13 Oct 15:00 → 6 h 50 m + (10, 11 Oct off) + 7.5 h + 5 h.
MEAN_HANDLING = round((9 + (6 + 50 / 60 + 7.5 + 5)) / 2, 1)
DISTRICT = {
    "received": 6,  # B C D E F G (A was reported in September)
    "verified": 4,  # B C G verified, F resolved on the spot
    "dispatched": 5,  # B, C three times (ZJ, CG, again after the reopen), G
    "due": 3,  # A (deadline 8 Oct 10:30 after 国庆), B (extended to 13 Oct 14:40), G (passed)
    "closed": 3,  # A B F (C was reopened)
    "closed_on_time": 2,  # A B
    "on_time_sign_rate": 0.3333,  # of B (late), C (unsigned past deadline), G (on time)
    "on_time_close_rate": 0.6667,
    "rework_rate": 0.25,  # 1 rework of 4 replies (A, B, C twice)
    "extension_rate": 0.2,  # 1 extension of 5 dispatches
    "return_rate": 0.2,  # 1 return of 5 dispatches
    "evaluated": 4,  # A 满意, B 默认满意, C 不满意, F 基本满意
    "satisfied": 2,
    "basically_satisfied": 1,
    "unsatisfied": 1,
    "default_satisfied": 1,
    "satisfaction_rate": 0.75,
    "reopened": 1,
    "rejected": 1,
    "merged": 1,
    "overdue": 1,  # G
    "mean_handling_hours": MEAN_HANDLING,
    "response_rate": 0.3333,
    "resolution_rate": 0.6667,
    "composite_score": 59.2,  # 100 × (0.3 × 0.3333 + 0.4 × 0.6667 + 0.3 × 0.75)
    "grade": "差",
}
# 胜利社区 holds A–F: G's dispatch, sign and overdue drop out.
COMMUNITY = {
    **DISTRICT,
    "received": 5,
    "verified": 3,
    "dispatched": 4,
    "due": 2,
    "overdue": 0,
    "on_time_sign_rate": 0.0,
    "on_time_close_rate": 1.0,
    "extension_rate": 0.25,
    "return_rate": 0.25,
    "response_rate": 0.0,
    "resolution_rate": 1.0,
    "composite_score": 62.5,  # 100 × (0 + 0.4 × 1 + 0.3 × 0.75)
    "grade": "中",
}


@pytest.fixture
def october(foundation):
    return build_october(foundation)


def test_every_case_figure_of_october_matches_the_hand_worked_answer(october):
    with frozen(NOW):
        figures = metrics.figures("district", None, OCTOBER)
    assert figures == DISTRICT


def test_community_figures_leave_out_other_communities(october, foundation):
    community = foundation["regions"]["胜利社区"]
    with frozen(NOW):
        assert metrics.figures("community", community.pk, OCTOBER) == COMMUNITY


def test_rollups_after_a_sweep_give_the_same_figures_as_the_live_tail_alone(october):
    with frozen(NOW):
        live = metrics.figures("district", None, OCTOBER)
        rollups.sweep()
        swept = metrics.Snapshot(live=False).figures("district", None, OCTOBER)
        again = metrics.figures("district", None, OCTOBER)
    assert live == swept == again == DISTRICT


def test_naive_group_by_gives_the_same_figures(october, foundation):
    with frozen(NOW):
        assert metrics.naive_figures("district", None, OCTOBER) == DISTRICT
        community = foundation["regions"]["胜利社区"]
        assert metrics.naive_figures("community", community.pk, OCTOBER) == COMMUNITY
