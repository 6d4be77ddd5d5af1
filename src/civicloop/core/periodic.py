"""Periodic sweeps: each app registers a function here; the worker enqueues them every minute.

Sweeps are idempotent (each claims rows with a conditional update), so running them in several
workers at once is safe."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)
_SWEEPS: list[Callable[[], object]] = []


def register(func: Callable[[], object]) -> Callable[[], object]:
    _SWEEPS.append(func)
    return func


def run_periodic() -> None:
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("civicloop."):
            try:
                __import__(f"{config.name}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tasks":
                    raise
    for sweep in list(_SWEEPS):
        try:
            sweep()
        except Exception:
            log.exception("sweep %s failed", getattr(sweep, "__name__", sweep))
