"""Demo data of 兴隆台区 (Panjin): regions and grids, departments, party organisations, accounts.

Idempotent: every object is found by its natural key first, so a second run changes nothing."""

from __future__ import annotations

import importlib

from django.contrib.auth import get_user_model

from civicloop.lib.geo import rectangle

from .models import Department, PartyOrg, Profile, Region, Role, RoleAssignment, ScopeType

DEMO_PASSWORD = "civicloop-demo"  # noqa: S105 - documented demo accounts only

DISTRICT = ("211103", "兴隆台区")
# (code, name, kind, [(community name, kind)]) — west to east.
STREETS = [
    (
        "211103001",
        "振兴街道",
        "街道",
        [("胜利社区", "社区"), ("振兴社区", "社区"), ("光明社区", "社区"), ("团结社区", "社区")],
    ),
    (
        "211103002",
        "渤海街道",
        "街道",
        [("迎宾社区", "社区"), ("渤海社区", "社区"), ("石油社区", "社区"), ("海湾社区", "社区")],
    ),
    (
        "211103003",
        "惠宾街道",
        "街道",
        [
            ("蓝色康桥社区", "社区"),
            ("惠宾社区", "社区"),
            ("金宇社区", "社区"),
            ("泰山社区", "社区"),
        ],
    ),
    (
        "211103004",
        "创新街道",
        "街道",
        [("丰裕社区", "社区"), ("创新社区", "社区"), ("科技社区", "社区"), ("锦绣社区", "社区")],
    ),
    (
        "211103005",
        "欢喜岭街道",
        "街道",
        [("欢喜岭社区", "社区"), ("上房村", "村"), ("齐家村", "村"), ("曙光社区", "社区")],
    ),
    (
        "211103006",
        "兴盛街道",
        "街道",
        [("兴盛社区", "社区"), ("新村社区", "社区"), ("东风社区", "社区"), ("华油社区", "社区")],
    ),
    (
        "211103007",
        "友谊街道",
        "街道",
        [("友谊社区", "社区"), ("园丁社区", "社区"), ("东城社区", "社区"), ("同心社区", "社区")],
    ),
    ("211103400", "兴隆农场", "农场", [("农场社区", "社区"), ("西大村", "村")]),
]
GRIDS_PER_COMMUNITY = 2
ORIGIN_LAT, ORIGIN_LNG = 41.100, 122.020
STREET_WIDTH, COMMUNITY_HEIGHT = 0.0125, 0.010

DEPARTMENTS = [
    ("CG", "兴隆台区城市管理综合行政执法局", "城管局"),
    ("ZJ", "兴隆台区住房和城乡建设局", "住建局"),
    ("HB", "盘锦市生态环境局兴隆台分局", "生态环境分局"),
    ("JT", "兴隆台区交通运输局", "交通局"),
    ("SW", "兴隆台区水务局", "水务局"),
    ("MZ", "兴隆台区民政局", "民政局"),
    ("WJ", "兴隆台区卫生健康局", "卫健局"),
    ("SJ", "兴隆台区市场监督管理局", "市场监管局"),
    ("GA", "盘锦市公安局兴隆台分局", "公安分局"),
    ("YJ", "兴隆台区应急管理局", "应急局"),
    ("JY", "兴隆台区教育局", "教育局"),
    ("WL", "兴隆台区文化旅游和广播电视局", "文旅局"),
    ("NY", "兴隆台区农业农村局", "农业农村局"),
    ("GD", "国网盘锦供电公司兴隆台分公司", "供电公司"),
    ("RQ", "盘锦燃气有限公司", "燃气公司"),
    ("YL", "兴隆台区园林绿化中心", "园林中心"),
]

