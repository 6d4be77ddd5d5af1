"""Who may see and do what: community vs community2, members, residents, masking."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicloop.core.errors import ActionRefused
from civicloop.core.models import PersonalDataAccess
from civicloop.volunteering import actions
from civicloop.volunteering.models import ServiceOrder

from .factories import community, served, task

pytestmark = pytest.mark.django_db


def _task_body(**kw):
    start = timezone.now() + timedelta(days=1)
    body = {
        "title": "送药上门",
        "description": "为独居老人送药",
        "service_type": "deliver_medicine",
        "lat": 41.105,
        "lng": 122.026,
        "address": "胜利小区3号楼",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "places": 2,
        "points": 10,
    }
    body.update(kw)
    return body


def test_community2_cannot_publish_a_task_in_shengli(api_as):
    shengli = community()
    response = api_as("community2").post(
        "/api/v1/tasks", _task_body(community_id=shengli.pk), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_community2_cannot_confirm_a_service_in_shengli(user_named, api_as):
    t = task(user_named("community"))
    served(user_named("community"), t, user_named("member01"))
    response = api_as("community2").post(
        f"/api/v1/tasks/{t.pk}/confirm",
        {"member": user_named("member01").pk},
        content_type="application/json",
    )
    assert response.status_code in (403, 404)
    assert not t.claims.filter(state="confirmed").exists()


def test_a_member_cannot_confirm_their_own_service(user_named):
    staff, member = user_named("community"), user_named("member01")
    t = task(staff)
    served(staff, t, member)
    with pytest.raises(ActionRefused) as refused:
        actions.confirm_service(member, t.pk, member.pk)
    assert refused.value.status == 403


def test_staff_who_serve_cannot_confirm_themselves_either(user_named):
    """secretary is a party member; were they also staff, self-confirmation stays refused."""
    staff = user_named("community")
    from civicloop.core.models import Role, RoleAssignment, ScopeType

    RoleAssignment.objects.create(
        user=staff,
        role=Role.PARTY_MEMBER,
        scope_type=ScopeType.PARTY_ORG,
        party_org=user_named("secretary").profile.party_org,
    )
    t = task(staff)
    served(staff, t, staff)
    with pytest.raises(ActionRefused):
        actions.confirm_service(staff, t.pk, staff.pk)


def test_a_resident_sees_only_their_own_orders(user_named, api_as):
    actions.submit_order(
        user_named("resident"), service_type="haircut", phone="13904270001", address="胜利小区1号"
    )
    actions.submit_order(
        user_named("grid"), service_type="companionship", phone="13904270002", address="胜利小区2号"
    )
    mine = api_as("resident").get("/api/v1/service-orders").json()
    assert [o["service_type"] for o in mine] == ["haircut"]
    assert mine[0]["phone"] == "13904270001"


def test_staff_see_masked_phones_in_lists_and_the_full_view_is_logged(user_named, api_as):
    order = actions.submit_order(
        user_named("resident"),
        service_type="haircut",
        phone="13904270001",
        address="胜利小区3号楼2单元501",
    )
    listed = api_as("community").get("/api/v1/service-orders").json()
    assert listed[0]["phone"] == "139****0001"
    assert "501" not in listed[0]["address"]
    full = api_as("community").get(f"/api/v1/service-orders/{order.pk}").json()
    assert full["phone"] == "13904270001"
    assert PersonalDataAccess.objects.filter(subject=f"service_order:{order.pk}").exists()


def test_community2_cannot_see_shengli_orders(user_named, api_as):
    order = actions.submit_order(
        user_named("resident"), service_type="haircut", phone="13904270001", address="胜利小区3号"
    )
    assert api_as("community2").get(f"/api/v1/service-orders/{order.pk}").status_code == 404


def test_members_see_a_masked_task_address_until_they_claim(user_named, api_as):
    t = task(user_named("community"), address="胜利小区3号楼2单元501")
    client = api_as("member05")
    assert "501" not in client.get(f"/api/v1/tasks/{t.pk}").json()["address"]
    client.post(f"/api/v1/tasks/{t.pk}/claim")
    assert client.get(f"/api/v1/tasks/{t.pk}").json()["address"].endswith("501")


def test_the_checkin_code_is_shown_only_to_the_community(user_named, api_as):
    t = task(user_named("community"))
    assert api_as("community").get(f"/api/v1/tasks/{t.pk}").json()["checkin_code"] == t.checkin_code
    assert api_as("member01").get(f"/api/v1/tasks/{t.pk}").json()["checkin_code"] is None


def test_a_resident_cannot_claim_a_task(user_named, api_as):
    t = task(user_named("community"))
    assert api_as("resident").post(f"/api/v1/tasks/{t.pk}/claim").status_code == 404


def test_community2_cannot_approve_a_registration_in_shengli(user_named):
    registration = actions.register_member(user_named("member07"), community())
    with pytest.raises(ActionRefused) as refused:
        actions.decide_registration(user_named("community2"), registration.pk, approve=True)
    assert refused.value.status == 403


def test_the_resident_who_ordered_may_confirm_but_another_resident_may_not(user_named):
    staff, member = user_named("community"), user_named("member08")
    order = actions.submit_order(
        user_named("resident"), service_type="haircut", phone="13904270001", address="胜利小区3号"
    )
    t = task(staff, order_id=order.pk)
    served(staff, t, member)
    with pytest.raises(ActionRefused):
        actions.confirm_service(user_named("grid"), t.pk, member.pk)
    _record, created = actions.confirm_service(user_named("resident"), t.pk, member.pk)
    assert created
    order.refresh_from_db()
    assert order.state == ServiceOrder.State.DONE


def test_a_branch_secretary_sees_only_their_organisations_service(web_as):
    assert web_as("secretary").get("/volunteer/orgs/").status_code == 200
    assert web_as("resident").get("/volunteer/orgs/").status_code == 403


def test_a_new_order_is_announced_to_its_community_staff_only(
    user_named, django_capture_on_commit_callbacks
):
    from civicloop.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        actions.submit_order(
            user_named("resident"), service_type="haircut", phone="13904270001", address="胜利小区"
        )
    assert Notification.objects.filter(
        recipient=user_named("community"), title__contains="点单"
    ).exists()
    assert not Notification.objects.filter(recipient=user_named("community2")).exists()


def test_ledger_records_and_audit_rows_cannot_be_rewritten_through_querysets(user_named):
    from civicloop.core.appendonly import AppendOnlyError
    from civicloop.volunteering.models import PointsEntry, ServiceRecord, VolunteerEvent

    staff, member = user_named("community"), user_named("member01")
    t = task(staff)
    served(staff, t, member)
    actions.confirm_service(staff, t.pk, member.pk)
    for model in (PointsEntry, ServiceRecord, VolunteerEvent):
        with pytest.raises(AppendOnlyError):
            model.objects.filter(pk__gt=0).update(pk=0)
        with pytest.raises(AppendOnlyError):
            model.objects.all().delete()


def test_a_refused_post_lands_on_the_page_the_form_was_on(user_named, web_as):
    registration = actions.register_member(user_named("member07"), community())
    response = web_as("community2").post(
        f"/volunteer/registrations/{registration.pk}/decide/",
        {"decision": "approve"},
        HTTP_REFERER="http://testserver/volunteer/staff/",
    )
    assert response.status_code == 302
    assert response["Location"] == "/volunteer/staff/"
    assert web_as("community").get("/volunteer/staff/?community=:").status_code == 404
