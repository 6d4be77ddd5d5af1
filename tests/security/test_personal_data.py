"""Personal data: the demo people's full names and phones, and the contact data of the demo
cases, wishes and service orders, never appear on anonymous pages or in Open311; whoever sees
someone else's full name or phone — on a page, in an API list or detail, in an Excel export —
has that view recorded in PersonalDataAccess by the same request (full details only for the
roles that need them, and each such view logged)."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.security.test_scope_matrix import API, LOGIN, PUBLIC, WEB, _samples, kinds
from tests.security.world import STAFF_AND_PEERS

pytestmark = pytest.mark.django_db

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _secrets() -> dict[str, set[str]]:
    """Full names and phones that must not leak, with the user each belongs to (or None)."""
    from civicloop.cases.models import Case
    from civicloop.core.models import Profile
    from civicloop.volunteering.models import ServiceOrder
    from civicloop.wishes.models import Wish

    phones: set[str] = set()
    names: set[str] = set()
    for profile in Profile.objects.exclude(phone="").exclude(user__username="admin"):
        phones.add(profile.phone)  # (the admin account's "name" is 系统管理员, a job title)
        if len(profile.real_name) >= 3:  # two-character names also occur as ordinary words
            names.add(profile.real_name)
    for phone, name in Case.objects.values_list("contact_phone", "contact_name"):
        phones.add(phone)
        if len(name) >= 3 and not name.startswith("居民"):
            names.add(name)
    for phone, name in Wish.objects.values_list("beneficiary_phone", "beneficiary_name"):
        phones.add(phone)
        if len(name) >= 3:
            names.add(name)
    for phone, name in ServiceOrder.objects.values_list("phone", "contact_name"):
        phones.add(phone)
        if len(name) >= 3:
            names.add(name)
    return {"phones": {p for p in phones if p}, "names": {n for n in names if n}}


def _own(username: str | None) -> set[str]:
    if username is None:
        return set()
    profile = get_user_model().objects.get(username=username).profile
    return {profile.phone, profile.real_name}


def _text(response) -> str:
    """The body as text, with JSON's \\u escapes undone (a name escaped is still a name)."""
    text = response.content.decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


def _leaks(text: str, secrets: dict, own: set[str]) -> list[str]:
    found = [p for p in PHONE.findall(text) if p in secrets["phones"] and p not in own]
    found += [n for n in secrets["names"] if n in text and n not in own]
    return sorted(set(found))


def _client(username, world=None, api=False) -> Client:
    if username is None:
        return Client()
    if api:
        return Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[username]}")
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_the_demo_holds_personal_data_to_protect(world):
    secrets = _secrets()
    assert len(secrets["phones"]) > 30 and len(secrets["names"]) > 10


def test_anonymous_pages_and_open311_show_no_names_or_phones(world):
    secrets = _secrets()
    client = Client()
    problems = []
    all_kinds = kinds()
    for name, entry in sorted(WEB.items()):
        if entry.access == LOGIN:
            continue
        if entry.access == PUBLIC:
            urls = [reverse(name, kwargs=entry.extra or None)]
        else:
            inside, _outside = _samples(all_kinds[entry.access], None)
            urls = [reverse(name, kwargs={**kw, **entry.extra}) for kw in inside]
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or "stream" in type(response).__name__.lower():
                continue
            if leaks := _leaks(_text(response), secrets, set()):
                problems.append(f"{url}: {leaks}")
    for fmt in ("json", "xml"):
        for url in (f"/open311/v2/requests.{fmt}", f"/open311/v2/servicerequestupdates.{fmt}"):
            response = client.get(url, {"start_date": "2000-01-01T00:00:00Z"})
            if leaks := _leaks(_text(response), secrets, set()):
                problems.append(f"{url}: {leaks}")
        from civicloop.cases.models import Case

        for pk in Case.objects.order_by("pk").values_list("pk", flat=True)[:40]:
            response = client.get(f"/open311/v2/requests/{pk}.{fmt}")
            if leaks := _leaks(_text(response), secrets, set()):
                problems.append(f"open311 request {pk}.{fmt}: {leaks}")
    assert not problems, "\n".join(problems)


LISTS = sorted(
    op.split(" ", 1)[1]
    for op, entry in API.items()
    if op.startswith("GET ") and "{" not in op and entry.access in (PUBLIC, LOGIN)
)


def _logged(username: str | None, call) -> tuple[object, bool]:
    """Runs call(); returns its response and whether it wrote a PersonalDataAccess row for
    the user."""
    from civicloop.core.models import PersonalDataAccess

    if username is None:
        return call(), False
    user = get_user_model().objects.get(username=username)
    before = PersonalDataAccess.objects.filter(viewer=user).count()
    response = call()
    return response, PersonalDataAccess.objects.filter(viewer=user).count() > before


@pytest.mark.parametrize("path", LISTS)
def test_api_lists_show_full_names_or_phones_only_with_a_record(world, path):
    secrets = _secrets()
    problems = []
    for username in (None, *STAFF_AND_PEERS):
        client = _client(username, world, api=True)
        response, logged = _logged(username, lambda c=client: c.get(path))
        if response.status_code != 200:
            continue
        leaks = _leaks(_text(response), secrets, _own(username))
        if leaks and not logged:
            problems.append(f"{path} as {username or 'anonymous'}: {leaks} (not recorded)")
    assert not problems, "\n".join(problems)


