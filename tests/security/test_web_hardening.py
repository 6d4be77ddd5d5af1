"""Web hardening over every page: forms carry a CSRF token and refuse a POST without one,
pages carry the security headers and no inline script, production cookies are secure,
passwords must be strong, sessions end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.security.test_scope_matrix import ADMIN, LOGIN, PUBLIC, WEB, _samples, kinds

pytestmark = pytest.mark.django_db


class _Forms(HTMLParser):
    """The POST forms of a page (action, whether they carry csrfmiddlewaretoken) and its
    inline scripts."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.inline_scripts: list[str] = []
        self._in_form = None
        self._script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "csrf": False,
            }
            self.forms.append(self._in_form)
        elif tag == "input" and self._in_form is not None:
            if attrs.get("name") == "csrfmiddlewaretoken" and attrs.get("value"):
                self._in_form["csrf"] = True
        elif tag == "script":
            kind = (attrs.get("type") or "").lower()
            if "src" not in attrs and kind not in ("application/json", "application/ld+json"):
                self._script = ""
            for name in attrs:
                if name.startswith("on"):
                    self.inline_scripts.append(f"<script {name}=…>")
        elif any(name.startswith("on") for name in attrs):
            self.inline_scripts.append(f"<{tag} {[n for n in attrs if n.startswith('on')]}>")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = None
        elif tag == "script" and self._script is not None:
            if self._script.strip():
                self.inline_scripts.append(self._script.strip()[:80])
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script += data


def _pages_as(world, username):
    """(url, response) for every page this user can open: plain pages and, for pages naming an
    object, one object in the user's scope."""
    user = get_user_model().objects.get(username=username) if username else None
    client = Client()
    if user is not None:
        client.force_login(user)
    all_kinds = kinds()
    for name, entry in sorted(WEB.items()):
        if entry.access == ADMIN:
            continue
        if entry.access in (PUBLIC, LOGIN):
            urls = [reverse(name, kwargs=entry.extra or None)]
        else:
            inside, _outside = _samples(all_kinds[entry.access], user)
            urls = [reverse(name, kwargs={**kw, **entry.extra}) for kw in inside]
        for url in urls:
            response = client.get(url)
            if response.status_code == 200 and response.get("Content-Type", "").startswith(
                "text/html"
            ):
                yield url, response


HTML_ROLES = (None, "resident", "grid", "community", "dispatcher", "department", "member")


