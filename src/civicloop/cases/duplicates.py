"""Likely duplicates: open cases of the same category nearby and recent (我也遇到)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from civicloop.lib import geo

from . import conf
from . import workflow as wf
from .models import Case


def nearby(
    *, category_id, lat, lng, exclude_id=None, qs=None, metres=None, days=None
) -> list[tuple[Case, float]]:
    """(case, distance in metres) pairs, nearest first; empty without a point or a category."""
    if lat is None or lng is None or category_id is None:
        return []
    metres = conf.duplicate_metres() if metres is None else metres
    days = conf.duplicate_days() if days is None else days
    min_lat, max_lat, min_lng, max_lng = geo.bbox_around(lat, lng, metres)
    qs = Case.objects.all() if qs is None else qs
    candidates = qs.filter(
        category_id=category_id,
        state__in=wf.OPEN_STATES,
        merged_into__isnull=True,
        created_at__gte=timezone.now() - timedelta(days=days),
        lat__range=(min_lat, max_lat),
        lng__range=(min_lng, max_lng),
    ).select_related("category", "community")
    if exclude_id is not None:
        candidates = candidates.exclude(pk=exclude_id)
    found = []
    for case in candidates[:200]:
        distance = geo.distance_m(lat, lng, case.lat, case.lng)
        if distance <= metres:
            found.append((case, distance))
    found.sort(key=lambda pair: pair[1])
    return found


def for_case(case: Case, qs=None) -> list[tuple[Case, float]]:
    return nearby(
        category_id=case.category_id, lat=case.lat, lng=case.lng, exclude_id=case.pk, qs=qs
    )
