"""The API and pages end to end: order → task → claim → check-in → checkout → confirm → points."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from civicloop.volunteering import actions, points
from civicloop.volunteering.models import Reward, ServiceRecord, VolunteeringSettings

from .factories import served, task

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_the_whole_service_loop_through_the_api(user_named, api_as):
    resident, staff, member = api_as("resident"), api_as("community"), api_as("member01")
    order = resident.post(
        "/api/v1/service-orders",
        {"service_type": "haircut", "phone": "13904270001", "address": "胜利小区3号楼"},
        content_type=JSON,
    )
    assert order.status_code == 201
    start = timezone.now() - timedelta(minutes=5)
    created = staff.post(
        "/api/v1/tasks",
        {
            "title": "上门理发",
            "description": "",
            "service_type": "haircut",
            "lat": 41.105,
            "lng": 122.026,
            "address": "胜利小区3号楼",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "places": 1,
            "points": 15,
            "order_id": order.json()["id"],
            "cancel_cutoff": (start - timedelta(hours=1)).isoformat(),
        },
        content_type=JSON,
    )
    assert created.status_code == 201
    body = created.json()
    task_id, code = body["id"], body["checkin_code"]
    assert len(code) >= 20
    assert member.post(f"/api/v1/tasks/{task_id}/claim").status_code == 201
    assert api_as("member02").post(f"/api/v1/tasks/{task_id}/claim").json()["error"]["code"] == (
        "task_full"
    )
    wrong = member.post(f"/api/v1/tasks/{task_id}/checkin", {"code": "guess"}, content_type=JSON)
    assert wrong.status_code == 422
    assert "报到码不正确" in wrong.json()["error"]["message"]
    checked = member.post(f"/api/v1/tasks/{task_id}/checkin", {"code": code}, content_type=JSON)
    assert checked.json()["state"] == "checked_in"
    assert member.post(f"/api/v1/tasks/{task_id}/checkout").json()["state"] == "checked_out"
    confirmed = resident.post(
        f"/api/v1/tasks/{task_id}/confirm", {"member": user_named("member01").pk}, content_type=JSON
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["awarded"] is True
    again = staff.post(
        f"/api/v1/tasks/{task_id}/confirm", {"member": user_named("member01").pk}, content_type=JSON
    )
    assert again.json()["awarded"] is False
    mine = member.get("/api/v1/points/me").json()
    assert mine["balance"] == 15
    assert mine["entries"][0]["points"] == 15
    assert mine["entries"][0]["kind"] == "award"


def test_a_check_in_outside_the_window_is_refused_with_the_times(user_named, api_as):
    t = task(user_named("community"), starts_in=timedelta(hours=5))
    member = api_as("member01")
    member.post(f"/api/v1/tasks/{t.pk}/claim")
    response = member.post(
        f"/api/v1/tasks/{t.pk}/checkin", {"code": t.checkin_code}, content_type=JSON
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "outside_window"
    assert "不在报到时间内" in response.json()["error"]["message"]


@override_settings(CIVICLOOP_CHECKIN_TOLERANCE_MINUTES=360)
def test_the_tolerance_setting_widens_the_window(user_named, api_as):
    t = task(user_named("community"), starts_in=timedelta(hours=5))
    member = api_as("member01")
    member.post(f"/api/v1/tasks/{t.pk}/claim")
    response = member.post(
        f"/api/v1/tasks/{t.pk}/checkin", {"code": t.checkin_code}, content_type=JSON
    )
    assert response.status_code == 200


def test_a_check_in_too_far_from_the_place_is_refused(user_named, api_as):
    t = task(user_named("community"), checkin_radius_m=200)
    member = api_as("member01")
    member.post(f"/api/v1/tasks/{t.pk}/claim")
    far = member.post(
        f"/api/v1/tasks/{t.pk}/checkin",
        {"code": t.checkin_code, "lat": 41.2, "lng": 122.2},
        content_type=JSON,
    )
    assert far.status_code == 409
    assert far.json()["error"]["code"] == "too_far"
    near = member.post(
        f"/api/v1/tasks/{t.pk}/checkin",
        {"code": t.checkin_code, "lat": 41.1051, "lng": 122.0261},
        content_type=JSON,
    )
    assert near.status_code == 200


def test_a_claim_cannot_be_cancelled_after_the_cutoff(user_named, api_as):
    t = task(user_named("community"))  # started ten minutes ago; cutoff at the start
    member = api_as("member01")
    member.post(f"/api/v1/tasks/{t.pk}/claim")
    response = member.post(f"/api/v1/tasks/{t.pk}/cancel")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "past_cutoff"


def test_a_cancelled_place_can_be_claimed_again(user_named, api_as):
    t = task(user_named("community"), places=1, starts_in=timedelta(days=1))
    first, second = api_as("member01"), api_as("member02")
    first.post(f"/api/v1/tasks/{t.pk}/claim")
    assert first.post(f"/api/v1/tasks/{t.pk}/cancel").json()["state"] == "cancelled"
    assert second.post(f"/api/v1/tasks/{t.pk}/claim").status_code == 201


def test_staff_assign_a_member_directly(user_named, api_as):
    t = task(user_named("community"), starts_in=timedelta(days=1))
    response = api_as("community").post(
        f"/api/v1/tasks/{t.pk}/assign", {"member": user_named("member09").pk}, content_type=JSON
    )
    assert response.status_code == 201
    assert response.json()["assigned"] is True


def test_bad_input_is_answered_with_422_not_500(api_as):
    staff = api_as("community")
    start = timezone.now()
    bad = [
        {
            "title": "x",
            "service_type": "nope",
            "address": "a",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "places": 1,
            "points": 1,
        },
        {
            "title": "x",
            "service_type": "other",
            "address": "a",
            "starts_at": start.isoformat(),
            "ends_at": (start - timedelta(hours=1)).isoformat(),
            "places": 1,
            "points": 1,
        },
        {
            "title": "x",
            "service_type": "other",
            "address": "a",
            "starts_at": "soon",
            "ends_at": "later",
            "places": 1,
            "points": 1,
        },
        {
            "title": "x",
            "service_type": "other",
            "address": "a",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "places": 0,
            "points": 1,
        },
    ]
    for body in bad:
        assert staff.post("/api/v1/tasks", body, content_type=JSON).status_code == 422
    assert staff.post("/api/v1/tasks/999999/claim").status_code == 404


def test_a_retried_order_with_the_same_idempotency_key_is_created_once(api_as):
    resident = api_as("resident")
    body = {"service_type": "shopping", "phone": "13904270001", "address": "胜利小区3号楼"}
    first = resident.post(
        "/api/v1/service-orders", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = resident.post(
        "/api/v1/service-orders", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert first.json()["id"] == again.json()["id"]


def test_redemption_takes_points_and_stock_and_refuses_beyond_the_balance(user_named, api_as):
    member = user_named("member04")
    points.award(member, 25, key="seed", reason="服务")
    reward = Reward.objects.create(name="爱心理发券", points=15, stock=1)
    client = api_as("member04")
    ok = client.post("/api/v1/redemptions", {"reward": reward.pk}, content_type=JSON)
    assert ok.status_code == 201
    assert ok.json()["balance"] == 10
    out = client.post("/api/v1/redemptions", {"reward": reward.pk}, content_type=JSON)
    assert out.status_code == 409
    assert out.json()["error"]["code"] == "out_of_stock"
    reward.stock = 5
    reward.save()
    poor = client.post("/api/v1/redemptions", {"reward": reward.pk}, content_type=JSON)
    assert poor.json()["error"]["code"] == "insufficient_points"


def test_a_correction_is_a_new_entry_with_a_reason(user_named, api_as):
    staff, member = user_named("community"), user_named("member01")
    t = task(staff, points=10)
    served(staff, t, member)
    actions.confirm_service(staff, t.pk, member.pk)
    response = api_as("community").post(
        "/api/v1/points/corrections",
        {"member": member.pk, "points": -4, "reason": "重复计时，更正"},
        content_type=JSON,
    )
    assert response.status_code == 201
    assert response.json()["balance"] == 6
    assert (
        api_as("community2")
        .post(
            "/api/v1/points/corrections",
            {"member": member.pk, "points": 5, "reason": "x"},
            content_type=JSON,
        )
        .status_code
        == 403
    )


def test_registration_is_approved_by_the_community_and_one_is_active_per_member(user_named, api_as):
    member = api_as("member11")
    shengli = user_named("community").role_assignments.first().region
    created = member.post("/api/v1/registrations", {"community_id": shengli.pk}, content_type=JSON)
    assert created.status_code == 201
    again = member.post("/api/v1/registrations", {"community_id": shengli.pk}, content_type=JSON)
    assert again.status_code == 409
    approved = api_as("community").post(
        f"/api/v1/registrations/{created.json()['id']}/approve", {}, content_type=JSON
    )
    assert approved.json()["state"] == "approved"


def test_the_certificate_is_a_pdf_with_an_embedded_cjk_font(user_named, web_as):
    staff, member = user_named("community"), user_named("member01")
    t = task(staff)
    served(staff, t, member)
    record, _created = actions.confirm_service(staff, t.pk, member.pk)
    assert not record.volunteer_number.startswith("21")  # not an ID-card-like number
    response = web_as("member01").get(f"/volunteer/records/{record.pk}/certificate.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert b"FontFile2" in response.content  # the TrueType font is embedded
    assert (
        web_as("member02").get(f"/volunteer/records/{record.pk}/certificate.pdf").status_code == 404
    )


def test_the_secretary_exports_their_members_service_to_excel(user_named, web_as):
    staff, member = user_named("community"), user_named("secretary")
    t = task(staff, points=7)
    served(staff, t, member)
    actions.confirm_service(staff, t.pk, member.pk)
    response = web_as("secretary").get("/volunteer/orgs/export.xlsx")
    sheet = load_workbook(BytesIO(response.content))["党员服务汇总"]
    assert [c.value for c in sheet[1]][:3] == ["账号", "姓名", "所在支部"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "secretary")
    assert row[-1] == 7
    from civicloop.core.models import PersonalDataAccess

    assert PersonalDataAccess.objects.filter(viewer=member, purpose="双服务导出").exists()


def test_leaderboards_can_be_switched_off_by_the_admin(user_named, web_as):
    staff, member = user_named("community"), user_named("member01")
    t = task(staff)
    served(staff, t, member)
    actions.confirm_service(staff, t.pk, member.pk)
    page = web_as("community").get("/volunteer/staff/")
    assert "本社区积分榜" in page.content.decode()
    settings = VolunteeringSettings.current()
    settings.leaderboards_enabled = False
    settings.save()
    assert "本社区积分榜" not in web_as("community").get("/volunteer/staff/").content.decode()


def test_every_page_answers_its_roles(user_named, web_as):
    t = task(user_named("community"))
    assert web_as("resident").get("/volunteer/order/").status_code == 200
    assert web_as("member01").get("/volunteer/tasks/").status_code == 200
    assert web_as("member01").get("/volunteer/tasks/?tab=mine").status_code == 200
    assert web_as("member01").get("/volunteer/points/").status_code == 200
    assert web_as("community").get("/volunteer/staff/").status_code == 200
    assert web_as("community").get(f"/volunteer/tasks/{t.pk}/poster/").status_code == 200
    assert web_as("community2").get(f"/volunteer/tasks/{t.pk}/poster/").status_code == 403
    assert web_as("resident").get("/volunteer/staff/").status_code == 403
    assert web_as("member01").get("/volunteer/c/not-a-code/").status_code == 404
    assert ServiceRecord.objects.count() == 0


def test_ids_and_times_beyond_any_database_range_are_answered_without_a_500(api_as):
    staff, member = api_as("community"), api_as("member01")
    assert member.post(f"/api/v1/tasks/{2**70}/claim").status_code in (404, 422)
    assert member.post(f"/api/v1/tasks/{2**63}/claim").status_code == 404
    assert member.get("/api/v1/service-records?limit=-1").status_code == 422
    body = {
        "title": "x",
        "service_type": "other",
        "address": "a",
        "starts_at": "9999-12-31T20:00:00+08:00",
        "ends_at": "9999-12-31T22:00:00+08:00",
        "places": 1,
        "points": 1,
    }
    assert staff.post("/api/v1/tasks", body, content_type=JSON).status_code == 422
    order = {
        "service_type": "haircut",
        "phone": "13904270001",
        "address": "胜利小区",
        "preferred_time": "9999-12-31T20:00:00",
    }
    assert (
        api_as("resident").post("/api/v1/service-orders", order, content_type=JSON).status_code
        == 422
    )
    assert (
        staff.post("/api/v1/tasks/1/confirm", {"member": 2**64}, content_type=JSON).status_code
        == 422
    )


def test_the_community_page_lists_registered_members_masked_and_co_building_orgs(
    user_named, web_as
):
    from civicloop.core.models import PartyOrg

    from .factories import community

    shengli = community()
    registration = actions.register_member(user_named("member01"), shengli)
    actions.decide_registration(user_named("community"), registration.pk, approve=True)
    actions.pair_org(
        user_named("community"),
        shengli,
        PartyOrg.objects.get(name="辽河油田兴隆台采油厂第一党支部"),
        agreement_date=timezone.localdate(),
        content="家电义务维修",
        contact_name="马工",
        contact_phone="0427-2800000",
    )
    name = user_named("member01").profile.real_name
    as_member = web_as("member02").get(f"/volunteer/communities/{shengli.pk}/").content.decode()
    assert "辽河油田兴隆台采油厂第一党支部" in as_member
    assert name not in as_member and name[0] + "*" in as_member
    as_staff = web_as("community").get(f"/volunteer/communities/{shengli.pk}/").content.decode()
    assert name in as_staff
    assert web_as("member02").get(f"/volunteer/tasks/{10**30}/").status_code == 404
