"""What the test suites share beyond fixtures: many clients acting at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def at_once(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Runs work(0) … work(n - 1) in n threads released together (as n people pressing the
    same button at the same moment) and returns each outcome in order: what work returned, or
    the exception it raised, so that a test asserts on every one and none is lost. Each thread
    closes its own database connections when it is done."""
    from django.db import connections

    barrier = threading.Barrier(n)
    outcomes: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = work(i)
        except Exception as exc:  # collected: the caller's assertions show it
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
