"""Keeps `CaseRollup` in step with the case event log, and computes the live tail.

The rollups always equal the sum of the stored `CaseFact`s. A sweep claims the next batch of
events with a conditional UPDATE on the watermark (two workers never fold in the same batch),
recomputes the fact of every case those events touched (and of every case whose deadline passed
since the last sweep), and applies new-minus-old to the rollup rows, all in one transaction.
Readers add the same new-minus-old for the cases changed since the watermark: the live tail."""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from multiprocessing import get_context
from operator import add

from django.db import connection, transaction
from django.db.models import F, Max, Min, Q, Subquery
from django.utils import timezone

from civicloop.cases.models import Case, CaseEvent
from civicloop.lib.workclock import WorkClock

from . import conf, workers
from .facts import CASE_FIELDS, EVENT_FIELDS, FACT_ACTIONS, case_days, deltas, dims_of
from .models import COUNTERS, DIMENSIONS, CaseFact, CaseRollup, RollupWatermark, ScopeRollup

WATERMARK = "cases"
CHUNK = 500
# States whose deadline, once passed, changes a fact without an event (see facts.py).
TIMED_STATES = ("dispatched", "in_progress")


def clock() -> WorkClock:
    from civicloop.cases.deadlines import clock as cases_clock

    return cases_clock()


def watermark() -> RollupWatermark:
    mark, _created = RollupWatermark.objects.get_or_create(name=WATERMARK)
    return mark


def timed_case_ids(since: datetime | None, now: datetime) -> set[int]:
    """Cases whose sign or handling deadline passed in (since, now] (index case_state_deadline)."""
    qs = Case.objects.filter(state__in=TIMED_STATES, deadline__lte=now)
    if since is not None:
        qs = qs.filter(deadline__gt=since)
    return set(qs.values_list("pk", flat=True))


def compute_changes(
    case_ids: Iterable[int], now: datetime, work: WorkClock
) -> tuple[dict[tuple, dict[str, int]], list[CaseFact]]:
    """(rollup changes keyed by (day, *dims), new facts) for these cases, from their current rows
    and events compared with their stored facts."""
    changes: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    new_facts: list[CaseFact] = []
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        cases = {c["id"]: c for c in Case.objects.filter(pk__in=chunk).values(*CASE_FIELDS)}
        events: dict[int, list[dict]] = defaultdict(list)
        for e in (
            CaseEvent.objects.filter(case_id__in=chunk, action__in=FACT_ACTIONS)
            .order_by("id")
            .values(*EVENT_FIELDS)
        ):
            events[e["case_id"]].append(e)
        stored = CaseFact.objects.in_bulk(chunk)
        for case_id, case in cases.items():
            days = case_days(case, events[case_id], now, work)
            dims = dims_of(case)
            old = stored.get(case_id)
            old_dims = tuple(getattr(old, d) for d in DIMENSIONS) if old is not None else None
            for key, counters in deltas(old_dims, old.days if old else None, dims, days).items():
                for counter, n in counters.items():
                    changes[key][counter] += n
            new_facts.append(
                CaseFact(case_id=case_id, **dict(zip(DIMENSIONS, dims, strict=True)), days=days)
            )
    return {k: dict(v) for k, v in changes.items()}, new_facts


SCOPE_FIELDS = ("scope_type", "scope_id", "group_by", "group_value")
# Which dimension of a fine key (day, *DIMENSIONS) names each scope of ScopeRollup.
SCOPE_DIMENSIONS = (("street", 1), ("community", 2), ("grid", 3), ("department", 4))
# The breakdowns every scope keeps per day, and where a fine key holds their value.
SCOPE_GROUPS = (("category_id", 5), ("source", 6))


def scope_changes(changes: dict[tuple, dict[str, int]]) -> dict[tuple, dict[str, int]]:
    """The fine changes summed per (day, scope_type, scope_id, group_by, group_value): for the
    district and each region and department the case belongs to, its total (group_by "") and
    its rows by category and by source."""
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, counters in changes.items():
        day = key[0]
        targets = [("district", 0)] + [(t, key[i]) for t, i in SCOPE_DIMENSIONS if key[i]]
        groups = [("", "")] + [(g, str(key[i])) for g, i in SCOPE_GROUPS]
        for scope_type, scope_id in targets:
            for group_by, group_value in groups:
                target = out[(day, scope_type, scope_id, group_by, group_value)]
                for name, n in counters.items():
                    target[name] += n
    return {k: dict(v) for k, v in out.items()}


