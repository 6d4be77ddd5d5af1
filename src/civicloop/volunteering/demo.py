"""Demo data of volunteer service in 兴隆台区: registrations, co-building organisations, orders,
tasks (one open now), completed services with points, and rewards. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from . import actions
from .models import MemberRegistration, OrgPairing, Reward, ServiceOrder, Task, TaskClaim

PAIRINGS = [
    ("福德汇党建书屋联合党支部", "蓝色康桥社区", "开展党建书屋共读、红色宣讲进社区", "孙书屋"),
    ("辽河油田兴隆台采油厂第一党支部", "胜利社区", "燃气安全入户宣传、家电义务维修", "马工"),
    ("兴隆台区城管局机关党支部", "胜利社区", "环境整治、文明劝导志愿服务", "杨队"),
    ("兴隆台区实验小学党支部", "丰裕社区", "四点半课堂、假期托管", "何老师"),
    ("盘锦鑫达科技有限公司党支部", "胜利社区", "智能手机使用培训、助老服务", "林经理"),
]
REWARDS = [
    ("洗衣液一瓶", "社区党群服务中心领取", 20, 50),
    ("米面油套装", "社区党群服务中心领取", 60, 20),
    ("爱心理发券", "合作理发店使用", 15, 40),
    ("党史学习读本", "福德汇党建书屋领取", 30, 30),
]


def _get(username):
    return get_user_model().objects.filter(username=username).first()


def load(regions, departments, orgs) -> list[str]:
    shengli, kangqiao = regions["胜利社区"], regions["蓝色康桥社区"]
    staff, staff2 = _get("community"), _get("community2")
    staff_for = {shengli.pk: staff, kangqiao.pk: staff2}
    members = [_get("member")] + [_get(f"member{n:02d}") for n in range(1, 21)]

    for member in members:
        if not MemberRegistration.objects.filter(member=member).exists():
            registration = actions.register_member(member, shengli, skills="")
            actions.decide_registration(staff, registration.pk, approve=True, note="")

    for org_name, community_name, content, contact in PAIRINGS:
        community = regions[community_name]
        if not OrgPairing.objects.filter(party_org=orgs[org_name], community=community).exists():
            actor = staff_for.get(community.pk) or _get("admin")
            actions.pair_org(
                actor,
                community,
                orgs[org_name],
                agreement_date=date(2026, 3, 1),
                content=content,
                contact_name=contact,
                contact_phone="0427-2800000",
            )

    for name, description, cost, stock in REWARDS:
        Reward.objects.get_or_create(
            name=name, defaults={"description": description, "points": cost, "stock": stock}
        )

    now = timezone.now()
    resident = _get("resident")
    if not ServiceOrder.objects.filter(resident=resident).exists():
        actions.submit_order(
            resident,
            service_type="haircut",
            description="家中老人行动不便，希望上门理发",
            preferred_time=now + timedelta(days=2),
            phone="13904270001",
            address="胜利社区胜利小区3号楼2单元501",
        )
        actions.submit_order(
            resident,
            service_type="appliance_repair",
            description="洗衣机不脱水",
            preferred_time=now + timedelta(days=3),
            phone="13904270001",
            address="胜利社区胜利小区3号楼2单元501",
        )

    lat, lng = shengli.centroid_lat, shengli.centroid_lng
    task_specs = [
        # (title, type, start offset, hours, places, points, radius)
        ("胜利社区环境清洁志愿服务", "other", timedelta(hours=-1), 8, 10, 10, None),
        ("为独居老人送药上门", "deliver_medicine", timedelta(days=1), 3, 2, 15, None),
        ("智能手机使用培训", "companionship", timedelta(days=3), 2, 5, 10, 300),
        ("周末文明劝导", "other", timedelta(days=6), 4, 8, 12, None),
    ]
    for title, service_type, offset, hours, places, pts, radius in task_specs:
        if Task.objects.filter(community=shengli, title=title).exists():
            continue
        starts = (now + offset).replace(second=0, microsecond=0)
        actions.publish_task(
            staff,
            community=shengli,
            title=title,
            description=f"{title}，请准时到场扫码报到。",
            service_type=service_type,
            address="胜利社区党群服务中心",
            lat=lat,
            lng=lng,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            places=places,
            points=pts,
            checkin_radius_m=radius,
        )

    done_title = "助老理发进社区"
    if not Task.objects.filter(community=shengli, title=done_title).exists():
        starts = timezone.localtime(now - timedelta(days=7)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        task = actions.publish_task(
            staff,
            community=shengli,
            title=done_title,
            description="为社区高龄老人免费理发",
            service_type="haircut",
            address="胜利社区党群服务中心",
            lat=lat,
            lng=lng,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            places=6,
            points=20,
            cancel_cutoff=starts - timedelta(hours=2),
        )
        # member06–member10 served; member01… are left with an empty ledger for other demos.
        for n, member in enumerate(members[6:11]):
            actions.claim_task(member, task.pk, now=starts - timedelta(days=1))
            actions.check_in(member, task.pk, task.checkin_code, now=starts + timedelta(minutes=n))
            actions.check_out(member, task.pk, now=starts + timedelta(hours=2, minutes=30))
            actions.confirm_service(staff, task.pk, member.pk, now=starts + timedelta(hours=3))
    claims = TaskClaim.objects.filter(state=TaskClaim.State.CONFIRMED).count()
    return [
        f"志愿服务：报到党员 {MemberRegistration.objects.filter(state='approved').count()} 名，"
        f"共建单位 {OrgPairing.objects.count()} 个，任务 {Task.objects.count()} 个，"
        f"已确认服务 {claims} 人次，兑换商品 {Reward.objects.count()} 种"
    ]
