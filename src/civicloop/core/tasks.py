"""Periodic sweeps of the core app (registered with core.periodic; run by `civicloop worker`)."""

from __future__ import annotations

from civicloop.core.periodic import register

from . import uploads


@register
def purge_orphan_uploads() -> dict[str, int] | None:
    """Files left by a process that died between writing an upload and committing its row."""
    return uploads.purge_orphans_hourly()
