"""Profile one request against a bench database (kept with `bench/run.py --keep`): its SQL
statements with their times, EXPLAIN ANALYZE of the slowest, and cProfile's top functions.

    .venv/bin/python bench/explain.py postgres://postgres@127.0.0.1:5432/civicloop_bench_… \\
        department GET '/api/v1/cases?state=dispatched&department=17&page_size=50'
    .venv/bin/python bench/explain.py DB resident POST /api/v1/cases '{"description": "…"}'

The request runs in this process through Django's test client as the named account (a fresh
API token), after one warm-up call; `{id}` in the path is replaced by --id and counts up."""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("database_url")
    p.add_argument("username")
    p.add_argument("method", choices=["GET", "POST"])
    p.add_argument("path")
    p.add_argument("body", nargs="?", default="")
    p.add_argument("--id", type=int, default=1, help="first id for {id} in the path")
    p.add_argument("--explain", type=int, default=3, help="EXPLAIN ANALYZE the N slowest")
    p.add_argument("--top", type=int, default=25, help="functions listed by cumulative time")
    args = p.parse_args(argv)
    os.environ.update(
        DATABASE_URL=args.database_url,
        CIVICLOOP_BENCH="1",
        DJANGO_SETTINGS_MODULE="civicloop.settings",
        ALLOWED_HOSTS="testserver",
    )
    os.environ.setdefault("CIVICLOOP_VAR", "/tmp/civicloop-bench-profile")  # noqa: S108
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from civicloop.core.models import ApiToken

    user = get_user_model().objects.get(username=args.username)
    _token, raw = ApiToken.issue(user, days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    ids = iter(range(args.id, 10**12))

    def call():
        path = args.path.replace("{id}", str(next(ids)))
        if args.method == "POST":
            return client.post(path, args.body or "{}", content_type="application/json")
        return client.get(path)

    call()
    began = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = call()
    elapsed = (time.perf_counter() - began) * 1000
    print(
        f"{response.status_code}, {len(response.content):,} bytes, {elapsed:.1f} ms, "
        f"{len(queries)} SQL statements"
    )
    for q in queries.captured_queries:
        print(f"  {float(q['time']) * 1000:8.1f} ms  {q['sql'][:160]}")
    slowest = sorted(
        (q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")),
        key=lambda q: float(q["time"]),
        reverse=True,
    )[: args.explain]
    with connection.cursor() as cur:
        for q in slowest:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            print(f"\nEXPLAIN ANALYZE ({float(q['time']) * 1000:.1f} ms): {q['sql'][:300]}")
            for (line,) in cur.fetchall():
                print("  " + line)
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [call() for _ in range(5)])
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    print("\ncProfile of 5 calls:\n" + out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
