"""POST servicerequestupdates (FixMyStreet's extension): a client application relays a
resident's follow-up (留言) on a request it filed. The comment joins the case's timeline on the
reporter's side, reaches the department that holds the case, never moves the case, and is
recorded once however often the client retries."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from civicloop.cases.models import Case
from civicloop.core.testing import at_once

NOTE = "井盖还是没有盖上，今天早上又有自行车掉进去了"


@pytest.fixture
def own_request(report):
    """A request the 12345 platform's key filed (待核实, open)."""
    return report(expect=200).json()[0]["service_request_id"]


@pytest.fixture
def post_update(client, api_key, own_request):
    """post_update(fmt="json", **fields) → the POST response (a valid update by default)."""

    def post(fmt="json", key=None, **fields):
        data = {
            "api_key": api_key.raw if key is None else key,
            "service_request_id": str(own_request),
            "update_id": "fms-7781",
            "updated_datetime": "2026-11-29T09:30:00+08:00",
            "status": "OPEN",
            "description": NOTE,
            "email": "resident@example.com",
            "first_name": "秀兰",
            "last_name": "李",
        }
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        return client.post(f"/open311/v2/servicerequestupdates.{fmt}", data)

    return post


def comments(case_id):
    from civicloop.cases.models import CaseEvent

    return list(CaseEvent.objects.filter(case_id=case_id, action="comment"))


def descriptions(response) -> list[str]:
    return [e["description"] for e in response.json()]


def test_a_client_comments_on_its_own_request_and_the_department_hears_of_it(
    own_request, post_update, loop, web_as, django_capture_on_commit_callbacks
):
    from civicloop.cases.models import Case
    from civicloop.notifications.models import Notification

    loop(own_request, "verify", "dispatch", "sign")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_update(status="CLOSED")
    assert response.status_code == 200, response.content.decode()
    answer = response.json()
    assert len(answer) == 1 and set(answer[0]) == {"update_id"}
    update_id = answer[0]["update_id"]
    assert isinstance(update_id, str) and update_id.isdecimal()

    [event] = comments(own_request)
    assert event.pk == int(update_id)
    assert event.note == NOTE
    assert event.actor_id is None and event.actor_role == "reporter"
    assert event.public is False  # a comment, as any other, stays off the public page
    assert event.data == {
        "via": "open311",
        "client": "盘锦市12345平台",
        "update_id": "fms-7781",
        "client_status": "CLOSED",
        "client_datetime": "2026-11-29T09:30:00+08:00",
    }
    # The client says CLOSED; only the loop closes a case.
    case = Case.objects.get(pk=own_request)
    assert case.state == "in_progress" and event.from_state == event.to_state == "in_progress"
    # The reporter's personal fields are not kept on the event.
    assert "resident@example.com" not in str(event.data) + event.note
    assert "秀兰" not in str(event.data) + event.note
    # The department handling the case is told, with the note.
    told = Notification.objects.get(recipient__username="department", title__contains="留言")
    assert told.title == f"问题 {case.number}：留言"
    assert NOTE in told.body
    # …and reads it on the case's timeline.
    page = web_as("department").get(told.url)
    assert page.status_code == 200
    assert NOTE in page.content.decode()


def test_a_retried_update_answers_the_first_and_records_nothing_new(own_request, post_update):
    from civicloop.open311.models import ClientUpdate

    first = post_update()
    again = post_update(description="重发的同一条留言")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    [event] = comments(own_request)
    assert event.note == NOTE
    assert ClientUpdate.objects.count() == 1


def test_a_new_update_id_is_a_new_comment(own_request, post_update):
    first = post_update(update_id="fms-1").json()[0]["update_id"]
    second = post_update(update_id="fms-2", description="物业说明天来修").json()[0]["update_id"]
    assert first != second
    assert [e.note for e in comments(own_request)] == [NOTE, "物业说明天来修"]


def test_an_update_id_already_used_on_another_request_is_refused(report, post_update):
    assert post_update().status_code == 200
    other = report(expect=200).json()[0]["service_request_id"]
    response = post_update(service_request_id=str(other))
    assert response.status_code == 400
    assert "update_id fms-7781 已用于问题" in response.json()[0]["description"]
    assert comments(other) == []


