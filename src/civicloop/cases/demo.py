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


# (key, description, category, community, grid number (1/2, 0 = outside every grid), address,
#  path through the workflow). Cases move only where a demo account holds the scope: 胜利社区
# (grid, grid2, community), 蓝色康桥社区 (community2), 城管局 (department), 住建局 (department2);
# reports elsewhere wait for their own community's staff.
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
    ("d08", "楼道里堆满纸箱杂物，影响通行", "WY02", "胜利社区", 2, "胜利社区9号楼", "in_progress"),
    ("d09", "小区主路有一个大坑，下雨后积水", "DL02", "胜利社区", 2, "胜利社区主路", "dispatched"),
    (
        "d10",
        "邻居装修噪音很大，周末早上七点就开始施工",
        "HJ02",
        "胜利社区",
        2,
        "胜利社区5号楼",
        "submitted",
    ),
    ("d11", "商铺门前私搭彩钢棚", "SR05", "胜利社区", 1, "胜利社区商业街", "closed_unrated"),
    ("d12", "路灯杆倾斜，存在安全隐患", "GG01", "胜利社区", 1, "胜利社区北路", "reopened"),
    ("d13", "暖气不热，室温只有十四度", "WY03", "胜利社区", 2, "胜利社区11号楼", "closed_basic"),
    ("d14", "屋顶漏雨，家里墙皮都泡了", "WY04", "胜利社区", 2, "胜利社区2号楼", "extension"),
    ("d15", "马路中间井盖缺失，很危险", "DL01", "胜利社区", 2, "胜利社区东路", "overdue"),
    (
        "d16",
        "独居老人家里没人照顾，希望社区帮助",
        "MS02",
        "胜利社区",
        1,
        "胜利社区6号楼",
        "resolved",
    ),
    ("d17", "夜间广场舞音响声音太大", "HJ02", "胜利社区", 2, "胜利社区广场", "rejected"),
    ("d18", "楼顶漏雨，墙面大面积发霉", "WY04", "蓝色康桥社区", 1, "蓝色康桥8号楼", "in_progress"),
    ("d19", "物业公司长期不清理楼道杂物", "WY02", "蓝色康桥社区", 2, "蓝色康桥3号楼", "replied"),
    (
        "d20",
        "小区道路破损，电动车经常摔倒",
        "DL02",
        "蓝色康桥社区",
        1,
        "蓝色康桥南路",
        "closed_satisfied",
    ),
    ("d21", "小区门口流动摊贩占道经营", "SR03", "蓝色康桥社区", 2, "蓝色康桥东门", "verified"),
    (
        "d22",
        "邻居在楼道放鞋柜，协商不成起了争执",
        "MD01",
        "蓝色康桥社区",
        1,
        "蓝色康桥6号楼",
        "resolved",
    ),
    ("d23", "路灯整排不亮", "GG01", "蓝色康桥社区", 2, "蓝色康桥北路", "returned"),
    ("d24", "垃圾桶破损，垃圾外溢", "SR01", "蓝色康桥社区", 1, "蓝色康桥1号楼", "dispatched"),
    ("d25", "物业费收取不透明", "MD02", "蓝色康桥社区", 2, "蓝色康桥物业中心", "submitted"),
    ("d26", "路边垃圾桶损坏，垃圾外溢", "SR01", "胜利社区", 1, "胜利社区3号楼", "merged"),
    ("d27", "小区门口违章停车堵住消防通道", "DL04", "振兴社区", 1, "振兴社区1号门", "submitted"),
    ("d28", "健身器材单杠断裂", "GG02", "振兴社区", 2, "振兴社区活动广场", "submitted"),
    ("d29", "道路有一个大坑，下雨后积水", "DL02", "光明社区", 1, "光明路中段", "submitted"),
    ("d30", "红绿灯一直闪黄灯", "DL03", "创新社区", 1, "创新路与科技路交口", "submitted"),
    ("d31", "有人在空地上焚烧垃圾，浓烟很大", "HJ04", "上房村", 1, "上房村村东", "submitted"),
    ("d32", "餐馆后厨卫生差，发现过期食品", "MS04", "迎宾社区", 2, "迎宾路38号", "submitted"),
    ("d33", "小区突然停电，没有通知", "MS03", "渤海社区", 1, "渤海社区", "submitted"),
    ("d34", "消防栓被撞歪，有漏水", "GG03", "石油社区", 1, "石油社区南门", "submitted"),
    ("d35", "树枝挡住了二楼窗户", "YL03", "海湾社区", 2, "海湾社区2号楼", "submitted"),
    ("d36", "物业公司不清理化粪池，污水外溢", "HJ01", "金宇社区", 1, "金宇社区", "submitted"),
    ("d37", "荒地上长期堆放废旧轮胎", "SR02", "", 0, "兴隆台区西郊荒地（网格外）", "district"),
    ("d38", "城郊路口大量建筑垃圾倾倒", "SR02", "", 0, "兴隆台区北郊路口（网格外）", "verified"),
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


