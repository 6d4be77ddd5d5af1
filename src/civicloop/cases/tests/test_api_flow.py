"""The closed loop through the API, role by role, with photos, a reopen and the final rating."""

import pytest

from civicloop.cases.models import Case, CaseEvent, CasePhoto
from civicloop.notifications.models import Notification

from .conftest import jpeg_bytes, post_json

pytestmark = pytest.mark.django_db


def test_a_report_walks_through_every_role_until_the_resident_is_satisfied(
    api_as, categories, point, foundation, move, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        walk_the_whole_loop(api_as, point, foundation, move)
    # Notifications go out after each commit: the grid heard of the report, the resident of
    # the dispatch, the reply and the close; the department of the dispatch.
    assert Notification.objects.filter(recipient__username="grid").exists()
    told = set(
        Notification.objects.filter(recipient__username="resident").values_list("title", flat=True)
    )
    assert {"您反映的问题已派遣至城管局办理", "您反映的问题已有办理结果"} <= told
    assert "您反映的问题已办结，请评价" in told
    assert Notification.objects.filter(recipient__username="department").count() >= 2


def walk_the_whole_loop(api_as, point, foundation, move):
    lat, lng = point("胜利社区第1网格")
    resident = api_as("resident")
    photo = ("garbage.jpg", jpeg_bytes(), "image/jpeg")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = resident.post(
        "/api/v1/cases",
        {
            "description": "胜利社区3号楼门前垃圾桶满溢，垃圾散落一地",
            "lat": str(lat),
            "lng": str(lng),
            "photos": [SimpleUploadedFile(*photo)],
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    case_id = created["id"]
    assert created["state"] == "submitted" and created["state_label"] == "待核实"
    assert created["grid"]["name"] == "胜利社区第1网格"
    assert created["community"]["name"] == "胜利社区"
    assert created["category"] is None
    assert CasePhoto.objects.filter(case_id=case_id).count() == 1

    move(case_id, "grid", "verify", category="SR01", note="现场核实属实")
    cg = foundation["departments"]["CG"]
    detail = move(case_id, "dispatcher", "dispatch", department=cg.pk, note="请处理").json()
    assert detail["state"] == "dispatched" and detail["department"]["id"] == cg.pk
    assert detail["deadline"] is not None
    move(case_id, "department", "sign")

    department = api_as("department")
    reply = department.post(
        f"/api/v1/cases/{case_id}/actions/reply",
        {"result": "已清运垃圾并更换垃圾桶", "photos": [SimpleUploadedFile(*photo)]},
    )
    assert reply.status_code == 200, reply.content
    events = reply.json()["events"]
    assert events[-1]["action"] == "reply" and len(events[-1]["photos"]) == 1

    move(case_id, "dispatcher", "approve", note="核查属实")
    reopened = move(case_id, "resident", "evaluate", rating="unsatisfied", comment="又满了").json()
    assert reopened["state"] == "verified"
    assert reopened["reopen_count"] == 1

    move(case_id, "dispatcher", "dispatch", department=cg.pk, note="群众不满意，重新办理")
    move(case_id, "department", "sign")
    move(case_id, "department", "reply", result="增加清运频次，每日两次")
    move(case_id, "dispatcher", "approve")
    final = move(case_id, "resident", "evaluate", rating="satisfied").json()
    assert final["state"] == "closed" and final["rating"] == "satisfied"

    actions = [e["action"] for e in final["events"]]
    assert actions == [
        "create",
        "verify",
        "dispatch",
        "sign",
        "reply",
        "approve",
        "evaluate",
        "reopen",
        "dispatch",
        "sign",
        "reply",
        "approve",
        "evaluate",
    ]
    for event in final["events"]:
        assert {"action", "from_state", "to_state", "actor", "at", "note"} <= event.keys()
    case = Case.objects.get(pk=case_id)
    assert case.closed_at is not None and case.reopen_count == 1
    assert CaseEvent.objects.filter(case=case).count() == len(actions)


def test_the_detail_shows_deadline_time_left_and_the_viewers_actions(file_case, api_as):
    case_id = file_case()
    body = api_as("grid").get(f"/api/v1/cases/{case_id}").json()
    assert body["time_left_seconds"] > 0 or body["time_left_seconds"] <= 0  # present, an int
    assert isinstance(body["time_left_seconds"], int)
    assert set(body["actions"]) >= {"verify", "reject", "merge", "resolve_locally", "comment"}
    assert "dispatch" not in body["actions"]
    assert api_as("dispatcher").get(f"/api/v1/cases/{case_id}").json()["actions"] == [
        "comment",
        "supervise",
    ]


def test_a_return_needs_a_reason_and_goes_back_to_the_command_centre(file_case, move, foundation):
    case_id = file_case()
    move(case_id, "grid", "verify")
    move(case_id, "dispatcher", "dispatch", department=foundation["departments"]["CG"].pk)
    move(case_id, "department", "return", expect=422)
    body = move(case_id, "department", "return", reason="不属于本部门职责").json()
    assert body["state"] == "verified"
    assert Case.objects.get(pk=case_id).return_count == 1


def test_an_extension_is_requested_then_granted_and_moves_the_deadline(file_case, move, foundation):
    case_id = file_case()
    move(case_id, "grid", "verify")
    move(case_id, "dispatcher", "dispatch", department=foundation["departments"]["CG"].pk)
    move(case_id, "department", "sign")
    before = Case.objects.get(pk=case_id).deadline
    move(case_id, "department", "request_extension", hours=8, reason="需协调产权单位")
    move(case_id, "department", "request_extension", expect=409, hours=8, reason="再次申请")
    move(case_id, "dispatcher", "grant_extension", note="同意")
    case = Case.objects.get(pk=case_id)
    assert case.deadline > before and case.extension_hours is None
    move(case_id, "dispatcher", "deny_extension", expect=409)


def test_rework_sends_the_reply_back_and_is_counted(file_case, move, foundation):
    case_id = file_case()
    move(case_id, "grid", "verify")
    move(case_id, "dispatcher", "dispatch", department=foundation["departments"]["CG"].pk)
    move(case_id, "department", "sign")
    move(case_id, "department", "reply", result="已处理")
    body = move(case_id, "dispatcher", "rework", reason="照片显示仍有垃圾").json()
    assert body["state"] == "in_progress" and body["rework_count"] == 1


def test_the_handler_can_never_approve_its_own_reply(file_case, move, foundation, user_named):
    from civicloop.core.models import Role, RoleAssignment, ScopeType

    RoleAssignment.objects.create(
        user=user_named("dispatcher"),
        role=Role.DEPARTMENT_STAFF,
        scope_type=ScopeType.DEPARTMENT,
        department=foundation["departments"]["CG"],
    )
    case_id = file_case()
    move(case_id, "grid", "verify")
    move(case_id, "dispatcher", "dispatch", department=foundation["departments"]["CG"].pk)
    move(case_id, "dispatcher", "sign")
    move(case_id, "dispatcher", "reply", result="自己处理完了")
    response = move(case_id, "dispatcher", "approve", expect=409)
    assert "自己" in response.json()["error"]["message"]


def test_supervise_leaves_a_flagged_event_notifies_the_holder_and_changes_no_state(
    file_case, move, foundation, django_capture_on_commit_callbacks
):
    case_id = file_case()
    move(case_id, "grid", "verify")
    move(case_id, "dispatcher", "dispatch", department=foundation["departments"]["CG"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        body = move(case_id, "dispatcher", "supervise", note="请尽快签收").json()
    assert body["state"] == "dispatched"
    assert body["events"][-1]["flagged"] is True
    assert Notification.objects.filter(recipient__username="department", kind="supervise").exists()


def test_merge_points_the_duplicate_at_the_original_and_counts_it(file_case, move, api_as):
    original = file_case()
    duplicate = file_case(description="3号楼垃圾桶又满了")
    dupes = api_as("grid").get(f"/api/v1/cases/{duplicate}/duplicates").json()
    assert [d["id"] for d in dupes] == [original]
    move(duplicate, "grid", "merge", into=original)
    assert Case.objects.get(pk=duplicate).merged_into_id == original
    assert Case.objects.get(pk=original).duplicate_count == 1
    assert CaseEvent.objects.filter(case_id=original, action="duplicate").exists()


def test_a_community_resolves_a_report_locally(file_case, move):
    case_id = file_case()
    body = move(case_id, "community", "resolve_locally", result="已协调物业清理").json()
    assert body["state"] == "closed"


def test_a_report_outside_every_grid_is_held_by_the_command_centre(api_as, categories, move):
    response = post_json(
        api_as("resident"),
        "/api/v1/cases",
        {"description": "荒地上堆放废旧轮胎", "lat": 41.5, "lng": 122.5},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["grid"] is None and body["community"] is None
    assert "verify" in api_as("dispatcher").get(f"/api/v1/cases/{body['id']}").json()["actions"]
    move(body["id"], "dispatcher", "verify")


def test_a_typed_address_naming_a_community_is_routed_there(api_as, categories):
    response = post_json(
        api_as("resident"),
        "/api/v1/cases",
        {"description": "楼道里堆满杂物", "address": "胜利社区8号楼2单元"},
    )
    assert response.status_code == 201
    assert response.json()["community"]["name"] == "胜利社区"


def test_the_category_is_suggested_from_the_text(api_as, categories):
    client = api_as(None)
    assert client.get("/api/v1/cases/suggest-category?text=小区井盖丢了").json()[0]["name"] == (
        "井盖破损"
    )
    assert (
        client.get("/api/v1/cases/suggest-category?text=路灯坏了晚上很黑").json()[0]["name"]
        == "路灯不亮"
    )
    assert client.get("/api/v1/cases/suggest-category?text=河沟很臭").json()[0]["name"] == "臭水沟"
    cats = client.get("/api/v1/categories").json()
    assert len(cats) >= 30 and any(c["attributes"] for c in cats)


def test_list_filters_and_pages(file_case, api_as, foundation):
    for _ in range(3):
        file_case()
    file_case(grid="胜利社区第2网格", category="DL01", attributes={"cover_state": "missing"})
    client = api_as("dispatcher")
    body = client.get("/api/v1/cases?page_size=2").json()
    assert body["count"] == 4 and len(body["items"]) == 2
    assert client.get("/api/v1/cases?category=DL01").json()["count"] == 1
    grid2 = foundation["regions"]["胜利社区第2网格"].pk
    assert client.get(f"/api/v1/cases?grid={grid2}").json()["count"] == 1
    assert client.get("/api/v1/cases?state=submitted").json()["count"] == 4
    assert client.get("/api/v1/cases?overdue=1").json()["count"] == 0
    assert (
        client.get("/api/v1/cases?created_from=2000-01-01&created_to=2000-01-02").json()["count"]
        == 0
    )
    assert client.get("/api/v1/cases?page_size=500").status_code == 422
    assert client.get("/api/v1/cases?state=nonsense").status_code == 422
    assert client.get("/api/v1/cases?grid=abc").status_code == 422


def test_bad_reports_are_refused_with_422(api_as, categories):
    client = api_as("resident")
    for body in (
        {"description": "", "lat": 41.1, "lng": 122.0},
        {"description": "垃圾很多很多"},
        {"description": "垃圾很多很多", "lat": 91, "lng": 122.0},
        {"description": "垃圾很多很多", "lat": 41.1},
        {"description": "垃圾很多很多", "address": "x", "category": "NOPE"},
        {"description": "井盖没了危险", "address": "x", "category": "DL01"},
        {"description": "x" * 2001, "address": "x"},
        {"description": ["a"], "address": "x"},
    ):
        response = post_json(client, "/api/v1/cases", body)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["error"]["code"] == "invalid"
    assert client.post("/api/v1/cases", "{", content_type="application/json").status_code == 400
    assert Case.objects.count() == 0


def test_unknown_actions_are_404_and_bad_fields_422(file_case, move):
    case_id = file_case()
    move(case_id, "grid", "fly", expect=404)
    move(case_id, "grid", "merge", expect=422)
    move(case_id, "grid", "merge", expect=422, into="abc")
    move(case_id, "grid", "merge", expect=422, into=case_id)
    move(case_id, "grid", "reject", expect=422)
    assert CaseEvent.objects.filter(case_id=case_id).count() == 1
