"""The dashboard's periodic job: fold new case events into the rollups (see rollups.py)."""

from __future__ import annotations

from django_tasks import task

from civicloop.core.periodic import register

from . import rollups


@register
def sweep_case_rollups() -> dict:
    """Claims the next batches of case events and folds them in; safe with several workers."""
    return rollups.sweep()


@task()
def run_sweep() -> None:
    rollups.sweep()
