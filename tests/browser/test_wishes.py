"""微心愿 on a phone: community staff post and verify a wish → it shows on the public wall,
masked → a member claims it, records contact, fulfils it with a photo → the community confirms
→ the member's points rise."""

import pytest
from PIL import Image

from .conftest import login, logout, shot

pytestmark = pytest.mark.browser

CONTENT = "想要一台收音机，每天听听新闻和评书"
NAME, PHONE_NO, ADDRESS = "欧阳桂英", "13955556666", "胜利社区石油大院7号楼2单元302"


def test_a_wish_goes_from_the_community_to_the_wall_to_a_member_and_back(site, phone, tmp_path):
    from civicloop.wishes.models import Wish

    page = phone
    # Community staff post a wish for an elderly resident living alone.
    login(page, site, "community")
    page.goto(f"{site}/wishes/staff/")
    page.get_by_role("link", name="代发心愿").click()
    page.fill("textarea[name=content]", CONTENT)
    page.select_option("select[name=category]", "daily_necessities")
    page.fill("input[name=value_cap]", "150")
    page.select_option("select[name=beneficiary_type]", "elderly_alone")
    page.fill("input[name=beneficiary_name]", NAME)
    page.fill("input[name=beneficiary_phone]", PHONE_NO)
    page.fill("input[name=beneficiary_address]", ADDRESS)
    shot(page, "wishes-01-post-form")
    page.get_by_role("button", name="提交心愿").click()
    page.wait_for_url(f"{site}/wishes/*/")
    assert page.get_by_test_id("state").inner_text() == "待核实"
    wish = Wish.objects.get(content=CONTENT)

    # … and verify it by phone.
    page.fill("input[name=verify-note]", "已电话核实，老人独居，情况属实")
    shot(page, "wishes-02-verify")
    page.locator("button[data-action=verify]").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("state").inner_text() == "已公示"
    logout(page)

    # The public wall shows it with a masked name, without the phone or address.
    page.goto(f"{site}/wishes/")
    card = page.locator(f"li.wish-card[data-wish='{wish.pk}']")
    assert CONTENT in card.inner_text()
    assert "欧***" in card.inner_text()
    html = page.content()
    assert NAME not in html and PHONE_NO not in html and ADDRESS not in html
    assert card.get_by_role("link", name="认领").count() == 0
    shot(page, "wishes-03-public-wall")

    # A party member claims it on the phone and sees the contact details.
    login(page, site, "member")
    page.goto(f"{site}/wishes/")
    card = page.locator(f"li.wish-card[data-wish='{wish.pk}']")
    card.get_by_role("link", name="认领").click()
    page.fill("textarea[name=claim-commitment]", "我承诺三天内联系老人，周末送到")
    page.locator("button[data-action=claim]").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("state").inner_text() == "已认领"
    contact = page.get_by_test_id("contact").inner_text()
    assert NAME in contact and PHONE_NO in contact and ADDRESS in contact
    shot(page, "wishes-04-claimed-contact")

    # 我认领的心愿: record the contact, then fulfil with a photo.
    page.goto(f"{site}/wishes/mine/")
    assert page.get_by_test_id("balance").locator("b").inner_text() == "0"
    item = page.locator(f"li[data-wish='{wish.pk}']")
    item.locator("input[name=contact-note]").fill("已电话联系老人，约定周六上午送到")
    shot(page, "wishes-05-mine-contact")
    item.locator("button[data-action=contact]").click()
    page.wait_for_load_state()
    photo = tmp_path / "radio.jpg"
    Image.new("RGB", (800, 600), (183, 28, 28)).save(photo, "JPEG")
    item = page.locator(f"li[data-wish='{wish.pk}']")
    item.locator("textarea[name=fulfil-note]").fill("已把收音机送到老人家中，教会了使用方法")
    item.locator("input[name=fulfil-photo]").set_input_files(str(photo))
    shot(page, "wishes-06-mine-fulfil")
    item.locator("button[data-action=fulfil]").click()
    page.wait_for_load_state()
    assert "已实现" in page.locator(f"li[data-wish='{wish.pk}'] .state").inner_text()
    logout(page)

    # The community confirms and rates it.
    login(page, site, "community")
    page.goto(f"{site}/wishes/staff/?tab=fulfilled")
    page.locator(f"li[data-wish='{wish.pk}'] a").first.click()
    assert page.locator(".photos img").evaluate("img => img.naturalWidth") > 0
    page.select_option("select[name=confirm-rating]", "5")
    page.fill("input[name=confirm-note]", "老人很满意")
    shot(page, "wishes-07-confirm")
    page.locator("button[data-action=confirm]").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("state").inner_text() == "已反馈"
    logout(page)

    # The member's points rose.
    login(page, site, "member")
    page.goto(f"{site}/wishes/mine/")
    assert page.get_by_test_id("balance").locator("b").inner_text() == "10"
    shot(page, "wishes-08-points")


def test_the_demo_wall_puts_long_waiting_wishes_first_and_staff_see_the_figures(
    site, phone, desk, foundation
):
    from civicloop.wishes import demo
    from civicloop.wishes.models import Wish

    demo.load(**foundation)
    phone.goto(f"{site}/wishes/")
    first = phone.locator("li.wish-card").first
    assert "等待已久" in first.inner_text()
    html = phone.content()
    for wish in Wish.objects.all():
        assert wish.beneficiary_phone not in html and wish.beneficiary_address not in html
        assert wish.beneficiary_name not in html
    shot(phone, "wishes-09-demo-wall")
    phone.select_option("select[name=category]", "medical")
    phone.get_by_role("button", name="筛选").click()
    phone.wait_for_load_state()
    assert all("助医" in t for t in phone.locator("li.wish-card .chip").all_inner_texts())
    shot(phone, "wishes-10-filtered")

    login(desk, site, "community2")
    desk.goto(f"{site}/wishes/stats/")
    assert desk.get_by_test_id("totals").locator(".kpi b").first.inner_text() == "5"
    shot(desk, "wishes-11-stats-community2")
