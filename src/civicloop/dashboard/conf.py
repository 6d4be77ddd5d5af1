"""Settings of the dashboard, each overridable in the Django settings."""

from __future__ import annotations

import os

from django.conf import settings

# Weights of the composite score (综合得分) of the three rates 响应率, 解决率, 满意率.
DEFAULT_WEIGHTS = {"response": 0.3, "resolution": 0.4, "satisfaction": 0.3}
# Lower bounds of the bands 优 / 良 / 中 (below the last: 差), on the 0–100 composite score.
DEFAULT_BANDS = ((90.0, "优"), (80.0, "良"), (60.0, "中"))


def weights() -> dict[str, float]:
    return {**DEFAULT_WEIGHTS, **getattr(settings, "CIVICLOOP_DASHBOARD_WEIGHTS", {})}


def bands() -> tuple[tuple[float, str], ...]:
    return tuple(getattr(settings, "CIVICLOOP_DASHBOARD_BANDS", DEFAULT_BANDS))


def sweep_batch() -> int:
    """Events one sweep folds in at most (per transaction)."""
    return int(getattr(settings, "CIVICLOOP_ROLLUP_BATCH", 20000))


def sweep_lag_seconds() -> int:
    """Events younger than this stay in the live tail (a slow transaction may still commit an
    older event id)."""
    return int(getattr(settings, "CIVICLOOP_ROLLUP_LAG_SECONDS", 30))


def map_limit() -> int:
    """Open cases drawn on a dashboard map at most (the heat layer uses every one)."""
    return int(getattr(settings, "CIVICLOOP_DASHBOARD_MAP_LIMIT", 3000))


def max_period_days() -> int:
    return int(getattr(settings, "CIVICLOOP_DASHBOARD_MAX_DAYS", 3 * 366))


def rebuild_processes() -> int:
    """Worker processes computing a rebuild's case facts on PostgreSQL (1: in this process)."""
    default = min(4, os.cpu_count() or 1)
    return max(1, int(getattr(settings, "CIVICLOOP_ROLLUP_PROCESSES", default)))


def answer_seconds() -> int:
    """Identical statistics requests share one computed answer for this long, unless an event is
    recorded or the rollups change meanwhile (0: compute every request). Deadlines that pass are
    thus counted at most this late."""
    return max(0, int(getattr(settings, "CIVICLOOP_DASHBOARD_ANSWER_SECONDS", 10)))
