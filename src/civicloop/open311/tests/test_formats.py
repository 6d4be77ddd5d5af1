"""Every endpoint in both formats has the structure of the specification's own examples:
the same element names and keys, JSON lists as top-level arrays, XML with the UTF-8
declaration, the right content types and W3C dates with a time zone."""

from __future__ import annotations

import json
import re

import pytest

from . import spec_examples as spec

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")


def check_xml(response, example: str) -> set[str]:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(DECLARATION)
    ours = spec.xml_paths(response.content)
    assert ours == spec.xml_paths(example)
    return ours


def check_json(response, example: str):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    assert spec.json_paths(data) == spec.json_paths(example)
    assert type(data) is type(json.loads(example))
    return data


@pytest.mark.django_db
def test_discovery_matches_the_spec_in_both_formats(client, services):
    check_xml(client.get("/open311/v2/discovery.xml"), spec.DISCOVERY_XML)
    data = check_json(client.get("/open311/v2/discovery.json"), spec.DISCOVERY_JSON)
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://127.0.0.1:8000/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert W3C.match(data["changeset"])
    assert "open311-key" in data["key_service"]


@pytest.mark.django_db
def test_discovery_changeset_moves_when_a_service_changes(client, services):
    before = client.get("/open311/v2/discovery.json").json()["changeset"]
    from civicloop.open311.models import Catalogue

    Catalogue.objects.filter(pk=1).update(changed_at="2020-01-01T00:00:00Z")
    assert client.get("/open311/v2/discovery.json").json()["changeset"] < before
    services["road"].name = "道路坑洼"
    services["road"].save()
    assert client.get("/open311/v2/discovery.json").json()["changeset"] >= before


def test_services_list_matches_the_spec_in_both_formats(client, services):
    check_xml(client.get("/open311/v2/services.xml"), spec.SERVICES_XML)
    data = check_json(client.get("/open311/v2/services.json"), spec.SERVICES_JSON)
    by_code = {s["service_code"]: s for s in data}
    assert set(by_code) == {"DL91", "DL92"}  # the 大类 is a group and DL93 is inactive
    cover = by_code["DL91"]
    assert cover == {
        "service_code": "DL91",
        "service_name": "井盖破损",
        "description": "井盖缺失、破损、松动",
        "metadata": True,
        "type": "realtime",
        "keywords": "井盖, 窨井",
        "group": "道路交通",
    }
    assert by_code["DL92"]["metadata"] is False


def test_services_xml_writes_booleans_as_the_spec_does(client, services):
    body = client.get("/open311/v2/services.xml").content.decode()
    assert "<metadata>true</metadata>" in body
    assert "<metadata>false</metadata>" in body
    assert "<type>realtime</type>" in body


def test_service_definition_matches_the_spec_in_both_formats(client, services):
    check_xml(client.get("/open311/v2/services/DL91.xml"), spec.SERVICE_DEFINITION_XML)
    data = check_json(client.get("/open311/v2/services/DL91.json"), spec.SERVICE_DEFINITION_JSON)
    assert data["service_code"] == "DL91"
    attributes = data["attributes"]
    assert [a["order"] for a in attributes] == [1, 2, 3, 4, 5, 6, 7]
    assert [a["datatype"] for a in attributes] == [
        "singlevaluelist",
        "multivaluelist",
        "number",
        "datetime",
        "string",
        "text",
        "string",
    ]
    first = attributes[0]
    assert first["variable"] is True and first["required"] is True
    assert first["values"] == [
        {"key": "missing", "name": "缺失"},
        {"key": "broken", "name": "破损"},
    ]
    assert first["datatype_description"] is None
    assert attributes[-1]["variable"] is False


def test_service_definition_xml_nests_values_as_the_spec_does(client, services):
    paths = spec.xml_paths(client.get("/open311/v2/services/DL91.xml").content)
    assert "service_definition/attributes/attribute/values/value/key" in paths
    assert "service_definition/attributes/attribute/values/value/name" in paths


def test_post_answer_matches_the_spec_in_both_formats(report):
    check_xml(report("xml", expect=200), spec.POST_XML)
    data = check_json(report("json", expect=200), spec.POST_JSON)
    assert len(data) == 1
    assert isinstance(data[0]["service_request_id"], int)
    assert "8 个工作小时" in data[0]["service_notice"]
    assert data[0]["account_id"] is None
    assert "token" not in data[0]  # realtime: the spec says not both


