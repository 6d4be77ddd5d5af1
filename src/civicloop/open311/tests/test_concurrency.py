"""Several POSTs with one key at once: every report is filed and every use counted."""

from __future__ import annotations

import pytest
from django.test import Client

from civicloop.core.testing import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_posts_with_one_key_are_all_filed_and_counted(services, api_key, in_grid):
    from civicloop.cases.models import Case

    n = 6

    def post(i):
        response = Client().post(
            "/open311/v2/requests.json",
            {
                "api_key": api_key.raw,
                "service_code": "DL92",
                "description": f"第{i}处路面塌陷",
                **in_grid,
            },
        )
        return response.status_code

    statuses = at_once(n, post)
    assert statuses == [200] * n
    api_key.refresh_from_db()
    assert api_key.request_count == n
    assert api_key.report_count == n
    assert Case.objects.filter(source="open311").count() == n
