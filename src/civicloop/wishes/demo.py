"""Demo wishes across 兴隆台区's communities, in every state of the lifecycle.

Each wish is driven through the same actions the product uses (so events and the points ledger
are real), each step at a moment in the past; idempotent: a wish already present (same content, same community)
is left alone, and ledger awards are keyed by wish."""

from __future__ import annotations

import functools
import io
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from civicloop.lib.images import sanitize_image

from . import actions
from .models import BeneficiaryType as T
from .models import Category as C
from .models import State, Wish

# (community, poster, content, category, value cap, name, phone, address, type,
#  final state, days since posting, claimant)
WISHES = [
    ("胜利社区", "community", "想要一副老花镜和一盒助听器电池，看报纸、听广播更方便。", C.DAILY_NECESSITIES, 150,
     "王桂芬", "13904271101", "胜利社区石油大院12号楼1单元302", T.ELDERLY_ALONE, State.CONFIRMED, 30, "member16"),
    ("胜利社区", "community", "孩子上初二，想要一套数学和英语的同步辅导书。", C.SCHOOL_SUPPLIES, 120,
     "刘小雨", "13904271102", "胜利社区兴油小区5号楼3单元201", T.LEFT_BEHIND_CHILD, State.PUBLISHED, 22, None),
    ("胜利社区", "community", "希望周末有人陪我去市中心医院复查。", C.COMPANY, 50,
     "赵德山", "13904271103", "胜利社区胜利里8号楼2单元101", T.SICK, State.CLAIMED, 3, "member"),
    ("胜利社区", "community", "家里冬天冷，想要一台小电暖器。", C.DAILY_NECESSITIES, 300,
     "孙淑珍", "13904271104", "胜利社区采油小区3号楼1单元502", T.HARDSHIP_FAMILY, State.CONTACTED, 6, "member18"),
    ("胜利社区", "resident", "家里水龙头漏水，想请人帮忙换一个新的。", C.OTHER, 60,
     "李秀兰", "13904270001", "胜利社区兴油小区9号楼1单元602", T.OTHER, State.SUBMITTED, 1, None),
    ("蓝色康桥社区", "community2", "想要一个新书包和一套文具，开学用。", C.SCHOOL_SUPPLIES, 100,
     "陈思琪", "13904271106", "蓝色康桥小区15号楼2单元301", T.LEFT_BEHIND_CHILD, State.FULFILLED, 12, "member19"),
    ("蓝色康桥社区", "community2", "希望每周有人来陪我聊聊天、读读报。", C.COMPANY, 50,
     "马玉兰", "13904271107", "蓝色康桥小区3号楼1单元102", T.ELDERLY_ALONE, State.CONFIRMED, 40, "member17"),
    ("蓝色康桥社区", "community2", "腿脚不便，需要一副轻便的拐杖。", C.MEDICAL, 200,
     "何长青", "13904271108", "蓝色康桥小区21号楼4单元101", T.DISABLED, State.PUBLISHED, 17, None),
    ("蓝色康桥社区", "community2", "想要一双保暖的棉鞋过冬。", C.DAILY_NECESSITIES, 80,
     "郭秀梅", "13904271109", "蓝色康桥小区7号楼2单元402", T.ELDERLY_ALONE, State.PUBLISHED, 2, None),
    ("蓝色康桥社区", "community2", "想要一台笔记本电脑上网课。", C.EDUCATION, 500,
     "罗小军", "13904271110", "蓝色康桥小区11号楼1单元201", T.HARDSHIP_FAMILY, State.DECLINED, 8, None),
    ("丰裕社区", "admin", "想要一套小学科学实验玩具。", C.SCHOOL_SUPPLIES, 150,
     "林佳佳", "13904271111", "丰裕社区丰裕花园2号楼3单元301", T.LEFT_BEHIND_CHILD, State.PUBLISHED, 5, None),
    ("迎宾社区", "admin", "希望有人帮忙代购降压药并送上门。", C.MEDICAL, 100,
     "黄永福", "13904271112", "迎宾社区迎宾小区6号楼1单元201", T.SICK, State.CLAIMED, 2, "member15"),
    ("上房村", "admin", "想要一袋大米和一桶豆油。", C.DAILY_NECESSITIES, 120,
     "徐桂香", "13904271113", "上房村二组18号", T.HARDSHIP_FAMILY, State.PUBLISHED, 31, None),
]  # fmt: skip

PATH = {
    State.SUBMITTED: [],
    State.DECLINED: ["decline"],
    State.PUBLISHED: ["verify"],
    State.CLAIMED: ["verify", "claim"],
    State.CONTACTED: ["verify", "claim", "contact"],
    State.FULFILLED: ["verify", "claim", "contact", "fulfil"],
    State.CONFIRMED: ["verify", "claim", "contact", "fulfil", "confirm"],
}


@functools.cache
def _photo():
    image = Image.new("RGB", (640, 480), (246, 232, 210))
    draw = ImageDraw.Draw(image)
    draw.rectangle((160, 140, 480, 380), fill=(183, 28, 28))
    draw.rectangle((300, 140, 340, 380), fill=(255, 215, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return sanitize_image(buffer.getvalue())


def _moments(days: int, steps: int) -> list:
    """Posted `days` ago, verified a day later, later steps spread evenly up to an hour ago."""
    now = timezone.now()
    start = now - timedelta(days=days)
    verified = start + min(timedelta(days=1), (now - start) / 2)
    moments = [start, verified][: steps + 1]
    rest = steps + 1 - len(moments)
    for i in range(1, rest + 1):
        moments.append(verified + (now - timedelta(hours=1) - verified) * i / rest)
    return moments


def _step(step: str, wish_id: int, staff, member) -> None:
    if step == "verify":
        actions.verify(staff, wish_id, "已电话核实，情况属实")
    elif step == "decline":
        actions.decline(staff, wish_id, "已纳入区教育局助学项目，由项目统一解决")
    elif step == "claim":
        actions.claim(member, wish_id, "我承诺 7 天内联系受助人，尽快帮助实现心愿。")
    elif step == "contact":
        actions.contact(member, wish_id, "已电话联系，约定周末上门")
    elif step == "fulfil":
        actions.fulfil(member, wish_id, "已上门送达，老人很高兴。", _photo())
    elif step == "confirm":
        actions.confirm(staff, wish_id, 5, "党员服务热情周到")


def load(regions, departments, orgs) -> list[str]:
    users = {u.username: u for u in get_user_model().objects.all()}
    created = 0
    for row in WISHES:
        (community, poster, content, category, cap, name, phone, address, kind, state, days,
         claimant) = row  # fmt: skip
        if Wish.objects.filter(content=content, community=regions[community]).exists():
            continue
        staff = users["community"] if community == "胜利社区" else users["community2"]
        if community not in ("胜利社区", "蓝色康桥社区"):
            staff = users["admin"]
        steps = PATH[state]
        moments = _moments(days, len(steps))
        member = users.get(claimant) if claimant else None
        with transaction.atomic():
            with actions.at_time(moments[0]):
                wish = actions.post_wish(
                    users[poster],
                    content=content,
                    category=category,
                    value_cap=cap,
                    beneficiary_name=name,
                    beneficiary_phone=phone,
                    beneficiary_address=address,
                    beneficiary_type=kind,
                    community=regions[community],
                )
            for step, moment in zip(steps, moments[1:], strict=True):
                with actions.at_time(moment):
                    _step(step, wish.pk, staff, member)
        created += 1
    total = Wish.objects.count()
    return [f"微心愿 {total} 个（本次新增 {created} 个）"]