def test_a_client_cannot_comment_on_another_clients_request(own_request, post_update):
    from civicloop.open311.models import ApiKey

    _key, other_raw = ApiKey.issue("某 FixMyStreet 站点")
    response = post_update(key=other_raw)
    assert response.status_code == 404
    assert response.json()[0] == {
        "code": 404,
        "description": f"service_request_id {own_request} 不存在",
    }
    assert comments(own_request) == []


def test_a_case_reported_in_the_app_cannot_be_commented_on_by_a_client(
    api_as, services, in_grid, post_update
):
    import json

    response = api_as("resident").post(
        "/api/v1/cases",
        json.dumps(
            {
                "description": "路口井盖缺失",
                "lat": float(in_grid["lat"]),
                "lng": float(in_grid["long"]),
            }
        ),
        content_type="application/json",
    )
    case_id = response.json()["id"]
    assert post_update(service_request_id=str(case_id)).status_code == 404
    assert comments(case_id) == []


@pytest.mark.parametrize("request_id", ["987654", "abc", "1" * 13])
def test_an_unknown_request_is_404(post_update, request_id):
    response = post_update(service_request_id=request_id)
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


@pytest.mark.parametrize("key", ["", "o311_not-a-key"])
def test_without_a_valid_api_key_nothing_is_recorded(own_request, post_update, key):
    response = post_update(key=key)
    assert response.status_code == 403
    assert "无法提交留言" in response.json()[0]["description"]
    assert comments(own_request) == []


def test_a_revoked_key_cannot_comment(own_request, post_update, api_key):
    api_key.revoke()
    assert post_update().status_code == 403
    assert comments(own_request) == []


def test_a_closed_case_refuses_comments_with_an_error_the_client_can_read(
    own_request, post_update, loop
):
    from civicloop.cases.models import Case

    loop(own_request, "verify", "dispatch", "sign", "reply", "approve")
    response = post_update()
    # FixMyStreet treats anything but 200 as a failure; the spec's error array has no 409.
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "问题当前状态（已办结）下不能留言"}]
    xml = post_update(fmt="xml")
    assert xml.status_code == 400
    assert "<description>问题当前状态（已办结）下不能留言</description>" in xml.content.decode()
    assert comments(own_request) == []
    assert Case.objects.get(pk=own_request).state == "closed"


def test_a_rejected_case_refuses_comments(own_request, post_update, loop):
    loop(own_request, "reject")
    assert post_update().status_code == 400
    assert comments(own_request) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"update_id": None}, "缺少 update_id"),
        ({"update_id": "  "}, "缺少 update_id"),
        ({"update_id": "u" * 101}, "update_id 最多 100 个字符"),
        ({"description": None}, "缺少 description（留言内容）"),
        ({"description": "井" * 2001}, "description 最多 2000 个字符"),
        ({"status": "fixed; drop"}, "status 应为 OPEN、CLOSED 等状态代码"),
        ({"updated_datetime": "2026-11-29 09:30"}, "updated_datetime 格式不正确"),
        ({"media_url": "javascript:alert(1)"}, "media_url 应为 http 或 https 链接"),
        ({"email": "a" * 200 + "@example.com"}, "email 最多 200 个字符"),
        ({"first_name": "名" * 31}, "first_name 最多 30 个字符"),
        ({"service_request_id": None}, "缺少 service_request_id"),
    ],
)
def test_a_bad_field_is_a_400_naming_it(own_request, post_update, fields, message):
    response = post_update(**fields)
    assert response.status_code == 400, response.content.decode()
    assert any(d.startswith(message) for d in descriptions(response)), descriptions(response)
    assert comments(own_request) == []


def test_every_problem_of_one_post_is_listed(post_update):
    response = post_update(update_id=None, description=None, status="MAYBE?")
    assert len(descriptions(response)) == 3


def test_status_is_optional_and_read_in_any_case(own_request, post_update):
    assert post_update(update_id="a", status=None).status_code == 200
    assert post_update(update_id="b", status="closed").status_code == 200
    # FixMyStreet's extended statuses are recorded too (and, like CLOSED, never applied).
    assert post_update(update_id="c", status="FIXED").status_code == 200
    assert [e.data["client_status"] for e in comments(own_request)] == ["", "CLOSED", "FIXED"]
    assert Case.objects.get(pk=own_request).is_open


