"""API keys: one per client application, issued from the command line or the admin (shown
once, stored hashed), counted on each use, revocable; the demo key is made once."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from civicloop.open311.models import ApiKey, hash_key


def run(*args) -> str:
    out = io.StringIO()
    call_command("open311-key", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_the_command_prints_a_new_key_that_is_stored_only_as_a_hash():
    raw = run("兴隆台区政务APP", "--contact", "王工 0427-1234567")
    key = ApiKey.objects.get(name="兴隆台区政务APP")
    assert raw.startswith("o311_") and len(raw) > 30
    assert key.key_hash == hash_key(raw) and raw not in key.key_hash
    assert key.prefix == raw[:12]
    assert key.contact == "王工 0427-1234567"


@pytest.mark.django_db
def test_the_command_refuses_a_second_key_with_the_same_name():
    run("某应用")
    with pytest.raises(CommandError):
        run("某应用")


@pytest.mark.django_db
def test_the_command_lists_keys_with_their_counts(report, api_key):
    report(expect=200)
    listing = run("--list")
    assert "盘锦市12345平台" in listing
    assert "requests=1" in listing and "reports=1" in listing
    assert api_key.raw not in listing


@pytest.mark.django_db
def test_the_command_revokes_a_key_by_key_or_prefix(report, api_key):
    assert "revoked" in run("--revoke", api_key.raw)
    assert report(api_key=api_key.raw).status_code == 403
    other = ApiKey.issue("另一个应用")[0]
    assert "revoked" in run("--revoke", other.prefix)
    other.refresh_from_db()
    assert not other.active
    assert "already" in run("--revoke", other.prefix)
    with pytest.raises(CommandError):
        run("--revoke", "o311_nothing")


@pytest.mark.django_db
def test_the_command_wants_exactly_one_thing_to_do():
    with pytest.raises(CommandError):
        run()
    with pytest.raises(CommandError):
        run("x", "--list")


def test_each_use_of_a_key_is_counted_and_its_reports_too(report, api_key, client):
    report(expect=200)
    report(expect=200)
    report(**{"attribute[cover_state]": "stolen"}, expect=400)  # a request, not a report
    client.get(f"/open311/v2/services.json?api_key={api_key.raw}")  # reads need no key
    api_key.refresh_from_db()
    assert api_key.request_count == 3
    assert api_key.report_count == 2
    assert api_key.last_used_at is not None


def test_a_revoked_key_stops_working_and_is_no_longer_counted(report, api_key):
    report(expect=200)
    assert api_key.revoke() is True
    assert api_key.revoke() is False
    report(expect=403)
    api_key.refresh_from_db()
    assert api_key.request_count == 1


def test_the_admin_issues_a_key_once_and_revokes_keys(web_as, services):
    admin = web_as("admin")
    response = admin.post(
        "/admin/open311/apikey/add/", {"name": "社区网格通", "contact": "", "note": ""}, follow=True
    )
    assert response.status_code == 200
    text = response.content.decode()
    key = ApiKey.objects.get(name="社区网格通")
    raw = text.split("只显示这一次，请立即交给接入单位）：")[1].split("<")[0].strip()
    assert hash_key(raw) == key.key_hash
    assert admin.get("/admin/open311/apikey/").status_code == 200
    response = admin.post(
        "/admin/open311/apikey/",
        {"action": "revoke_keys", "_selected_action": [key.pk]},
        follow=True,
    )
    assert response.status_code == 200
    key.refresh_from_db()
    assert not key.active
    assert admin.get(f"/admin/open311/apikey/{key.pk}/delete/").status_code == 403


def test_the_admin_lists_submissions_read_only(web_as, report):
    report(expect=200)
    admin = web_as("admin")
    assert admin.get("/admin/open311/submission/").status_code == 200
    assert admin.get("/admin/open311/submission/add/").status_code == 403


def test_the_demo_key_is_made_once_and_its_secret_printed_only_then(foundation):
    from civicloop.open311 import demo

    first = demo.load(foundation["regions"], foundation["departments"], foundation["orgs"])
    assert len(first) == 1 and "盘锦市12345平台" in first[0]
    raw = first[0].rsplit("：", 1)[1]
    assert ApiKey.objects.get(name="盘锦市12345平台").key_hash == hash_key(raw)
    again = demo.load(foundation["regions"], foundation["departments"], foundation["orgs"])
    assert again == []
    assert ApiKey.objects.count() == 1
