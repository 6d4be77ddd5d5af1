"""随手拍 on a phone: one case through every role — the resident reports with a photo and a map
point → the grid worker verifies → the command centre dispatches → the department signs and
replies with a photo → the command centre approves → the resident is not satisfied → reopened →
dispatched again → closed and rated 满意. A screenshot per step."""

import pytest
from PIL import Image

from .conftest import login, logout, shot

pytestmark = pytest.mark.browser

TEXT = "胜利社区3号楼门前垃圾桶满溢，垃圾散落一地，气味很大"


def photo(tmp_path, name, colour):
    path = tmp_path / name
    Image.new("RGB", (640, 480), colour).save(path, "JPEG")
    return str(path)


def open_case(page, site, case_id):
    page.goto(f"{site}/cases/{case_id}/")


def act(page, action, **fields):
    """Opens the action's form on the case page, fills it, submits and waits for the result."""
    box = page.locator(f"details[data-action={action}]")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    form = box.locator("form")
    for name, value in fields.items():
        field = form.locator(f"[name={name}]").first
        kind = field.get_attribute("type")
        if kind == "file":
            field.set_input_files(value)
        elif kind == "radio":
            form.locator(f"input[name={name}][value={value}]").check()
        elif field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(str(value))
        else:
            field.fill(str(value))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def state(page) -> str:
    return page.get_by_test_id("state").inner_text()


def test_one_case_goes_round_the_whole_loop_on_a_phone(site, phone, tmp_path):
    from civicloop.cases.demo import load_categories
    from civicloop.cases.models import Case
    from civicloop.core.models import Department, Region

    load_categories({d.code: d for d in Department.objects.all()})
    grid = Region.objects.get(name="胜利社区第1网格")
    page = phone

    # 1. The resident reports from the home page's 随手拍 entry.
    login(page, site, "resident")
    page.get_by_role("link", name="随手拍").first.click()
    page.wait_for_url(f"{site}/cases/report/")
    page.fill("textarea[name=description]", TEXT)
    page.locator(".pick-category").first.wait_for()
    page.locator(".pick-category", has_text="暴露垃圾").click()
    assert page.locator("select[name=category]").input_value() == "SR01"
    page.set_input_files("input[name=photos]", photo(tmp_path, "report.jpg", (150, 120, 60)))
    assert "已选 1 张照片" in page.locator("#photo-count").inner_text()
    page.wait_for_function("() => document.getElementById('pick-map').civicloopMap")
    page.wait_for_function("() => document.querySelectorAll('#pick-map path').length > 10")
    x, y = page.evaluate(
        "([lat, lng]) => { const m = document.getElementById('pick-map').civicloopMap;"
        " m.setView([lat, lng], 16, {animate: false}); const p = m.latLngToContainerPoint([lat, lng]);"
        " return [p.x, p.y]; }",
        [grid.centroid_lat, grid.centroid_lng],
    )
    page.locator("#pick-map").click(position={"x": x, "y": y})
    assert "胜利社区第1网格" in page.locator("#picked").inner_text()
    page.fill("input[name=address]", "胜利社区3号楼")
    shot(page, "cases-01-resident-report")
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    assert state(page) == "待核实"
    case = Case.objects.get(description=TEXT)
    assert case.grid_id == grid.pk and case.photos.count() == 1
    shot(page, "cases-02-resident-submitted")
    logout(page)

    # 2. The grid worker finds it in 待核实 and verifies it.
    login(page, site, "grid")
    page.goto(f"{site}/cases/queue/")
    page.locator(f"a[href='/cases/{case.pk}/']").click()
    page.wait_for_url(f"{site}/cases/{case.pk}/")
    shot(page, "cases-03-grid-case")
    act(page, "verify", note="现场核实属实，垃圾桶满溢")
    assert state(page) == "待派遣"
    shot(page, "cases-04-grid-verified")
    logout(page)

    # 3. The command centre dispatches it to 城管局.
    login(page, site, "dispatcher")
    page.goto(f"{site}/cases/queue/?tab=dispatch")
    page.locator(f"a[href='/cases/{case.pk}/']").click()
    cg = Department.objects.get(code="CG")
    act(page, "dispatch", department=cg.pk, note="请当日清运")
    assert state(page) == "待签收"
    shot(page, "cases-05-dispatcher-dispatched")
    logout(page)

    # 4. The department signs and replies with a photo.
    login(page, site, "department")
    page.goto(f"{site}/cases/queue/")
    page.locator(f"a[href='/cases/{case.pk}/']").click()
    act(page, "sign")
    assert state(page) == "办理中"
    shot(page, "cases-06-department-signed")
    act(
        page,
        "reply",
        result="已清运垃圾并清洗地面",
        photos=photo(tmp_path, "done.jpg", (60, 160, 90)),
    )
    assert state(page) == "待核查"
    assert page.locator("li[data-action=reply] .photos img").count() == 1
    shot(page, "cases-07-department-replied")
    logout(page)

    # 5. The command centre checks and approves.
    login(page, site, "dispatcher")
    page.goto(f"{site}/cases/queue/?tab=check")
    page.locator(f"a[href='/cases/{case.pk}/']").click()
    act(page, "approve", note="照片核查属实")
    assert state(page) == "已办结"
    shot(page, "cases-08-dispatcher-approved")
    logout(page)

    # 6. The resident is not satisfied: the case is reopened to the command centre.
    login(page, site, "resident")
    page.goto(f"{site}/cases/mine/")
    page.locator(f"a[href='/cases/{case.pk}/']").click()
    act(page, "evaluate", rating="unsatisfied", comment="第二天又满了")
    assert state(page) == "待派遣"
    shot(page, "cases-09-resident-unsatisfied-reopened")
    logout(page)

    # 7. Dispatched again, handled again, approved again.
    login(page, site, "dispatcher")
    open_case(page, site, case.pk)
    act(page, "dispatch", department=cg.pk, note="群众不满意，请增加清运频次")
    shot(page, "cases-10-dispatched-again")
    logout(page)
    login(page, site, "department")
    open_case(page, site, case.pk)
    act(page, "sign")
    act(page, "reply", result="已增加为每日清运两次")
    shot(page, "cases-11-department-replied-again")
    logout(page)
    login(page, site, "dispatcher")
    open_case(page, site, case.pk)
    act(page, "approve")
    logout(page)

    # 8. The resident rates 满意; the timeline shows the whole loop.
    login(page, site, "resident")
    open_case(page, site, case.pk)
    act(page, "evaluate", rating="satisfied", comment="现在很干净，谢谢")
    assert state(page) == "已办结"
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "重新办理" in timeline and timeline.count("派遣") >= 2
    shot(page, "cases-12-resident-satisfied")
    case.refresh_from_db()
    assert case.rating == "satisfied" and case.reopen_count == 1
