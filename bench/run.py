"""`make bench`: civicloop's endpoints against the framework's own floor, in one run.

A fresh PostgreSQL database per run (`civicloop_bench_<timestamp>`, dropped at the end unless
--keep), N generated cases with their history, `civicloop serve` (gunicorn) on it, wrk at
concurrency 16 and 64 against the floors and the endpoints, the dashboard at its own larger data
set, Lighthouse on two pages. Writes bench/results/latest.json (the issue's shape),
latest-runs.json (every run in detail) and latency.png, and prints a table.

    .venv/bin/python bench/run.py                       # the full run (1M cases, 10M dashboard)
    .venv/bin/python bench/run.py --cases 20000 --dashboard-cases 100000 --duration 5   # quick
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
DASHBOARD_SAVED = RESULTS / "dashboard.json"  # the last dashboard phase, for runs without one
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "src"))

FLOORS = ("bare_json", "bare_insert", "bare_list")
ENDPOINTS = (
    "case_create",
    "case_list",
    "case_detail",
    "case_action",
    "open311_requests",
)
# Each endpoint is judged against the floor doing the same kind of work.
FLOOR_OF = {
    "case_create": "bare_insert",
    "case_action": "bare_insert",
    "case_list": "bare_list",
    "case_detail": "bare_list",
    "open311_requests": "bare_list",
}
TARGETS = {
    "case_create": 0.5,
    "case_action": 0.4,
    "case_list": 0.6,
    "case_detail": 0.6,
    "open311_requests": 0.5,
}


def log(message: str) -> None:
    stamp = datetime.now(UTC).strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", flush=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_CASES", "1000000")))
    p.add_argument(
        "--dashboard-cases",
        type=int,
        default=int(os.environ.get("BENCH_DASHBOARD_CASES", "10000000")),
        help="cases in the dashboard data set (PostgreSQL); 0 skips the dashboard phase",
    )
    p.add_argument(
        "--dashboard-budget",
        type=int,
        default=int(os.environ.get("BENCH_DASHBOARD_BUDGET", "3600")),
        help="seconds the product's rollup builder may take; fewer dashboard cases if needed",
    )
    p.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "15")))
    p.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per endpoint")
    p.add_argument(
        "--rounds",
        type=int,
        default=int(os.environ.get("BENCH_ROUNDS", "3")),
        help="times every floor and endpoint is run, in turn; each figure is the median round",
    )
    p.add_argument("--concurrency", default=os.environ.get("BENCH_CONCURRENCY", "16,64"))
    p.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "2")))
    p.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "4")))
    p.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8765")))
    p.add_argument(
        "--pg",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL maintenance database; the bench database is created beside it",
    )
    p.add_argument(
        "--redis",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
        help="REDIS_URL for the server's cache (rate limits), as in production; '' for none",
    )
    p.add_argument("--sqlite", action="store_true", help="generate on SQLite (no load runs)")
    p.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    p.add_argument("--only", default="", help="comma list of runs (names as in the table)")
    p.add_argument("--no-lighthouse", action="store_true")
    p.add_argument("--residents", type=int, default=0, help="resident accounts (default N/50)")
    return p.parse_args(argv)


# --- the database ------------------------------------------------------------------------


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def bench_database_url(maintenance_url: str, name: str) -> str:
    base, _sep, _db = maintenance_url.rpartition("/")
    return f"{base}/{name}"


def close_connections() -> None:
    from django.db import connections

    connections.close_all()


def configure_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicloop.settings")
    import django

    django.setup()


def prepare_database(args, run: dict) -> None:
    """Migrations, the demo district and the demo accounts, then N cases."""
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    try:
        call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        run["setup"]["demo"] = "civicloop demo"
    except Exception as exc:  # an app's demo data must not stop the benchmark
        log(f"civicloop demo failed ({exc!r}); loading the foundation and categories only")
        from civicloop.cases.demo import load_categories
        from civicloop.core import demo

        regions = demo.load_regions()
        departments = demo.load_departments()
        orgs = demo.load_party_orgs(regions)
        demo.load_accounts(regions, departments, orgs)
        load_categories(departments)
        run["setup"]["demo"] = f"foundation only ({exc.__class__.__name__})"
    run["setup"]["migrate_demo_s"] = round(time.perf_counter() - began, 1)
    run["setup"]["demo_loaded_at"] = time.time()


def make_world(args, run: dict):
    import datagen

    residents = args.residents or max(100, min(50_000, args.cases // 50))
    began = time.perf_counter()
    world = datagen.build_world(residents)
    run["setup"]["accounts_s"] = round(time.perf_counter() - began, 1)
    return world


# Signs per second the pool is sized for: well above any rate seen here (600 at c=64), so that
# a fast run does not sign its way past the pool's end into ids that are no case.
SIGNS_PER_SECOND = 1500


def sign_pool(args) -> int:
    """Cases left 待签收 for the case_action runs: one sign per case, for every concurrency of
    every round, warm-up included, at up to SIGNS_PER_SECOND; never fewer than a twentieth of
    the cases (at most 60,000) a round."""
    per_round = max(
        3000,
        min(60_000, args.cases // 20),
        SIGNS_PER_SECOND * (args.duration + args.warmup) * len(args.concurrency_list),
    )
    return per_round * args.rounds


def generate_cases(world, count: int, run: dict, phase: str, *, pool: int = 0) -> dict:
    """Appends `count` cases with 5–15 events each (the last `pool` of them 待签收 at the
    `department2` account's department), then VACUUM ANALYZE; records the timings."""
    import datagen
    from django.contrib.auth import get_user_model

    from civicloop.cases.models import Case, CaseEvent

    User = get_user_model()
    pool_department = User.objects.get(username="department2").role_assignments.first()
    log(f"{phase}: 生成 {count:,} 件工单（含办理记录）" + (f"，签收池 {pool:,} 件" if pool else ""))
    gen = datagen.generate(
        world, count, pool=pool, pool_department=pool_department.department_id, progress=log
    )
    vacuum = datagen.analyze([Case._meta.db_table, CaseEvent._meta.db_table])
    log(
        f"  {gen.cases:,} 件、{gen.events:,} 条记录，{gen.seconds:.0f} 秒"
        f"（其中重建索引 {gen.index_seconds:.0f} 秒）；VACUUM ANALYZE {vacuum:.0f} 秒"
    )
    run["data"][phase] = {
        "generated_cases": gen.cases,
        "generated_events": gen.events,
        "load_s": round(gen.seconds, 1),
        "index_rebuild_s": round(gen.index_seconds, 1),
        "vacuum_analyze_s": round(vacuum, 1),
        "cases_in_table": Case.objects.count(),
        "events_in_table": CaseEvent.objects.count(),
    }
    return {"first_id": gen.first_id, "last_id": gen.last_id, "pool": gen.pool}


def context(world) -> dict:
    """Who and what the load runs address."""
    from django.contrib.auth import get_user_model

    from civicloop.cases.models import Category
    from civicloop.core.models import Region

    User = get_user_model()
    grid = Region.objects.filter(level=Region.Level.GRID, name="胜利社区第1网格").first()
    grid = grid or Region.objects.filter(level=Region.Level.GRID).first()
    first_category = Category.objects.filter(parent__isnull=False).order_by("code").first()
    return {
        "world": world,
        "list_department": User.objects.get(username="department")
        .role_assignments.first()
        .department_id,
        "report_point": (grid.centroid_lat, grid.centroid_lng),
        "service_code": first_category.code,
        "district": Region.objects.get(level=Region.Level.DISTRICT).pk,
    }


def issue_credentials() -> dict:
    """API tokens for the load runs, and session cookies for the Lighthouse pages."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    from civicloop.core.models import ApiToken

    User = get_user_model()
    creds = {"tokens": {}, "sessions": {}}
    for name in ("resident", "department", "department2", "dispatcher", "leader"):
        user = User.objects.get(username=name)
        _token, raw = ApiToken.issue(user, days=2)
        creds["tokens"][name] = raw
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        creds["sessions"][name] = session.session_key
    return creds


# --- the server ------------------------------------------------------------------------------


class Server:
    def __init__(self, args, env: dict[str, str], logfile: Path):
        self.args, self.env, self.logfile = args, env, logfile
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.args.port}"

    def start(self) -> None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", self.args.port)) == 0:
                raise SystemExit(f"port {self.args.port} is taken (use --port)")
        cmd = [
            str(Path(sys.executable).with_name("civicloop")),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.args.port),
            "--workers",
            str(self.args.workers),
            "--threads",
            str(self.args.threads),
        ]
        out = self.logfile.open("ab")
        self.proc = subprocess.Popen(
            cmd,
            env={**os.environ, **self.env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/bench/floor/json", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        raise SystemExit(f"civicloop serve did not come up; see {self.logfile}")

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each gunicorn worker (children of the master)."""
        if self.proc is None:
            return []
        pids = []
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            children = (task / "children").read_text().split()
            pids.extend(int(p) for p in children)
        sizes = []
        for pid in pids:
            with contextlib.suppress(FileNotFoundError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(round(int(line.split()[1]) / 1024, 1))
        return sizes

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


# --- load runs -------------------------------------------------------------------------------


def probe(base: str, method: str, path: str, body: str, token: str) -> tuple[int, str]:
    """One request as wrk will send it: is the endpoint there and answering 2xx?"""
    data = body.encode() if body else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if body:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=90) as r:
            return r.status, r.read(300).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(300).decode(errors="replace")


def wrk(base: str, spec: dict, concurrency: int, duration: int) -> dict:
    threads = min(2, concurrency)
    lo, hi = spec.get("ids", (0, 0))
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "-s",
        str(BENCH / "wrk" / "request.lua"),
        base,
        "--",
        spec["method"],
        spec["path"],
        spec.get("body", ""),
        spec.get("token", ""),
        str(lo),
        str(hi),
        spec.get("mode", "random"),
        str(threads),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 90, check=False)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout[-500:]} {out.stderr[-500:]}")
    raw = json.loads(line[len("WRK_JSON ") :])
    seconds = raw["duration_us"] / 1e6
    pct = raw["percentiles_us"]
    errors = raw["non2xx"] + raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "concurrency": concurrency,
        "seconds": round(seconds, 2),
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(pct["50"] / 1000, 2),
        "p90_ms": round(pct["90"] / 1000, 2),
        "p99_ms": round(pct["99"] / 1000, 2),
        "max_ms": round(raw["latency_max_us"] / 1000, 2),
        "errors": errors,
        "non2xx": raw["non2xx"],
        "socket_errors": {k: raw[k] for k in ("connect", "read", "write", "timeout")},
        "sample_error": raw["sample_error"],
        "ids_used": raw.get("ids_per_thread", 0) * threads,
        "percentiles_ms": {k: round(v / 1000, 3) for k, v in pct.items()},
    }


