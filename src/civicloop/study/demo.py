"""Demo data of 党史学习教育: the four textbooks with their chapters, the district's plan,
branch sessions at different stages (one branch has "领学大半"), reflections, lectures, reading
classes, publicity records, an imported article and two playable audio items.

Idempotent: everything is looked up by a natural key first; a second run changes nothing."""

from __future__ import annotations

import datetime
import hashlib
import io
import math
import struct
import wave

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from .models import (
    Article,
    Attendance,
    AuditEntry,
    Chapter,
    Lecture,
    MediaItem,
    PlanMilestone,
    PlanTopic,
    PublicityRecord,
    ReadingClass,
    Reflection,
    ReflectionEvent,
    StudyPlan,
    StudySession,
    Textbook,
)

# (title, short title, publisher, note, [chapters])
TEXTBOOKS = [
    (
        "论中国共产党历史",
        "论党史",
        "中央文献出版社",
        "习近平同志 2012 年 11 月至 2020 年 10 月间关于党的历史的重要文稿；篇目按公开报道整理，"
        "以正式出版物为准，管理员可在后台补充。",
        [
            "实现中华民族伟大复兴是中华民族近代以来最伟大的梦想",
            "关于坚持和发展中国特色社会主义的几个问题",
            "在纪念毛泽东同志诞辰一百二十周年座谈会上的讲话",
            "在纪念全民族抗战爆发七十七周年仪式上的讲话",
            "在纪念邓小平同志诞辰一百一十周年座谈会上的讲话",
            "在南京大屠杀死难者国家公祭仪式上的讲话",
            "在纪念陈云同志诞辰一百一十周年座谈会上的讲话",
            "在纪念中国人民抗日战争暨世界反法西斯战争胜利七十周年大会上的讲话",
            "在纪念胡耀邦同志诞辰一百周年座谈会上的讲话",
            "在庆祝中国共产党成立九十五周年大会上的讲话",
            "在纪念红军长征胜利八十周年大会上的讲话",
            "在纪念孙中山先生诞辰一百五十周年大会上的讲话",
            "在纪念朱德同志诞辰一百三十周年座谈会上的讲话",
            "在庆祝中国人民解放军建军九十周年大会上的讲话",
            "在纪念周恩来同志诞辰一百二十周年座谈会上的讲话",
            "在纪念马克思诞辰二百周年大会上的讲话",
            "在纪念刘少奇同志诞辰一百二十周年座谈会上的讲话",
            "在庆祝改革开放四十周年大会上的讲话",
            "在纪念五四运动一百周年大会上的讲话",
            "在庆祝中华人民共和国成立七十周年大会上的讲话",
            "在纪念中国人民志愿军抗美援朝出国作战七十周年大会上的讲话",
        ],
    ),
    (
        "毛泽东、邓小平、江泽民、胡锦涛关于中国共产党历史论述摘编",
        "论述摘编",
        "中央文献出版社",
        "按专题编排；专题名称按公开资料整理，以正式出版物为准。",
        [
            "中国共产党的成立和党的性质宗旨",
            "新民主主义革命时期的历史",
            "社会主义革命和建设时期的历史",
            "改革开放和社会主义现代化建设新时期的历史",
            "党的建设的历史经验",
            "党的历史经验和优良传统",
            "学习和研究党的历史",
        ],
    ),
    (
        "习近平新时代中国特色社会主义思想学习问答",
        "学习问答",
        "学习出版社、人民出版社",
        "以问答形式分专题阐释；专题按公开资料整理（节选），以正式出版物为准。",
        [
            "马克思主义中国化新的飞跃",
            "中国特色社会主义进入新时代",
            "实现中华民族伟大复兴的中国梦",
            "坚持和加强党的全面领导",
            "坚持以人民为中心",
            "坚持和完善中国特色社会主义制度",
            "全面建设社会主义现代化国家",
            "坚持新发展理念",
            "构建新发展格局",
            "全面深化改革",
            "全面依法治国",
            "建设社会主义文化强国",
            "在发展中保障和改善民生",
            "建设美丽中国",
            "坚持总体国家安全观",
            "推进国防和军队现代化",
            "坚持“一国两制”和推进祖国统一",
            "推动构建人类命运共同体",
            "全面从严治党",
            "把党的政治建设摆在首位",
        ],
    ),
    (
        "中国共产党简史",
        "简史",
        "人民出版社、中共党史出版社",
        "",
        [
            "中国共产党的创立和投身大革命的洪流",
            "掀起土地革命的风暴",
            "全民族抗日战争的中流砥柱",
            "夺取新民主主义革命的全国性胜利",
            "中华人民共和国的成立和社会主义制度的建立",
            "社会主义建设的探索和曲折发展",
            "伟大历史转折和中国特色社会主义的开创",
            "把中国特色社会主义全面推向二十一世纪",
            "在新的形势下坚持和发展中国特色社会主义",
            "中国特色社会主义进入新时代",
        ],
    ),
]

