"""Rate limits: anonymous reports (API and web form) and Open311 POSTs answer 429 with
Retry-After once the configured limit is used up — per IP address and per API key."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories(foundation):
    from civicloop.cases.demo import load_categories

    return load_categories(foundation["departments"])


def _report(n: int) -> dict:
    return {"description": f"第{n}次反映：小区门口路灯不亮", "lat": 41.1005, "lng": 122.0205}


def test_anonymous_api_reports_are_limited_per_ip_with_retry_after(categories, settings):
    settings.CIVICLOOP_ANON_REPORTS_PER_HOUR = 3
    here, elsewhere = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    for n in range(3):
        response = here.post("/api/v1/cases", _report(n), content_type="application/json")
        assert response.status_code == 201, response.content
    refused = here.post("/api/v1/cases", _report(9), content_type="application/json")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"]
    assert 0 < int(refused["Retry-After"]) <= 3600
    # Another address has its own budget; a signed-in resident is not counted as anonymous.
    other = elsewhere.post("/api/v1/cases", _report(10), content_type="application/json")
    assert other.status_code == 201


def test_a_retried_report_with_its_key_is_not_counted_again(categories, settings):
    settings.CIVICLOOP_ANON_REPORTS_PER_HOUR = 1
    client = Client(REMOTE_ADDR="10.0.0.3")
    first = client.post(
        "/api/v1/cases", _report(1), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        "/api/v1/cases", _report(1), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == 201
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]


def test_anonymous_web_reports_are_limited_with_429_and_retry_after(categories, settings):
    settings.CIVICLOOP_ANON_REPORTS_PER_HOUR = 2
    client = Client(REMOTE_ADDR="10.0.0.4")
    for n in range(2):
        response = client.post("/cases/report/", {**_report(n), "form_token": f"t{n}"})
        assert response.status_code == 302, response.content[:300]
    refused = client.post("/cases/report/", {**_report(5), "form_token": "t5"})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "分钟后再试" in refused.content.decode()


@pytest.fixture
def open311_key(categories):
    from civicloop.open311.models import ApiKey

    _key, raw = ApiKey.issue("压力测试平台")
    return raw


def _open311_post(client, key: str, n: int):
    from civicloop.cases.models import Category

    code = next(
        c.code
        for c in Category.objects.filter(parent__isnull=False).order_by("code")
        if not any(spec.get("required") for spec in c.attributes or [])
    )
    data = {
        "api_key": key,
        "service_code": code,
        "lat": "41.1005",
        "long": "122.0205",
        "description": f"第{n}次：路灯不亮",
        "jurisdiction_id": "",
    }
    return client.post("/open311/v2/requests.json", data)


def test_open311_posts_are_limited_per_ip(open311_key, settings):
    settings.CIVICLOOP_OPEN311_POSTS_PER_IP = 2
    client = Client(REMOTE_ADDR="10.0.1.1")
    statuses = [_open311_post(client, open311_key, n).status_code for n in range(2)]
    assert all(status < 400 for status in statuses), statuses
    refused = _open311_post(client, open311_key, 3)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert _open311_post(Client(REMOTE_ADDR="10.0.1.2"), open311_key, 4).status_code < 400


def test_open311_posts_are_limited_per_key_across_addresses(open311_key, settings):
    settings.CIVICLOOP_OPEN311_POSTS_PER_KEY = 2
    for n in range(2):
        response = _open311_post(Client(REMOTE_ADDR=f"10.0.2.{n + 1}"), open311_key, n)
        assert response.status_code < 400, response.content[:300]
    refused = _open311_post(Client(REMOTE_ADDR="10.0.2.9"), open311_key, 9)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


@pytest.mark.parametrize("backend", ["locmem", "redis"])
def test_counts_are_exact_under_concurrency_in_each_cache_backend(settings, backend):
    """Many processes share the counter: 40 hits from 8 threads at a limit of 25 let exactly 25
    through, in the test cache and in Redis (one pipelined round trip per hit)."""
    import threading
    import uuid

    from django.core.cache import caches

    from civicloop.core import throttle
    from conftest import skip_or_fail

    if backend == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:6379/14",
            }
        }
        try:
            caches["default"].get("ping")
        except Exception as exc:  # any connection failure means no Redis here
            skip_or_fail(f"Redis is not reachable on 127.0.0.1:6379: {exc}")
    ident = uuid.uuid4().hex
    allowed, refused = [], []

    def worker():
        for _ in range(5):
            try:
                throttle.hit("test-concurrency", ident, limit=25, window=3600)
                allowed.append(1)
            except throttle.RateLimited as exc:
                refused.append(exc.retry_after)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(allowed), len(refused)) == (25, 15)
    assert all(0 < seconds <= 3600 for seconds in refused)
    with pytest.raises(throttle.RateLimited):
        throttle.check("test-concurrency", ident, limit=25, window=3600)
    throttle.reset("test-concurrency", ident, window=3600)
    throttle.check("test-concurrency", ident, limit=25, window=3600)
    caches["default"].close()
