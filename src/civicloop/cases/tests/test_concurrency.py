"""Two people act on one case at once: exactly one wins. A retried report is filed once."""

import json

import pytest
from django.test import Client

from civicloop.cases.models import Case, CaseEvent
from civicloop.core.models import ApiToken
from civicloop.core.testing import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def bearer(user) -> str:
    _token, raw = ApiToken.issue(user)
    return f"Bearer {raw}"


def test_ten_simultaneous_signs_give_one_success_nine_conflicts_and_one_event(
    file_case, move, foundation, user_named
):
    case_id = file_case()
    move(case_id, "grid", "verify")
    move(case_id, "dispatcher", "dispatch", department=foundation["departments"]["CG"].pk)
    auth = bearer(user_named("department"))

    def sign(_i):
        response = Client(HTTP_AUTHORIZATION=auth).post(
            f"/api/v1/cases/{case_id}/actions/sign", "{}", content_type="application/json"
        )
        return response.status_code

    statuses = at_once(10, sign)
    assert sorted(statuses) == [200] + [409] * 9
    assert CaseEvent.objects.filter(case_id=case_id, action="sign").count() == 1
    assert Case.objects.get(pk=case_id).state == "in_progress"


def test_a_dispatch_and_a_reject_at_once_leave_exactly_one_outcome(
    file_case, move, foundation, user_named
):
    case_id = file_case()
    move(case_id, "grid", "verify")
    auth = bearer(user_named("dispatcher"))
    bodies = [
        ("dispatch", {"department": foundation["departments"]["CG"].pk}),
        ("reject", {"reason": "重复"}),
    ]

    def act(i):
        action, body = bodies[i]
        return (
            Client(HTTP_AUTHORIZATION=auth)
            .post(
                f"/api/v1/cases/{case_id}/actions/{action}",
                json.dumps(body),
                content_type="application/json",
            )
            .status_code
        )

    assert sorted(at_once(2, act)) == [200, 409]
    assert (
        CaseEvent.objects.filter(case_id=case_id).exclude(action__in=["create", "verify"]).count()
        == 1
    )


def test_a_report_retried_with_the_same_idempotency_key_is_filed_once(
    categories, point, user_named
):
    lat, lng = point("胜利社区第1网格")
    auth = bearer(user_named("resident"))
    body = json.dumps({"description": "垃圾桶满溢无人清理", "lat": lat, "lng": lng})

    def report(_i):
        response = Client(HTTP_AUTHORIZATION=auth).post(
            "/api/v1/cases",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="retry-7f3a",
        )
        return response.status_code, response.json()["id"]

    results = at_once(6, report)
    assert len({case_id for _status, case_id in results}) == 1
    assert sorted(s for s, _ in results).count(201) == 1
    assert all(s in (200, 201) for s, _ in results)
    assert Case.objects.count() == 1
    again = Client(HTTP_AUTHORIZATION=auth).post(
        "/api/v1/cases", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="retry-7f3a"
    )
    assert again.status_code == 200 and again.json()["id"] == results[0][1]
    other = Client(HTTP_AUTHORIZATION=auth).post(
        "/api/v1/cases", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="another"
    )
    assert other.status_code == 201 and Case.objects.count() == 2
