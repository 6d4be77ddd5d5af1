"""The one failure a view raises: an HTTP status with the spec's error descriptions."""

from __future__ import annotations


class Open311Error(Exception):
    """Answered as the GeoReport error array: 403 key, 404 unknown resource, 400 the rest."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = list(descriptions) or ["error"]