# (username, real name, phone, [(role, scope_type, scope key)]) — scope keys resolved below.
ACCOUNTS = [
    ("resident", "李秀兰", "13904270001", [(Role.RESIDENT, ScopeType.COMMUNITY, "胜利社区")]),
    ("grid", "王建国", "13904270002", [(Role.GRID_WORKER, ScopeType.GRID, "胜利社区第1网格")]),
    ("grid2", "赵志强", "13904270003", [(Role.GRID_WORKER, ScopeType.GRID, "胜利社区第2网格")]),
    (
        "community",
        "张丽娟",
        "13904270004",
        [(Role.COMMUNITY_STAFF, ScopeType.COMMUNITY, "胜利社区")],
    ),
    (
        "community2",
        "刘芳",
        "13904270005",
        [(Role.COMMUNITY_STAFF, ScopeType.COMMUNITY, "蓝色康桥社区")],
    ),
    ("dispatcher", "陈晓峰", "13904270006", [(Role.DISPATCHER, ScopeType.DISTRICT, None)]),
    ("department", "孙海涛", "13904270007", [(Role.DEPARTMENT_STAFF, ScopeType.DEPARTMENT, "CG")]),
    ("department2", "周文静", "13904270008", [(Role.DEPARTMENT_STAFF, ScopeType.DEPARTMENT, "ZJ")]),
    (
        "member",
        "杨光明",
        "13904270009",
        [(Role.PARTY_MEMBER, ScopeType.PARTY_ORG, "兴隆台区城管局机关党支部")],
    ),
    (
        "secretary",
        "吴红梅",
        "13904270010",
        [
            (Role.BRANCH_SECRETARY, ScopeType.PARTY_ORG, "胜利社区党委第一党支部"),
            (Role.PARTY_MEMBER, ScopeType.PARTY_ORG, "胜利社区党委第一党支部"),
        ],
    ),
    (
        "publicity",
        "郑晓雨",
        "13904270011",
        [(Role.PUBLICITY_OFFICER, ScopeType.PARTY_ORG, "中共盘锦市兴隆台区委员会")],
    ),
    ("leader", "高振华", "13904270012", [(Role.LEADER, ScopeType.DISTRICT, None)]),
    ("admin", "系统管理员", "13904270013", [(Role.ADMIN, ScopeType.DISTRICT, None)]),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = [
    "建华",
    "秀英",
    "志刚",
    "丽华",
    "海燕",
    "国强",
    "桂兰",
    "文博",
    "春梅",
    "德胜",
    "晓东",
    "玉兰",
    "立新",
    "红霞",
    "永刚",
    "淑珍",
    "振宇",
    "雪梅",
    "宏伟",
    "金凤",
]
MEMBER_BRANCHES = [
    "兴隆台区城管局机关党支部",
    "辽河油田兴隆台采油厂第一党支部",
    "兴隆台区实验小学党支部",
    "胜利社区党委第一党支部",
    "盘锦鑫达科技有限公司党支部",
]


def _region(code, name, level, kind, parent, geometry=None) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        region = Region(
            code=code, name=name, level=level, kind=kind, parent=parent, geometry=geometry
        )
        region.save()
    return region


def load_regions() -> dict[str, Region]:
    by_name: dict[str, Region] = {}
    district = _region(DISTRICT[0], DISTRICT[1], Region.Level.DISTRICT, "区", None)
    by_name[district.name] = district
    for s_index, (s_code, s_name, s_kind, communities) in enumerate(STREETS):
        street = _region(s_code, s_name, Region.Level.STREET, s_kind, district)
        by_name[s_name] = street
        west = ORIGIN_LNG + s_index * STREET_WIDTH
        for c_index, (c_name, c_kind) in enumerate(communities):
            south = ORIGIN_LAT + c_index * COMMUNITY_HEIGHT
            c_code = f"{s_code}{c_index + 1:03d}"
            community = _region(
                c_code,
                c_name,
                Region.Level.COMMUNITY,
                c_kind,
                street,
                rectangle(west, south, west + STREET_WIDTH, south + COMMUNITY_HEIGHT),
            )
            by_name[c_name] = community
            grid_width = STREET_WIDTH / GRIDS_PER_COMMUNITY
            for g_index in range(GRIDS_PER_COMMUNITY):
                g_west = west + g_index * grid_width
                g_name = f"{c_name}第{g_index + 1}网格"
                grid = _region(
                    f"{c_code}{g_index + 1:02d}",
                    g_name,
                    Region.Level.GRID,
                    "网格",
                    community,
                    rectangle(g_west, south, g_west + grid_width, south + COMMUNITY_HEIGHT),
                )
                by_name[g_name] = grid
    return by_name


def load_departments() -> dict[str, Department]:
    result = {}
    for code, name, short in DEPARTMENTS:
        dept, _ = Department.objects.get_or_create(
            code=code, defaults={"name": name, "short_name": short}
        )
        result[code] = dept
    return result


def _org(name, kind, unit_type, parent=None, region=None) -> PartyOrg:
    org, _ = PartyOrg.objects.get_or_create(
        name=name,
        defaults={"kind": kind, "unit_type": unit_type, "parent": parent, "region": region},
    )
    return org


def load_party_orgs(regions: dict[str, Region]) -> dict[str, PartyOrg]:
    K, U = PartyOrg.Kind, PartyOrg.UnitType
    orgs: dict[str, PartyOrg] = {}
    top = _org("中共盘锦市兴隆台区委员会", K.COMMITTEE, U.ORGAN, region=regions["兴隆台区"])
    orgs[top.name] = top
    for _code, s_name, _kind, communities in STREETS:
        street_org = _org(
            f"中共{s_name}工作委员会", K.WORKING_COMMITTEE, U.ORGAN, top, regions[s_name]
        )
        orgs[street_org.name] = street_org
        for c_name, _c_kind in communities:
            # 蓝色康桥社区 runs a 大党委 that brings co-building units into one committee.
            label = f"{c_name}大党委" if c_name == "蓝色康桥社区" else f"{c_name}党委"
            org = _org(label, K.COMMITTEE, U.COMMUNITY, street_org, regions[c_name])
            orgs[org.name] = org
    orgs["胜利社区党委第一党支部"] = _org(
        "胜利社区党委第一党支部", K.BRANCH, U.COMMUNITY, orgs["胜利社区党委"], regions["胜利社区"]
    )
    orgs["胜利社区党委第二党支部"] = _org(
        "胜利社区党委第二党支部", K.BRANCH, U.COMMUNITY, orgs["胜利社区党委"], regions["胜利社区"]
    )
    organs = _org("中共兴隆台区直属机关工作委员会", K.WORKING_COMMITTEE, U.ORGAN, top)
    orgs[organs.name] = organs
    for name, unit_type, parent in [
        ("兴隆台区城管局机关党支部", U.ORGAN, organs),
        ("兴隆台区住建局机关党支部", U.ORGAN, organs),
        ("兴隆台区实验小学党支部", U.SCHOOL, top),
        ("辽河油田兴隆台采油厂第一党支部", U.SOE, top),
        ("盘锦鑫达科技有限公司党支部", U.PRIVATE, top),
        ("福德汇党建书屋联合党支部", U.PRIVATE, orgs["中共惠宾街道工作委员会"]),
    ]:
        orgs[name] = _org(name, K.BRANCH, unit_type, parent)
    return orgs


def _user(
    username: str,
    real_name: str,
    phone: str,
    *,
    home: Region | None,
    org: PartyOrg | None,
    superuser: bool = False,
):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, is_staff=superuser, is_superuser=superuser)
        user.set_password(DEMO_PASSWORD)
        user.save()
    profile, created = Profile.objects.get_or_create(user=user)
    if created:
        profile.real_name, profile.phone, profile.home_region, profile.party_org = (
            real_name,
            phone,
            home,
            org,
        )
        profile.is_party_member = org is not None
        profile.save()
    return user


