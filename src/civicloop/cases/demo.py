"""Demo data of 随手拍: about 30 categories and about 40 cases in every state, built by calling
the real actions so that each case's audit trail is real. Idempotent: a second run changes
nothing (categories by code, cases by a demo idempotency key)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from . import actions
from . import workflow as wf
from .models import Case, Category, DeadlineUnit

H, D = DeadlineUnit.HOURS, DeadlineUnit.DAYS

# (code, name, department code, [(code, name, department, sign, sign unit, close, close unit,
#   keywords, attributes)])
COVER = [
    {
        "code": "cover_state",
        "datatype": "singlevaluelist",
        "required": True,
        "description": "井盖状况",
        "order": 1,
        "values": [
            {"key": "missing", "name": "缺失"},
            {"key": "broken", "name": "破损"},
            {"key": "loose", "name": "松动/异响"},
        ],
    }
]
NOISE = [
    {
        "code": "period",
        "datatype": "singlevaluelist",
        "required": False,
        "description": "发生时段",
        "order": 1,
        "values": [
            {"key": "day", "name": "白天"},
            {"key": "night", "name": "夜间（22时至次日6时）"},
        ],
    }
]
GARBAGE = [
    {
        "code": "volume",
        "datatype": "number",
        "required": False,
        "description": "估计数量（立方米）",
        "order": 1,
        "values": [],
    }
]
CATEGORIES = [
    (
        "SR",
        "市容环境",
        "CG",
        [
            ("SR01", "暴露垃圾", "CG", 2, H, 1, D, "垃圾,垃圾桶,垃圾堆,乱扔,满溢", GARBAGE),
            ("SR02", "乱堆乱放", "CG", 2, H, 2, D, "乱堆,堆放,杂物,建筑垃圾", []),
            ("SR03", "占道经营", "CG", 2, H, 1, D, "占道,摆摊,小摊,流动摊贩", []),
            ("SR04", "违规小广告", "CG", 4, H, 2, D, "小广告,牛皮癣,张贴,广告牌", []),
            ("SR05", "违章建筑", "CG", 4, H, 10, D, "违建,私搭乱建,违章建筑,搭建", []),
        ],
    ),
    (
        "DL",
        "道路交通",
        "JT",
        [
            ("DL01", "井盖破损", "ZJ", 1, H, 8, H, "井盖,窨井,下水井", COVER),
            ("DL02", "道路破损", "ZJ", 2, H, 5, D, "坑洼,路面,塌陷,破损的路,路坏", []),
            ("DL03", "信号灯故障", "GA", 1, H, 1, D, "红绿灯,信号灯", []),
            ("DL04", "违章停车", "GA", 2, H, 1, D, "乱停车,停车,堵门,占用消防通道", []),
            ("DL05", "公交站点设施", "JT", 4, H, 5, D, "公交,站牌,候车亭", []),
        ],
    ),
    (
        "YL",
        "园林绿化",
        "YL",
        [
            ("YL01", "树木倒伏", "YL", 1, H, 1, D, "倒伏,倒树,树倒,断枝,大树", []),
            ("YL02", "绿地损毁", "YL", 4, H, 5, D, "绿地,草坪,毁绿,踩踏", []),
            ("YL03", "树木修剪", "YL", 4, H, 10, D, "修剪,树枝,遮挡,挡光", []),
        ],
    ),
    (
        "GG",
        "公共设施",
        "CG",
        [
            ("GG01", "路灯不亮", "CG", 2, H, 3, D, "路灯,灯不亮,黑灯,照明", []),
            ("GG02", "健身器材损坏", "WL", 4, H, 5, D, "健身器材,健身,器材", []),
            ("GG03", "消防设施缺损", "YJ", 1, H, 2, D, "消防栓,灭火器,消防", []),
        ],
    ),
    (
        "HJ",
        "环境污染",
        "HB",
        [
            ("HJ01", "臭水沟", "SW", 2, H, 5, D, "臭,水沟,黑臭,污水,下水道", []),
            ("HJ02", "噪声扰民", "HB", 2, H, 3, D, "噪音,噪声,扰民,吵", NOISE),
            ("HJ03", "油烟污染", "HB", 2, H, 5, D, "油烟,烧烤,烟味", []),
            ("HJ04", "露天焚烧", "HB", 1, H, 1, D, "焚烧,烧垃圾,冒烟,烧秸秆", []),
        ],
    ),
    (
        "WY",
        "物业管理",
        "ZJ",
        [
            ("WY01", "电梯故障", "SJ", 1, H, 2, D, "电梯,困人,停梯", []),
            ("WY02", "楼道堆物", "ZJ", 4, H, 3, D, "楼道,堆物,楼梯间", []),
            ("WY03", "供暖问题", "ZJ", 2, H, 2, D, "供暖,暖气,不热,室温", []),
            ("WY04", "房屋漏水", "ZJ", 4, H, 5, D, "漏水,渗水,屋顶,漏雨", []),
        ],
    ),
    (
        "MD",
        "矛盾纠纷",
        "MZ",
        [
            ("MD01", "邻里纠纷（评理说事）", "MZ", 4, H, 5, D, "纠纷,吵架,邻居,矛盾,评理", []),
            ("MD02", "物业纠纷", "ZJ", 4, H, 10, D, "物业费,物业公司,业委会", []),
        ],
    ),
    (
        "MS",
        "民生服务",
        "MZ",
        [
            ("MS01", "困难救助", "MZ", 4, H, 5, D, "低保,救助,困难户,生活困难", []),
            ("MS02", "养老服务", "MZ", 4, H, 5, D, "老人,养老,独居,助餐", []),
            ("MS03", "停水停电停气", "GD", 1, H, 1, D, "停电,停水,停气,没电,燃气", []),
            ("MS04", "食品安全", "SJ", 2, H, 5, D, "食品,过期,卫生,餐馆", []),
        ],
    ),
]


def load_categories(departments) -> dict[str, Category]:
    found: dict[str, Category] = {}
    for order, (code, name, dept, children) in enumerate(CATEGORIES):
        parent = Category.objects.filter(code=code).first()
        if parent is None:
            parent = Category.objects.create(
                code=code, name=name, department=departments.get(dept), order=order * 10
            )
        found[code] = parent
        for n, (c_code, c_name, c_dept, sign, sign_unit, close, close_unit, kw, attrs) in enumerate(
            children
        ):
            child = Category.objects.filter(code=c_code).first()
            if child is None:
                child = Category.objects.create(
                    code=c_code,
                    name=c_name,
                    parent=parent,
                    department=departments.get(c_dept),
                    sign_limit=sign,
                    sign_unit=sign_unit,
                    close_limit=close,
                    close_unit=close_unit,
                    keywords=kw,
                    attributes=attrs,
                    order=order * 10 + n + 1,
                )
            found[c_code] = child
    return found


# (key, description, category, community, grid number (1/2, 0 = typed address), address,
#  path through the workflow)
STORIES = [
    (
        "d01",
        "胜利社区3号楼门前垃圾桶满溢，垃圾散落一地",
        "SR01",
        "胜利社区",
        1,
        "胜利社区3号楼",
        "submitted",
    ),
    ("d02", "小区南门井盖松动，车辆经过咣当响", "DL01", "胜利社区", 1, "胜利社区南门", "submitted"),
    (
        "d03",
        "健身广场路灯晚上不亮，老人散步不安全",
        "GG01",
        "胜利社区",
        1,
        "胜利社区健身广场",
        "verified",
    ),
    (
        "d04",
        "胜利街与兴隆路交口有人占道摆摊",
        "SR03",
        "胜利社区",
        1,
        "胜利街与兴隆路交口",
        "dispatched",
    ),
    ("d05", "7号楼后面堆放大量建筑垃圾", "SR02", "胜利社区", 1, "胜利社区7号楼后", "in_progress"),
    ("d06", "单元门口贴满小广告", "SR04", "胜利社区", 1, "胜利社区12号楼2单元", "replied"),
    (
        "d07",
        "垃圾站周边垃圾长期无人清理",
        "SR01",
        "胜利社区",
        1,
        "胜利社区垃圾站",
        "closed_satisfied",
    ),
    (
        "d08",
        "楼下烧烤店油烟直排，窗户都不敢开",
        "HJ03",
        "胜利社区",
        2,
        "胜利社区商业街",
        "in_progress",
    ),
    (
        "d09",
        "路边水沟发黑发臭，夏天蚊虫很多",
        "HJ01",
        "胜利社区",
        2,
        "胜利社区东侧水沟",
        "dispatched",
    ),
    (
        "d10",
        "邻居装修噪音很大，周末早上七点就开始施工",
        "HJ02",
        "胜利社区",
        2,
        "胜利社区5号楼",
        "submitted",
    ),
    (
        "d11",
        "大风把路边一棵大树刮倒了，压住了人行道",
        "YL01",
        "胜利社区",
        1,
        "胜利社区西门",
        "closed_unrated",
    ),
    ("d12", "路灯杆倾斜，存在安全隐患", "GG01", "胜利社区", 1, "胜利社区北路", "reopened"),
    ("d13", "小区门口违章停车堵住消防通道", "DL04", "振兴社区", 1, "振兴社区1号门", "submitted"),
    ("d14", "健身器材单杠断裂", "GG02", "振兴社区", 2, "振兴社区活动广场", "dispatched"),
    ("d15", "道路有一个大坑，下雨后积水", "DL02", "光明社区", 1, "光明路中段", "in_progress"),
    (
        "d16",
        "楼道里堆满纸箱杂物，影响通行",
        "WY02",
        "光明社区",
        2,
        "光明社区4号楼",
        "closed_satisfied",
    ),
    ("d17", "夜间广场舞音响声音太大", "HJ02", "团结社区", 1, "团结广场", "rejected"),
    ("d18", "楼顶漏雨，家里墙皮都泡了", "WY04", "蓝色康桥社区", 1, "蓝色康桥8号楼", "in_progress"),
    ("d19", "电梯经常停梯，老人上下楼困难", "WY01", "蓝色康桥社区", 2, "蓝色康桥3号楼", "replied"),
    (
        "d20",
        "暖气不热，室温只有十四度",
        "WY03",
        "蓝色康桥社区",
        1,
        "蓝色康桥11号楼",
        "closed_satisfied",
    ),
    ("d21", "小区绿地被人私自开垦种菜", "YL02", "惠宾社区", 1, "惠宾社区中心绿地", "verified"),
    ("d22", "商铺私搭乱建彩钢房", "SR05", "丰裕社区", 1, "丰裕街12号", "dispatched"),
    ("d23", "公交站牌被撞坏", "DL05", "丰裕社区", 2, "丰裕路公交站", "in_progress"),
    ("d24", "红绿灯一直闪黄灯", "DL03", "创新社区", 1, "创新路与科技路交口", "closed_satisfied"),
    ("d25", "有人在空地上焚烧垃圾，浓烟很大", "HJ04", "上房村", 1, "上房村村东", "closed_basic"),
    ("d26", "独居老人家里没人照顾，希望社区帮助", "MS02", "上房村", 2, "上房村二组", "resolved"),
    (
        "d27",
        "邻居在楼道放鞋柜，协商不成起了争执",
        "MD01",
        "迎宾社区",
        1,
        "迎宾社区6号楼",
        "resolved",
    ),
    ("d28", "餐馆后厨卫生差，发现过期食品", "MS04", "迎宾社区", 2, "迎宾路38号", "dispatched"),
    ("d29", "小区突然停电，没有通知", "MS03", "渤海社区", 1, "渤海社区", "closed_satisfied"),
    ("d30", "路边垃圾桶损坏，垃圾外溢", "SR01", "胜利社区", 1, "胜利社区3号楼", "merged"),
    ("d31", "消防栓被撞歪，有漏水", "GG03", "石油社区", 1, "石油社区南门", "verified"),
    ("d32", "树枝挡住了二楼窗户", "YL03", "海湾社区", 2, "海湾社区2号楼", "extension"),
    ("d33", "物业公司不清理化粪池，污水外溢", "HJ01", "金宇社区", 1, "金宇社区", "returned"),
    ("d34", "低保申请一直没有回复", "MS01", "泰山社区", 1, "泰山社区", "in_progress"),
    ("d35", "主干道路灯大面积不亮", "GG01", "欢喜岭社区", 1, "欢喜岭大街", "overdue"),
    ("d36", "路边有人卖烧烤占道", "SR03", "兴盛社区", 1, "兴盛路", "submitted"),
    ("d37", "马路中间井盖缺失，很危险", "DL01", "友谊社区", 1, "友谊大街", "in_progress"),
    ("d38", "荒地上长期堆放废旧轮胎", "SR02", "", 0, "兴隆台区西郊荒地（网格外）", "submitted"),
    ("d39", "小区门口道路塌陷", "DL02", "胜利社区", 1, "胜利社区东门", "closed_satisfied"),
    ("d40", "胜利社区篮球场路灯不亮", "GG01", "胜利社区", 2, "胜利社区篮球场", "dispatched"),
]


def _point(regions, community: str, grid_no: int):
    if not community or not grid_no:
        return None, None
    grid = regions.get(f"{community}第{grid_no}网格")
    if grid is None or grid.centroid_lat is None:
        return None, None
    return grid.centroid_lat + 0.001, grid.centroid_lng - 0.0005


def _walk(case, path: str, cast: dict, departments, merge_into=None) -> None:
    """Moves a freshly reported case along its demo path with the real actions."""
    base = cast["grid"] if case.grid and case.grid.name == "胜利社区第1网格" else None
    base = base or cast["dispatcher"]
    dept_user = cast["department"] if case.department and case.department.code == "CG" else None
    department_actor = dept_user or cast["dispatcher_as_department"](case)

    def do(user, action, **fields):
        actions.perform(case.pk, user, action, fields)

    if path == "submitted":
        return
    if path == "rejected":
        do(_verifier(case, cast), wf.REJECT, reason="属于正常文娱活动，已由社区劝导降低音量")
        return
    if path == "merged":
        do(_verifier(case, cast), wf.MERGE, into=merge_into.pk, note="与已有反映为同一处问题")
        return
    if path == "resolved":
        do(_verifier(case, cast), wf.RESOLVE_LOCALLY, result="社区网格员上门协调，已就地解决")
        return
    do(_verifier(case, cast), wf.VERIFY, note="现场核实属实")
    if path == "verified":
        return
    department = case.department or departments["CG"]
    do(cast["dispatcher"], wf.DISPATCH, department=department.pk, note="请按时限办理")
    case.refresh_from_db()
    department_actor = dept_user or cast["dispatcher_as_department"](case)
    if path == "dispatched":
        return
    if path == "returned":
        do(department_actor, wf.RETURN, reason="不属于本部门职责，应由物业企业主管部门办理")
        return
    do(department_actor, wf.SIGN)
    if path == "in_progress":
        return
    if path == "extension":
        do(department_actor, wf.REQUEST_EXTENSION, hours=16, reason="需协调产权单位，申请延期两天")
        return
    if path == "overdue":
        do(cast["dispatcher"], wf.SUPERVISE, note="群众反映强烈，请加快办理")
        return
    do(department_actor, wf.REPLY, result="已安排人员现场处理完毕，详见照片")
    if path == "replied":
        return
    if path == "reopened":
        do(cast["dispatcher"], wf.APPROVE, note="核查属实")
        do(cast["resident"], wf.EVALUATE, rating="unsatisfied", comment="灯杆还是歪的")
        return
    do(cast["dispatcher"], wf.APPROVE, note="核查属实，同意办结")
    rating = {"closed_satisfied": "satisfied", "closed_basic": "basically_satisfied"}.get(path)
    if rating:
        evaluator = cast["resident"] if case.reporter_id else cast["dispatcher"]
        do(evaluator, wf.EVALUATE, rating=rating, comment="处理及时，谢谢")


def _verifier(case, cast):
    if case.grid and case.grid.name == "胜利社区第1网格":
        return cast["grid"]
    if case.community and case.community.name == "胜利社区":
        return cast["community"]
    if case.community and case.community.name == "蓝色康桥社区":
        return cast["community2"]
    return cast["staff_for"](case)


def load(regions, departments, orgs) -> list[str]:
    categories = load_categories(departments)
    lines = [f"问题分类 {Category.objects.count()} 个"]
    if Case.objects.filter(idempotency_scope="demo").exists():
        lines.append(
            f"随手拍演示工单 {Case.objects.filter(idempotency_scope='demo').count()} 件（已存在）"
        )
        return lines
    users = {u.username: u for u in get_user_model().objects.filter(is_active=True)}
    helpers = _demo_helpers(regions, departments)
    cast = {
        "resident": users["resident"],
        "grid": users["grid"],
        "community": users["community"],
        "community2": users["community2"],
        "dispatcher": users["dispatcher"],
        "department": users["department"],
        **helpers,
    }
    created = 0
    by_key = {}
    with transaction.atomic():
        for key, text, cat, community, grid_no, address, path in STORIES:
            lat, lng = _point(regions, community, grid_no)
            reporter = cast["resident"] if community == "胜利社区" else None
            case, fresh = actions.create_case(
                reporter,
                description=text,
                lat=lat,
                lng=lng,
                address=address,
                category=categories[cat],
                attributes={"cover_state": "loose"} if cat == "DL01" else None,
                contact_name="" if reporter else "居民" + key[-2:],
                contact_phone="" if reporter else f"1390427{8000 + int(key[1:]):04d}",
                idempotency_scope="demo",
                idempotency_key=key,
            )
            by_key[key] = case
            if fresh:
                created += 1
                _walk(case, path, cast, departments, merge_into=by_key.get("d01"))
    from .tasks import sweep_deadlines

    flagged = sweep_deadlines()
    lines.append(
        f"随手拍演示工单 {created} 件（即将超期 {flagged['due_soon']}，已超期 {flagged['overdue']}）"
    )
    return lines


def _demo_helpers(regions, departments) -> dict:
    """Staff accounts for the communities and departments the named demo accounts don't cover
    (so that every demo case is acted on by someone in scope)."""
    from civicloop.core.models import Profile, Role, RoleAssignment, ScopeType

    User = get_user_model()

    def account(username, name, role, **scope):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_unusable_password()  # acts in the demo history only; cannot sign in
            user.save()
            Profile.objects.get_or_create(user=user, defaults={"real_name": name})
        RoleAssignment.objects.get_or_create(user=user, role=role, **scope)
        return user

    def staff_for(case):
        community = case.community
        if community is None:
            return User.objects.get(username="dispatcher")
        return account(
            f"demo-sq-{community.code}",
            f"{community.name}工作人员",
            Role.COMMUNITY_STAFF,
            scope_type=ScopeType.COMMUNITY,
            region=community,
        )

    def dispatcher_as_department(case):
        department = case.department
        return account(
            f"demo-bm-{department.code}",
            f"{department.short_name or department.name}值班员",
            Role.DEPARTMENT_STAFF,
            scope_type=ScopeType.DEPARTMENT,
            department=department,
        )

    return {"staff_for": staff_for, "dispatcher_as_department": dispatcher_as_department}