PLAN_ORG = "中共盘锦市兴隆台区委员会"
PLAN_TOPICS = [
    "学党史、悟思想：深刻领会马克思主义中国化的历史进程",
    "学党史、办实事：把学习成效转化为为群众办实事的行动",
    "学党史、开新局：立足兴隆台区实际推动基层治理",
    "学党史、践初心：党员在社区双报到、志愿服务中践行初心",
]
# (days from today, title, 简史 chapter numbers) — relative, so "behind plan" is stable over time.
MILESTONES = [
    (-120, "第一阶段：简史第一至三章", [1, 2, 3]),
    (-30, "第二阶段：简史第四、五章", [4, 5]),
    (45, "第三阶段：简史第六至八章", [6, 7, 8]),
    (120, "第四阶段：简史第九、十章", [9, 10]),
]

# branch → [(days ago, topic, lead reader username, [(book short title, chapter numbers)])]
SESSIONS = {
    "胜利社区党委第一党支部": [
        (100, "党的创立与大革命洪流", "secretary", [("简史", [1, 2])]),
        (70, "土地革命与抗日战争中的中流砥柱", "member04", [("简史", [3])]),
        (40, "夺取新民主主义革命的全国性胜利", "member09", [("简史", [4]), ("论党史", [1])]),
        (12, "新中国的成立与社会主义制度的建立", "member14", [("简史", [5, 6])]),
    ],
    "兴隆台区城管局机关党支部": [
        (90, "党的创立", "member", [("简史", [1])]),
        (50, "土地革命的风暴", "member01", [("简史", [2, 3])]),
        (20, "全国性胜利", "member06", [("简史", [4, 5]), ("学习问答", [1, 2])]),
    ],
    "辽河油田兴隆台采油厂第一党支部": [
        (80, "石油人学党史：党的创立", "member02", [("简史", [1, 2, 3])]),
        (35, "大庆精神铁人精神与党的历史", "member07", [("简史", [4, 5]), ("论党史", [2])]),
    ],
    "兴隆台区实验小学党支部": [
        (60, "党的创立与大革命", "member03", [("简史", [1])]),
    ],
}

REFLECTIONS = [
    # (author, title, state, comment)
    ("member04", "学习《中国共产党简史》第一章的体会", "submitted", ""),
    ("member09", "从土地革命看党的初心", "submitted", ""),
    ("member14", "在社区服务中践行初心使命", "accepted", "结合社区工作，体会真切。"),
    ("member19", "读《论中国共产党历史》有感", "returned", "请结合本人岗位再谈谈具体做法。"),
    ("member", "城管执法中的为民情怀", "accepted", "写得实在。"),
    ("member01", "学党史，办实事", "submitted", ""),
]
REFLECTION_BODY = (
    "通过支部集中学习和个人自学，我进一步认识到中国共产党百年奋斗的伟大历程。"
    "回顾党的历史，最深的感受是党始终把人民放在心中最高位置。作为一名基层党员，"
    "我要把学习成果落实到为群众办实事上，在双报到和志愿服务中做好表率。"
)

LECTURES = [
    # (days ago, troupe, speaker, unit, topic, audience)
    (95, "兴隆台区百姓宣讲团", "刘振华", "胜利社区", "百年党史中的初心使命", 120),
    (66, "兴隆台区百姓宣讲团", "孙丽萍", "兴隆台区实验小学", "红色故事进校园", 350),
    (41, "兴隆台区委党校宣讲团", "王立新", "辽河油田兴隆台采油厂", "从铁人精神看党的精神谱系", 210),
    (18, "兴隆台区百姓宣讲团", "刘振华", "蓝色康桥社区", "学党史、办实事", 86),
    (6, "兴隆台区委党校宣讲团", "张海东", "福德汇党建书屋", "《中国共产党简史》导读", 64),
]

READING_CLASSES = [
    (88, "reading_class", "offline", "党员干部党史学习教育读书班", "区委组织部", 96),
    (52, "themed_activity", "offline", "“重走红色路线”主题党日", "振兴街道党工委", 45),
    (23, "reading_class", "online", "福德汇党建书屋线上共读", "福德汇党建书屋", 132),
]

