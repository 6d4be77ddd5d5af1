"""Routing a report: point → grid → community and street; text → category → department."""

from __future__ import annotations

import copy
import threading

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from shapely.prepared import prep

from civicloop.core import snapshots
from civicloop.core.models import Department, Region
from civicloop.lib import geo

from .models import Category

_lock = threading.Lock()
_polygons: dict = {"version": None, "items": []}


@receiver(post_save, sender=Region)
@receiver(post_delete, sender=Region)
def _regions_changed(sender, **kwargs) -> None:
    # Every process compares this shared token with its own before using cached polygons.
    snapshots.changed(snapshots.GRID_POLYGONS)


def _grid_polygons() -> list:
    """[(grid with its community and street, prepared boundary)], loaded once per process and
    again after any region changes."""
    version = snapshots.token(snapshots.GRID_POLYGONS)
    with _lock:
        if _polygons["version"] != version or not _polygons["items"]:
            items = []
            grids = Region.objects.filter(
                level=Region.Level.GRID, geometry__isnull=False
            ).select_related("community", "street")
            for grid in grids:
                try:
                    items.append((grid, prep(geo.parse_polygon(grid.geometry))))
                except ValueError:
                    continue  # an invalid grid boundary must not stop every report
            _polygons.update(version=version, items=items)
        return list(_polygons["items"])


def locate(lat: float, lng: float) -> Region | None:
    """The grid containing the point, or None (outside every grid: the district holds it)."""
    from shapely.geometry import Point

    point = Point(lng, lat)
    for grid, polygon in _grid_polygons():
        if polygon.covers(point):
            return copy.copy(grid)  # the caller's own instance; the snapshot stays as loaded
    return None


def community_from_address(address: str) -> Region | None:
    """A typed address that names a community (e.g. 胜利社区3号楼) is routed to that community."""
    if not address:
        return None
    for community in Region.objects.filter(level=Region.Level.COMMUNITY).select_related("street"):
        if community.name and community.name in address:
            return community
    return None


def route(lat: float | None, lng: float | None, address: str = "") -> dict:
    """{"grid", "community", "street"} for a report; all None means 兜底 at the district."""
    grid = locate(lat, lng) if lat is not None and lng is not None else None
    if grid is not None:
        return {"grid": grid, "community": grid.community, "street": grid.street}
    community = community_from_address(address)
    if community is not None:
        return {"grid": None, "community": community, "street": community.street}
    return {"grid": None, "community": None, "street": None}


def suggest_categories(text: str, limit: int = 3) -> list[Category]:
    """Categories whose keywords occur in the text, best first (longer keywords weigh more)."""
    text = (text or "").strip()
    if not text:
        return []
    scored = []
    for category in Category.objects.filter(active=True, parent__isnull=False).select_related(
        "parent"
    ):
        score = sum(len(k) for k in category.keyword_list if k in text)
        if category.name in text:
            score += len(category.name) + 1
        if score:
            scored.append((score, -category.order, category.pk, category))
    scored.sort(key=lambda item: item[:3], reverse=True)
    return [item[3] for item in scored[:limit]]


def suggest_category(text: str) -> Category | None:
    found = suggest_categories(text, limit=1)
    return found[0] if found else None


def suggest_department(category: Category | None) -> Department | None:
    if category is None:
        return None
    if category.department_id:
        return category.department
    if category.parent_id and category.parent.department_id:
        return category.parent.department
    return None