def summarize(runs: list[dict]) -> dict:
    """The headline of an endpoint: its peak-throughput run; errors over all its runs."""
    best = max(runs, key=lambda r: r["rps"])
    return {
        "rps": best["rps"],
        "p50_ms": best["p50_ms"],
        "p99_ms": best["p99_ms"],
        "errors": sum(r["errors"] for r in runs),
    }


def specs(ctx: dict, creds: dict) -> dict[str, dict]:
    tokens = creds["tokens"]
    pool_lo, pool_hi = ctx["pool"]
    report = json.dumps(
        {
            "description": "小区东门路灯连续三个晚上不亮，行人经过很不安全，请尽快维修",
            "lat": ctx["report_point"][0],
            "lng": ctx["report_point"][1],
        },
        ensure_ascii=False,
    )
    return {
        "bare_json": {"method": "GET", "path": "/bench/floor/json"},
        "bare_insert": {"method": "POST", "path": "/bench/floor/insert", "body": "{}"},
        "bare_list": {
            "method": "GET",
            "path": f"/bench/floor/list?department={ctx['list_department']}&state=dispatched",
        },
        "case_create": {
            "method": "POST",
            "path": "/api/v1/cases",
            "body": report,
            "token": tokens["resident"],
        },
        "case_list": {
            "method": "GET",
            "path": f"/api/v1/cases?state=dispatched&department={ctx['list_department']}"
            "&page_size=50",
            "token": tokens["department"],
        },
        "case_detail": {
            "method": "GET",
            "path": "/api/v1/cases/{id}",
            "token": tokens["dispatcher"],
            "ids": ctx["detail_ids"],
        },
        "case_action": {
            "method": "POST",
            "path": "/api/v1/cases/{id}/actions/sign",
            "body": json.dumps({"note": "已签收"}, ensure_ascii=False),
            "token": tokens["department2"],
            "ids": (pool_lo, pool_hi),
            "mode": "seq",
            "probe_path": None,
        },
        "open311_requests": {
            "method": "GET",
            "path": f"/open311/v2/requests.json?service_code={ctx['service_code']}",
        },
    }