PUBLICITY = [
    # (days ago, kind, channel, title)
    (150, "report", "panjin_daily", "兴隆台区党史学习教育动员部署"),
    (128, "report", "wechat", "兴隆台区启动“百姓宣讲团”进社区"),
    (110, "short_video", "douyin", "一分钟听党史：党的创立"),
    (96, "bulletin", "portal", "党史学习教育简报（第1期）"),
    (80, "report", "liaohe_oil", "采油厂党支部石油人学党史"),
    (64, "series", "broadcast", "《百年党史天天读》第一集"),
    (63, "series", "broadcast", "《百年党史天天读》第二集"),
    (45, "bulletin", "portal", "党史学习教育简报（第2期）"),
    (30, "short_video", "douyin", "社区党员“码上听”有声书馆上线"),
    (21, "report", "wechat", "福德汇党建书屋线上共读活动"),
    (9, "report", "panjin_daily", "学党史办实事：胜利社区解决群众急难愁盼"),
    (3, "bulletin", "wechat", "党史学习教育简报（第3期）"),
]

DEMO_ARTICLE = """兴隆台区召开党史学习教育推进会
2026年3月18日，兴(xīng)隆台区召开党史学习教育推进会。
會議要求，各党(工)委要把学习《中国共产党简史》与基层治理结合起来，落实《兴隆台区党员双报到管理办法（试行）》。
会议强调，要把学党史同为群(qún)众办实事结合起来，确保学习教育取得实效。"""

MEDIA = [
    # (title, description, frequency Hz)
    (
        "有声书馆试听：提示音（440 Hz）",
        "演示用的两秒提示音，用来检验“码上听”扫码播放；正式使用时上传有声书章节。",
        440.0,
    ),
    (
        "有声书馆试听：提示音（660 Hz）",
        "演示用的两秒提示音；正式使用时上传微党课或有声书。",
        660.0,
    ),
]


