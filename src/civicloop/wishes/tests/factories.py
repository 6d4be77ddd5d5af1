"""Wishes for tests, made through the same actions the product uses."""

from __future__ import annotations

import io
import itertools

from django.contrib.auth import get_user_model
from PIL import Image

from civicloop.core.models import Region
from civicloop.lib.images import sanitize_image
from civicloop.wishes import actions
from civicloop.wishes.models import State, Wish

_seq = itertools.count(1)

STAFF_OF = {"胜利社区": "community", "蓝色康桥社区": "community2"}
PATH = {
    State.SUBMITTED: [],
    State.DECLINED: ["decline"],
    State.PUBLISHED: ["verify"],
    State.CLAIMED: ["verify", "claim"],
    State.CONTACTED: ["verify", "claim", "contact"],
    State.FULFILLED: ["verify", "claim", "contact", "fulfil"],
    State.CONFIRMED: ["verify", "claim", "contact", "fulfil", "confirm"],
}


def user(username: str):
    return get_user_model().objects.get(username=username)


def jpeg_bytes(size=(64, 48), colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def clean_photo():
    return sanitize_image(jpeg_bytes())


def make_wish(
    state: str = State.PUBLISHED,
    *,
    community: str = "胜利社区",
    claimant: str = "member01",
    poster: str | None = None,
    **fields,
) -> Wish:
    n = next(_seq)
    staff = user(STAFF_OF.get(community, "admin"))
    defaults = {
        "content": f"测试心愿{n}：想要一套学习用品",
        "category": "school_supplies",
        "value_cap": 100,
        "beneficiary_name": f"欧阳测{n}",
        "beneficiary_phone": f"1380000{n:04d}",
        "beneficiary_address": f"测试小区{n}号楼1单元101",
        "beneficiary_type": "left_behind_child",
    }
    defaults.update(fields)
    wish = actions.post_wish(
        user(poster) if poster else staff,
        community=Region.objects.get(name=community),
        **defaults,
    )
    member = user(claimant)
    for step in PATH[state]:
        if step == "verify":
            actions.verify(staff, wish.pk, "已电话核实")
        elif step == "decline":
            actions.decline(staff, wish.pk, "不符合条件")
        elif step == "claim":
            actions.claim(member, wish.pk, "我承诺按时实现")
        elif step == "contact":
            actions.contact(member, wish.pk, "已电话联系")
        elif step == "fulfil":
            actions.fulfil(member, wish.pk, "已送达", clean_photo())
        elif step == "confirm":
            actions.confirm(staff, wish.pk, 5)
    wish.refresh_from_db()
    assert wish.state == state
    return wish