def test_post_answer_returns_the_account_id_it_was_given(report):
    data = report(account_id="u-778").json()
    assert data[0]["account_id"] == "u-778"


def test_token_answer_matches_the_spec_in_both_formats(client, report):
    from civicloop.open311.models import Submission

    request_id = report().json()[0]["service_request_id"]
    token = Submission.objects.get(case_id=request_id).token
    check_xml(client.get(f"/open311/v2/tokens/{token}.xml"), spec.TOKEN_XML)
    data = check_json(client.get(f"/open311/v2/tokens/{token}.json"), spec.TOKEN_JSON)
    assert data == [{"service_request_id": request_id, "token": token}]


def test_requests_list_matches_the_spec_in_both_formats(client, report):
    report(**{"attribute[cover_state]": "broken", "address_id": "545483"})
    check_xml(client.get("/open311/v2/requests.xml"), spec.REQUESTS_XML)
    data = check_json(client.get("/open311/v2/requests.json"), spec.REQUESTS_JSON)
    request = data[0]
    assert request["status"] == "open"
    assert request["service_code"] == "DL91"
    assert request["service_name"] == "井盖破损"
    assert request["address_id"] == "545483"
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(request[name]), (name, request[name])
    assert request["requested_datetime"].endswith("+08:00")
    assert isinstance(request["lat"], float) and isinstance(request["long"], float)


def test_single_request_is_a_one_element_array_in_both_formats(client, report):
    request_id = report().json()[0]["service_request_id"]
    xml = client.get(f"/open311/v2/requests/{request_id}.xml")
    check_xml(xml, spec.REQUESTS_XML)
    assert xml.content.count(b"<request>") == 1
    data = check_json(client.get(f"/open311/v2/requests/{request_id}.json"), spec.REQUESTS_JSON)
    assert len(data) == 1 and data[0]["service_request_id"] == request_id


def test_errors_match_the_spec_in_both_formats(client, services):
    xml = client.post("/open311/v2/requests.xml", {"service_code": "DL91"})
    assert xml.status_code == 403
    check_xml(xml, spec.ERRORS_XML)
    data = check_json(
        client.post("/open311/v2/requests.json", {"service_code": "DL91"}), spec.ERRORS_JSON
    )
    assert data[0]["code"] == 403


def test_updates_match_fixmystreet_in_both_formats(client, report, loop):
    request_id = report().json()[0]["service_request_id"]
    loop(request_id, "verify")
    check_xml(client.get("/open311/v2/servicerequestupdates.xml"), spec.UPDATES_XML)
    data = check_json(client.get("/open311/v2/servicerequestupdates.json"), spec.UPDATES_JSON)
    assert data[0]["service_request_id"] == request_id
    assert W3C.match(data[0]["updated_datetime"])


def test_batch_services_answer_a_token_and_the_token_gives_the_id(client, report, settings):
    settings.CIVICLOOP_OPEN311_SERVICE_TYPE = "batch"
    assert all(s["type"] == "batch" for s in client.get("/open311/v2/services.json").json())
    answer = report().json()
    assert set(answer[0]) == {"token", "service_notice", "account_id"}
    token = answer[0]["token"]
    found = client.get(f"/open311/v2/tokens/{token}.json").json()
    assert found[0]["token"] == token
    assert isinstance(found[0]["service_request_id"], int)


def test_text_a_client_sent_with_control_characters_still_gives_valid_xml(client, report):
    report(description="井盖\x0b缺失\x01了，请处理", expect=200)
    response = client.get("/open311/v2/requests.xml")
    assert b"\x0b" not in response.content
    spec.xml_paths(response.content)  # parses


def test_unknown_resources_under_v2_answer_an_error_array(client, db):
    response = client.get("/open311/v2/nothing.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404
    assert client.get("/open311/v2/nothing.xml").content.startswith(DECLARATION)


def test_the_interface_page_shows_the_base_url_how_to_get_a_key_and_the_services(client, services):
    response = client.get("/open311/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "http://127.0.0.1:8000/open311/v2/" in text
    assert "civicloop open311-key" in text
    assert "DL91" in text and "井盖破损" in text
    assert "DL93" not in text  # inactive
