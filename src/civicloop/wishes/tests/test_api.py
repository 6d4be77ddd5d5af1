"""The wish API: the whole lifecycle, the answers for wrong states, bad input and scope."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicloop.core.models import PersonalDataAccess, Region
from civicloop.volunteering import points
from civicloop.volunteering.models import PointsEntry
from civicloop.wishes.models import State, Wish, WishEvent

from .factories import jpeg_bytes, make_wish, user

pytestmark = pytest.mark.django_db

NEW = {
    "content": "想要一台收音机听戏",
    "category": "daily_necessities",
    "beneficiary_name": "诸葛秀英",
    "beneficiary_phone": "13811112222",
    "beneficiary_address": "胜利社区石油大院9号楼2单元301",
    "value_cap": 120,
}


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def act(client, wish_id, action, data=None):
    return post(client, f"/api/v1/wishes/{wish_id}/actions/{action}", data)


def test_the_whole_lifecycle_through_the_api_awards_points_once(api_as):
    staff, member = api_as("community"), api_as("member")
    created = post(staff, "/api/v1/wishes", NEW)
    assert created.status_code == 201, created.content
    wish = created.json()
    assert wish["state"] == "submitted" and wish["community"]["name"] == "胜利社区"
    assert wish["full"] and wish["beneficiary"]["phone"] == "13811112222"

    assert act(staff, wish["id"], "verify", {"note": "已入户核实"}).json()["state"] == "published"
    claimed = act(member, wish["id"], "claim", {"commitment": "一周内送到"})
    assert claimed.status_code == 200 and claimed.json()["state"] == "claimed"
    assert claimed.json()["beneficiary"]["address"] == NEW["beneficiary_address"]
    assert act(member, wish["id"], "contact", {"note": "已电话联系"}).json()["state"] == "contacted"
    photo = SimpleUploadedFile("done.jpg", jpeg_bytes(), content_type="image/jpeg")
    fulfilled = member.post(
        f"/api/v1/wishes/{wish['id']}/actions/fulfil", {"note": "已送达", "photo": photo}
    )
    assert fulfilled.status_code == 200, fulfilled.content
    assert fulfilled.json()["photo_url"]
    confirmed = act(staff, wish["id"], "confirm", {"rating": 5})
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"

    again = act(staff, wish["id"], "confirm", {"rating": 4})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert points.balance(user("member")) == 10
    assert PointsEntry.objects.filter(key=f"wish:{wish['id']}").count() == 1
    actions = list(WishEvent.objects.filter(wish_id=wish["id"]).values_list("action", flat=True))
    assert actions == ["post", "verify", "claim", "contact", "fulfil", "confirm"]


def test_points_per_wish_are_configurable(api_as, settings):
    settings.CIVICLOOP_WISH_POINTS = 25
    wish = make_wish(State.FULFILLED, claimant="member07")
    assert act(api_as("community"), wish.pk, "confirm", {"rating": 5}).status_code == 200
    assert points.balance(user("member07")) == 25


def test_a_second_claim_is_409(api_as):
    wish = make_wish(State.PUBLISHED)
    assert act(api_as("member01"), wish.pk, "claim", {"commitment": "我来"}).status_code == 200
    second = act(api_as("member02"), wish.pk, "claim", {"commitment": "我也来"})
    assert second.status_code == 409
    wish.refresh_from_db()
    assert wish.claimed_by.username == "member01"


def test_a_member_may_hold_several_wishes(api_as):
    client = api_as("member03")
    for wish in (make_wish(), make_wish(), make_wish(community="蓝色康桥社区")):
        assert act(client, wish.pk, "claim", {"commitment": "我来"}).status_code == 200
    assert Wish.objects.filter(claimed_by__username="member03").count() == 3


def test_fulfilment_needs_contact_first_and_a_real_photo(api_as):
    member = api_as("member01")
    wish = make_wish(State.CLAIMED)
    photo = SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")
    early = member.post(f"/api/v1/wishes/{wish.pk}/actions/fulfil", {"note": "好", "photo": photo})
    assert early.status_code == 409
    act(member, wish.pk, "contact", {"note": "联系了"})
    no_photo = act(member, wish.pk, "fulfil", {"note": "送到了"})
    assert no_photo.status_code == 422
    fake = SimpleUploadedFile("a.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    bad = member.post(f"/api/v1/wishes/{wish.pk}/actions/fulfil", {"note": "好", "photo": fake})
    assert bad.status_code == 422
    wish.refresh_from_db()
    assert wish.state == State.CONTACTED


def test_an_oversized_photo_is_413(api_as, settings):
    settings.CIVICLOOP_PHOTO_MAX_BYTES = 100
    member = api_as("member01")
    wish = make_wish(State.CONTACTED)
    photo = SimpleUploadedFile("a.jpg", jpeg_bytes((400, 400)), content_type="image/jpeg")
    answer = member.post(f"/api/v1/wishes/{wish.pk}/actions/fulfil", {"note": "好", "photo": photo})
    assert answer.status_code == 413


@pytest.mark.parametrize(
    "change",
    [
        {"value_cap": 501},
        {"value_cap": 0},
        {"category": "car"},
        {"content": ""},
        {"beneficiary_phone": "call me"},
        {"beneficiary_name": "x" * 51},
        {"community_id": 999999},
    ],
)
def test_bad_wishes_are_422(api_as, change):
    answer = post(api_as("community"), "/api/v1/wishes", {**NEW, **change})
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "invalid"
    assert not Wish.objects.exists()


def test_the_value_cap_maximum_is_configurable(api_as, settings):
    settings.CIVICLOOP_WISH_MAX_VALUE = 100
    assert post(api_as("community"), "/api/v1/wishes", NEW).status_code == 422
    assert post(api_as("community"), "/api/v1/wishes", {**NEW, "value_cap": 100}).status_code == 201


def test_verify_needs_a_note_and_decline_a_reason(api_as):
    wish = make_wish(State.SUBMITTED)
    staff = api_as("community")
    assert act(staff, wish.pk, "verify", {}).status_code == 422
    assert act(staff, wish.pk, "verify", {"note": ""}).status_code == 422
    assert act(staff, wish.pk, "decline", {"reason": ""}).status_code == 422
    declined = act(staff, wish.pk, "decline", {"reason": "已由民政救助解决"})
    assert declined.json()["state"] == "declined"
    assert declined.json()["decline_reason"] == "已由民政救助解决"


def test_bad_requests_are_json_errors_never_500(api_as, client):
    wish = make_wish(State.PUBLISHED)
    member = api_as("member01")
    assert act(member, wish.pk, "teleport").status_code == 404
    assert act(member, 987654, "claim", {"commitment": "x"}).status_code == 404
    raw = member.post(
        f"/api/v1/wishes/{wish.pk}/actions/claim", "{not json", content_type="application/json"
    )
    assert raw.status_code == 400
    listed = member.post(
        f"/api/v1/wishes/{wish.pk}/actions/claim", "[1]", content_type="application/json"
    )
    assert listed.status_code == 400
    assert act(member, wish.pk, "confirm", {"rating": 9}).status_code == 422
    assert client.get("/api/v1/wishes?category=nonsense").status_code == 422
    assert client.get("/api/v1/wishes?limit=100000").status_code == 422
    assert act(client, wish.pk, "claim", {"commitment": "x"}).status_code == 401
    assert post(client, "/api/v1/wishes", NEW).status_code == 401


def test_a_resident_posts_their_own_wish_and_follows_and_confirms_it(api_as):
    resident = api_as("resident")
    created = post(resident, "/api/v1/wishes", {**NEW, "beneficiary_name": "李秀兰"})
    assert created.status_code == 201
    wish = Wish.objects.get(pk=created.json()["id"])
    assert wish.posted_as == "resident" and wish.community.name == "胜利社区"
    assert act(resident, wish.pk, "verify", {"note": "我自己核实"}).status_code == 403
    mine = resident.get("/api/v1/wishes?mine=posted").json()
    assert [w["id"] for w in mine["items"]] == [wish.pk]
    assert mine["items"][0]["state"] == "submitted"
    staff, member = api_as("community"), api_as("member02")
    act(staff, wish.pk, "verify", {"note": "电话核实"})
    assert act(resident, wish.pk, "claim", {"commitment": "自己认领"}).status_code == 403
    act(member, wish.pk, "claim", {"commitment": "我来"})
    act(member, wish.pk, "contact", {"note": "已联系"})
    photo = SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")
    member.post(f"/api/v1/wishes/{wish.pk}/actions/fulfil", {"note": "修好了", "photo": photo})
    done = act(resident, wish.pk, "confirm", {"rating": 4, "note": "谢谢"})
    assert done.status_code == 200 and done.json()["rating"] == 4
    assert points.balance(user("member02")) == 10


def test_only_the_claimant_may_contact_release_or_fulfil(api_as):
    wish = make_wish(State.CLAIMED, claimant="member01")
    other = api_as("member02")
    assert act(other, wish.pk, "contact", {"note": "x"}).status_code == 403
    assert act(other, wish.pk, "release").status_code == 403
    assert act(api_as("community"), wish.pk, "release").status_code == 403


def test_release_puts_the_wish_back_on_the_wall_for_someone_else(api_as):
    wish = make_wish(State.CONTACTED, claimant="member01")
    released = act(api_as("member01"), wish.pk, "release", {"note": "临时出差"})
    assert released.json()["state"] == "published" and not released.json()["full"]
    assert act(api_as("member02"), wish.pk, "claim", {"commitment": "我来"}).status_code == 200


def test_claimant_sees_contact_details_and_each_view_is_logged(api_as):
    wish = make_wish(State.CLAIMED, claimant="member01")
    before = PersonalDataAccess.objects.filter(viewer=user("member01")).count()
    detail = api_as("member01").get(f"/api/v1/wishes/{wish.pk}").json()
    assert detail["beneficiary"]["phone"] == wish.beneficiary_phone
    log = PersonalDataAccess.objects.filter(viewer=user("member01"))
    assert log.count() == before + 1
    assert log.first().subject == f"微心愿#{wish.pk} 受助人"
    onlooker = api_as("member02").get(f"/api/v1/wishes/{wish.pk}").json()
    assert onlooker["beneficiary"]["phone"] is None
    assert onlooker["beneficiary"]["name"] == wish.masked_beneficiary


def test_staff_listing_is_full_in_scope_and_masked_elsewhere(api_as):
    ours = make_wish(State.PUBLISHED, community="胜利社区")
    theirs = make_wish(State.PUBLISHED, community="蓝色康桥社区")
    items = {w["id"]: w for w in api_as("community").get("/api/v1/wishes").json()["items"]}
    assert items[ours.pk]["full"] and items[ours.pk]["beneficiary"]["phone"]
    assert not items[theirs.pk]["full"] and items[theirs.pk]["beneficiary"]["phone"] is None
    assert PersonalDataAccess.objects.filter(subject=f"微心愿#{ours.pk} 受助人").exists()
    assert not PersonalDataAccess.objects.filter(subject=f"微心愿#{theirs.pk} 受助人").exists()


def test_street_filter_and_community_filter(foundation, client):
    a = make_wish(community="胜利社区")
    b = make_wish(community="蓝色康桥社区")
    huibin = Region.objects.get(name="惠宾街道")
    ids = [w["id"] for w in client.get(f"/api/v1/wishes?street_id={huibin.pk}").json()["items"]]
    assert ids == [b.pk]
    shengli = Region.objects.get(name="胜利社区")
    got = client.get(f"/api/v1/wishes?community_id={shengli.pk}").json()
    assert [w["id"] for w in got["items"]] == [a.pk] and got["count"] == 1
