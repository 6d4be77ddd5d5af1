"""Reflections: members write, the branch secretary accepts or returns with a comment."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicloop.core.errors import ActionRefused
from civicloop.study import actions, workflow
from civicloop.study.models import Reflection

BODY = "学习了简史第一章，深刻体会到党的初心使命，要在社区服务中践行。" * 2

STATES = st.sampled_from([None, workflow.SUBMITTED, workflow.ACCEPTED, workflow.RETURNED])
ACTIONS = st.sampled_from([workflow.SUBMIT, workflow.ACCEPT, workflow.RETURN, workflow.RESUBMIT])


@settings(max_examples=50)
@given(STATES, ACTIONS)
def test_every_transition_is_in_the_table_and_accepted_is_final(state, action):
    after = workflow.next_state(state, action)
    assert (after is not None) == ((state, action) in workflow.TRANSITIONS)
    if state == workflow.ACCEPTED:
        assert after is None
    if after is not None:
        assert action in workflow.allowed_actions(state)


@pytest.mark.django_db
def test_a_member_submits_and_their_secretary_accepts(user_named, foundation):
    reflection = actions.submit_reflection(user_named("member04"), title="体会", body=BODY)
    assert reflection.org == foundation["orgs"]["胜利社区党委第一党支部"]
    assert reflection.state == "submitted"
    accepted = actions.review_reflection(user_named("secretary"), reflection.pk, "accept")
    assert accepted.state == "accepted" and accepted.reviewed_by == user_named("secretary")
    assert [e.action for e in accepted.events.all()] == ["submit", "accept"]
    with pytest.raises(ActionRefused):
        actions.review_reflection(user_named("secretary"), reflection.pk, "return", "再改改")


@pytest.mark.django_db
def test_a_return_needs_a_comment_and_the_author_can_resubmit(user_named):
    reflection = actions.submit_reflection(user_named("member04"), title="体会", body=BODY)
    with pytest.raises(ActionRefused, match="修改意见"):
        actions.review_reflection(user_named("secretary"), reflection.pk, "return", " ")
    returned = actions.review_reflection(
        user_named("secretary"), reflection.pk, "return", "请结合工作实际"
    )
    assert returned.state == "returned" and returned.review_comment == "请结合工作实际"
    with pytest.raises(ActionRefused):
        actions.resubmit_reflection(user_named("member09"), reflection.pk, title="x", body=BODY)
    again = actions.resubmit_reflection(
        user_named("member04"), reflection.pk, title="新", body=BODY
    )
    assert again.state == "submitted"


@pytest.mark.django_db
def test_a_member_cannot_accept_reflections(user_named, api_as):
    reflection = actions.submit_reflection(user_named("member04"), title="体会", body=BODY)
    with pytest.raises(ActionRefused) as refused:
        actions.review_reflection(user_named("member09"), reflection.pk, "accept")
    assert refused.value.status == 403
    # Through the API, a member of the same branch does not even see it.
    response = api_as("member09").post(
        f"/api/v1/study/reflections/{reflection.pk}/review",
        json.dumps({"action": "accept"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Reflection.objects.get().state == "submitted"


@pytest.mark.django_db
def test_a_secretary_cannot_review_another_branchs_reflection_nor_their_own(user_named, api_as):
    other = actions.submit_reflection(user_named("member"), title="城管", body=BODY)
    response = api_as("secretary").post(
        f"/api/v1/study/reflections/{other.pk}/review",
        json.dumps({"action": "accept"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    own = actions.submit_reflection(user_named("secretary"), title="自己", body=BODY)
    with pytest.raises(ActionRefused):
        actions.review_reflection(user_named("secretary"), own.pk, "accept")


@pytest.mark.django_db
def test_the_api_submits_lists_and_reviews_reflections(api_as):
    created = api_as("member04").post(
        "/api/v1/study/reflections",
        json.dumps({"title": "体会", "body": BODY}),
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    secretary = api_as("secretary")
    pending = secretary.get("/api/v1/study/reflections?state=submitted").json()
    assert [r["id"] for r in pending["items"]] == [pk]
    reviewed = secretary.post(
        f"/api/v1/study/reflections/{pk}/review",
        json.dumps({"action": "return", "comment": "请补充"}),
        content_type="application/json",
    )
    assert reviewed.json()["state"] == "returned"
    assert api_as("member09").get("/api/v1/study/reflections").json()["count"] == 0
    short = api_as("member04").post(
        "/api/v1/study/reflections",
        json.dumps({"title": "体会", "body": "太短"}),
        content_type="application/json",
    )
    assert short.status_code == 422


@pytest.mark.django_db
def test_the_reflection_pages_let_a_member_write_and_a_secretary_accept(web_as, study_demo):
    member = web_as("member09")
    response = member.post("/study/reflections/new/", {"title": "新体会", "body": BODY})
    assert response.status_code == 302
    reflection = Reflection.objects.get(title="新体会")
    secretary = web_as("secretary")
    listing = secretary.get("/study/reflections/").content.decode()
    assert "新体会" in listing and "各支部心得数" in listing
    secretary.post(f"/study/reflections/{reflection.pk}/", {"action": "accept", "comment": ""})
    reflection.refresh_from_db()
    assert reflection.state == "accepted"
    assert web_as("member").get(f"/study/reflections/{reflection.pk}/").status_code == 404
