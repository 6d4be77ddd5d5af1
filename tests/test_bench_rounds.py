"""bench/run.py's rounds: each figure is the median round's, and no round's errors are lost."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "bench_run", Path(__file__).resolve().parent.parent / "bench" / "run.py"
)
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


def _result(concurrency, rps, errors=0):
    return {
        "concurrency": concurrency,
        "rps": rps,
        "p50_ms": 1000 / rps,
        "p99_ms": 0,
        "errors": errors,
    }


def test_each_concurrency_takes_its_median_round_and_every_rounds_errors():
    rounds = [
        [_result(16, 300.0), _result(64, 250.0, errors=1)],
        [_result(16, 100.0, errors=2), _result(64, 260.0)],
        [_result(16, 200.0), _result(64, 900.0)],
    ]
    merged = bench.median_runs(rounds)
    assert [r["rps"] for r in merged] == [200.0, 260.0]
    assert merged[0]["p50_ms"] == pytest.approx(5.0)  # the median round's own latencies
    assert [r["rounds_rps"] for r in merged] == [[300.0, 100.0, 200.0], [250.0, 260.0, 900.0]]
    assert [r["errors"] for r in merged] == [2, 1]
    assert bench.summarize(merged)["errors"] == 3


def test_an_even_number_of_rounds_takes_the_lower_middle():
    merged = bench.median_runs([[_result(16, 400.0)], [_result(16, 100.0)]])
    assert merged[0]["rps"] == 100.0


def test_each_rounds_ratio_pairs_the_endpoint_with_its_floor_of_the_same_round():
    run = {
        "runs": {
            "bare_insert": bench.median_runs(
                [[_result(16, 800.0), _result(64, 900.0)], [_result(16, 400.0), _result(64, 500.0)]]
            ),
            "case_action": bench.median_runs(
                [[_result(16, 300.0), _result(64, 200.0)], [_result(16, 150.0), _result(64, 250.0)]]
            ),
        }
    }
    assert bench.round_ratios(run, "case_action") == [round(300 / 900, 3), round(250 / 500, 3)]


def test_the_sign_pool_lasts_every_round_at_the_fastest_rate_sized_for():
    """One sign per case: a short run on few cases used to sign its way past the pool's end
    (404s counted as errors); the pool now covers every run, warm-up included."""
    from types import SimpleNamespace

    def args(cases, duration=15, warmup=3, rounds=3, concurrency=(16, 64)):
        return SimpleNamespace(
            cases=cases,
            duration=duration,
            warmup=warmup,
            rounds=rounds,
            concurrency_list=list(concurrency),
        )

    small = args(20_000, duration=5, rounds=1)
    assert bench.sign_pool(small) >= bench.SIGNS_PER_SECOND * (5 + 3) * 2
    assert bench.sign_pool(args(1_000_000)) == 3 * max(1_000_000 // 20, 1500 * (15 + 3) * 2)
    assert bench.sign_pool(args(1_000_000, rounds=5)) == 5 * bench.sign_pool(
        args(1_000_000, rounds=1)
    )