def settle(server: Server, limit: float = 90.0) -> None:
    """Waits until the server has worked off requests left queued by the previous run (a bare
    request answers quickly again) and no autovacuum is working in the bench database (the
    writes of a create or action run wake it up), so that neither weighs on the next run; then
    a checkpoint."""
    deadline = time.time() + limit
    while time.time() < deadline:
        began = time.perf_counter()
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(server.base + "/bench/floor/json", timeout=30) as r,
        ):
            r.read()
        if time.perf_counter() - began < 0.05 and not autovacuum_running():
            checkpoint()
            return
        time.sleep(0.5)


def checkpoint() -> None:
    """Writes out what the previous runs changed now, rather than in a checkpoint that would
    spread its writes over the next runs (PostgreSQL's are paced over minutes)."""
    from django.db import DatabaseError, connection

    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cur:
            cur.execute("CHECKPOINT")
    except DatabaseError as exc:  # a role without pg_checkpoint: measure without it
        log(f"CHECKPOINT: {exc}")


def autovacuum_running() -> bool:
    from django.db import connection

    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE backend_type = 'autovacuum worker' AND datname = current_database()"
        )
        return cur.fetchone()[0] > 0


def run_load(
    server: Server, name: str, spec: dict, args, run: dict, pool_cursor: list
) -> list[dict] | None:
    """Warm-up, then one bounded wrk run per concurrency; a missing endpoint is skipped
    (None)."""
    settle(server)
    path = spec["path"]
    if "{id}" in path:
        lo, _hi = spec["ids"]
        probe_id = lo if spec.get("mode") != "seq" else pool_cursor[0]
        path = path.replace("{id}", str(probe_id))
        if spec.get("mode") == "seq":
            pool_cursor[0] += 1
    status, body = probe(
        server.base, spec["method"], path, spec.get("body", ""), spec.get("token", "")
    )
    if not 200 <= status < 300:
        reason = f"skipped: {spec['method']} {spec['path']} answered {status} {body[:120]!r}"
        log(f"{name}: {reason}")
        run["skipped"][name] = reason
        return None
    results = []
    for concurrency in args.concurrency_list:
        spec_now = dict(spec)
        if spec.get("mode") == "seq":
            # Each sign takes a case never signed before: the pool advances run by run.
            lo, hi = pool_cursor[0], spec["ids"][1]
            spec_now["ids"] = (lo, hi)
        settle(server)
        if args.warmup and concurrency == args.concurrency_list[0]:
            warm = wrk(server.base, spec_now, concurrency, args.warmup)
            if spec.get("mode") == "seq":
                # Threads interleave ids; the busiest thread says how far they reached.
                pool_cursor[0] += max(warm["ids_used"], warm["requests"]) + concurrency * 2
                spec_now["ids"] = (pool_cursor[0], spec["ids"][1])
        result = wrk(server.base, spec_now, concurrency, args.duration)
        if spec.get("mode") == "seq":
            pool_cursor[0] += max(result["ids_used"], result["requests"]) + concurrency * 2
            left = spec["ids"][1] - pool_cursor[0]
            result["pool_left"] = left
        results.append(result)
        log(
            f"{name:<17} c={concurrency:<3} {result['rps']:>8.1f} req/s  p50 "
            f"{result['p50_ms']:>7.1f} ms  p99 {result['p99_ms']:>7.1f} ms  errors "
            f"{result['errors']}"
            + (f"  ({result['sample_error'][:80]})" if result["errors"] else "")
        )
    return results


