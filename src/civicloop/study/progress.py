"""Each branch's progress through each textbook (share of its chapters the branch has led),
and whether the branch is behind the schedule of the plans that apply to it."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from civicloop.core.models import PartyOrg

from .models import Chapter, PlanMilestone, StudySession, Textbook

MOST = 0.5  # above this share a branch has "领学大半"


@dataclass
class BookProgress:
    textbook: Textbook
    done: int
    total: int

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        return round(self.share * 100)

    @property
    def most_led(self) -> bool:  # 领学大半
        return self.share > MOST


@dataclass
class BranchProgress:
    branch: PartyOrg
    books: list[BookProgress]
    sessions: int
    due: int  # chapters the plans want led by now
    missing: list[Chapter] = field(default_factory=list)  # of those, not yet led

    @property
    def behind(self) -> bool:
        return bool(self.missing)


def _ancestor_ids(org: PartyOrg, parents: dict[int, int | None]) -> list[int]:
    ids, node = [], org.pk
    while node is not None and node not in ids:
        ids.append(node)
        node = parents.get(node)
    return ids


def branch_progress(branches, *, today: datetime.date | None = None) -> list[BranchProgress]:
    """Progress of the given branches, in a fixed number of queries whatever their count."""
    today = today or timezone.localdate()
    branches = list(branches)
    books = list(Textbook.objects.order_by("order", "id"))
    totals: dict[int, int] = defaultdict(int)
    chapter_book: dict[int, int] = {}
    for chapter_id, book_id in Chapter.objects.values_list("pk", "textbook_id"):
        totals[book_id] += 1
        chapter_book[chapter_id] = book_id

    branch_ids = [b.pk for b in branches]
    led: dict[int, set[int]] = defaultdict(set)
    for org_id, chapter_id in StudySession.chapters.through.objects.filter(
        studysession__org_id__in=branch_ids
    ).values_list("studysession__org_id", "chapter_id"):
        led[org_id].add(chapter_id)
    session_counts: dict[int, int] = defaultdict(int)
    for org_id in StudySession.objects.filter(org_id__in=branch_ids).values_list(
        "org_id", flat=True
    ):
        session_counts[org_id] += 1

    # Plans of a branch's own org or any ancestor apply to it; progress is cumulative, so a
    # chapter due under any plan counts until the branch has led it.
    parents = dict(PartyOrg.objects.values_list("pk", "parent_id"))
    due_by_org: dict[int, set[int]] = defaultdict(set)
    milestones = PlanMilestone.objects.filter(due__lte=today)
    for org_id, chapter_id in milestones.values_list("plan__org_id", "chapters"):
        if chapter_id is not None:
            due_by_org[org_id].add(chapter_id)
    chapters = Chapter.objects.select_related("textbook").in_bulk()

    result = []
    for branch in branches:
        done_by_book: dict[int, int] = defaultdict(int)
        for chapter_id in led[branch.pk]:
            done_by_book[chapter_book[chapter_id]] += 1
        due: set[int] = set()
        for org_id in _ancestor_ids(branch, parents):
            due |= due_by_org.get(org_id, set())
        missing = sorted(
            (chapters[c] for c in due - led[branch.pk]),
            key=lambda c: (c.textbook_id, c.number),
        )
        result.append(
            BranchProgress(
                branch=branch,
                books=[
                    BookProgress(book, done_by_book[book.pk], totals[book.pk]) for book in books
                ],
                sessions=session_counts[branch.pk],
                due=len(due),
                missing=missing,
            )
        )
    return result
