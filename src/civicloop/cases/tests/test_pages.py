"""The pages: report (anonymous and 代办), my cases, queues per role, the case page's actions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicloop.cases.models import Case, CaseEvent

from .conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_anyone_can_report_and_lands_on_the_public_follow_page(web_as, categories, point):
    client = web_as(None)
    page = client.get("/cases/report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'capture="environment"' in html and "multiple" in html and "定位" in html
    assert "来源" not in html  # 代办 fields are for staff
    lat, lng = point("胜利社区第1网格")
    response = client.post(
        "/cases/report/",
        {
            "description": "井盖没有了，晚上很危险",
            "lat": lat,
            "lng": lng,
            "photos": [SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg")],
            "form_token": "t1",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/t/{case.token}/"
    follow = client.get(response["Location"])
    assert "待核实" in follow.content.decode()
    assert case.photos.count() == 1 and case.grid.name == "胜利社区第1网格"


def test_a_double_tap_on_submit_files_one_case(web_as, categories):
    client = web_as("resident")
    body = {"description": "路灯不亮很久了", "address": "胜利社区", "form_token": "same"}
    first = client.post("/cases/report/", body)
    second = client.post("/cases/report/", body)
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1


def test_a_resident_sees_the_case_page_with_its_state_after_reporting(web_as, categories):
    client = web_as("resident")
    response = client.post(
        "/cases/report/", {"description": "楼道堆满杂物", "address": "胜利社区5号楼"}, follow=True
    )
    html = response.content.decode()
    assert "待核实" in html and "/cases/t/" in html
    assert "楼道堆满杂物" in client.get("/cases/mine/").content.decode()


def test_a_bad_photo_shows_an_error_on_the_form(web_as, categories):
    response = web_as("resident").post(
        "/cases/report/",
        {
            "description": "垃圾很多",
            "address": "胜利社区",
            "photos": [SimpleUploadedFile("x.jpg", b"not an image at all", "image/jpeg")],
        },
    )
    assert response.status_code == 422
    assert "不是有效的图片" in response.content.decode()
    assert Case.objects.count() == 0


def test_staff_file_on_behalf_of_a_caller(web_as, categories):
    client = web_as("grid")
    assert "代办信息" in client.get("/cases/report/").content.decode()
    client.post(
        "/cases/report/",
        {
            "description": "老人来电反映路灯不亮",
            "address": "胜利社区",
            "source": "phone",
            "contact_name": "赵大爷",
            "contact_phone": "13900001111",
        },
    )
    case = Case.objects.get()
    assert case.source == "phone" and case.reporter is None
    assert case.filed_by.username == "grid" and case.contact_name == "赵大爷"


def test_queues_show_each_role_its_tabs(web_as, file_case, move, foundation):
    case_id = file_case()
    grid_page = web_as("grid").get("/cases/queue/").content.decode()
    assert "待核实" in grid_page and f"SSP{case_id:06d}" in grid_page
    assert f"SSP{case_id:06d}" not in web_as("grid2").get("/cases/queue/").content.decode()
    dispatcher = web_as("dispatcher").get("/cases/queue/?tab=dispatch").content.decode()
    for label in ("待派遣", "待核查", "即将超期", "已超期", "延期/退单待处理"):
        assert label in dispatcher
    department = web_as("department").get("/cases/queue/").content.decode()
    assert "待签收" in department and "办理中" in department
    assert web_as("resident").get("/cases/queue/").status_code == 403
    found = web_as("dispatcher").get("/cases/queue/?tab=all&q=垃圾桶").content.decode()
    assert f"SSP{case_id:06d}" in found
    assert (
        "共 0 件" in web_as("dispatcher").get("/cases/queue/?tab=all&q=不存在的词").content.decode()
    )


def test_the_case_page_offers_exactly_the_viewers_actions(web_as, file_case):
    case_id = file_case()
    grid = web_as("grid").get(f"/cases/{case_id}/").content.decode()
    for action in ("verify", "reject", "merge", "resolve_locally", "comment"):
        assert f'data-action="{action}"' in grid
    assert 'data-action="dispatch"' not in grid
    leader = web_as("leader").get(f"/cases/{case_id}/").content.decode()
    assert 'class="action"' not in leader
    assert web_as("grid2").get(f"/cases/{case_id}/").status_code == 404


def test_actions_from_the_case_page_move_the_case(web_as, file_case, foundation):
    case_id = file_case()
    response = web_as("grid").post(f"/cases/{case_id}/act/verify/", {"note": "属实"}, follow=True)
    assert "待派遣" in response.content.decode()
    client = web_as("dispatcher")
    refused = client.post(f"/cases/{case_id}/act/approve/", {}, follow=True)
    assert "当前状态" in refused.content.decode()
    client.post(
        f"/cases/{case_id}/act/dispatch/", {"department": foundation["departments"]["CG"].pk}
    )
    department = web_as("department")
    department.post(f"/cases/{case_id}/act/sign/", {})
    department.post(
        f"/cases/{case_id}/act/reply/",
        {"result": "已清运", "photos": [SimpleUploadedFile("r.jpg", jpeg_bytes(), "image/jpeg")]},
    )
    case = Case.objects.get(pk=case_id)
    assert case.state == "replied"
    assert CaseEvent.objects.get(case=case, action="reply").photos.count() == 1
    assert web_as("grid2").post(f"/cases/{case_id}/act/approve/", {}).status_code == 404


def test_an_anonymous_reporter_rates_through_the_follow_link(
    api_as, web_as, categories, move, point
):
    import json

    lat, lng = point("胜利社区第1网格")
    body = (
        api_as(None)
        .post(
            "/api/v1/cases",
            json.dumps({"description": "垃圾桶满溢", "lat": lat, "lng": lng}),
            content_type="application/json",
        )
        .json()
    )
    move(body["id"], "community", "resolve_locally", result="已清理")
    page = web_as(None).get(f"/cases/t/{body['token']}/").content.decode()
    assert "评价办理结果" in page
    web_as(None).post(f"/cases/t/{body['token']}/", {"rating": "basically_satisfied"})
    assert Case.objects.get(pk=body["id"]).rating == "basically_satisfied"


def test_the_suggestion_fragment_names_the_category(web_as, categories):
    html = web_as(None).get("/cases/report/suggest/?description=井盖丢了").content.decode()
    assert "井盖破损" in html and 'data-code="DL01"' in html
