import json

import pytest

pytestmark = pytest.mark.django_db

DEMO_USERS = [
    "resident",
    "grid",
    "grid2",
    "community",
    "community2",
    "dispatcher",
    "department",
    "department2",
    "member",
    "secretary",
    "publicity",
    "leader",
    "admin",
    "member01",
    "member20",
]


def post_json(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_demo_account_gets_a_token_and_sees_its_roles(api_as, username, client):
    response = post_json(
        client, "/api/v1/auth/token", {"username": username, "password": "civicloop-demo"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == username
    assert body["roles"], "every demo account holds at least one role"
    for role in body["roles"]:
        assert role["scope_type"] in {
            "district",
            "street",
            "community",
            "grid",
            "department",
            "party_org",
        }
        assert role["scope_name"]


def test_me_names_the_scope_of_a_grid_worker(api_as):
    body = api_as("grid").get("/api/v1/me").json()
    assert body["roles"] == [
        {
            "role": "grid_worker",
            "role_name": "网格员",
            "scope_type": "grid",
            "scope_id": body["roles"][0]["scope_id"],
            "scope_name": "胜利社区第1网格",
        }
    ]


def test_wrong_password_is_a_json_401(foundation, client):
    response = post_json(client, "/api/v1/auth/token", {"username": "grid", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_repeated_failures_lock_the_account_out_with_429(foundation, client, settings):
    settings.CIVICLOOP_LOGIN_ATTEMPTS = 3
    for _ in range(3):
        assert (
            post_json(
                client, "/api/v1/auth/token", {"username": "grid", "password": "x"}
            ).status_code
            == 401
        )
    locked = post_json(
        client, "/api/v1/auth/token", {"username": "grid", "password": "civicloop-demo"}
    )
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"
    assert int(locked["Retry-After"]) > 0


def test_web_login_is_throttled_too(foundation, client, settings):
    settings.CIVICLOOP_LOGIN_ATTEMPTS = 2
    for _ in range(2):
        client.post("/login/", {"username": "community", "password": "bad"})
    response = client.post("/login/", {"username": "community", "password": "civicloop-demo"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_a_revoked_token_no_longer_works(api_as, client):
    token = post_json(
        client, "/api/v1/auth/token", {"username": "leader", "password": "civicloop-demo"}
    ).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.post("/api/v1/auth/revoke", **auth).status_code == 204
    response = client.get("/api/v1/me", **auth)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_an_expired_token_is_refused(user_named, client):
    from datetime import timedelta

    from django.utils import timezone

    from civicloop.core.models import ApiToken

    token, raw = ApiToken.issue(user_named("leader"))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def _me(client, raw):
    return client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_known_token_needs_no_query_and_a_revocation_reaches_it(user_named, client):
    """The second call of a token is answered from the process's memory; revoking the token
    (as the admin's bulk action does) makes the very next call fail."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civicloop.core.models import ApiToken

    token, raw = ApiToken.issue(user_named("leader"))
    assert _me(client, raw).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert _me(client, raw).status_code == 200
    assert not [q for q in queries.captured_queries if "core_apitoken" in q["sql"]]
    assert ApiToken.objects.filter(pk=token.pk).revoke() == 1
    assert _me(client, raw).status_code == 401


def test_a_deactivated_user_loses_a_known_token(user_named, client):
    from civicloop.core.models import ApiToken

    user = user_named("leader")
    _token, raw = ApiToken.issue(user)
    assert _me(client, raw).status_code == 200
    user.is_active = False
    user.save()
    assert _me(client, raw).status_code == 401


def test_a_profile_change_reaches_a_known_token_at_once(user_named, client):
    """The user a known token carries is dropped when the profile changes, not served stale."""
    from civicloop.core.models import ApiToken

    user = user_named("leader")
    _token, raw = ApiToken.issue(user)
    assert _me(client, raw).json()["name"] != "新名字"
    user.profile.real_name = "新名字"
    user.profile.save()
    assert _me(client, raw).json()["name"] == "新名字"


def test_a_known_token_expires_on_time(user_named, client):
    from datetime import timedelta

    from django.utils import timezone

    from civicloop.core.models import ApiToken

    token, raw = ApiToken.issue(user_named("leader"))
    token.expires_at = timezone.now() + timedelta(seconds=60)
    token.save()
    assert _me(client, raw).status_code == 200
    later = timezone.now() + timedelta(seconds=61)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        assert _me(client, raw).status_code == 401


def test_a_known_token_still_records_its_use_once_a_minute(user_named):
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    from civicloop.core.models import ApiToken

    token, raw = ApiToken.issue(user_named("leader"))
    assert ApiToken.authenticate(raw) is not None
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    assert ApiToken.authenticate(raw) is not None
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    later = timezone.now() + timedelta(minutes=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert ApiToken.authenticate(raw) is not None
    assert ApiToken.objects.get(pk=token.pk).last_used_at == later


def test_each_call_gets_its_own_copy_of_the_user(user_named):
    """What one request attaches to its user (cached role assignments, say) never reaches the
    next request holding the same token."""
    from civicloop.core.models import ApiToken

    _token, raw = ApiToken.issue(user_named("leader"))
    first = ApiToken.authenticate(raw)
    first.first_name = "改过"
    first._civicloop_assignments = []
    second = ApiToken.authenticate(raw)
    assert second is not first
    assert second.first_name != "改过"
    assert not hasattr(second, "_civicloop_assignments")
    assert second.profile.user_id == second.pk


def test_tokens_are_stored_hashed(user_named):
    from civicloop.core.models import ApiToken

    token, raw = ApiToken.issue(user_named("leader"))
    assert raw not in token.key_hash
    assert ApiToken.objects.filter(key_hash=raw).count() == 0


def test_anonymous_me_is_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert set(response.json()["error"]) >= {"code", "message"}


def test_login_page_is_chinese_and_signs_in(foundation, client):
    page = client.get("/login/")
    assert '<html lang="zh-hans">' in page.content.decode()
    response = client.post("/login/", {"username": "dispatcher", "password": "civicloop-demo"})
    assert response.status_code == 302
    home = client.get("/")
    assert "陈晓峰" in home.content.decode()


def test_login_refuses_an_offsite_next_url(foundation, client):
    response = client.post(
        "/login/",
        {"username": "dispatcher", "password": "civicloop-demo", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_logout_needs_post(web_as):
    client = web_as("leader")
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_session_api_writes_need_csrf(foundation):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="leader"))
    response = client.post("/api/v1/notifications/read")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"


def test_any_username_is_throttled_without_cache_key_warnings(
    foundation, client, settings, recwarn
):
    settings.CIVICLOOP_LOGIN_ATTEMPTS = 2
    odd = "网格 员\u200b" * 5
    for _ in range(2):
        assert (
            post_json(client, "/api/v1/auth/token", {"username": odd, "password": "x"}).status_code
            == 401
        )
    assert (
        post_json(client, "/api/v1/auth/token", {"username": odd, "password": "x"}).status_code
        == 429
    )
    assert not [w for w in recwarn if "CacheKeyWarning" in type(w.message).__name__]


def test_home_shows_each_role_what_waits_for_it(web_as, foundation):
    from civicloop.cases.demo import load as load_cases

    load_cases(**foundation)
    dispatcher = web_as("dispatcher").get("/").content.decode()
    assert "待派遣" in dispatcher
    assert "?tab=dispatch" in dispatcher
    department = web_as("department").get("/").content.decode()
    assert "?tab=sign" in department or "?tab=handling" in department
    assert "?tab=dispatch" not in department
