"""Entry points of the processes a parallel rollup rebuild spawns. Kept free of model imports:
a spawned process imports this module before Django is set up."""

from __future__ import annotations


def setup(database: str) -> None:
    """Django, on the database the parent process reads (a test run renames it)."""
    import django
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = database
    django.setup()


def rebuild_range(job: tuple) -> tuple:
    from .rollups import range_facts

    first, last, now, chunk, work = job
    return range_facts(first, last, now, work, chunk=chunk, text=True)
