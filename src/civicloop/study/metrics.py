"""Study figures for the dashboard, per party-org subtree and period.

`figures(org_ids, start, end)` — org_ids None means the whole district; start/end are dates,
inclusive. Every figure is a plain number or a list of rows, ready for a table or a chart."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Sum

from civicloop.core.models import PartyOrg

from .models import Attendance, Lecture, PublicityRecord, Reflection, StudySession
from .progress import branch_progress


def _in(qs, org_ids, field="org_id"):
    return qs if org_ids is None else qs.filter(**{f"{field}__in": org_ids})


def subtree_ids(org: PartyOrg | None) -> set[int] | None:
    return None if org is None else org.descendant_ids()


def publicity_table(records) -> dict:
    """Counts per month and channel: {"months": [...], "channels": [(code, label)], "rows": ...}."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for date, channel in records.values_list("date", "channel"):
        counts[(date.strftime("%Y-%m"), channel)] += 1
    months = sorted({m for m, _c in counts}, reverse=True)
    channels = list(PublicityRecord.Channel.choices)
    rows = [
        {
            "month": month,
            "counts": [counts[(month, code)] for code, _label in channels],
            "total": sum(counts[(month, code)] for code, _label in channels),
        }
        for month in months
    ]
    totals = [sum(counts[(m, code)] for m in months) for code, _label in channels]
    return {"channels": channels, "rows": rows, "totals": totals, "total": sum(totals)}


def figures(
    org_ids: set[int] | None, start: datetime.date, end: datetime.date, *, today=None
) -> dict:
    sessions = _in(StudySession.objects.filter(date__range=(start, end)), org_ids)
    attendance = _in(
        Attendance.objects.filter(session__date__range=(start, end)), org_ids, "session__org_id"
    )
    expected = attendance.count()
    present = attendance.filter(present=True).count()
    lectures = _in(Lecture.objects.filter(date__range=(start, end)), org_ids)
    lecture_totals = lectures.aggregate(n=Count("id"), audience=Sum("audience"))
    publicity = _in(PublicityRecord.objects.filter(date__range=(start, end)), org_ids)
    by_channel = dict(publicity.values_list("channel").annotate(n=Count("id")))
    reflections = _in(Reflection.objects.filter(created_at__date__range=(start, end)), org_ids)
    by_state = dict(reflections.values_list("state").annotate(n=Count("id")))

    branches = _in(PartyOrg.objects.filter(kind=PartyOrg.Kind.BRANCH), org_ids, "pk")
    progress = branch_progress(branches, today=today)
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "sessions": sessions.count(),
        "attendance": {
            "expected": expected,
            "present": present,
            "rate": round(present / expected, 4) if expected else None,
        },
        "lectures": {
            "count": lecture_totals["n"] or 0,
            "audience": lecture_totals["audience"] or 0,
        },
        "publicity": {
            "total": sum(by_channel.values()),
            "by_channel": [
                {"channel": code, "label": str(label), "count": by_channel.get(code, 0)}
                for code, label in PublicityRecord.Channel.choices
            ],
        },
        "reflections": {
            "submitted": by_state.get(Reflection.State.SUBMITTED, 0),
            "accepted": by_state.get(Reflection.State.ACCEPTED, 0),
            "returned": by_state.get(Reflection.State.RETURNED, 0),
        },
        "progress": [
            {
                "org_id": p.branch.pk,
                "org": p.branch.name,
                "sessions": p.sessions,
                "behind_plan": p.behind,
                "missing_chapters": len(p.missing),
                "textbooks": [
                    {
                        "textbook": b.textbook.short_title,
                        "done": b.done,
                        "total": b.total,
                        "share": round(b.share, 4),
                        "most_led": b.most_led,
                    }
                    for b in p.books
                ],
            }
            for p in progress
        ],
        "branches_behind": sum(1 for p in progress if p.behind),
    }