def _upsert(model, key_fields: tuple[str, ...], changes: dict[tuple, dict[str, int]]) -> None:
    """Adds each change to its row keyed (day, *key_fields), creating the row if it is missing:
    INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n (PostgreSQL and SQLite share the
    syntax), so a sweep touches exactly the rows its cases change, however large the table."""
    rows = [(key, c) for key, c in changes.items() if any(c.values())]
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ("day", *key_fields, *COUNTERS)
    updates = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in COUNTERS)
    row_marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, 900 // len(columns)) if connection.vendor == "sqlite" else CHUNK
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        sql = (
            f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608
            f"VALUES {', '.join([row_marks] * len(batch))} "
            f"ON CONFLICT ({', '.join(qn(c) for c in ('day', *key_fields))}) DO UPDATE SET {updates}"
        )
        params: list = []
        for key, counters in batch:
            params.append(date.fromisoformat(key[0]))
            params.extend(key[1:])
            params.extend(counters.get(name, 0) for name in COUNTERS)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _apply(changes: dict[tuple, dict[str, int]], facts: list[CaseFact]) -> None:
    _upsert(CaseRollup, DIMENSIONS, changes)
    _upsert(ScopeRollup, SCOPE_FIELDS, scope_changes(changes))
    if facts:
        CaseFact.objects.bulk_create(
            facts,
            batch_size=CHUNK,
            update_conflicts=True,
            unique_fields=["case_id"],
            update_fields=[*DIMENSIONS, "days"],
        )


