import pytest
from django.core.exceptions import ValidationError

from civicloop.core.models import Region
from civicloop.lib import geo

pytestmark = pytest.mark.django_db


def test_every_community_has_at_least_two_grids(foundation):
    for community in Region.objects.filter(level="community"):
        assert Region.objects.filter(parent=community, level="grid").count() >= 2


def test_a_point_falls_in_at_most_one_grid(foundation):
    polygons = [(g.pk, geo.parse_polygon(g.geometry)) for g in Region.objects.filter(level="grid")]
    grid = Region.objects.get(name="胜利社区第1网格")
    inside = [
        pk
        for pk, poly in polygons
        if poly.contains(geo.Point(grid.centroid_lng, grid.centroid_lat))
    ]
    assert inside == [grid.pk]


def test_grid_knows_its_community_and_street(foundation):
    grid = Region.objects.get(name="蓝色康桥社区第2网格")
    assert grid.community.name == "蓝色康桥社区"
    assert grid.street.name == "惠宾街道"


def test_demo_data_is_idempotent(foundation):
    """A second `civicloop demo` changes nothing: same rows in every model of every app."""
    from django.apps import apps

    from civicloop.core import demo

    # The dashboard's rollups are a cache derived from the event log: a sweep may fold in
    # events that the first load wrote moments ago, which is catching up, not new demo data.
    derived = {"dashboard"}

    def counts():
        return {
            m._meta.label: m._default_manager.count()
            for m in apps.get_models()
            if m._meta.app_label not in derived
        }

    demo.load_all()
    first = counts()
    demo.load_all()
    second = counts()
    assert {k: (first[k], second[k]) for k in first if first[k] != second[k]} == {}


def test_a_grid_needs_a_valid_polygon_and_a_community_parent(foundation):
    community = Region.objects.get(name="胜利社区")
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(ValidationError):
        Region(
            name="坏网格", code="x1", level="grid", parent=community, geometry=bowtie
        ).full_clean()
    street = Region.objects.get(name="振兴街道")
    with pytest.raises(ValidationError):
        Region(
            name="错位网格",
            code="x2",
            level="grid",
            parent=street,
            geometry=geo.rectangle(0, 0, 1, 1),
        ).full_clean()


def test_grids_api_is_public_with_centroid_and_geometry(foundation, client):
    grid = Region.objects.get(name="胜利社区第1网格")
    body = client.get(f"/api/v1/grids/{grid.pk}").json()
    assert body["community"] == "胜利社区" and body["street"] == "振兴街道"
    assert abs(body["centroid"]["lat"] - 41.105) < 1e-6
    assert body["geometry"]["type"] == "Polygon"
    assert len(client.get("/api/v1/grids").json()) == Region.objects.filter(level="grid").count()
    assert client.get("/api/v1/grids/999999").status_code == 404
