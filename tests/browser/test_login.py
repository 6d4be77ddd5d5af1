"""Each demo account signs in on a phone and sees the home page for its role."""

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser

ACCOUNTS = {
    "resident": "居民",
    "grid": "网格员",
    "community": "社区工作人员",
    "dispatcher": "指挥中心",
    "department": "部门工作人员",
    "member": "党员",
    "secretary": "支部书记",
    "publicity": "宣传干事",
    "leader": "区领导",
    "admin": "管理员",
    "grid2": "网格员",
    "community2": "社区工作人员",
    "department2": "部门工作人员",
}


def test_every_demo_account_signs_in_on_a_phone(site, phone):
    for username, role_label in ACCOUNTS.items():
        login(phone, site, username)
        assert phone.url == f"{site}/"
        chips = phone.locator(".roles .chip").all_inner_texts()
        assert any(role_label in chip for chip in chips), (username, chips)
        assert phone.locator("html").get_attribute("lang") == "zh-hans"
        shot(phone, f"login-home-{username}")
        phone.context.clear_cookies()


def test_a_wrong_password_shows_a_chinese_error(site, phone):
    login(phone, site, "resident", "wrong-password")
    assert "用户名或密码不正确" in phone.locator(".error").inner_text()
