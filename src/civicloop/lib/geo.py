"""Grid polygons: parsing GeoJSON, centroids, point-in-polygon and distances."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_000.0


def parse_polygon(geometry: Mapping[str, Any]) -> BaseGeometry:
    """A valid Polygon or MultiPolygon from GeoJSON (lng, lat order), or ValueError."""
    if not isinstance(geometry, Mapping) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValueError("边界必须是 GeoJSON Polygon 或 MultiPolygon")
    try:
        polygon = shape(geometry)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise ValueError("边界 GeoJSON 格式不正确") from exc
    if polygon.is_empty or not polygon.is_valid:
        raise ValueError("边界多边形无效（自相交或为空）")
    return polygon


def centroid(geometry: Mapping[str, Any]) -> tuple[float, float]:
    """(lat, lng) of a polygon's centroid."""
    point = parse_polygon(geometry).centroid
    return point.y, point.x


def find_containing(lat: float, lng: float, polygons: Iterable[tuple[Any, BaseGeometry]]) -> Any:
    """The key of the first polygon that covers the point, or None."""
    point = Point(lng, lat)
    for key, polygon in polygons:
        if polygon.covers(point):
            return key
    return None


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bbox_around(lat: float, lng: float, metres: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) of a square around a point, for an indexed pre-filter."""
    dlat = metres / 111_320.0
    dlng = metres / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def rectangle(min_lng: float, min_lat: float, max_lng: float, max_lat: float) -> dict[str, Any]:
    """A GeoJSON rectangle polygon."""
    ring = [
        [min_lng, min_lat],
        [max_lng, min_lat],
        [max_lng, max_lat],
        [min_lng, max_lat],
        [min_lng, min_lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}
