"""Role × scope × state: illegal actions are 409 and write nothing; out of scope is 403/404;
personal data is masked for those who need not see it."""

import pytest

from civicloop.cases.models import CaseEvent
from civicloop.core.models import PersonalDataAccess

from .conftest import post_json

pytestmark = pytest.mark.django_db

# Every user action; the ones legal in a state are taken out below.
ALL_ACTIONS = [
    "verify",
    "reject",
    "merge",
    "resolve_locally",
    "dispatch",
    "sign",
    "return",
    "reply",
    "request_extension",
    "grant_extension",
    "deny_extension",
    "approve",
    "rework",
    "evaluate",
]
FIELDS = {
    "reject": {"reason": "理由"},
    "merge": {"into": 1},
    "resolve_locally": {"result": "已解决"},
    "return": {"reason": "理由"},
    "reply": {"result": "已处理"},
    "request_extension": {"hours": 4, "reason": "理由"},
    "rework": {"reason": "理由"},
    "evaluate": {"rating": "satisfied"},
}
# Who may act in each state: the legal actions answer 200 for them, the others 409.
LEGAL = {
    "submitted": ("grid", {"verify", "reject", "merge", "resolve_locally"}),
    "verified": ("dispatcher", {"dispatch", "reject", "merge"}),
    "dispatched": ("department", {"sign", "return"}),
    "in_progress": ("department", {"reply", "request_extension"}),
    "replied": ("dispatcher", {"approve", "rework"}),
    "closed": ("resident", {"evaluate"}),
}
ACTOR_OF = {
    "verify": "grid",
    "reject": "grid",
    "merge": "grid",
    "resolve_locally": "grid",
    "dispatch": "dispatcher",
    "sign": "department",
    "return": "department",
    "reply": "department",
    "request_extension": "department",
    "grant_extension": "dispatcher",
    "deny_extension": "dispatcher",
    "approve": "dispatcher",
    "rework": "dispatcher",
    "evaluate": "resident",
}


def bring_to(state, file_case, move, foundation):
    case_id = file_case()
    path = ["verify", "dispatch", "sign", "reply", "approve"]
    order = ["submitted", "verified", "dispatched", "in_progress", "replied", "closed"]
    fields = {"dispatch": {"department": foundation["departments"]["CG"].pk}, **FIELDS}
    for action in path[: order.index(state)]:
        move(case_id, ACTOR_OF[action], action, **fields.get(action, {}))
    return case_id


@pytest.mark.parametrize("state", list(LEGAL))
def test_every_action_not_allowed_in_a_state_answers_409_and_writes_no_event(
    state, file_case, move, foundation, api_as
):
    case_id = bring_to(state, file_case, move, foundation)
    _holder, legal = LEGAL[state]
    before = CaseEvent.objects.filter(case_id=case_id).count()
    for action in ALL_ACTIONS:
        if action in legal:
            continue
        response = post_json(
            api_as(ACTOR_OF[action]),
            f"/api/v1/cases/{case_id}/actions/{action}",
            {**FIELDS.get(action, {}), "department": foundation["departments"]["CG"].pk},
        )
        if ACTOR_OF[action] == "department" and state in ("submitted", "verified"):
            # Before dispatch no department holds the case: it cannot even see it.
            assert response.status_code == 404, (state, action, response.content)
            continue
        assert response.status_code == 409, (state, action, response.content)
        assert response.json()["error"]["code"] == "conflict"
    assert CaseEvent.objects.filter(case_id=case_id).count() == before


def test_final_states_allow_nothing(file_case, move, api_as):
    case_id = file_case()
    move(case_id, "grid", "reject", reason="不属实")
    for action in ("verify", "comment", "supervise", "evaluate"):
        who = {"supervise": "dispatcher", "evaluate": "resident"}.get(action, "grid")
        response = post_json(
            api_as(who),
            f"/api/v1/cases/{case_id}/actions/{action}",
            {"note": "x", "rating": "satisfied"},
        )
        assert response.status_code == 409, action


@pytest.mark.parametrize(
    ("who", "action", "state", "statuses"),
    [
        ("grid2", "verify", "submitted", {404}),  # another grid's case is not even visible
        ("community2", "verify", "submitted", {404}),
        ("department", "verify", "submitted", {404}),
        ("leader", "verify", "submitted", {403}),  # sees everything, acts on nothing
        ("leader", "dispatch", "verified", {403}),
        ("grid", "dispatch", "verified", {403}),
        ("dispatcher", "verify", "submitted", {403}),  # a grid's report is the base's to verify
        ("department2", "sign", "dispatched", {404}),
        ("resident", "sign", "dispatched", {403}),
        ("member", "sign", "dispatched", {404}),
        ("grid", "sign", "dispatched", {403}),
        ("department", "approve", "replied", {403}),
        ("grid2", "evaluate", "closed", {404}),
        ("leader", "evaluate", "closed", {403}),
    ],
)
def test_out_of_scope_actions_are_refused(
    who, action, state, statuses, file_case, move, foundation, api_as
):
    case_id = bring_to(state, file_case, move, foundation)
    before = CaseEvent.objects.filter(case_id=case_id).count()
    fields = {"department": foundation["departments"]["CG"].pk, **FIELDS.get(action, {})}
    response = post_json(api_as(who), f"/api/v1/cases/{case_id}/actions/{action}", fields)
    assert response.status_code in statuses, response.content
    assert CaseEvent.objects.filter(case_id=case_id).count() == before


