"""The wall and the pages: waiting-long wishes first, filters, 认领 for members, the web flow."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from civicloop.core.models import PersonalDataAccess, Region
from civicloop.volunteering import points
from civicloop.wishes import metrics
from civicloop.wishes.models import State, Wish

from .factories import jpeg_bytes, make_wish, user

pytestmark = pytest.mark.django_db


def test_wishes_waiting_long_rise_to_the_top_marked(client, foundation, settings):
    settings.CIVICLOOP_WISH_WAITING_DAYS = 14
    recent = make_wish(content="最近发布的心愿")
    old = make_wish(content="等了很久的心愿")
    Wish.objects.filter(pk=old.pk).update(on_wall_since=timezone.now() - timedelta(days=15))
    response = client.get("/wishes/")
    cards = [c["wish"].pk for c in response.context["cards"]]
    assert cards.index(old.pk) < cards.index(recent.pk)
    assert [c["waiting_long"] for c in response.context["cards"]][:1] == [True]
    assert "等待已久" in response.content.decode()
    assert client.get(f"/api/v1/wishes/{old.pk}").json()["waiting_long"] is True
    assert client.get(f"/api/v1/wishes/{recent.pk}").json()["waiting_long"] is False


def test_the_wall_filters_by_community_and_category(client, foundation):
    a = make_wish(community="胜利社区", category="medical", content="胜利助医")
    b = make_wish(community="蓝色康桥社区", category="medical", content="康桥助医")
    c = make_wish(community="蓝色康桥社区", category="company", content="康桥陪伴")
    kangqiao = Region.objects.get(name="蓝色康桥社区").pk
    shown = client.get("/wishes/", {"community": kangqiao, "category": "medical"}).context["cards"]
    assert [x["wish"].pk for x in shown] == [b.pk]
    assert {x["wish"].pk for x in client.get("/wishes/").context["cards"]} == {a.pk, b.pk, c.pk}


def test_members_see_a_claim_button_and_anonymous_visitors_do_not(client, web_as, foundation):
    make_wish()
    assert 'href="/wishes/1/#claim"' not in client.get("/wishes/").content.decode()
    assert "认领" in web_as("member").get("/wishes/").content.decode()
    member_cards = web_as("member").get("/wishes/").context["cards"]
    assert member_cards[0]["can_claim"]
    assert not web_as("resident").get("/wishes/").context["cards"][0]["can_claim"]


def test_the_web_flow_from_posting_to_points(web_as, foundation):
    staff, member = web_as("community"), web_as("member")
    posted = staff.post(
        "/wishes/new/",
        {
            "content": "想要一个保温杯",
            "category": "daily_necessities",
            "value_cap": 50,
            "beneficiary_type": "elderly_alone",
            "beneficiary_name": "司马桂兰",
            "beneficiary_phone": "13812340000",
            "beneficiary_address": "胜利社区12号楼",
            "community": Region.objects.get(name="胜利社区").pk,
        },
    )
    wish = Wish.objects.get()
    assert posted.status_code == 302 and posted["Location"] == f"/wishes/{wish.pk}/"
    staff.post(f"/wishes/{wish.pk}/verify/", {"verify-note": "入户核实"})
    member.post(f"/wishes/{wish.pk}/claim/", {"claim-commitment": "我承诺"})
    detail = member.get(f"/wishes/{wish.pk}/").content.decode()
    assert "13812340000" in detail and "司马桂兰" in detail
    assert PersonalDataAccess.objects.filter(viewer=user("member")).exists()
    member.post(f"/wishes/{wish.pk}/contact/", {"contact-note": "已联系", "next": "/wishes/mine/"})
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")
    member.post(f"/wishes/{wish.pk}/fulfil/", {"fulfil-note": "送到了", "fulfil-photo": photo})
    staff.post(f"/wishes/{wish.pk}/confirm/", {"confirm-rating": "5", "confirm-note": ""})
    wish.refresh_from_db()
    assert wish.state == State.CONFIRMED and wish.rating == 5
    mine = member.get("/wishes/mine/")
    assert mine.context["balance"] == points.balance(user("member")) == 10


def test_a_refused_web_action_shows_a_message_not_an_error(web_as, foundation):
    wish = make_wish(State.CLAIMED, claimant="member01")
    member02 = web_as("member02")
    answer = member02.post(f"/wishes/{wish.pk}/claim/", {"claim-commitment": "我来"})
    assert answer.status_code == 302
    page = member02.get(answer["Location"]).content.decode()
    assert "不能认领" in page
    bad = SimpleUploadedFile("p.jpg", b"not an image", content_type="image/jpeg")
    make = make_wish(State.CONTACTED, claimant="member01")
    web_as("member01").post(f"/wishes/{make.pk}/fulfil/", {"fulfil-note": "x", "fulfil-photo": bad})
    assert Wish.objects.get(pk=make.pk).state == State.CONTACTED


def test_figures_count_per_community_street_and_district(foundation):
    make_wish(State.CONFIRMED, community="胜利社区")
    make_wish(State.CLAIMED, community="胜利社区")
    make_wish(State.SUBMITTED, community="胜利社区")
    make_wish(State.FULFILLED, community="蓝色康桥社区")
    make_wish(State.DECLINED, community="蓝色康桥社区")
    figures = metrics.figures()
    total = figures["total"]
    assert (total["collected"], total["verified"], total["claimed"], total["fulfilled"]) == (
        5,
        3,
        3,
        2,
    )
    assert total["fulfilment_rate"] == round(2 / 3, 4)
    assert total["mean_days_to_fulfil"] is not None
    by_name = {r["name"]: r for r in figures["communities"]}
    assert by_name["胜利社区"]["collected"] == 3 and by_name["胜利社区"]["fulfilled"] == 1
    assert by_name["胜利社区"]["street"] == "振兴街道"
    assert by_name["蓝色康桥社区"]["fulfilment_rate"] == 1.0
    assert {r["name"] for r in figures["streets"]} == {"振兴街道", "惠宾街道"}


def test_figures_for_a_period_count_the_wishes_collected_in_it(foundation):
    old = make_wish(State.FULFILLED)
    make_wish(State.PUBLISHED)
    start = timezone.now() - timedelta(days=40)
    Wish.objects.filter(pk=old.pk).update(
        created_at=start,
        published_at=start + timedelta(days=1),
        fulfilled_at=start + timedelta(days=4),
    )
    today = timezone.localdate()
    recent = metrics.figures(start=today - timedelta(days=7), end=today)["total"]
    assert recent["collected"] == 1 and recent["fulfilled"] == 0
    assert recent["fulfilment_rate"] == 0.0
    older = metrics.figures(end=today - timedelta(days=30))["total"]
    assert older["collected"] == 1 and older["mean_days_to_fulfil"] == 3.0


def test_an_empty_period_has_no_rate(foundation):
    figures = metrics.figures()
    assert figures["total"]["collected"] == 0 and figures["total"]["fulfilment_rate"] is None