def load_accounts(regions, departments, orgs) -> list[str]:
    created = []
    for username, real_name, phone, grants in ACCOUNTS:
        party_org = next((orgs[key] for role, st, key in grants if st == ScopeType.PARTY_ORG), None)
        user = _user(
            username,
            real_name,
            phone,
            home=regions["胜利社区"],
            org=party_org,
            superuser=username == "admin",
        )
        for role, scope_type, key in grants:
            scope = {"region": None, "department": None, "party_org": None}
            if scope_type == ScopeType.DISTRICT:
                scope["region"] = regions["兴隆台区"]
            elif scope_type in (ScopeType.STREET, ScopeType.COMMUNITY, ScopeType.GRID):
                scope["region"] = regions[key]
            elif scope_type == ScopeType.DEPARTMENT:
                scope["department"] = departments[key]
            else:
                scope["party_org"] = orgs[key]
            RoleAssignment.objects.get_or_create(
                user=user, role=role, scope_type=scope_type, **scope
            )
        created.append(username)
    for n in range(1, 21):
        username = f"member{n:02d}"
        org = orgs[MEMBER_BRANCHES[(n - 1) % len(MEMBER_BRANCHES)]]
        name = SURNAMES[(n * 7) % len(SURNAMES)] + GIVEN[n - 1]
        user = _user(username, name, f"1390427{1000 + n:04d}", home=regions["胜利社区"], org=org)
        RoleAssignment.objects.get_or_create(
            user=user, role=Role.PARTY_MEMBER, scope_type=ScopeType.PARTY_ORG, party_org=org
        )
        created.append(username)
    return created


DEMO_APPS = ["cases", "volunteering", "wishes", "study", "dashboard", "open311"]


def load_all() -> list[str]:
    regions = load_regions()
    departments = load_departments()
    orgs = load_party_orgs(regions)
    accounts = load_accounts(regions, departments, orgs)
    summary = [
        f"区域 {Region.objects.exclude(level=Region.Level.GRID).count()} 个，网格 "
        f"{Region.objects.filter(level=Region.Level.GRID).count()} 个",
        f"部门 {Department.objects.count()} 个，党组织 {PartyOrg.objects.count()} 个",
        f"演示账号 {len(accounts)} 个（密码 {DEMO_PASSWORD}）",
    ]
    # Each capability loads its own demo data after the foundation, in a fixed order.
    for app in DEMO_APPS:
        try:
            module = importlib.import_module(f"civicloop.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"civicloop.{app}.demo":
                raise
            continue
        lines = module.load(regions=regions, departments=departments, orgs=orgs)
        summary.extend(lines or [])
    return summary