def test_a_resident_cannot_see_or_rate_another_residents_case(
    file_case, move, foundation, api_as, user_named
):
    from django.contrib.auth import get_user_model

    from civicloop.core.models import ApiToken

    case_id = bring_to("closed", file_case, move, foundation)
    neighbour = get_user_model().objects.create(username="neighbour")
    _t, raw = ApiToken.issue(neighbour)
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(f"/api/v1/cases/{case_id}").status_code == 404
    response = post_json(
        client, f"/api/v1/cases/{case_id}/actions/evaluate", {"rating": "unsatisfied"}
    )
    assert response.status_code == 404
    assert client.get("/api/v1/cases").json()["count"] == 0


def test_each_role_lists_only_the_cases_in_its_scope(file_case, move, foundation, api_as):
    mine = file_case(grid="胜利社区第1网格")
    other_grid = file_case(grid="胜利社区第2网格")
    other_community = file_case(grid="蓝色康桥社区第1网格", who="community2")

    def ids(who):
        return {c["id"] for c in api_as(who).get("/api/v1/cases").json()["items"]}

    assert ids("grid") == {mine}
    assert ids("grid2") == {other_grid}
    assert ids("community") == {mine, other_grid}
    assert ids("community2") == {other_community}
    assert ids("dispatcher") == ids("leader") == {mine, other_grid, other_community}
    assert ids("department") == set()
    move(mine, "grid", "verify")
    move(mine, "dispatcher", "dispatch", department=foundation["departments"]["CG"].pk)
    assert ids("department") == {mine}
    assert ids("department2") == set()
    assert ids("resident") == {mine, other_grid}
    assert api_as(None).get("/api/v1/cases").status_code == 401


def test_personal_data_is_masked_for_viewers_who_do_not_act_on_the_case(
    file_case, api_as, user_named
):
    case_id = file_case(contact_name="李秀兰", contact_phone="13904270001")
    assert api_as("resident").get(f"/api/v1/cases/{case_id}").json()["contact"] == {
        "name": "李秀兰",
        "phone": "13904270001",
        "masked": False,
        "anonymous": False,
    }
    seen = api_as("grid").get(f"/api/v1/cases/{case_id}").json()["contact"]
    assert seen["phone"] == "13904270001"
    assert PersonalDataAccess.objects.filter(viewer=user_named("grid")).count() == 1
    leader = api_as("leader").get(f"/api/v1/cases/{case_id}").json()
    assert leader["contact"]["name"] == "李**" and leader["contact"]["phone"] == "139****0001"
    assert "3号楼" not in leader["address"] or leader["address"].endswith("****")
    assert not PersonalDataAccess.objects.filter(viewer=user_named("leader")).exists()


def test_the_public_follow_page_shows_the_timeline_without_personal_data(file_case, api_as, move):
    case_id = file_case(
        contact_name="李秀兰", contact_phone="13904270001", address="胜利社区3号楼2单元501室"
    )
    token = api_as("resident").get(f"/api/v1/cases/{case_id}").json()["token"]
    move(case_id, "grid", "verify", note="王建国现场核实，联系李秀兰13904270001")
    from django.test import Client

    page = Client().get(f"/cases/t/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "待派遣" in html and "核实" in html
    for secret in ("李秀兰", "13904270001", "501室", "王建国"):
        assert secret not in html
    assert Client().get("/cases/t/not-a-token/").status_code == 404


def test_anonymous_reports_keep_no_contact_and_get_a_follow_link(api_as, categories, point):
    lat, lng = point("胜利社区第1网格")
    response = post_json(
        api_as(None),
        "/api/v1/cases",
        {
            "description": "路灯坏了，晚上很黑",
            "lat": lat,
            "lng": lng,
            "contact_name": "张三",
            "contact_phone": "13800000000",
            "anonymous": True,
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert len(body["token"]) >= 30
    detail = api_as("grid").get(f"/api/v1/cases/{body['id']}").json()
    assert detail["contact"]["name"] == "匿名" and detail["contact"]["phone"] == ""


def test_anonymous_reports_are_rate_limited_per_address(api_as, categories, settings):
    settings.CIVICLOOP_ANON_REPORTS_PER_HOUR = 2
    client = api_as(None)
    statuses = [
        post_json(
            client, "/api/v1/cases", {"description": "垃圾没人清理", "address": "胜利社区"}
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    response = post_json(client, "/api/v1/cases", {"description": "垃圾没人清理", "address": "x"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
