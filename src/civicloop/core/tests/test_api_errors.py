import json

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_document_is_valid(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert "/api/v1/auth/token" in spec["paths"]


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_wrong_method_is_json_405(client):
    response = client.delete("/api/v1/grids")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_missing_fields_are_422_with_details(client):
    response = client.post(
        "/api/v1/auth/token", json.dumps({"username": "x"}), content_type="application/json"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert any("password" in d["loc"] for d in error["details"])


def test_a_body_over_the_limit_is_413(client, settings):
    settings.CIVICLOOP_MAX_REQUEST_BYTES = 1000
    response = client.post("/api/v1/auth/token", "x" * 2000, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_an_unexpected_failure_is_a_json_500_without_a_trace(client, monkeypatch):
    from civicloop.core import api as core_api

    def boom(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(core_api, "_grids", boom)
    response = client.get("/api/v1/grids")
    assert response.status_code == 500
    assert "secret detail" not in response.content.decode()
    assert response.json()["error"]["code"] == "server_error"


def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_pages_carry_security_headers(client):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/api/v1/regions?level=%00", None, None),
        ("/api/v1/auth/token", '{"username": "a\\u0000b", "password": "x"}', "application/json"),
        ("/api/v1/auth/token", "username=a%00b&password=x", "application/x-www-form-urlencoded"),
    ],
)
def test_a_nul_character_anywhere_is_a_400_not_a_database_error(client, path, body, content_type):
    if body is None:
        response = client.get(path)
    else:
        response = client.post(path, body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "nul_character"


def test_an_unknown_region_level_is_422(client):
    response = client.get("/api/v1/regions?level=planet")
    assert response.status_code == 422
