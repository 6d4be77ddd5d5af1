"""Every way a request can be wrong answers the spec's error array in the requested format:
403 for a missing or bad api_key, 404 for an unknown service, request, token or jurisdiction,
400 for everything else, 429 (with Retry-After) for too many POSTs."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def codes(response) -> list:
    return [e["code"] for e in response.json()]


def descriptions(response) -> str:
    return " ".join(e["description"] for e in response.json())


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_without_an_api_key_is_refused_with_403(report, fmt):
    response = report(fmt, api_key=None)
    assert response.status_code == 403
    if fmt == "xml":
        assert b"<errors><error><code>403</code><description>" in response.content
    else:
        assert codes(response) == [403]


def test_post_with_a_wrong_api_key_is_refused_with_403(report):
    response = report(api_key="o311_not-a-key")
    assert response.status_code == 403
    assert "api_key" in descriptions(response)


def test_post_with_a_revoked_api_key_is_refused_with_403(report, api_key):
    api_key.revoke()
    assert report(api_key=api_key.raw).status_code == 403


def test_api_key_in_the_query_string_is_accepted(client, report, api_key):
    response = client.post(
        f"/open311/v2/requests.json?api_key={api_key.raw}",
        {"service_code": "DL92", "address_string": "兴隆台大街88号", "description": "路面塌陷"},
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"service_code": "NOPE"}, 404, "service_code"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "DL93"}, 404, "service_code"),  # inactive
        ({"lat": None, "long": None}, 400, "位置"),
        ({"long": None}, 400, "lat 和 long"),
        ({"lat": "north"}, 400, "lat"),
        ({"lat": "91"}, 400, "lat"),
        ({"long": "-180.5"}, 400, "long"),
        ({"lat": "nan"}, 400, "lat"),
        ({"description": "长" * 4001}, 400, "4000"),
        ({"attribute[colour]": "red"}, 400, "colour"),
        ({"attribute[cover_state]": None}, 400, "cover_state"),
        ({"attribute[cover_state]": "stolen"}, 400, "cover_state"),
        ({"attribute[depth]": "deep"}, 400, "depth"),
        ({"attribute[seen_at]": "yesterday"}, 400, "seen_at"),
        ({"attribute[seen_at]": "2026-01-01T08:00:00"}, 400, "seen_at"),  # no time zone
        ({"attribute[hazards][]": "fire"}, 400, "hazards"),
        ({"attribute[landmark]": "长" * 201}, 400, "landmark"),
        ({"email": "not-an-email"}, 400, "email"),
        ({"phone": "call me"}, 400, "phone"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"device_id": "x" * 101}, 400, "device_id"),
    ],
)
def test_a_bad_post_is_refused_with_the_right_status(report, fields, status, words):
    response = report(**fields)
    assert response.status_code == status, response.content.decode()
    assert codes(response)[0] == status
    assert words in descriptions(response)


def test_every_problem_of_a_post_is_listed_in_one_answer(report):
    response = report(**{"lat": "200", "attribute[cover_state]": None, "email": "x"})
    assert response.status_code == 400
    assert len(response.json()) == 3


def test_a_refused_post_files_no_case(report):
    from civicloop.cases.models import Case

    report(**{"attribute[cover_state]": "stolen"}, expect=400)
    report(api_key="o311_wrong", expect=403)
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_definition_is_404(client, services, fmt):
    response = client.get(f"/open311/v2/services/NOPE.{fmt}")
    assert response.status_code == 404
    assert b"404" in response.content


@pytest.mark.parametrize("request_id", ["999999", "abc", "1e3"])
def test_unknown_request_is_404(client, services, request_id):
    response = client.get(f"/open311/v2/requests/{request_id}.json")
    assert response.status_code == 404
    assert codes(response) == [404]


def test_unknown_token_is_404(client, services):
    response = client.get("/open311/v2/tokens/0123456789abcdef.xml")
    assert response.status_code == 404
    assert b"<code>404</code>" in response.content


@pytest.mark.parametrize(
    "query",
    [
        "start_date=yesterday",
        "end_date=2026-13-01T00:00:00Z",
        "start_date=2026-01-01T00:00:00",  # no time zone
        "start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z",  # 91 days
        "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",  # backwards
        "status=pending",
        "status=open,fixed",
        "service_request_id=1,two",
        "page=0",
        "page_size=1001",
        "page_size=ten",
        "page=" + "9" * 5000,
        "page=%C2%B2",  # a superscript two is a digit to str.isdigit, not to int()
        "service_request_id=%C2%B2",
        "service_code=DL%0091",
    ],
)
def test_a_bad_requests_query_is_400(client, services, query):
    response = client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 400, query
    assert codes(response) == [400]


def test_a_bad_updates_query_is_400(client, services):
    response = client.get(
        "/open311/v2/servicerequestupdates.xml?start_date=2026-01-01T00:00:00Z"
        "&end_date=2026-06-01T00:00:00Z"
    )
    assert response.status_code == 400
    assert b"<code>400</code>" in response.content


def test_a_wrong_jurisdiction_is_404_everywhere(client, report):
    for url in (
        "/open311/v2/services.json",
        "/open311/v2/services/DL91.json",
        "/open311/v2/requests.json",
        "/open311/v2/servicerequestupdates.json",
    ):
        response = client.get(url + "?jurisdiction_id=sfgov.org")
        assert response.status_code == 404, url
    assert report(jurisdiction_id="sfgov.org").status_code == 404


def test_the_configured_jurisdiction_is_accepted(client, report):
    assert (
        client.get(
            "/open311/v2/services.json?jurisdiction_id=xinglongtai.panjin.gov.cn"
        ).status_code
        == 200
    )
    assert report(jurisdiction_id="xinglongtai.panjin.gov.cn").status_code == 200


def test_a_missing_jurisdiction_is_400_when_several_are_served(client, report, settings):
    settings.CIVICLOOP_OPEN311_JURISDICTIONS = ["xinglongtai.panjin.gov.cn", "panjin.gov.cn"]
    response = client.get("/open311/v2/services.json")
    assert response.status_code == 400
    assert "jurisdiction_id" in descriptions(response)
    assert report().status_code == 400
    assert client.get("/open311/v2/services.json?jurisdiction_id=panjin.gov.cn").status_code == 200
    assert report(jurisdiction_id="panjin.gov.cn").status_code == 200


def test_a_wrong_method_is_405_with_an_error_array(client, services):
    response = client.delete("/open311/v2/services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert codes(response) == [405]


def test_too_many_posts_from_one_address_are_429_with_retry_after(report, settings):
    settings.CIVICLOOP_OPEN311_POSTS_PER_IP = 2
    report(expect=200)
    report(expect=200)
    response = report()
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert codes(response) == [429]


def test_too_many_posts_with_one_key_are_429(report, settings, client, api_key):
    settings.CIVICLOOP_OPEN311_POSTS_PER_KEY = 1
    report(expect=200)
    response = report("xml", environ={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 429
    assert "Retry-After" in response
    assert b"<code>429</code>" in response.content


def test_nul_characters_in_a_post_or_a_path_are_400(client, report):
    assert report(description="井盖\x00缺失").status_code == 400
    assert client.get("/open311/v2/tokens/ab%00cd.json").status_code == 400


def test_head_is_answered_like_get(client, services):
    assert client.head("/open311/v2/services.xml").status_code == 200


def test_too_many_reads_from_one_address_are_429(client, services, settings):
    settings.CIVICLOOP_OPEN311_GETS_PER_IP = 2
    client.get("/open311/v2/services.json")
    client.get("/open311/v2/services.json")
    assert client.get("/open311/v2/services.json").status_code == 429


@pytest.fixture
def settings_for_many_posts(settings):
    settings.CIVICLOOP_OPEN311_POSTS_PER_IP = 10_000
    settings.CIVICLOOP_OPEN311_POSTS_PER_KEY = 10_000


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(
        [
            "start_date",
            "end_date",
            "status",
            "service_code",
            "service_request_id",
            "page",
            "page_size",
            "jurisdiction_id",
        ]
    ),
    value=st.text(max_size=60),
)
def test_no_query_value_makes_the_server_fail(client, services, name, value):
    response = client.get("/open311/v2/requests.json", {name: value})
    assert response.status_code in (200, 400, 404), (name, value, response.content)
    response = client.get("/open311/v2/servicerequestupdates.xml", {name: value})
    assert response.status_code in (200, 400, 404)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "lat",
                "long",
                "address_string",
                "address_id",
                "description",
                "email",
                "phone",
                "media_url",
                "first_name",
                "attribute[cover_state]",
                "attribute[depth]",
                "attribute[seen_at]",
                "attribute[hazards][]",
                "attribute[x]",
            ]
        ),
        st.text(max_size=40),
        max_size=6,
    )
)
def test_no_post_form_makes_the_server_fail(report, fields, settings_for_many_posts):
    response = report(**fields)
    assert response.status_code in (200, 400), (fields, response.content)