def _walk(case, path: str, cast: dict, merge_into=None) -> None:
    """Moves a freshly reported case along its demo path with the real actions."""

    def do(user, action, **fields):
        actions.perform(case.pk, user, action, fields)

    if path in ("submitted", "district"):
        return
    verifier = _verifier(case, cast)
    if path == "rejected":
        do(verifier, wf.REJECT, reason="属于正常文娱活动，已由社区劝导降低音量")
        return
    if path == "merged":
        do(verifier, wf.MERGE, into=merge_into.pk, note="与已有反映为同一处问题")
        return
    if path == "resolved":
        do(verifier, wf.RESOLVE_LOCALLY, result="网格员上门协调，已就地解决")
        return
    do(verifier, wf.VERIFY, note="现场核实属实")
    if path == "verified":
        return
    dispatcher = cast["dispatcher"]
    do(dispatcher, wf.DISPATCH, department=case.department.pk, note="请按时限办理")
    handler = cast["department"] if case.department.code == "CG" else cast["department2"]
    if path == "dispatched":
        return
    if path == "returned":
        do(handler, wf.RETURN, reason="路灯产权属供电公司，请改派")
        return
    do(handler, wf.SIGN)
    if path == "in_progress":
        return
    if path == "extension":
        do(handler, wf.REQUEST_EXTENSION, hours=16, reason="需协调产权单位，申请延期两天")
        return
    if path == "overdue":
        do(dispatcher, wf.SUPERVISE, note="群众反映强烈，请加快办理")
        return
    do(handler, wf.REPLY, result="已安排人员现场处理完毕，详见照片")
    if path == "replied":
        return
    do(dispatcher, wf.APPROVE, note="核查属实，同意办结")
    if path == "reopened":
        do(cast["resident"], wf.EVALUATE, rating="unsatisfied", comment="灯杆还是歪的")
        return
    rating = {"closed_satisfied": "satisfied", "closed_basic": "basically_satisfied"}.get(path)
    if rating:
        evaluator = cast["resident"] if case.reporter_id else cast["dispatcher"]
        do(evaluator, wf.EVALUATE, rating=rating, comment="处理及时，谢谢")


def _verifier(case, cast):
    if case.grid is None:
        return cast["dispatcher"]  # 兜底
    if case.grid.name == "胜利社区第1网格":
        return cast["grid"]
    if case.grid.name == "胜利社区第2网格":
        return cast["grid2"]
    if case.community.name == "蓝色康桥社区":
        return cast["community2"]
    return cast["community"]


def load(regions, departments, orgs) -> list[str]:
    categories = load_categories(departments)
    lines = [f"问题分类 {Category.objects.count()} 个"]
    if Case.objects.filter(idempotency_scope="demo").exists():
        lines.append(
            f"随手拍演示工单 {Case.objects.filter(idempotency_scope='demo').count()} 件（已存在）"
        )
        return lines
    names = ("resident", "grid", "grid2", "community", "community2", "dispatcher")
    cast = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=(*names, "department", "department2"))
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
                _walk(case, path, cast, merge_into=by_key.get("d01"))
    from .tasks import sweep_deadlines

    flagged = sweep_deadlines()
    lines.append(
        f"随手拍演示工单 {created} 件（即将超期 {flagged['due_soon']}，已超期 {flagged['overdue']}）"
    )
    return lines