def test_a_photo_link_is_kept_with_the_note_for_the_department(own_request, post_update):
    url = "https://fms.example.com/photo/c/99.0.full.jpeg"
    assert post_update(media_url=url).status_code == 200
    [event] = comments(own_request)
    assert event.note == f"{NOTE}\n图片链接：{url}"


def test_the_answer_is_what_fixmystreet_parses_in_xml(post_update):
    response = post_update(fmt="xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(response.content)  # noqa: S314 - our own answer
    assert root.tag == "service_request_updates"
    [item] = list(root)
    assert item.tag == "request_update"
    assert [child.tag for child in item] == ["update_id"]
    # The same record as the JSON answer to a retry.
    assert post_update().json() == [{"update_id": item.findtext("update_id")}]


def test_the_comment_stays_out_of_the_public_updates_feed_which_keeps_working(
    client, own_request, post_update, loop
):
    loop(own_request, "verify")
    assert post_update().status_code == 200
    for fmt in ("json", "xml"):
        response = client.get(f"/open311/v2/servicerequestupdates.{fmt}")
        assert response.status_code == 200
        assert NOTE not in response.content.decode()
    feed = client.get("/open311/v2/servicerequestupdates.json").json()
    assert [u["status"] for u in feed] == ["investigating"]


def test_updates_count_against_the_post_rate_limit_of_the_key(own_request, post_update, settings):
    # The report itself was the key's first POST of the window.
    settings.CIVICLOOP_OPEN311_POSTS_PER_KEY = 2
    assert post_update(update_id="a").status_code == 200
    limited = post_update(update_id="b")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert len(comments(own_request)) == 1


def test_other_methods_are_refused(client, db):
    response = client.put("/open311/v2/servicerequestupdates.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST, HEAD"


def test_the_back_office_lists_client_updates_read_only(post_update, web_as):
    assert post_update().status_code == 200
    admin = web_as("admin")
    listing = admin.get("/admin/open311/clientupdate/")
    assert listing.status_code == 200
    assert "fms-7781" in listing.content.decode()
    assert admin.get("/admin/open311/clientupdate/add/").status_code == 403


VALUES = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789-.:TZ+ ", max_size=25),
    st.sampled_from(["", "0", "-1", "OPEN", "closed", "2026-02-30", "99999999999999999999"]),
    st.text(min_size=2500, max_size=2500, alphabet="井盖a<>&\"'"),
)

FUZZ = hypothesis_settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def test_whatever_a_client_sends_the_answer_is_never_a_500(own_request, api_key, settings):
    settings.CIVICLOOP_OPEN311_POSTS_PER_IP = settings.CIVICLOOP_OPEN311_POSTS_PER_KEY = 10**6
    fields = ("update_id", "description", "status", "updated_datetime", "media_url", "email")
    body = st.fixed_dictionaries(
        {
            "api_key": st.just(api_key.raw),
            "service_request_id": st.just(str(own_request)) | VALUES,
        },
        optional={**dict.fromkeys(fields, VALUES), "first_name": VALUES, "jurisdiction_id": VALUES},
    )

    @FUZZ
    @given(data=body, fmt=st.sampled_from(["json", "xml"]))
    def post(data, fmt):
        response = Client().post(f"/open311/v2/servicerequestupdates.{fmt}", data)
        assert response.status_code in (200, 400, 404), (data, response.content.decode())

    post()


# --- two copies of one update at the same moment --------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_simultaneous_copies_of_one_update_record_one_comment(services, api_key, in_grid):
    from civicloop.open311.models import ClientUpdate

    filed = Client().post(
        "/open311/v2/requests.json",
        {"api_key": api_key.raw, "service_code": "DL92", "description": "路面塌陷", **in_grid},
    )
    request_id = filed.json()[0]["service_request_id"]
    n = 4

    def post(i):
        response = Client().post(
            "/open311/v2/servicerequestupdates.json",
            {
                "api_key": api_key.raw,
                "service_request_id": str(request_id),
                "update_id": "fms-42",
                "description": NOTE,
            },
        )
        return response.status_code, response.json()

    answers = at_once(n, post)
    assert all(status == 200 for status, _body in answers), answers
    assert len({body[0]["update_id"] for _status, body in answers}) == 1
    assert len(comments(request_id)) == 1
    assert ClientUpdate.objects.count() == 1
