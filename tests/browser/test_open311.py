"""Open311 on a phone: a developer reads the interface page, a client application files a
report with its key, the request is readable as XML, and grid staff find it in their loop."""

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser


def test_an_open311_report_is_seen_by_the_client_and_by_the_grid_worker(site, phone):
    from civicloop.cases.demo import load_categories
    from civicloop.core.models import Department, Region
    from civicloop.open311.models import ApiKey

    load_categories({d.code: d for d in Department.objects.all()})
    _key, raw = ApiKey.issue("盘锦市12345平台")
    grid = Region.objects.get(name="胜利社区第1网格")
    page = phone

    page.goto(f"{site}/open311/")
    assert page.get_by_test_id("base-url").inner_text().endswith("/open311/v2/")
    assert page.get_by_text("井盖破损").count() >= 1
    shot(page, "open311-01-interface-page")

    # The 12345 platform forwards a caller's report.
    response = page.request.post(
        f"{site}/open311/v2/requests.json",
        form={
            "api_key": raw,
            "service_code": "DL01",
            "lat": f"{grid.centroid_lat:.6f}",
            "long": f"{grid.centroid_lng:.6f}",
            "description": "胜利街与兴隆台大街路口井盖缺失，夜间很危险",
            "attribute[cover_state]": "missing",
            "first_name": "三",
            "last_name": "张",
            "phone": "13904271234",
        },
    )
    assert response.status == 200
    request_id = response.json()[0]["service_request_id"]

    page.goto(f"{site}/open311/v2/requests/{request_id}.xml")
    xml = page.inner_text("body")
    assert "<status>open</status>" in xml
    assert "<status_notes>待核实</status_notes>" in xml
    assert "13904271234" not in xml and "张三" not in xml
    shot(page, "open311-02-request-xml")

    # The grid worker of that grid sees it like any other report, from 12345 via Open311.
    login(page, site, "grid")
    page.goto(f"{site}/cases/{request_id}/")
    text = page.inner_text("body")
    assert "井盖缺失" in text
    assert "盘锦市12345平台" in text  # the client application is the report's source
    shot(page, "open311-03-case-in-the-loop")