@pytest.mark.parametrize("username", HTML_ROLES, ids=lambda u: u or "anonymous")
def test_every_form_carries_a_csrf_token_and_a_post_without_it_is_refused(world, username):
    problems = []
    actions = {}
    pages = 0
    for url, response in _pages_as(world, username):
        pages += 1
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            if form["method"] != "post":
                continue
            if not form["csrf"]:
                problems.append(f"{url}: a POST form without csrfmiddlewaretoken")
            target = urljoin(url, form["action"] or url)
            if urlsplit(target).netloc in ("", "testserver"):
                actions.setdefault(urlsplit(target).path, url)
    assert pages, "no page rendered"
    strict = Client(enforce_csrf_checks=True)
    if username:
        strict.force_login(get_user_model().objects.get(username=username))
    for action, page in sorted(actions.items()):
        response = strict.post(action, {"anything": "1"})
        if response.status_code != 403:
            problems.append(f"POST {action} (form on {page}) without CSRF → {response.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("username", HTML_ROLES, ids=lambda u: u or "anonymous")
def test_every_page_has_the_security_headers_and_no_inline_script(world, username):
    problems = []
    for url, response in _pages_as(world, username):
        csp = response.get("Content-Security-Policy", "")
        script_src = re.search(r"script-src ([^;]*)", csp)
        if not script_src or "'unsafe-inline'" in script_src.group(1):
            problems.append(f"{url}: CSP script-src missing or allows inline: {csp!r}")
        if "frame-ancestors 'none'" not in csp and response.get("X-Frame-Options") != "DENY":
            problems.append(f"{url}: may be framed")
        if response.get("X-Content-Type-Options") != "nosniff":
            problems.append(f"{url}: no X-Content-Type-Options: nosniff")
        if not response.get("Referrer-Policy"):
            problems.append(f"{url}: no Referrer-Policy")
        parser = _Forms()
        parser.feed(response.content.decode())
        for script in parser.inline_scripts:
            problems.append(f"{url}: inline script the CSP blocks: {script}")
    assert not problems, "\n".join(problems)


def _production_settings(**extra) -> dict:
    env = {
        **os.environ,
        "SECURE": "1",
        "SECRET_KEY": "x" * 60 + "production-like-secret-key-for-the-test",
        "DEBUG": "0",
        **extra,
    }
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ("
        "'SESSION_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','SESSION_COOKIE_SAMESITE',"
        "'CSRF_COOKIE_SECURE','SECURE_HSTS_SECONDS','SECURE_SSL_REDIRECT',"
        "'SESSION_COOKIE_AGE','SECURE_CONTENT_TYPE_NOSNIFF','X_FRAME_OPTIONS')}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "civicloop.settings"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_httponly_and_samesite(tmp_path):
    prod = _production_settings(CIVICLOOP_VAR=str(tmp_path))
    assert prod["SESSION_COOKIE_SECURE"] is True
    assert prod["CSRF_COOKIE_SECURE"] is True
    assert prod["SESSION_COOKIE_HTTPONLY"] is True
    assert prod["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert prod["SECURE_HSTS_SECONDS"] >= 31536000
    assert prod["SECURE_SSL_REDIRECT"] is True
    assert prod["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert prod["X_FRAME_OPTIONS"] == "DENY"
    assert 0 < prod["SESSION_COOKIE_AGE"] <= 12 * 3600


def test_hsts_is_sent_over_tls_in_production(settings, client, db):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = False
    response = client.get("/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize(
    "password",
    ["short1", "1234567890123", "password123", "civicloop-demo", "wangjianguo1"],
)
def test_weak_passwords_are_refused(foundation, password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = get_user_model()(username="wangjianguo", first_name="wangjianguo")
    if password == "civicloop-demo":
        user = get_user_model()(username="civicloop-demo")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_strong_password_is_accepted(foundation):
    from django.contrib.auth.password_validation import validate_password

    validate_password("渤海湾-路灯-2026-秋", get_user_model()(username="resident2"))


def test_the_login_cookie_ends_with_the_session_age_and_logout_ends_it(foundation, settings):
    client = Client()
    response = client.post(reverse("login"), {"username": "grid", "password": "civicloop-demo"})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert 0 < int(cookie["max-age"]) <= settings.SESSION_COOKIE_AGE
    assert client.get(reverse("cases:queue")).status_code == 200
    client.post(reverse("logout"))
    after = client.get(reverse("cases:queue"))
    assert after.status_code == 302 and "/login/" in after["Location"]


def test_an_idle_session_ends(foundation, settings):
    from datetime import timedelta

    from django.utils import timezone

    client = Client()
    client.post(reverse("login"), {"username": "grid", "password": "civicloop-demo"})
    assert client.get(reverse("cases:queue")).status_code == 200
    session = client.session
    from civicloop.core.middleware import idle_seconds

    idle = idle_seconds()
    session["civicloop_seen"] = (timezone.now() - timedelta(seconds=idle + 60)).timestamp()
    session.save()
    after = client.get(reverse("cases:queue"))
    assert after.status_code == 302 and "/login/" in after["Location"]
    # A session in use stays: the last activity moves with each request.
    client.post(reverse("login"), {"username": "grid", "password": "civicloop-demo"})
    session = client.session
    session["civicloop_seen"] = (timezone.now() - timedelta(seconds=idle - 120)).timestamp()
    session.save()
    assert client.get(reverse("cases:queue")).status_code == 200
    assert client.session["civicloop_seen"] > timezone.now().timestamp() - 60


def test_an_expired_session_is_not_accepted(foundation, settings):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = Client()
    client.force_login(get_user_model().objects.get(username="grid"))
    Session.objects.update(expire_date=timezone.now())
    response = client.get(reverse("cases:queue"))
    assert response.status_code == 302 and "/login/" in response["Location"]
