"""Scope: community staff act on their own community's wishes only; roles act only as theirs."""

import json

import pytest

from civicloop.wishes.models import State

from .factories import make_wish

pytestmark = pytest.mark.django_db


def act(client, wish_id, action, data):
    return client.post(
        f"/api/v1/wishes/{wish_id}/actions/{action}",
        json.dumps(data),
        content_type="application/json",
    )


STAFF_ACTIONS = [
    (State.SUBMITTED, "verify", {"note": "核实"}),
    (State.SUBMITTED, "decline", {"reason": "不符"}),
    (State.FULFILLED, "confirm", {"rating": 5}),
]


@pytest.mark.parametrize(("state", "action", "body"), STAFF_ACTIONS)
@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("community", True),
        ("admin", True),
        ("community2", False),
        ("grid", False),
        ("dispatcher", False),
        ("department", False),
        ("leader", False),
        ("member02", False),
        ("resident", False),
    ],
)
def test_staff_actions_on_a_shengli_wish(api_as, username, allowed, state, action, body):
    wish = make_wish(state, community="胜利社区")
    answer = act(api_as(username), wish.pk, action, body)
    if allowed:
        assert answer.status_code == 200, answer.content
    else:
        # A wish under review is invisible outside scope (404); a public one is forbidden (403).
        assert answer.status_code == (404 if state == State.SUBMITTED else 403), answer.content
        wish.refresh_from_db()
        assert wish.state == state


def test_community2_acts_on_lanse_kangqiao_wishes(api_as):
    wish = make_wish(State.SUBMITTED, community="蓝色康桥社区")
    assert act(api_as("community"), wish.pk, "verify", {"note": "x"}).status_code == 404
    assert act(api_as("community2"), wish.pk, "verify", {"note": "x"}).status_code == 200


def test_wishes_under_review_are_seen_only_in_scope(api_as, client):
    wish = make_wish(State.SUBMITTED, community="胜利社区")
    assert api_as("community").get(f"/api/v1/wishes/{wish.pk}").status_code == 200
    for name in ("community2", "member", "grid", "leader"):
        assert api_as(name).get(f"/api/v1/wishes/{wish.pk}").status_code == 404
    assert client.get(f"/api/v1/wishes/{wish.pk}").status_code == 404


def test_staff_page_lists_only_their_community(web_as):
    ours = make_wish(State.SUBMITTED, community="胜利社区")
    theirs = make_wish(State.SUBMITTED, community="蓝色康桥社区")
    page = web_as("community").get("/wishes/staff/").content.decode()
    assert ours.content in page and theirs.content not in page
    page2 = web_as("community2").get("/wishes/staff/").content.decode()
    assert theirs.content in page2 and ours.content not in page2
    assert web_as("member").get("/wishes/staff/").status_code == 403
    assert web_as("resident").get("/wishes/staff/").status_code == 403
    assert web_as(None).get("/wishes/staff/").status_code == 302


def test_staff_cannot_post_outside_their_community(api_as, foundation):
    body = {
        "content": "想要一个暖水袋",
        "category": "daily_necessities",
        "beneficiary_name": "张三丰",
        "beneficiary_phone": "13800001111",
        "beneficiary_address": "某小区",
        "value_cap": 30,
        "community_id": foundation["regions"]["蓝色康桥社区"].pk,
    }
    answer = api_as("community").post(
        "/api/v1/wishes", json.dumps(body), content_type="application/json"
    )
    assert answer.status_code == 403
    ok = api_as("community2").post(
        "/api/v1/wishes", json.dumps(body), content_type="application/json"
    )
    assert ok.status_code == 201


def test_stats_page_is_for_staff_and_leaders_in_scope(web_as):
    make_wish(State.CONFIRMED, community="胜利社区")
    make_wish(State.PUBLISHED, community="蓝色康桥社区")
    assert web_as("community").get("/wishes/stats/").context["figures"]["total"]["collected"] == 1
    assert web_as("leader").get("/wishes/stats/").context["figures"]["total"]["collected"] == 2
    assert web_as("member").get("/wishes/stats/").status_code == 403
