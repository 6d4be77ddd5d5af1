"""百姓点单 → 社区派单 → 党员接单 → 扫码报到 → 签退 → 居民确认 → 积分, on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from .conftest import login, logout, shot

pytestmark = pytest.mark.browser


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_a_resident_order_becomes_a_task_a_member_serves_and_earns_points(site, phone):
    from django.contrib.auth import get_user_model

    from civicloop.core.models import Region
    from civicloop.volunteering import actions

    User = get_user_model()
    shengli = Region.objects.get(name="胜利社区", level="community")
    registration = actions.register_member(User.objects.get(username="member01"), shengli)
    actions.decide_registration(
        User.objects.get(username="community"), registration.pk, approve=True
    )

    # 1. The resident orders a haircut at home.
    login(phone, site, "resident")
    phone.goto(f"{site}/volunteer/order/")
    phone.select_option("select[name=service_type]", "haircut")
    phone.fill("textarea[name=description]", "家中老人行动不便，希望上门理发")
    phone.fill("input[name=address]", "胜利小区3号楼2单元501")
    shot(phone, "volunteering-01-resident-orders")
    phone.click("button[type=submit].primary")
    phone.wait_for_selector("[data-testid=order]")
    assert "待派单" in phone.locator("[data-testid=order]").first.inner_text()
    shot(phone, "volunteering-02-order-submitted")
    logout(phone)

    # 2. The community turns the order into a task that starts now.
    login(phone, site, "community")
    phone.goto(f"{site}/volunteer/staff/")
    phone.locator("[data-testid=pending-order] a", has_text="派单").first.click()
    now = timezone.now()
    phone.fill("input[name=starts_at]", _local(now - timedelta(minutes=10)))
    phone.fill("input[name=ends_at]", _local(now + timedelta(hours=2)))
    phone.fill("input[name=points]", "15")
    shot(phone, "volunteering-03-staff-publishes-from-order")
    phone.locator("#publish button[type=submit]").click()
    phone.wait_for_selector("[data-testid=staff-task]")
    assert "任务已发布" in phone.locator(".messages").inner_text()
    phone.locator("[data-testid=staff-task] a", has_text="报到二维码").first.click()
    phone.wait_for_selector("[data-testid=poster-qr] svg")
    checkin_url = phone.locator(".poster-url").inner_text().strip()
    assert "/volunteer/c/" in checkin_url
    shot(phone, "volunteering-04-checkin-poster")
    logout(phone)

    # 3. A member claims it online.
    login(phone, site, "member01")
    phone.goto(f"{site}/volunteer/tasks/")
    task_card = phone.locator("[data-testid=task]", has_text="理发").first
    task_card.locator("button", has_text="认领").click()
    phone.wait_for_selector("[data-testid=my-claim]")
    assert "已认领" in phone.locator("[data-testid=my-claim]").first.inner_text()
    shot(phone, "volunteering-05-member-claims")

    # 4. On site the member scans the poster: check in, then check out.
    phone.goto(checkin_url)
    shot(phone, "volunteering-06-checkin-page")
    phone.locator("#checkin-form button").click()
    phone.wait_for_selector("[data-testid=claim-state]:has-text('已报到')")
    shot(phone, "volunteering-07-checked-in")
    phone.locator("button", has_text="签退").click()
    phone.wait_for_selector("[data-testid=claim-state]:has-text('已签退')")
    shot(phone, "volunteering-08-checked-out")
    logout(phone)

    # 5. The resident confirms the service.
    login(phone, site, "resident")
    phone.goto(f"{site}/volunteer/order/")
    phone.locator("[data-testid=order] a", has_text="确认服务").first.click()
    phone.locator("[data-testid=claim] button", has_text="确认服务").click()
    phone.wait_for_selector("[data-testid=claim]:has-text('已确认')")
    shot(phone, "volunteering-09-resident-confirms")
    logout(phone)

    # 6. The points are in the member's account.
    login(phone, site, "member01")
    phone.goto(f"{site}/volunteer/points/")
    assert phone.locator("[data-testid=balance]").inner_text() == "15"
    assert "志愿服务" in phone.locator("[data-testid=entry]").first.inner_text()
    shot(phone, "volunteering-10-member-points")