def sweep_once(now: datetime | None = None, *, batch: int | None = None) -> dict:
    """Folds in the next batch of settled events (at most `batch`; see `settled_event_id`:
    younger ones are left to the live tail); returns what it did."""
    now = now or timezone.now()
    batch = batch or conf.sweep_batch()
    work = clock()
    with transaction.atomic():
        mark = watermark()
        ids = list(
            CaseEvent.objects.filter(
                pk__gt=mark.last_event_id, pk__lte=settled_event_id(now, after=mark.last_event_id)
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        upto = ids[-1] if ids else mark.last_event_id
        claimed = RollupWatermark.objects.filter(name=WATERMARK, generation=mark.generation).update(
            last_event_id=upto, evaluated_at=now, generation=F("generation") + 1
        )
        if not claimed:
            return {"claimed": False, "events": 0, "cases": 0}
        case_ids = set(
            CaseEvent.objects.filter(pk__gt=mark.last_event_id, pk__lte=upto).values_list(
                "case_id", flat=True
            )
        )
        case_ids |= timed_case_ids(mark.evaluated_at, now)
        changes, facts = compute_changes(case_ids, now, work)
        _apply(changes, facts)
    return {"claimed": True, "events": len(ids), "cases": len(case_ids), "more": len(ids) == batch}


def sweep(now: datetime | None = None, budget_seconds: float = 20.0) -> dict:
    """Sweeps until caught up (or out of time); the periodic job."""
    total = {"events": 0, "cases": 0, "runs": 0}
    started = time.monotonic()
    while True:
        result = sweep_once(now)
        total["runs"] += 1
        total["events"] += result["events"]
        total["cases"] += result["cases"]
        if not result["claimed"] or not result.get("more"):
            break
        if time.monotonic() - started > budget_seconds:
            break
    return total


def settled_event_id(now: datetime, *, after: int = 0) -> int:
    """The last event id a sweep at `now` may fold in: just below the first event after `after`
    that is younger than the lag (two index lookups, on `at` and on the id). On PostgreSQL an
    event id can become visible after a higher one; the lag gives such a transaction time to
    commit, and stopping at the first young event skips no older id."""
    cutoff = now - timedelta(seconds=conf.sweep_lag_seconds())
    young = CaseEvent.objects.filter(at__gt=cutoff, pk__gt=after).aggregate(first=Min("pk"))[
        "first"
    ]
    settled = CaseEvent.objects.all() if young is None else CaseEvent.objects.filter(pk__lt=young)
    return settled.aggregate(last=Max("pk"))["last"] or 0


def _bulk_insert(model, columns: tuple[str, ...], rows: list[tuple] | str) -> None:
    """Rows into a table the caller has just emptied: COPY on PostgreSQL (`rows` may be COPY
    text already), executemany elsewhere."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    names = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                copy.write(rows if isinstance(rows, str) else copy_text(rows))
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


_UNSAFE = re.compile(r"[\\\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
FACT_COLUMNS = ("case_id", *DIMENSIONS, "days")


def copy_text(rows: Iterable[tuple]) -> str:
    """Rows of numbers, dates and plain text in COPY's text format (no NULLs): text with a
    backslash, tab or line break is escaped."""
    lines = []
    for row in rows:
        line = "\t".join(map(str, row))
        if line.count("\t") != len(row) - 1 or _UNSAFE.search(line):
            line = "\t".join(str(v).translate(_COPY_ESCAPES) for v in row)
        lines.append(line)
    return "\n".join(lines) + "\n" if lines else ""


def range_facts(first: int, last: int, now: datetime, work: WorkClock, *, chunk: int, text: bool):
    """The facts of the cases first <= id < last, read `chunk` cases at a time: (fact rows, as
    COPY text if `text`, the rollup sums {(day, *dims): [n per COUNTERS]}, cases, events)."""
    index = {name: i for i, name in enumerate(COUNTERS)}
    width = len(COUNTERS)
    fine: dict[tuple, list[int]] = {}
    rows: list = []
    cases = events = 0
    for start in range(first, last, chunk):
        stop = min(start + chunk, last)
        by_case: dict[int, list[dict]] = defaultdict(list)
        for e in (
            CaseEvent.objects.filter(case_id__gte=start, case_id__lt=stop, action__in=FACT_ACTIONS)
            .order_by("id")
            .values(*EVENT_FIELDS)
        ):
            by_case[e["case_id"]].append(e)
            events += 1
        for case in Case.objects.filter(pk__gte=start, pk__lt=stop).values(*CASE_FIELDS):
            days = case_days(case, by_case.get(case["id"], ()), now, work)
            dims = dims_of(case)
            for day, counters in days.items():
                key = (day, *dims)
                row = fine.get(key)
                if row is None:
                    row = fine[key] = [0] * width
                for name, n in counters.items():
                    row[index[name]] += n
            payload = json.dumps(days, separators=(",", ":"))
            rows.append((case["id"], *dims, payload))
            cases += 1
    return (copy_text(rows) if text else rows), fine, cases, events


def rebuild(
    now: datetime | None = None, *, chunk: int = 5000, processes: int | None = None, progress=None
) -> dict:
    """Recreates the rollups from nothing (after changing holidays, or restoring a backup), in
    one pass over the cases by id range: each case's fact from its row and its events; the
    facts written as they come, the rollup rows summed in memory and written once at the end.
    Linear in the cases; on PostgreSQL the ranges are computed by `processes` worker processes
    (conf.rebuild_processes()) while this one writes, all in one transaction: readers see the
    old rollups until it commits; sweeps wait for it, then go on from the watermark it sets
    (the last settled event: a case changed meanwhile is swept again)."""
    now = now or timezone.now()
    began = time.monotonic()
    text = connection.vendor == "postgresql"
    processes = conf.rebuild_processes() if processes is None else processes
    if connection.in_atomic_block:
        processes = 1  # other processes would not see the caller's uncommitted rows
    fine: dict[tuple, list[int]] = {}
    cases = events = 0
    with transaction.atomic():
        watermark()
        RollupWatermark.objects.select_for_update().filter(name=WATERMARK).get()
        upto = settled_event_id(now)
        CaseRollup.objects.all().delete()
        ScopeRollup.objects.all().delete()
        CaseFact.objects.all().delete()
        RollupWatermark.objects.filter(name=WATERMARK).update(
            last_event_id=upto, evaluated_at=now, generation=F("generation") + 1
        )
        bounds = Case.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
        lo, hi = bounds["lo"] or 0, bounds["hi"] or -1
        # Ranges of up to ten chunks, at least four per process.
        span = max(chunk, min(chunk * 10, -(-(hi - lo + 1) // (max(processes, 1) * 4))))
        work = clock()  # one calendar for every process (a worker reads no holidays)
        jobs = [
            (first, min(first + span, hi + 1), now, chunk, work)
            for first in range(lo, hi + 1, span)
        ]
        pool = None
        if processes > 1 and text and len(jobs) > 1:
            pool = ProcessPoolExecutor(
                processes,
                mp_context=get_context("spawn"),
                initializer=workers.setup,
                initargs=(connection.settings_dict["NAME"],),
            )
            results = pool.map(workers.rebuild_range, jobs)
        else:
            results = (range_facts(a, b, t, w, chunk=c, text=text) for a, b, t, c, w in jobs)
        try:
            for rows, part, n_cases, n_events in results:
                _bulk_insert(CaseFact, FACT_COLUMNS, rows)
                for key, row in part.items():
                    into = fine.get(key)
                    fine[key] = row if into is None else list(map(add, into, row))
                cases += n_cases
                events += n_events
                if progress is not None:
                    progress(cases, time.monotonic() - began)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        rollup_rows = len(fine)
        fine_rows = ((*key, *row) for key, row in fine.items())
        _bulk_insert(
            CaseRollup,
            ("day", *DIMENSIONS, *COUNTERS),
            copy_text(fine_rows) if text else list(fine_rows),
        )
        fine.clear()
        derive_scope_rollups()
    return {
        "cases": cases,
        "events": events,
        "rollup_rows": rollup_rows,
        "processes": processes if pool is not None else 1,
        "last_event_id": upto,
        "seconds": round(time.monotonic() - began, 1),
    }


def derive_scope_rollups() -> None:
    """ScopeRollup from CaseRollup by the rule of `scope_changes` (SCOPE_DIMENSIONS ×
    SCOPE_GROUPS), in SQL: one INSERT … SELECT … GROUP BY per scope level and breakdown."""
    qn = connection.ops.quote_name
    source = qn(CaseRollup._meta.db_table)
    target = qn(ScopeRollup._meta.db_table)
    columns = ", ".join(qn(c) for c in ("day", *SCOPE_FIELDS, *COUNTERS))
    sums = ", ".join(f"SUM({qn(c)})" for c in COUNTERS)
    levels = [("district", None)] + [(t, DIMENSIONS[i - 1]) for t, i in SCOPE_DIMENSIONS]
    groups = [("", None)] + [(g, DIMENSIONS[i - 1]) for g, i in SCOPE_GROUPS]
    with connection.cursor() as cursor:
        for scope_type, scope_column in levels:
            for group_by, group_column in groups:
                scope_id = qn(scope_column) if scope_column else "0"
                value = f"CAST({qn(group_column)} AS TEXT)" if group_column else "''"
                keys = [qn("day")] + [qn(c) for c in (scope_column, group_column) if c]
                where = f"WHERE {qn(scope_column)} <> 0 " if scope_column else ""
                cursor.execute(
                    f"INSERT INTO {target} ({columns}) "  # noqa: S608 - quoted names only
                    f"SELECT {qn('day')}, %s, {scope_id}, %s, {value}, {sums} FROM {source} "
                    f"{where}GROUP BY {', '.join(keys)}",
                    [scope_type, group_by],
                )


def tail_rows(now: datetime, work: WorkClock | None = None) -> list[dict]:
    """The live tail: rollup-shaped rows (counters may be negative) for every case changed since
    the watermark, so that rollups + tail equal the figures at `now`."""
    mark = RollupWatermark.objects.filter(name=WATERMARK).first()
    last_id = mark.last_event_id if mark else 0
    since = mark.evaluated_at if mark else None
    case_ids = set(
        CaseEvent.objects.filter(pk__gt=last_id)
        .order_by()
        .values_list("case_id", flat=True)
        .distinct()
    )
    case_ids |= timed_case_ids(since, now)
    if not case_ids:
        return []
    changes, _facts = compute_changes(case_ids, now, work or clock())
    rows = []
    for (day, *dims), counters in changes.items():
        rows.append({"day": day, **dict(zip(DIMENSIONS, dims, strict=True)), **counters})
    return rows


def freshness() -> tuple[int, int, int]:
    """(last event id, the watermark's last event id, rebuild generation), in one query: any
    event, sweep or rebuild that can change the figures changes it."""
    latest = CaseEvent.objects.order_by("-pk").values("pk")[:1]
    row = (
        RollupWatermark.objects.filter(name=WATERMARK)
        .annotate(latest=Subquery(latest))
        .values_list("latest", "last_event_id", "generation")
        .first()
    )
    if row is None:
        return (CaseEvent.objects.aggregate(m=Max("pk"))["m"] or 0, 0, 0)
    return (row[0] or 0, row[1], row[2])


def scope_q(scope_type: str, scope_id: int | None) -> Q:
    if scope_type == "district" or scope_id is None:
        return Q()
    return Q(**{f"{scope_type}_id": scope_id})
