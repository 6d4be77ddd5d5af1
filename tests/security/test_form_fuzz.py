"""Hypothesis against the web forms and the Open311 parameters: whatever is typed or sent,
the answer is never a 500.

The forms are found, not listed: every POST form on every page each role can open, with the
names of its fields, gets random values (text, numbers, dates, unicode, empty, huge)."""

from __future__ import annotations

import os
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.test_scope_matrix import LOGIN, PUBLIC, WEB, _samples, kinds

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("CIVICLOOP_FORM_FUZZ_EXAMPLES", "4"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
VALUES = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789-.:TZ+ ", max_size=25),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "0", "-1", "on", "true", "2026-02-30", "1e309", "99999999999999999999"]),
    st.text(min_size=3000, max_size=3000, alphabet="路灯不亮a<>&\"'"),
)


class _FormFields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "fields": set(),
            }
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea") and self._form is not None:
            name = attrs.get("name")
            if name and name != "csrfmiddlewaretoken" and attrs.get("type") != "file":
                self._form["fields"].add(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _forms_for(username):
    user = get_user_model().objects.get(username=username) if username else None
    client = Client()
    if user is not None:
        client.force_login(user)
    all_kinds = kinds()
    found: dict[str, set[str]] = {}
    for name, entry in sorted(WEB.items()):
        if entry.access in (PUBLIC, LOGIN):
            urls = [reverse(name, kwargs=entry.extra or None)]
        else:
            inside, _outside = _samples(all_kinds[entry.access], user)
            urls = [reverse(name, kwargs={**kw, **entry.extra}) for kw in inside]
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = _FormFields()
            parser.feed(response.content.decode())
            for form in parser.forms:
                target = urlsplit(urljoin(url, form["action"] or url))
                if form["method"] == "post" and target.netloc in ("", "testserver"):
                    # Sign-out would end the session the rest of the run needs.
                    if target.path != reverse("logout"):
                        found.setdefault(target.path, set()).update(form["fields"])
    return client, found


@pytest.mark.parametrize(
    "username",
    [
        None,
        "resident",
        "grid",
        "community",
        "dispatcher",
        "department",
        "member",
        "secretary",
        "publicity",
    ],
    ids=lambda u: u or "anonymous",
)
def test_no_form_answers_a_500_to_anything_typed_into_it(world, username):
    client, forms = _forms_for(username)
    assert forms, "no form was found"
    tried = []

    def fuzz(action: str, names: list[str]) -> None:
        @SETTINGS
        @given(values=st.fixed_dictionaries(dict.fromkeys(names, VALUES)))
        def post(values):
            response = client.post(action, values)
            tried.append(action)
            assert response.status_code < 500, f"POST {action} {values!r} → {response.status_code}"

        post()

    for action, fields in sorted(forms.items()):
        fuzz(action, sorted(fields))
    assert len(tried) >= len(forms)


OPEN311_QUERY = st.fixed_dictionaries(
    {},
    optional={
        "start_date": VALUES,
        "end_date": VALUES,
        "status": st.sampled_from(["open", "closed", "open,closed", "", "x"]) | VALUES,
        "service_code": VALUES,
        "service_request_id": VALUES,
        "jurisdiction_id": VALUES,
        "lat": VALUES,
        "long": VALUES,
        "radius": VALUES,
        "page": VALUES,
        "page_size": VALUES,
        "extensions": VALUES,
    },
)


@SETTINGS
@given(params=OPEN311_QUERY, fmt=st.sampled_from(["json", "xml"]))
def _open311_get(client, params, fmt):
    for path in ("requests", "servicerequestupdates"):
        response = client.get(f"/open311/v2/{path}.{fmt}", params)
        assert response.status_code < 500, f"GET {path}.{fmt} {params!r} → {response.status_code}"


def test_open311_queries_never_answer_500(world, settings):
    settings.CIVICLOOP_OPEN311_GETS_PER_IP = 10**6
    _open311_get(Client())


def test_open311_posts_never_answer_500(world, settings):
    from civicloop.cases.models import Category
    from civicloop.open311.models import ApiKey

    settings.CIVICLOOP_OPEN311_POSTS_PER_IP = 10**6
    _key, raw = ApiKey.issue("模糊测试平台")
    codes = list(Category.objects.filter(parent__isnull=False).values_list("code", flat=True)[:5])
    attribute_names = [
        "attribute[cover_state]",
        "attribute[x]",
        "attribute[]",
        "attribute[[",
        "attribute",
    ]
    body = st.fixed_dictionaries(
        {"api_key": st.just(raw), "service_code": st.sampled_from(codes) | VALUES},
        optional={
            "lat": VALUES,
            "long": VALUES,
            "address_string": VALUES,
            "address_id": VALUES,
            "description": VALUES,
            "email": VALUES,
            "phone": VALUES,
            "first_name": VALUES,
            "last_name": VALUES,
            "media_url": VALUES,
            "jurisdiction_id": VALUES,
            "device_id": VALUES,
            **dict.fromkeys(attribute_names, VALUES),
        },
    )

    @SETTINGS
    @given(data=body, fmt=st.sampled_from(["json", "xml"]))
    def post(data, fmt):
        response = Client().post(f"/open311/v2/requests.{fmt}", data)
        assert response.status_code < 500, f"POST {data!r} → {response.status_code}"

    post()


def test_login_never_answers_500(world):
    @SETTINGS
    @given(username=VALUES, password=VALUES, next_url=VALUES)
    def attempt(username, password, next_url):
        response = Client().post(
            reverse("login") + "?next=" + quote(next_url[:50], safe=""),
            {"username": username, "password": password},
        )
        assert response.status_code in (200, 302, 400, 401, 429), response.status_code

    attempt()
