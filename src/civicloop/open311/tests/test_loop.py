"""Reports that arrive by Open311 enter the same loop as any other, and Open311 clients follow
them there: open while the loop runs, closed with the department's reply once it completes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from .conftest import jpeg_bytes


def get_one(client, request_id, fmt="json"):
    response = client.get(f"/open311/v2/requests/{request_id}.{fmt}")
    assert response.status_code == 200, response.content
    return response.json()[0] if fmt == "json" else response


def test_round_trip_from_post_to_closed_with_the_reply_as_status_notes(
    client, report, loop, settings
):
    settings.CIVICLOOP_OPEN311_SERVICE_TYPE = "batch"
    token = report(expect=200).json()[0]["token"]
    request_id = client.get(f"/open311/v2/tokens/{token}.json").json()[0]["service_request_id"]

    opened = get_one(client, request_id)
    assert opened["status"] == "open"
    assert opened["status_notes"] == "待核实"
    assert opened["agency_responsible"] is None  # not dispatched yet
    assert opened["expected_datetime"] is not None

    loop(request_id, "verify", "dispatch", "sign")
    handling = get_one(client, request_id)
    assert handling["status"] == "open"
    assert handling["status_notes"] == "办理中"
    assert handling["agency_responsible"] == "兴隆台区城市管理综合行政执法局"

    loop(request_id, "reply", "approve")
    closed = get_one(client, request_id)
    assert closed["status"] == "closed"
    assert closed["status_notes"] == "已更换新井盖，恢复通行"
    assert closed["expected_datetime"] is None
    assert closed["updated_datetime"] >= closed["requested_datetime"]
    xml = get_one(client, request_id, "xml").content.decode()
    assert "<status>closed</status>" in xml
    assert "<status_notes>已更换新井盖，恢复通行</status_notes>" in xml


def test_an_open311_report_is_a_case_with_the_client_as_its_source(report, api_key):
    from civicloop.cases.models import Case, CaseEvent

    request_id = report(
        first_name="三",
        last_name="张",
        phone="13904271234",
        email="zhang@example.com",
        **{"attribute[hazards][]": ["night", "school"], "attribute[depth]": "0.8"},
    ).json()[0]["service_request_id"]
    case = Case.objects.get(pk=request_id)
    assert case.source == "open311"
    assert case.source_detail == "盘锦市12345平台"
    assert case.state == "submitted"
    assert case.category.code == "DL91"
    assert case.grid.name == "胜利社区第1网格"  # routed like any report
    assert case.department.code == "CG"
    assert case.contact_name == "张三" and case.contact_phone == "13904271234"
    assert case.attributes == {
        "cover_state": "missing",
        "hazards": ["night", "school"],
        "depth": 0.8,
    }
    assert CaseEvent.objects.filter(case=case, action="create").count() == 1
    assert case.open311.email == "zhang@example.com"
    api_key.refresh_from_db()
    assert api_key.report_count == 1


def test_a_report_with_only_an_address_and_no_description_is_filed(client, report):
    from civicloop.cases.models import Case

    response = report(
        service_code="DL92",
        lat=None,
        long=None,
        description=None,
        address_string="胜利社区3号楼前",
        **{"attribute[cover_state]": None},
    )
    assert response.status_code == 200, response.content
    case = Case.objects.get(pk=response.json()[0]["service_request_id"])
    assert case.community.name == "胜利社区"
    assert "道路破损" in case.description


def test_a_retried_post_with_the_same_idempotency_key_files_one_case(report):
    from civicloop.cases.models import Case

    first = report(environ={"HTTP_IDEMPOTENCY_KEY": "abc-1"}).json()[0]["service_request_id"]
    second = report(environ={"HTTP_IDEMPOTENCY_KEY": "abc-1"}).json()[0]["service_request_id"]
    assert first == second
    assert Case.objects.count() == 1


def test_a_photo_posted_as_media_is_served_publicly_as_media_url(client, report):
    upload = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")
    request_id = report(media=upload).json()[0]["service_request_id"]
    media_url = get_one(client, request_id)["media_url"]
    assert media_url.startswith("http://127.0.0.1:8000/open311/v2/media/")
    photo = client.get(media_url.removeprefix("http://127.0.0.1:8000"))
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    assert photo["X-Content-Type-Options"] == "nosniff"
    assert b"".join(photo.streaming_content)[:2] == b"\xff\xd8"


def test_a_file_that_is_not_an_image_is_refused(report):
    upload = SimpleUploadedFile("p.jpg", b"not an image", content_type="image/jpeg")
    assert report(media=upload).status_code == 400


def test_the_media_url_a_client_sent_is_shown_when_there_is_no_photo(client, report):
    url = "https://img.example.com/a.jpg"
    request_id = report(media_url=url).json()[0]["service_request_id"]
    assert get_one(client, request_id)["media_url"] == url


def test_photos_of_private_actions_and_unknown_photos_are_not_served(client, db):
    assert client.get("/open311/v2/media/987654").status_code == 404


def test_a_rejected_case_is_closed_with_the_reason(client, report, loop):
    request_id = report().json()[0]["service_request_id"]
    loop(request_id, "reject")
    rejected = get_one(client, request_id)
    assert rejected["status"] == "closed"
    assert rejected["status_notes"] == "不予受理：不属于政府职责范围"


def test_a_merged_case_is_closed_and_points_to_the_original(client, report, user_named):
    from civicloop.cases import actions

    original = report().json()[0]["service_request_id"]
    duplicate = report().json()[0]["service_request_id"]
    actions.perform(duplicate, user_named("grid"), "merge", {"into": original, "note": "同一井盖"})
    merged = get_one(client, duplicate)
    assert merged["status"] == "closed"
    assert merged["status_notes"] == f"与问题 {original} 合并办理：同一井盖"
    assert get_one(client, original)["status"] == "open"


def test_a_reply_sent_back_for_rework_makes_the_request_open_again(client, report, loop):
    request_id = report().json()[0]["service_request_id"]
    loop(request_id, "verify", "dispatch", "sign", "reply")
    replied = get_one(client, request_id)
    assert replied["status"] == "open"
    assert "已更换新井盖" in replied["status_notes"]
    loop(request_id, "rework")
    assert get_one(client, request_id)["status_notes"] == "办理中"


def test_updates_list_each_status_change_of_the_loop(client, report, loop):
    request_id = report().json()[0]["service_request_id"]
    loop(request_id, "verify", "dispatch", "sign", "reply", "approve")
    updates = client.get("/open311/v2/servicerequestupdates.json").json()
    mine = [u for u in updates if u["service_request_id"] == request_id]
    assert [u["status"] for u in mine] == [
        "investigating",
        "action_scheduled",
        "in_progress",
        "in_progress",
        "fixed",
    ]
    assert mine[1]["description"] == "已派遣至兴隆台区城市管理综合行政执法局办理"
    assert mine[3]["description"] == "已更换新井盖，恢复通行"
    assert mine[4]["description"] == "核查通过，问题已办结：核查属实"
    assert len({u["update_id"] for u in mine}) == 5
    assert all(u["media_url"] == "" for u in mine)
    xml = client.get("/open311/v2/servicerequestupdates.xml").content.decode()
    assert xml.count("<request_update>") == 5


def test_updates_are_filtered_by_date(client, report, loop):
    request_id = report().json()[0]["service_request_id"]
    loop(request_id, "verify")
    later = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    much_later = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    none = client.get(
        f"/open311/v2/servicerequestupdates.json?start_date={later}&end_date={much_later}"
    )
    assert none.json() == []


def test_requests_filter_by_status_service_code_and_ids(client, report, loop):
    first = report().json()[0]["service_request_id"]
    second = report(service_code="DL92", **{"attribute[cover_state]": None}).json()[0][
        "service_request_id"
    ]
    loop(first, "reject")

    def ids(query):
        response = client.get(f"/open311/v2/requests.json?{query}")
        assert response.status_code == 200, response.content
        return [r["service_request_id"] for r in response.json()]

    assert ids("") == [second, first]  # newest first
    assert ids("status=open") == [second]
    assert ids("status=closed") == [first]
    assert ids("status=open,closed") == [second, first]
    assert ids("service_code=DL91") == [first]
    assert ids("service_code=DL91,DL92") == [second, first]
    # A list of ids overrides every other argument.
    assert ids(f"service_request_id={first}&status=open&start_date=2001-01-01T00:00:00Z") == [first]
    assert ids(f"service_request_id={first},{second},999999") == [second, first]
    assert ids("page=1&page_size=1") == [second]
    assert ids("page=2&page_size=1") == [first]
    assert ids("page=3&page_size=1") == []


def test_requests_default_to_the_last_90_days(client, report):
    from civicloop.cases.models import Case

    old = report().json()[0]["service_request_id"]
    recent = report().json()[0]["service_request_id"]
    Case.objects.filter(pk=old).update(created_at=timezone.now() - timedelta(days=91))

    def ids(query=""):
        return [
            r["service_request_id"] for r in client.get(f"/open311/v2/requests.json?{query}").json()
        ]

    assert ids() == [recent]
    start = (timezone.now() - timedelta(days=95)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    end = (timezone.now() - timedelta(days=85)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert ids(f"start_date={start.replace('+', '%2B')}&end_date={end.replace('+', '%2B')}") == [
        old
    ]
    # "+08:00" sent unencoded arrives as " 08:00" and is still understood.
    assert ids(f"start_date={start}&end_date={end}") == [old]


def test_requests_never_list_more_than_the_limit(client, report, settings):
    settings.CIVICLOOP_OPEN311_MAX_RESULTS = 2
    for _ in range(3):
        report(expect=200)
    assert len(client.get("/open311/v2/requests.json").json()) == 2


def test_listing_requests_takes_the_same_few_queries_for_many_cases(
    client, report, loop, django_assert_max_num_queries
):
    for n in range(6):
        upload = SimpleUploadedFile(
            "p.jpg", jpeg_bytes(colour=(n * 30, 80, 80)), content_type="image/jpeg"
        )
        request_id = report(media=upload).json()[0]["service_request_id"]
        if n % 2:
            loop(request_id, "verify", "dispatch", "sign", "reply", "approve")
    # throttle (cache) + cases (with their first photo) + latest notes, whatever the number
    with django_assert_max_num_queries(6):
        data = client.get("/open311/v2/requests.json").json()
    assert len(data) == 6
    assert all(r["media_url"] for r in data)
    with django_assert_max_num_queries(6):
        updates = client.get("/open311/v2/servicerequestupdates.json").json()
    assert len(updates) == 15


PRIVATE = ("张三", "13904271234", "zhang@example.com", "王小明", "13800138000", "wang@example.org")


def test_no_reporter_data_appears_anywhere_in_open311_output(client, report, loop):
    request_id = report(
        first_name="三",
        last_name="张",
        phone="13904271234",
        email="zhang@example.com",
        device_id="dev-1",
        account_id="acc-1",
        description="我是张三，电话13904271234，另一位邻居王小明 13800138000 wang@example.org 也看到了",
        address_string="胜利社区3号楼2单元501室门前",
    ).json()[0]["service_request_id"]
    loop(request_id, "verify", "dispatch", "sign")
    loop(request_id, "reply", reply={"result": "已联系张三（13904271234）并更换井盖"})
    loop(request_id, "approve")
    bodies = []
    for fmt in ("json", "xml"):
        for url in (
            f"/open311/v2/requests.{fmt}",
            f"/open311/v2/requests/{request_id}.{fmt}",
            f"/open311/v2/servicerequestupdates.{fmt}",
        ):
            response = client.get(url)
            assert response.status_code == 200
            bodies.append(response.content.decode())
    text = "\n".join(bodies)
    for secret in ("张三", "13904271234", "zhang@example.com", "13800138000", "wang@example.org"):
        assert secret not in text, secret
    assert "dev-1" not in text and "acc-1" not in text
    assert "501室" not in text  # the address is masked like the public follow page
    assert re.search(r"张\*", text)  # the reporter's name masked where it was typed


def test_coordinates_are_rounded_in_public_answers(client, report):
    request_id = report(lat="41.1050123", long="122.0262456").json()[0]["service_request_id"]
    data = get_one(client, request_id)
    assert (data["lat"], data["long"]) == (41.105, 122.0262)


@pytest.mark.django_db
def test_cases_from_other_sources_are_public_requests_too(client, api_as, services, in_grid):
    import json

    response = api_as("resident").post(
        "/api/v1/cases",
        json.dumps(
            {
                "description": "路口井盖缺失",
                "lat": float(in_grid["lat"]),
                "lng": float(in_grid["long"]),
                "category": "DL91",
                "attributes": {"cover_state": "broken"},
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = client.get("/open311/v2/requests.json").json()
    assert [r["service_code"] for r in data] == ["DL91"]
    assert "李秀兰" not in json.dumps(data, ensure_ascii=False)


def test_a_description_of_4000_characters_is_accepted_and_answered_whole(client, report):
    from civicloop.cases.models import Case

    text = "井盖缺失" * 1000
    request_id = report(description=text, expect=200).json()[0]["service_request_id"]
    assert get_one(client, request_id)["description"] == text
    case = Case.objects.get(pk=request_id)
    assert len(case.description) <= 2000
    assert case.description.endswith("（全文见 Open311 提交记录）")