def tone_wav(frequency: float, seconds: float = 2.0, rate: int = 8000) -> bytes:
    """A short mono 16-bit PCM WAV of a sine tone, so that the demo player really plays."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(12000 * math.sin(2 * math.pi * frequency * n / rate)))
            for n in range(int(seconds * rate))
        )
        out.writeframes(frames)
    return buffer.getvalue()


def _audit(actor, action: str, obj, detail: str) -> None:
    AuditEntry.objects.create(
        actor=actor,
        action=action,
        object_type=obj.__class__.__name__.lower(),
        object_id=obj.pk,
        detail=f"{detail}（演示数据）"[:300],
    )


def demo_photo(colour: tuple[int, int, int]) -> bytes:
    """A small JPEG standing in for a phone photo of a session (a banner-red gradient)."""
    from PIL import Image

    image = Image.new("RGB", (640, 480), colour)
    for y in range(0, 480, 4):
        shade = tuple(max(0, c - y // 6) for c in colour)
        image.paste(shade, (0, y, 640, y + 4))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def _add_photo(**owner) -> None:
    from .actions import _store_photos, clean_photos

    _store_photos(clean_photos([io.BytesIO(demo_photo((183, 28, 28)))]), **owner)


def load_textbooks() -> dict[str, Textbook]:
    books = {}
    for order, (title, short, publisher, note, chapters) in enumerate(TEXTBOOKS, start=1):
        book, _ = Textbook.objects.get_or_create(
            title=title,
            defaults={"short_title": short, "publisher": publisher, "note": note, "order": order},
        )
        for number, chapter_title in enumerate(chapters, start=1):
            Chapter.objects.get_or_create(
                textbook=book, number=number, defaults={"title": chapter_title}
            )
        books[short] = book
    return books


def _chapters(books, spec) -> list[Chapter]:
    result = []
    for short, numbers in spec:
        result.extend(Chapter.objects.filter(textbook=books[short], number__in=numbers))
    return result


def _members(branch):
    return list(
        get_user_model().objects.filter(profile__party_org=branch, profile__is_party_member=True)
    )


def load(regions, departments, orgs) -> list[str]:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=_demo_usernames())}
    if "admin" not in users or PLAN_ORG not in orgs:
        return []
    today = timezone.localdate()
    admin, publicity = users["admin"], users.get("publicity", users["admin"])
    books = load_textbooks()

    plan, created = StudyPlan.objects.get_or_create(
        org=orgs[PLAN_ORG],
        year=today.year,
        title=f"{today.year} 年兴隆台区党史学习教育计划",
        defaults={
            "description": "以《中国共产党简史》为主线，结合其他三本指定教材，"
            "各党支部按进度安排开展集中学习，由党员轮流领读。",
            "created_by": admin,
        },
    )
    if created:
        _audit(admin, "create_plan", plan, plan.title)
        for order, title in enumerate(PLAN_TOPICS, start=1):
            PlanTopic.objects.create(plan=plan, order=order, title=title)
        for days, title, numbers in MILESTONES:
            milestone = PlanMilestone.objects.create(
                plan=plan, due=today + datetime.timedelta(days=days), title=title
            )
            milestone.chapters.set(_chapters(books, [("简史", numbers)]))

    sessions = 0
    for branch_name, rows in SESSIONS.items():
        branch = orgs[branch_name]
        members = _members(branch)
        for index, (days, topic, lead, spec) in enumerate(rows):
            if StudySession.objects.filter(org=branch, topic=topic).exists():
                continue
            session = StudySession.objects.create(
                org=branch,
                date=today - datetime.timedelta(days=days),
                topic=topic,
                plan_topic=plan.topics.first(),
                lead_reader=users[lead],
                duration_minutes=90,
                notes="集中学习指定章节，领读人领读后大家交流发言。",
                recorded_by=users.get("secretary", admin)
                if branch_name == "胜利社区党委第一党支部"
                else admin,
            )
            session.chapters.set(_chapters(books, spec))
            _audit(session.recorded_by, "record_session", session, f"{branch_name} {topic}")
            absent_one = members[(index + 1) % len(members)] if index % 2 else None
            Attendance.objects.bulk_create(
                Attendance(
                    session=session,
                    member=m,
                    present=m != absent_one or m == users[lead],
                    absence_reason=""
                    if m != absent_one or m == users[lead]
                    else "外出参加业务培训",
                )
                for m in members
            )
            sessions += 1

    secretary = users.get("secretary", admin)
    for username, title, state, comment in REFLECTIONS:
        author = users.get(username)
        if author is None or Reflection.objects.filter(author=author, title=title).exists():
            continue
        reflection = Reflection.objects.create(
            author=author,
            org=author.profile.party_org,
            title=title,
            body=REFLECTION_BODY,
            textbook=books["简史"],
            state=state,
            review_comment=comment,
            reviewed_by=secretary if state != "submitted" else None,
            reviewed_at=timezone.now() if state != "submitted" else None,
        )
        ReflectionEvent.objects.create(
            reflection=reflection, action="submit", actor=author, to_state="submitted"
        )
        if state != "submitted":
            ReflectionEvent.objects.create(
                reflection=reflection,
                action="accept" if state == "accepted" else "return",
                actor=secretary,
                from_state="submitted",
                to_state=state,
                note=comment,
            )

    first_session = StudySession.objects.filter(org=orgs["胜利社区党委第一党支部"]).last()
    if first_session is not None and not first_session.photos.exists():
        _add_photo(session=first_session)

    district = orgs[PLAN_ORG]
    for days, troupe, speaker, unit, topic, audience in LECTURES:
        Lecture.objects.get_or_create(
            org=district,
            topic=topic,
            unit_visited=unit,
            defaults={
                "troupe": troupe,
                "speaker": speaker,
                "date": today - datetime.timedelta(days=days),
                "audience": audience,
                "recorded_by": publicity,
            },
        )
    first_lecture = Lecture.objects.filter(org=district).order_by("date", "id").first()
    if first_lecture is not None and not first_lecture.photos.exists():
        _add_photo(lecture=first_lecture)
    for days, kind, mode, title, organiser, participants in READING_CLASSES:
        ReadingClass.objects.get_or_create(
            org=district,
            title=title,
            defaults={
                "kind": kind,
                "mode": mode,
                "organiser": organiser,
                "date": today - datetime.timedelta(days=days),
                "participants": participants,
                "recorded_by": publicity,
            },
        )
    for days, kind, channel, title in PUBLICITY:
        PublicityRecord.objects.get_or_create(
            org=district,
            title=title,
            defaults={
                "kind": kind,
                "channel": channel,
                "date": today - datetime.timedelta(days=days),
                "recorded_by": publicity,
            },
        )

    if not Article.objects.filter(org=district, source_name="demo").exists():
        from civicloop.lib.zhtext import import_article

        cleaned = import_article(DEMO_ARTICLE, to_simplified=True)
        Article.objects.create(
            org=district,
            title=cleaned.title,
            text=cleaned.text,
            date=cleaned.date,
            source_name="demo",
            simplified=True,
            imported_by=publicity,
        )

    for title, description, frequency in MEDIA:
        if MediaItem.objects.filter(title=title).exists():
            continue
        data = tone_wav(frequency)
        name = default_storage.save(
            f"study/media/demo-{int(frequency)}-{hashlib.sha256(data).hexdigest()[:12]}.wav",
            ContentFile(data),
        )
        item = MediaItem.objects.create(
            org=district,
            kind=MediaItem.Kind.AUDIO,
            title=title,
            description=description,
            file=name,
            content_type="audio/wav",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=publicity,
        )
        _audit(publicity, "upload_media", item, title)

    return [
        f"党史学习：教材 {Textbook.objects.count()} 本，章节 {Chapter.objects.count()} 个，"
        f"新增支部学习 {sessions} 次，宣讲 {Lecture.objects.count()} 场，"
        f"宣传报道 {PublicityRecord.objects.count()} 条，有声书 {MediaItem.objects.count()} 个"
    ]


def _demo_usernames() -> list[str]:
    return [
        "admin",
        "publicity",
        "secretary",
        "member",
        *(f"member{n:02d}" for n in range(1, 21)),
    ]
