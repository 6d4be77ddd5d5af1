"""The scope mechanism: every role × scope sees what it should and nothing else."""

import pytest

from civicloop.core import permissions as perms
from civicloop.core.models import Region, Role

pytestmark = pytest.mark.django_db


def grid(name):
    return Region.objects.get(name=name)


def test_grid_worker_covers_their_grid_and_not_the_next(user_named):
    worker = user_named("grid")
    assert perms.covers_region(worker, [Role.GRID_WORKER], grid("胜利社区第1网格"))
    assert not perms.covers_region(worker, [Role.GRID_WORKER], grid("胜利社区第2网格"))
    assert not perms.covers_region(worker, [Role.GRID_WORKER], grid("胜利社区"))


def test_community_staff_cover_all_grids_of_their_community_only(user_named):
    staff = user_named("community")
    assert perms.covers_region(staff, [Role.COMMUNITY_STAFF], grid("胜利社区第2网格"))
    assert not perms.covers_region(staff, [Role.COMMUNITY_STAFF], grid("蓝色康桥社区第1网格"))
    ids = perms.region_ids(user_named("community"), [Role.COMMUNITY_STAFF], level="grid")
    assert ids == set(
        Region.objects.filter(community__name="胜利社区", level="grid").values_list("pk", flat=True)
    )


def test_dispatcher_and_leader_are_district_wide(user_named):
    for name, role in [("dispatcher", Role.DISPATCHER), ("leader", Role.LEADER)]:
        user = user_named(name)
        assert perms.is_district_wide(user, [role])
        assert perms.region_ids(user, [role]) is None
        assert perms.covers_region(user, [role], grid("蓝色康桥社区第1网格"))


def test_region_filter_matches_only_the_objects_in_scope(user_named):
    # Regions themselves carry street/community fields, so they serve as objects to filter.
    grids = Region.objects.filter(level="grid")
    worker_q = perms.region_q(
        user_named("grid"), [Role.GRID_WORKER], street="", community="", grid="id"
    )
    assert list(grids.filter(worker_q).values_list("name", flat=True)) == ["胜利社区第1网格"]
    staff_q = perms.region_q(user_named("community2"), [Role.COMMUNITY_STAFF])
    names = set(grids.filter(staff_q).values_list("name", flat=True))
    assert names == {"蓝色康桥社区第1网格", "蓝色康桥社区第2网格"}


def test_a_role_not_held_gives_nothing(user_named):
    resident = user_named("resident")
    q = perms.region_q(resident, [Role.DISPATCHER])
    assert Region.objects.filter(q).count() == 0
    assert not perms.is_staff_user(resident)


def test_department_staff_scope_is_their_department_only(user_named, foundation):
    assert perms.department_ids(user_named("department")) == {foundation["departments"]["CG"].pk}
    assert perms.department_ids(user_named("department2")) == {foundation["departments"]["ZJ"].pk}
    assert perms.department_ids(user_named("dispatcher")) == set()


def test_party_org_scope_includes_descendants(user_named, foundation):
    publicity = user_named("publicity")
    ids = perms.party_org_ids(publicity, [Role.PUBLICITY_OFFICER])
    assert foundation["orgs"]["胜利社区党委第一党支部"].pk in ids
    secretary_ids = perms.party_org_ids(user_named("secretary"), [Role.BRANCH_SECRETARY])
    assert secretary_ids == {foundation["orgs"]["胜利社区党委第一党支部"].pk}


def test_a_resident_sees_only_their_own_personal_data(api_as):
    body = api_as("resident").get("/api/v1/me").json()
    assert body["username"] == "resident"
    assert body["phone"] == "13904270001"


def test_superuser_without_assignment_is_admin_everywhere(db):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root2", password="x" * 12)
    assert perms.has_role(root, Role.ADMIN)
    assert perms.is_district_wide(root, [Role.ADMIN])
