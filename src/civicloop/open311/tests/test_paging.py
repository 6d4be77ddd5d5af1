"""GET requests answers a page (50 by default, up to the spec's 1000 when asked), newest first;
servicerequestupdates keeps answering a whole period for pollers that do not page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def make_cases(category, n: int) -> list[int]:
    """n cases of the category (plain rows: paging does not depend on how they were filed);
    their ids newest first, the order GET requests lists them in."""
    from civicloop.cases.models import Case

    Case.objects.bulk_create(
        Case(description=f"路灯不亮 {i}", category=category, address="兴隆台区胜利街")
        for i in range(n)
    )
    return list(
        Case.objects.filter(category=category)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
    )


def ids(client, query: str = "") -> list[int]:
    response = client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in response.json()]


def test_a_default_page_holds_the_newest_50_and_page_size_asks_for_up_to_1000(client, services):
    newest_first = make_cases(services["road"], 53)
    assert ids(client) == newest_first[:50]
    assert ids(client, "service_code=DL92") == newest_first[:50]
    assert ids(client, "page=2") == newest_first[50:]
    assert ids(client, "page_size=1000") == newest_first
    assert ids(client, "page_size=20&page=3") == newest_first[40:]
    too_many = client.get("/open311/v2/requests.json?page_size=1001")
    assert too_many.status_code == 400
    assert "page_size" in too_many.json()[0]["description"]


def test_the_default_page_size_is_a_setting(client, services, settings):
    settings.CIVICLOOP_OPEN311_PAGE_SIZE = 2
    newest_first = make_cases(services["road"], 3)
    assert ids(client) == newest_first[:2]
    assert ids(client, "page=2") == newest_first[2:]
    assert ids(client, "page_size=3") == newest_first


def test_updates_answer_the_whole_period_without_paging(client, report, loop, settings):
    # FixMyStreet polls servicerequestupdates for a period and does not ask for pages.
    settings.CIVICLOOP_OPEN311_PAGE_SIZE = 2
    request_id = report(expect=200).json()[0]["service_request_id"]
    loop(request_id, "verify", "dispatch", "sign", "reply", "approve")
    updates = client.get("/open311/v2/servicerequestupdates.json").json()
    assert len(updates) == 5
    assert len(client.get("/open311/v2/servicerequestupdates.json?page_size=2").json()) == 2


def test_a_service_code_created_after_it_was_asked_for_is_found(client, services):
    from civicloop.cases.models import Category

    assert ids(client, "service_code=DL94") == []
    lamps = Category.objects.create(code="DL94", name="路灯损坏", parent=services["group"])
    newest_first = make_cases(lamps, 2)
    make_cases(services["road"], 2)
    assert ids(client, "service_code=DL94") == newest_first
    assert ids(client, "service_code=DL94,DL94,nope") == newest_first


def test_a_compiled_page_gives_what_the_queryset_gives(services, report, loop):
    """period_page runs SQL compiled once per shape with each request's period, categories,
    states and page: every column as requests_queryset()'s values(), for every combination."""
    from datetime import timedelta

    from django.utils import timezone

    from civicloop.cases.models import Case
    from civicloop.open311 import records

    make_cases(services["road"], 4)
    make_cases(services["cover"], 3)
    filed = report(expect=200).json()[0]["service_request_id"]
    loop(filed, "verify", "dispatch", "sign", "reply", "approve")
    Case.objects.filter(pk=filed).update(created_at=timezone.now() - timedelta(days=3))
    now = timezone.now()
    periods = [(now - timedelta(days=90), now), (now - timedelta(days=1), now + timedelta(1))]
    kinds = [None, [services["road"].pk], [services["road"].pk, services["cover"].pk], []]
    states = [None, records.states_for(["open"]), records.states_for(["closed", "open"])]
    for start, end in periods:
        for categories in kinds:
            for wanted in states:
                for bounds in (slice(0, 50), slice(2, 5), slice(50, 100)):
                    qs = records.requests_queryset().filter(
                        created_at__gte=start, created_at__lte=end
                    )
                    if categories is not None:
                        qs = qs.filter(category_id__in=categories)
                    if wanted is not None:
                        qs = qs.filter(state__in=wanted)
                    expected = list(qs.order_by("-created_at", "-id")[bounds])
                    got = records.period_page(start, end, bounds, categories, wanted)
                    assert got == expected, (start, categories, wanted, bounds)
    # The filed case is found by its own period, and it is closed.
    week = records.period_page(now - timedelta(days=7), now - timedelta(days=2), slice(0, 50))
    assert [row["id"] for row in week] == [filed]
    assert week[0]["state"] == "closed" and week[0]["created_at"].tzinfo is not None
