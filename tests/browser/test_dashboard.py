"""数据驾驶舱 in a real browser: the district (leader) and a community (community staff) on a
desk screen and a phone, the printable monthly report and the public page."""

from __future__ import annotations

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def history(site, foundation):
    from civicloop.cases import demo as cases_demo
    from civicloop.dashboard import demo, rollups

    cases_demo.load_categories(foundation["departments"])
    demo.history(foundation["regions"], foundation["departments"], days=21, per_day=3)
    rollups.sweep()
    return site


def _wait_for_charts(page) -> None:
    """Charts are drawn as they come near the screen: scroll to each, as a reader would, and wait
    until every one of them is drawn."""
    charts = page.locator("[data-chart]")
    assert charts.count() > 0
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        chart.locator("canvas, svg").first.wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(400)  # ECharts' entry animation


def _shot(page, name: str) -> None:
    """A full-page capture does not scroll, so panels far off screen would still be skipped
    (content-visibility: auto): show them all, as a reader scrolling down sees them."""
    page.add_style_tag(content=".panel { content-visibility: visible !important; }")
    shot(page, name)


def _kpi(page, key: str) -> str:
    return page.locator(f"[data-testid=kpi-{key}] b").inner_text()


def test_district_dashboard_for_the_leader_on_a_desk_screen_and_a_phone(history, desk, phone):
    from civicloop.dashboard import metrics
    from civicloop.dashboard.query import parse_period

    expected = metrics.figures("district", None, parse_period(None, None))
    login(desk, history, "leader")
    errors: list[str] = []
    desk.on("pageerror", lambda exc: errors.append(str(exc)))
    desk.goto(f"{history}/dashboard/")
    _wait_for_charts(desk)
    desk.locator("#dash-map").scroll_into_view_if_needed()
    desk.wait_for_selector("#dash-map path.leaflet-interactive")
    assert desk.get_by_test_id("scope-name").inner_text().startswith("兴隆台区")
    assert _kpi(desk, "received") == f"{expected['received']:,}"
    assert desk.locator("[data-testid=bands-rank-community] .band").count() >= 4
    assert errors == []
    _shot(desk, "dashboard-01-district-desk")

    # Drill down to a street from the scope bar.
    desk.get_by_role("link", name="振兴街道").first.click()
    _wait_for_charts(desk)
    assert desk.get_by_test_id("scope-name").inner_text().startswith("振兴街道")
    _shot(desk, "dashboard-02-street-desk")

    desk.goto(f"{history}/dashboard/district/0/print/")
    _wait_for_charts(desk)
    _shot(desk, "dashboard-03-print-desk")

    login(phone, history, "leader")
    phone.goto(f"{history}/dashboard/")
    _wait_for_charts(phone)
    _shot(phone, "dashboard-04-district-phone")


def test_community_dashboard_on_a_desk_screen_and_a_phone(history, desk, phone):
    for page, name in (
        (desk, "dashboard-05-community-desk"),
        (phone, "dashboard-06-community-phone"),
    ):
        login(page, history, "community")
        page.goto(f"{history}/dashboard/")
        _wait_for_charts(page)
        assert page.get_by_test_id("scope-name").inner_text().startswith("胜利社区")
        assert page.locator("[data-testid=bands-rank-grid]").count() == 1
        _shot(page, name)


def test_public_page_for_residents_without_signing_in(history, phone):
    phone.goto(f"{history}/dashboard/public/")
    _wait_for_charts(phone)
    assert phone.get_by_test_id("public-title").inner_text().startswith("兴隆台区")
    _shot(phone, "dashboard-07-public-phone")
