"""API shapes of the study app."""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator


class TextIn(Schema):
    """An input whose text fields refuse NUL characters with 422 (PostgreSQL cannot store
    them, and would answer a 500)."""

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("不能含有 NUL 字符")
        return value


class AbsenceIn(TextIn):
    member_id: int
    reason: str = Field(min_length=1, max_length=100)


class SessionIn(TextIn):
    branch_id: int
    date: datetime.date
    topic: str = Field(min_length=1, max_length=120)
    lead_reader_id: int
    chapter_ids: list[int] = Field(default_factory=list, max_length=200)
    duration_minutes: int = Field(ge=10, le=600)
    notes: str = Field(default="", max_length=5000)
    absent: list[AbsenceIn] = Field(default_factory=list, max_length=500)
    plan_topic_id: int | None = None


class AttendanceOut(Schema):
    member_id: int
    name: str
    present: bool
    absence_reason: str


class SessionOut(Schema):
    id: int
    branch_id: int
    branch: str
    date: datetime.date
    topic: str
    lead_reader_id: int
    lead_reader: str
    chapter_ids: list[int]
    duration_minutes: int
    notes: str
    present: int
    expected: int
    attendance: list[AttendanceOut] | None = None


class Page(Schema):
    count: int
    offset: int
    limit: int


class SessionPage(Page):
    items: list[SessionOut]


class ChapterOut(Schema):
    id: int
    number: int
    title: str


class TextbookOut(Schema):
    id: int
    title: str
    short_title: str
    chapters: list[ChapterOut]


class BookProgressOut(Schema):
    textbook_id: int
    textbook: str
    done: int
    total: int
    share: float
    most_led: bool


class BranchProgressOut(Schema):
    branch_id: int
    branch: str
    sessions: int
    behind_plan: bool
    due_chapters: int
    missing_chapter_ids: list[int]
    textbooks: list[BookProgressOut]


class LectureIn(TextIn):
    org_id: int
    troupe: str = Field(min_length=1, max_length=80)
    speaker: str = Field(min_length=1, max_length=50)
    unit_visited: str = Field(min_length=1, max_length=100)
    topic: str = Field(min_length=1, max_length=120)
    date: datetime.date
    audience: int = Field(ge=0, le=100_000)
    notes: str = Field(default="", max_length=5000)


class LectureOut(Schema):
    id: int
    org_id: int
    troupe: str
    speaker: str
    unit_visited: str
    topic: str
    date: datetime.date
    audience: int


class LecturePage(Page):
    total_audience: int
    items: list[LectureOut]


class MediaOut(Schema):
    id: int
    org_id: int
    kind: str
    title: str
    description: str
    content_type: str
    size: int
    plays: int
    listen_url: str


class MediaPage(Page):
    items: list[MediaOut]


PublicityKind = Literal["report", "short_video", "bulletin", "series"]
Channel = Literal["panjin_daily", "liaohe_oil", "broadcast", "wechat", "douyin", "portal"]


class PublicityIn(TextIn):
    org_id: int
    kind: PublicityKind
    channel: Channel
    date: datetime.date
    title: str = Field(min_length=1, max_length=200)
    link: str = Field(default="", max_length=500)


class PublicityOut(Schema):
    id: int
    org_id: int
    kind: str
    channel: str
    date: datetime.date
    title: str
    link: str


class PublicityPage(Page):
    items: list[PublicityOut]


class PublicityStatRow(Schema):
    month: str
    counts: dict[str, int]
    total: int


class PublicityStatsOut(Schema):
    channels: dict[str, str]
    rows: list[PublicityStatRow]
    total: int


class ReflectionIn(TextIn):
    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=20, max_length=20000)
    textbook_id: int | None = None


class ReviewIn(TextIn):
    action: Literal["accept", "return"]
    comment: str = Field(default="", max_length=300)


class ReflectionOut(Schema):
    id: int
    author_id: int
    author: str
    branch_id: int
    title: str
    body: str
    state: str
    review_comment: str
    created_at: datetime.datetime


class ReflectionPage(Page):
    items: list[ReflectionOut]


class ArticleOut(Schema):
    id: int
    title: str
    text: str
    date: datetime.date | None = None