def test_excel_exports_show_full_names_or_phones_only_with_a_record(world):
    from openpyxl import load_workbook

    secrets = _secrets()
    all_kinds = kinds()
    problems, exports = [], 0
    for name in ("dashboard:report", "dashboard:export", "volunteering:org_export"):
        entry = WEB[name]
        for username in ("leader", "dispatcher", "community", "secretary", "member"):
            user = get_user_model().objects.get(username=username)
            if entry.access == LOGIN:
                urls = [reverse(name)]
            else:
                inside, _outside = _samples(all_kinds[entry.access], user)
                urls = [reverse(name, kwargs={**kw, **entry.extra}) for kw in inside]
            for url in urls:
                client = _client(username)
                response, logged = _logged(username, lambda c=client, u=url: c.get(u))
                if response.status_code != 200:
                    continue
                exports += 1
                book = load_workbook(io.BytesIO(response.content), read_only=True)
                cells = " ".join(
                    str(value)
                    for sheet in book.worksheets
                    for row in sheet.iter_rows(values_only=True)
                    for value in row
                    if value is not None
                )
                leaks = _leaks(cells, secrets, _own(username))
                if leaks and not logged:
                    problems.append(f"{url} as {username}: {leaks} (not recorded)")
    assert exports, "no export was served"
    assert not problems, "\n".join(problems)


def _pages_naming_objects():
    return [(n, e) for n, e in sorted(WEB.items()) if e.access not in (PUBLIC, LOGIN)]


@pytest.mark.parametrize("username", STAFF_AND_PEERS)
def test_whoever_sees_someone_elses_full_phone_is_recorded(world, username):
    """On every page and API detail the user can open: a full phone of another person in the
    answer means a PersonalDataAccess row for this viewer was written by that request."""
    from civicloop.core.models import PersonalDataAccess

    secrets = _secrets()
    own = _own(username)
    user = get_user_model().objects.get(username=username)
    web, api = _client(username), _client(username, world, api=True)
    all_kinds = kinds()
    problems, shown = [], 0
    targets = []
    for name, entry in _pages_naming_objects():
        inside, _outside = _samples(all_kinds[entry.access], user)
        targets += [(web, reverse(name, kwargs={**kw, **entry.extra})) for kw in inside]
    for op, entry in API.items():
        method, path = op.split(" ", 1)
        if method != "GET" or entry.access in (PUBLIC, LOGIN):
            continue
        inside, _outside = _samples(all_kinds[entry.access], user)
        for kw in inside:
            value = next(iter(kw.values()))
            targets.append((api, re.sub(r"\{[^}]+\}", str(value), path)))
    for client, url in targets:
        before = PersonalDataAccess.objects.filter(viewer=user).count()
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith(
            ("text/html", "application/json")
        ):
            continue
        phones = [
            p
            for p in PHONE.findall(response.content.decode())
            if p in secrets["phones"] and p not in own
        ]
        if not phones:
            continue
        shown += 1
        if PersonalDataAccess.objects.filter(viewer=user).count() == before:
            problems.append(f"{url} showed {sorted(set(phones))} to {username} without a record")
    assert not problems, "\n".join(problems)


def test_staff_who_need_the_contact_see_it_and_the_view_is_recorded(world):
    """A grid worker opening a report from their grid sees the reporter's phone (to call back),
    and PersonalDataAccess says who saw whose data and when."""
    from civicloop.cases import permissions as case_perms
    from civicloop.cases.models import Case
    from civicloop.core.models import PersonalDataAccess

    grid = get_user_model().objects.get(username="grid")
    case = case_perms.visible_to(grid).exclude(contact_phone="").exclude(anonymous=True).first()
    assert case is not None
    assert case_perms.sees_contact(grid, case)
    response = _client("grid").get(reverse("cases:detail", args=[case.pk]))
    assert case.contact_phone in response.content.decode()
    row = PersonalDataAccess.objects.filter(viewer=grid).latest("at")
    assert str(case.pk) in row.subject or case.contact_name in row.subject
    # The same case seen by someone who doesn't need the contact shows it masked.
    outsider = Case.objects.filter(pk=case.pk)
    assert outsider.exists()
    leader_page = _client("leader").get(reverse("cases:detail", args=[case.pk]))
    if leader_page.status_code == 200:
        assert case.contact_phone not in leader_page.content.decode()


def test_the_admin_reports_who_saw_whose_data_and_exports_it(world):
    from openpyxl import load_workbook

    from civicloop.core.models import PersonalDataAccess

    grid = get_user_model().objects.get(username="grid")
    PersonalDataAccess.objects.create(
        viewer=grid, subject="工单 7 联系人 李*兰", purpose="回访核实"
    )
    admin = _client("admin")
    listing = admin.get("/admin/core/personaldataaccess/", {"purpose": "回访核实"})
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "工单 7 联系人" in page and "网格员" in page
    by_viewer = admin.get("/admin/core/personaldataaccess/", {"viewer__id__exact": grid.pk})
    assert by_viewer.status_code == 200 and "工单 7 联系人" in by_viewer.content.decode()
    rows = PersonalDataAccess.objects.filter(viewer=grid)
    export = admin.post(
        "/admin/core/personaldataaccess/",
        {"action": "export_xlsx", "_selected_action": [r.pk for r in rows]},
    )
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ("时间", "查看人", "查看对象", "用途")
    assert ("grid", "工单 7 联系人 李*兰", "回访核实") in [v[1:] for v in values[1:]]
    # Staff who are not superusers don't get the report at all.
    assert _client("leader").get("/admin/core/personaldataaccess/").status_code in (302, 403)