def median_runs(rounds: list[list[dict]]) -> list[dict]:
    """One result per concurrency from several rounds: the round with the median throughput
    (the lower middle one for an even count), carrying every round's req/s and the errors of
    all rounds, so that a single slow or fast moment of the machine does not make the figure."""
    merged = []
    for index in range(len(rounds[0])):
        same = [results[index] for results in rounds]
        middle = sorted(same, key=lambda r: r["rps"])[(len(same) - 1) // 2]
        merged.append(
            {
                **middle,
                "rounds_rps": [r["rps"] for r in same],
                "errors": sum(r["errors"] for r in same),
            }
        )
    return merged


def round_ratios(run: dict, name: str) -> list[float] | None:
    """The ratio of each round alone (the endpoint's peak over its floor's, both measured in
    that round): how far one round's figure can stray."""
    floor = run["runs"].get(FLOOR_OF[name])
    mine = run["runs"].get(name)
    if not floor or not mine or "rounds_rps" not in mine[0]:
        return None
    peaks = [max(r["rounds_rps"][k] for r in mine) for k in range(len(mine[0]["rounds_rps"]))]
    floors = [max(r["rounds_rps"][k] for r in floor) for k in range(len(floor[0]["rounds_rps"]))]
    return [round(p / f, 3) for p, f in zip(peaks, floors, strict=False) if f]


# --- dashboard ----------------------------------------------------------------------------------


def dashboard_period() -> dict:
    today = datetime.now(UTC).date()
    return {"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()}


def dashboard_available(run: dict) -> bool:
    from django.urls import Resolver404, resolve

    try:
        # Checked without calling it: before the rollups exist it computes everything live.
        resolve("/api/v1/stats/cases")
    except Resolver404:
        run["skipped"]["dashboard"] = "skipped: GET /api/v1/stats/cases does not exist yet"
        log(f"dashboard: {run['skipped']['dashboard']}")
        return False
    return True


def dashboard_phase(args, server: Server, ctx: dict, creds: dict, run: dict) -> dict | None:
    """The district's case figures for the last year over the product's rollups (c=1 for the
    latency of one request, then c=16 and c=64), and the naive aggregate for the same figures."""
    from civicloop.cases.models import Case

    period = dashboard_period()
    path = (
        f"/api/v1/stats/cases?scope_type=district&scope_id={ctx['district']}"
        f"&from={period['from']}&to={period['to']}"
    )
    spec = {"method": "GET", "path": path, "token": creds["tokens"]["leader"]}
    status, body = probe(server.base, "GET", path, "", spec["token"])
    if not 200 <= status < 300:
        reason = f"skipped: GET /api/v1/stats/cases answered {status} {body[:120]!r}"
        log(f"dashboard: {reason}")
        run["skipped"]["dashboard"] = reason
        return None
    runs = [wrk(server.base, spec, 1, max(3, args.duration // 2))]
    log(f"dashboard         c=1   p50 {runs[0]['p50_ms']:.1f} ms  p99 {runs[0]['p99_ms']:.1f} ms")
    for concurrency in args.concurrency_list:
        settle(server)
        result = wrk(server.base, spec, concurrency, args.duration)
        runs.append(result)
        log(
            f"dashboard         c={concurrency:<3} {result['rps']:>8.1f} req/s  p50 "
            f"{result['p50_ms']:.1f} ms  p99 {result['p99_ms']:.1f} ms  errors {result['errors']}"
        )
    run["runs"]["dashboard"] = runs
    settle(server)
    naive = naive_aggregate(period, ctx["district"])
    computed = computed_figures(period, ctx["district"])
    sequential_p50 = runs[0]["p50_ms"]
    at16 = next((r for r in runs if r["concurrency"] == 16), runs[-1])
    naive_ms = statistics.median(naive) if naive else None
    # Against one full computation, not the (shared) answer a request usually gets: the
    # speedup the rollups give, whatever the sharing adds on top.
    unshared = max(sequential_p50, computed["p50_ms"])
    return {
        "cases": Case.objects.count(),
        "p99_ms": at16["p99_ms"],
        "naive_ms": round(naive_ms, 1) if naive_ms else None,
        "speedup": round(naive_ms / unshared, 1) if naive_ms and unshared else None,
        "_info": {
            "naive_runs_ms": [round(t, 1) for t in naive],
            # Identical requests share an answer for a few seconds (metrics.shared_figures);
            # this is what one computation (rollups plus the live tail) costs without it.
            "computed_ms": computed,
            "sequential_p50_ms": sequential_p50,
            "rollup": run["data"].get("rollup"),
        },
    }


def dashboard_data(args, world, run: dict) -> dict:
    """Cases for the dashboard: a sample first, the product's rollup builder timed on it; then
    the whole requested data set if the builder's measured rate says it fits --dashboard-budget
    (else as many cases as fit), and the builder once more over all of them. The figures are only
    meaningful over rollups the product built itself."""
    from civicloop.cases.models import Case

    target = args.dashboard_cases
    sample = min(target, 50_000)
    first = generate_cases(world, sample, run, "dashboard")
    wait_out_the_lag(run)
    steps = [build_rollups(run, Case.objects.count())]
    size = sample
    if target > sample:
        rate = steps[0]["cases"] / max(steps[0]["seconds"], 0.001)
        size = max(sample, min(target, int(rate * args.dashboard_budget)))
        if size > sample:
            generate_cases(world, size - sample, run, "dashboard-full")
            steps.append(build_rollups(run, Case.objects.count()))
    run["data"]["rollup"] = steps[-1]
    run["data"]["rollup_steps"] = [
        {"cases": s["cases"], "seconds": s["seconds"], "rollup_rows": s["rollup_rows"]}
        for s in steps
    ]
    if size < target:
        rate = steps[-1]["cases"] / max(steps[-1]["seconds"], 0.001)
        run["data"]["dashboard_scaled_down"] = {
            "requested_cases": target,
            "measured_cases": steps[-1]["cases"],
            "budget_s": args.dashboard_budget,
            "cases_per_second": round(rate, 1),
            "requested_rebuild_s": round(target / rate),
        }
        log(
            f"dashboard: measured at {steps[-1]['cases']:,} cases; at the builder's rate "
            f"({rate:,.0f} cases/s) {target:,} cases would take {target / rate:,.0f} s "
            f"(--dashboard-budget {args.dashboard_budget} s)"
        )
    return {"first_id": first["first_id"], "cases": size}


def wait_out_the_lag(run: dict) -> None:
    """The demo's own events are fresh: until they are older than the sweep's lag a sweep or a
    rebuild stops at them (by design) and folds nothing after them into the rollups."""
    from civicloop.dashboard import conf

    wait = conf.sweep_lag_seconds() + 5 - (time.time() - run["setup"]["demo_loaded_at"])
    if wait > 0:
        log(f"waiting {wait:.0f} s until the demo's events are older than the sweep's lag")
        time.sleep(wait)


def build_rollups(run: dict, cases: int) -> dict:
    """The dashboard app's own rollup builder (`rollups.rebuild`: every case's facts from its
    events, folded into the daily rollups) on the generated data, timed."""
    from civicloop.dashboard import models, rollups

    def progress(done: int, seconds: float) -> None:
        if done // 1_000_000 != progress.last // 1_000_000:
            log(f"  rollups.rebuild(): {done:,} cases, {seconds:.0f} s")
        progress.last = done

    progress.last = 0
    began = time.perf_counter()
    result = rollups.rebuild(progress=progress)
    seconds = time.perf_counter() - began
    rows = models.CaseRollup.objects.count()
    scoped = getattr(models, "ScopeRollup", None)
    scope_rows = scoped.objects.count() if scoped is not None else None
    rate = cases / seconds if seconds else None
    log(
        f"rollups.rebuild() over {cases:,} cases: {seconds:.1f} s, {rows:,} rollup rows"
        + (f" + {scope_rows:,} scope rows" if scope_rows is not None else "")
    )
    return {
        "builder": "civicloop.dashboard.rollups.rebuild",
        "cases": cases,
        "seconds": round(seconds, 1),
        "cases_per_second": round(rate, 1) if rate else None,
        "rollup_rows": rows,
        "scope_rollup_rows": scope_rows,
        "result": result,
    }


def catch_up_rollups(run: dict, *, swept: bool) -> None:
    """Brings the rollups up to the data: the product's sweep over what was generated since
    the rebuild, or a rebuild if there was none."""
    import datagen

    from civicloop.dashboard import rollups
    from civicloop.dashboard.models import CaseFact, CaseRollup, ScopeRollup

    wait_out_the_lag(run)
    began = time.perf_counter()
    if swept:
        result = rollups.sweep(budget_seconds=1800)
        what = "rollups.sweep()"
    else:
        result = rollups.rebuild()
        what = "rollups.rebuild()"
    seconds = time.perf_counter() - began
    # What autovacuum would soon do to the tables just written, done now rather than during
    # the load runs.
    datagen.analyze([m._meta.db_table for m in (CaseFact, CaseRollup, ScopeRollup)])
    log(f"{what} before the page measurements: {seconds:.1f} s ({result})")
    run["data"]["rollup_catch_up"] = {"builder": what, "seconds": round(seconds, 1)}


def computed_figures(period: dict, district_id: int, times: int = 10) -> dict:
    """Wall time of computing the district's figures in this process without the shared answer
    (`dashboard.metrics.figures`: the rollups plus the live tail), p50 and max of `times`."""
    from civicloop.dashboard import metrics
    from civicloop.dashboard.query import parse_period

    parsed = parse_period(period["from"], period["to"])
    timings = []
    for _ in range(times):
        began = time.perf_counter()
        metrics.figures("district", district_id, parsed)
        timings.append((time.perf_counter() - began) * 1000)
    result = {"p50_ms": round(statistics.median(timings), 1), "max_ms": round(max(timings), 1)}
    log(f"figures computed without sharing: p50 {result['p50_ms']} ms, max {result['max_ms']} ms")
    return result


def naive_aggregate(period: dict, district_id: int, times: int = 3) -> list[float]:
    """Wall time of the naive aggregate (`dashboard.metrics.naive_figures`: plain GROUP BY over
    the raw case and event tables) for the same scope and period, run in this process on the same
    database: at millions of cases it outlasts gunicorn's 60-second worker timeout."""
    from civicloop.dashboard import metrics
    from civicloop.dashboard.query import parse_period

    parsed = parse_period(period["from"], period["to"])
    timings = []
    started = time.perf_counter()
    for _ in range(times):
        began = time.perf_counter()
        metrics.naive_figures("district", district_id, parsed)
        timings.append((time.perf_counter() - began) * 1000)
        if time.perf_counter() - started > 60:
            break  # one slow call says enough
    log(f"naive aggregate: {', '.join(f'{t:.0f}' for t in timings)} ms")
    return timings


# --- output ----------------------------------------------------------------------------------


def assemble(run: dict) -> dict:
    floors = {name: summarize(run["runs"][name])["rps"] for name in FLOORS if name in run["runs"]}
    endpoints = {name: summarize(run["runs"][name]) for name in ENDPOINTS if name in run["runs"]}
    ratios = {}
    for name, figures in endpoints.items():
        floor = floors.get(FLOOR_OF[name])
        ratios[name] = round(figures["rps"] / floor, 3) if floor else None
    dashboard = run.get("dashboard")
    return {
        "floors": floors,
        "endpoints": endpoints,
        "ratios": ratios,
        "ratio_rounds": {name: round_ratios(run, name) for name in ratios},
        "dashboard": {k: v for k, v in dashboard.items() if not k.startswith("_")}
        if dashboard
        else None,
        "rss_mb_per_worker": run.get("rss_mb_per_worker"),
        "lighthouse": run.get("lighthouse"),
    }


def table(result: dict, run: dict) -> str:
    lines = []
    conc = run["setup"]["concurrency"]
    head = f"{'run':<17}" + "".join(f"{'c=' + str(c) + ' req/s':>14}" for c in conc)
    head += f"{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>8}{'target':>8}"
    lines.append(head)
    lines.append("-" * len(head))
    for name in (*FLOORS, *ENDPOINTS, "dashboard"):
        runs = run["runs"].get(name)
        if not runs:
            reason = run["skipped"].get(name, "not run")
            lines.append(f"{name:<17}{reason[:90]}")
            continue
        by_c = {r["concurrency"]: r for r in runs}
        cells = "".join(f"{by_c[c]['rps']:>14.1f}" if c in by_c else f"{'-':>14}" for c in conc)
        head_run = summarize([r for r in runs if r["concurrency"] in conc] or runs)
        if name == "dashboard":
            head_run = {**head_run, **{k: by_c.get(16, runs[-1])[k] for k in ("p50_ms", "p99_ms")}}
        ratio = result["ratios"].get(name)
        target = TARGETS.get(name)
        mark = ""
        if ratio is not None and target is not None:
            mark = "ok" if ratio >= target else "MISS"
        lines.append(
            f"{name:<17}{cells}{head_run['p50_ms']:>9.1f}{head_run['p99_ms']:>9.1f}"
            f"{head_run['errors']:>8}"
            + (f"{ratio:>8.2f}{target:>6.1f} {mark}" if ratio is not None else "")
        )
    d = result.get("dashboard")
    if d:
        lines.append("")
        lines.append(
            f"dashboard at {d['cases']:,} cases: p99 {d['p99_ms']} ms (c=16, target ≤ 250), "
            f"naive {d['naive_ms']} ms, speedup {d['speedup']}× (target ≥ 20)"
            + (f" — measured in the run of {d['measured']}" if d.get("measured") else "")
        )
    scaled = run["data"].get("dashboard_scaled_down")
    if scaled:
        steps = ", ".join(
            f"{s['cases']:,} cases {s['seconds']} s" for s in run["data"]["rollup_steps"]
        )
        lines.append(
            f"dashboard measured at {scaled['measured_cases']:,} of the requested "
            f"{scaled['requested_cases']:,} cases: rollups.rebuild() took {steps}; at "
            f"{scaled['cases_per_second']:,} cases/s the requested size would take "
            f"{scaled['requested_rebuild_s']:,} s (budget {scaled['budget_s']} s)"
        )
    rollup = run["data"].get("rollup") or (run.get("dashboard_saved") or {}).get("rollup")
    if rollup:
        lines.append(
            f"rollups.rebuild() over {rollup['cases']:,} cases: {rollup['seconds']} s "
            f"({rollup['cases_per_second']} cases/s, {rollup['rollup_rows']:,} rollup rows)"
        )
    rss = result.get("rss_mb_per_worker")
    if rss is not None:
        lines.append(f"RSS per worker after the runs: {rss} MB (target ≤ 200)")
    for page, figures in (result.get("lighthouse") or {}).items():
        if isinstance(figures, dict) and "performance" in figures:
            lines.append(
                f"Lighthouse {page}: performance {figures['performance']}, accessibility "
                f"{figures['accessibility']}, {figures['kb_transferred']} KB "
                f"({figures['kb_without_tiles']} KB without map tiles)"
            )
        else:
            lines.append(f"Lighthouse {page}: {figures}")
    return "\n".join(lines)


def markdown(result: dict, run: dict) -> str:
    """The table as Markdown, for docs/bench.md and the README."""
    conc = run["setup"]["concurrency"]
    head = ["run", *(f"req/s c={c}" for c in conc), "p50 ms", "p99 ms", "errors", "ratio", "target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in (*FLOORS, *ENDPOINTS, "dashboard"):
        runs = run["runs"].get(name)
        if not runs:
            reason = run["skipped"].get(name, "not run")
            lines.append(f"| `{name}` | {reason} |" + " |" * (len(head) - 2))
            continue
        by_c = {r["concurrency"]: r for r in runs}
        best = summarize([r for r in runs if r["concurrency"] in conc] or runs)
        if name == "dashboard":
            best = {**best, **{k: by_c.get(16, runs[-1])[k] for k in ("p50_ms", "p99_ms")}}
        ratio = result["ratios"].get(name)
        target = TARGETS.get(name)
        verdict = ""
        if ratio is not None and target is not None:
            verdict = f"≥ {target} {'✓' if ratio >= target else '✗'}"
        cells = [
            f"`{name}`",
            *(f"{by_c[c]['rps']:.1f}" if c in by_c else "–" for c in conc),
            f"{best['p50_ms']:.1f}",
            f"{best['p99_ms']:.1f}",
            str(best["errors"]),
            f"{ratio:.2f}" if ratio is not None else "",
            verdict,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(run: dict, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib missing: no plot")
        return
    names = [n for n in (*FLOORS, *ENDPOINTS, "dashboard") if run["runs"].get(n)]
    conc = run["setup"]["concurrency"]
    fig, axes = plt.subplots(1, len(conc), figsize=(7 * len(conc), 5.5), squeeze=False)
    for ax, c in zip(axes[0], conc, strict=True):
        for name in names:
            hit = next((r for r in run["runs"][name] if r["concurrency"] == c), None)
            if hit is None:
                continue
            points = sorted((float(p), ms) for p, ms in hit["percentiles_ms"].items())
            ax.plot(
                [ms for _p, ms in points],
                [p for p, _ms in points],
                label=name,
                linestyle="--" if name.startswith("bare_") else "-",
            )
        ax.set_xscale("log")
        ax.set_xlabel("latency (ms, log scale)")
        ax.set_ylabel("percentile")
        ax.set_title(f"latency distribution at concurrency {c}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    cases = run["data"].get("endpoints", {}).get("cases_in_table", 0)
    fig.suptitle(f"civicloop bench {run['setup']['started']} — {cases:,} cases")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- main ------------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    args.concurrency_list = [int(c) for c in args.concurrency.split(",") if c]
    if args.rounds < 1:
        raise SystemExit("--rounds: at least 1")
    only = {x for x in args.only.split(",") if x}
    if shutil.which("wrk") is None and not args.sqlite:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    stamp = datetime.now(UTC).strftime("%Y%m%d_%H%M%S")
    name = f"civicloop_bench_{stamp}"
    var = Path(os.environ.get("BENCH_VAR") or Path(tempfile.gettempdir()) / name)
    var.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    env = {
        "CIVICLOOP_BENCH": "1",
        "CIVICLOOP_VAR": str(var),
        "SECRET_KEY": "bench-" + stamp + "-not-a-secret-but-long-enough-for-django-checks",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{args.port}",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "CIVICLOOP_HOME": str(ROOT),
    }
    if args.redis:
        # The production setup for several processes (README): rate limits in Redis.
        env["REDIS_URL"] = args.redis
    if args.sqlite:
        env["DATABASE_URL"] = f"sqlite:///{var / 'bench.sqlite3'}"
    else:
        env["DATABASE_URL"] = bench_database_url(args.pg, name)
        pg_admin(args.pg, f'CREATE DATABASE "{name}"')
    run: dict = {
        "setup": {
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": "sqlite" if args.sqlite else f"postgresql ({name})",
            "cpus": os.cpu_count(),
            "server": f"civicloop serve: gunicorn, {args.workers} workers × {args.threads} threads"
            + (", cache in Redis" if args.redis and not args.sqlite else ""),
            "load_generator": "wrk -t2, "
            + ", ".join(f"-c{c}" for c in args.concurrency_list)
            + f", {args.duration} s per run after {args.warmup} s warm-up"
            + f", {args.rounds} rounds (median)",
            "concurrency": args.concurrency_list,
            "duration_s": args.duration,
            "command": " ".join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])]),
        },
        "data": {},
        "runs": {},
        "skipped": {},
    }
    log(f"数据库 {run['setup']['database']}，临时目录 {var}")
    server = None
    try:
        configure_django(env)
        prepare_database(args, run)
        world = make_world(args, run)
        if args.sqlite:
            generate_cases(world, args.cases, run, "cases")
            log("SQLite: data generated; load runs need PostgreSQL")
            return 0
        ctx = context(world)
        creds = issue_credentials()
        server = Server(args, env, var / "server.log")
        want_dashboard = args.dashboard_cases and (not only or "dashboard" in only)
        done = {"first_id": 0}
        if want_dashboard and dashboard_available(run):
            # The dashboard first, at its own size: the rollups are built (by the product's
            # builder) for exactly the cases it reads; the endpoint data set grows on after.
            done = dashboard_data(args, world, run)
            # What `civicloop worker` does every minute: fold in what changed since the rebuild
            # (deadlines that passed meanwhile), so the live tail is a minute's worth, as in use.
            catch_up_rollups(run, swept=True)
            close_connections()
            server.start()
            log(f"civicloop serve up on {server.base} ({run['setup']['server']})")
            run["dashboard"] = dashboard_phase(args, server, ctx, creds, run)
            if run["dashboard"]:
                # Kept apart too: a later run without the (long) dashboard phase reports it.
                saved = {
                    **{k: v for k, v in run["dashboard"].items() if not k.startswith("_")},
                    "measured": run["setup"]["started"],
                    "command": run["setup"]["command"],
                    "rollup": run["data"].get("rollup"),
                    "runs": run["runs"].get("dashboard"),
                }
                DASHBOARD_SAVED.write_text(json.dumps(saved, ensure_ascii=False, indent=2) + "\n")
        want_lighthouse = not args.no_lighthouse and (not only or "lighthouse" in only)
        want_load = not only or bool(only & {*FLOORS, *ENDPOINTS})
        if want_load or want_lighthouse:
            pool = sign_pool(args)
            grow = max(args.cases - done.get("cases", 0), pool)
            grown = generate_cases(world, grow, run, "endpoints", pool=pool)
            ctx["pool"] = grown["pool"]
            ctx["detail_ids"] = (done["first_id"] or grown["first_id"], grown["pool"][0] - 1)
            if want_lighthouse:
                # The dashboard page reads the rollups plus the live tail: fold the new cases in
                # as the product's periodic sweep would (or build them, if the dashboard phase
                # did not), so that the page is measured as a running district sees it.
                catch_up_rollups(run, swept=bool(done.get("cases")))
            close_connections()
            if server.proc is None:
                server.start()
                log(f"civicloop serve up on {server.base} ({run['setup']['server']})")
        pool_cursor = [ctx.get("pool", (0, 0))[0]]
        rounds: dict[str, list[list[dict]]] = {}
        for number in range(args.rounds if want_load else 0):
            log(f"第 {number + 1}/{args.rounds} 轮")
            for name_, spec in specs(ctx, creds).items():
                if (only and name_ not in only) or name_ in run["skipped"]:
                    continue
                results = run_load(server, name_, spec, args, run, pool_cursor)
                if results is not None:
                    rounds.setdefault(name_, []).append(results)
        for name_, per_round in rounds.items():
            run["runs"][name_] = median_runs(per_round)
        sizes = server.worker_rss_mb()
        run["rss_workers_mb"] = sizes
        run["rss_mb_per_worker"] = max(sizes) if sizes else None
        if want_lighthouse:
            import lighthouse

            run["lighthouse"] = lighthouse.measure(server.base, creds["sessions"], var, log)
    finally:
        if server is not None:
            server.stop()
        from django.db import connections

        connections.close_all()
        if not args.sqlite and not args.keep:
            pg_admin(args.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            log(f"数据库 {name} 已删除")
        elif not args.sqlite:
            log(f"保留数据库 {name}（DATABASE_URL={env['DATABASE_URL']}）")
    if not run.get("dashboard") and DASHBOARD_SAVED.exists():
        saved = json.loads(DASHBOARD_SAVED.read_text())
        run["dashboard"] = {k: saved[k] for k in ("cases", "p99_ms", "naive_ms", "speedup")}
        run["dashboard"]["measured"] = saved["measured"]
        run["dashboard_saved"] = saved
        log(f"dashboard: not measured in this run; reporting the run of {saved['measured']}")
    result = assemble(run)
    run["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    (RESULTS / "latest.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    (RESULTS / "latest-runs.json").write_text(
        json.dumps(dict(run.items()), ensure_ascii=False, indent=2, default=str) + "\n"
    )
    plot(run, RESULTS / "latency.png")
    text = table(result, run)
    (RESULTS / "latest.txt").write_text(text + "\n")
    (RESULTS / "latest.md").write_text(markdown(result, run) + "\n")
    print()
    print(text)
    print(
        f"\n→ {RESULTS / 'latest.json'}, {RESULTS / 'latest-runs.json'}, {RESULTS / 'latency.png'}"
    )
    if not args.keep:
        shutil.rmtree(var, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
