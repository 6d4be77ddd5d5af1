"""Crash safety on PostgreSQL: a burst of reports from many clients, the server killed with
SIGKILL in the middle, restarted, every unanswered request retried with its Idempotency-Key.

Afterwards, for every report:
- acknowledged (201, or 200 for a retry) → exactly one case with that key, with the id first
  answered, and all the photos that were sent, their files present and decodable;
- nothing half-written anywhere: every case has its `create` event, every photo row has both
  files, and once `civicloop purge_uploads` has run (the worker does it hourly) no photo file in
  storage lacks its row: a file written by a process killed before its transaction committed is
  removed, and nothing a row refers to is."""

from __future__ import annotations

import io
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import skip_or_fail

pytestmark = pytest.mark.postgres

BURST = int(os.environ.get("CIVICLOOP_CRASH_BURST", "200"))
CLIENTS = 16
KILL_AFTER = BURST // 3  # acknowledged reports before the server is killed
PG = "postgres://postgres@127.0.0.1:5432"
SETUP = """
import json
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
call_command("createcachetable", verbosity=0)
from django.contrib.auth import get_user_model
from civicloop.cases.demo import load_categories
from civicloop.core import demo
from civicloop.core.models import ApiToken
regions = demo.load_regions()
departments = demo.load_departments()
orgs = demo.load_party_orgs(regions)
demo.load_accounts(regions, departments, orgs)
load_categories(departments)
users = get_user_model().objects.filter(username__startswith="member").order_by("username")
print(json.dumps([ApiToken.issue(u)[1] for u in users[:16]]))
"""


def _psycopg():
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        skip_or_fail("psycopg is not installed")
    return psycopg


@pytest.fixture
def crash_db():
    psycopg = _psycopg()
    try:
        admin = psycopg.connect(f"{PG}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        skip_or_fail(f"PostgreSQL is not reachable on 127.0.0.1:5432: {exc}")
    name = f"cl_crash_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict, port: int, log: Path):
        self.env, self.port, self.log = env, port, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        civicloop = Path(sys.executable).with_name("civicloop")
        out = self.log.open("a")
        self.proc = subprocess.Popen(
            [str(civicloop), "serve", "--port", str(self.port), "--workers", "3", "--threads", "4"],
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches master and workers
        )
        import requests

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/api/v1/categories", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise AssertionError(f"server did not start:\n{self.log.read_text()[-3000:]}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def _jpeg(seed: int) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64 + seed % 7, 48), (seed * 37 % 256, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


def _reports(tokens: list[str]) -> list[dict]:
    reports = []
    for n in range(BURST):
        photos = (1 + n % 2) if n % 4 == 0 else 0
        reports.append(
            {
                "key": str(uuid.uuid4()),
                "token": None if n % 10 == 3 else tokens[n % len(tokens)],
                "photos": photos,
                "description": f"第{n}号压力测试：路灯不亮，夜间行人看不清路面",
                "lat": 41.1005 + (n % 40) * 0.0002,
                "lng": 122.0205 + (n % 30) * 0.0002,
            }
        )
    return reports


def _send(url: str, report: dict):
    import requests

    headers = {"Idempotency-Key": report["key"]}
    if report["token"]:
        headers["Authorization"] = f"Bearer {report['token']}"
    fields = {"description": report["description"], "lat": report["lat"], "lng": report["lng"]}
    try:
        if report["photos"]:
            files = [
                ("photos", (f"p{i}.jpg", _jpeg(i), "image/jpeg")) for i in range(report["photos"])
            ]
            response = requests.post(
                f"{url}/api/v1/cases", data=fields, files=files, headers=headers, timeout=15
            )
        else:
            response = requests.post(
                f"{url}/api/v1/cases", json=fields, headers=headers, timeout=15
            )
    except requests.RequestException:
        return None
    return response


def test_reports_survive_a_killed_server_exactly_once_with_their_photos(crash_db, tmp_path):
    psycopg = _psycopg()
    var = tmp_path / "var"
    env = {
        **os.environ,
        "DATABASE_URL": crash_db,
        "CIVICLOOP_VAR": str(var),
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_SETTINGS_MODULE": "civicloop.settings",
        "CIVICLOOP_ANON_REPORTS_PER_HOUR": "100000",
        "CIVICLOOP_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CIVICLOOP_REQUIRE_ALL", None)
    setup = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + SETUP],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert setup.returncode == 0, setup.stderr[-3000:]
    tokens = json.loads(setup.stdout.strip().splitlines()[-1])
    server = Server(env, _free_port(), tmp_path / "server.log")
    reports = _reports(tokens)
    answers: dict[str, tuple[int, dict]] = {}
    lock = threading.Lock()
    acknowledged = threading.Event()
    started = time.monotonic()
    server.start()
    try:

        def fire(report):
            response = _send(server.url, report)
            if response is None:
                return
            with lock:
                answers[report["key"]] = (response.status_code, _json(response))
                if sum(1 for s, _b in answers.values() if s in (200, 201)) >= KILL_AFTER:
                    acknowledged.set()

        def killer():
            acknowledged.wait(timeout=30)
            server.kill()

        kill_thread = threading.Thread(target=killer)
        kill_thread.start()
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(fire, reports))
        kill_thread.join()
        before_kill = dict(answers)
        first_acks = {k: v for k, v in before_kill.items() if v[0] in (200, 201)}
        unexpected = {k: v for k, v in before_kill.items() if v[0] not in (200, 201)}
        assert not unexpected, f"answers other than 200/201 before the crash: {unexpected}"
        unanswered = [r for r in reports if r["key"] not in before_kill]
        assert first_acks, "no report was acknowledged before the crash"
        assert unanswered, "the server was killed after the burst, not in the middle of it"

        server.start()
        # Every client retries what got no answer; a few also retry what did (a lost answer
        # looks the same to a phone), which must give the same case back.
        retried = unanswered + [r for r in reports if r["key"] in first_acks][:20]
        with ThreadPoolExecutor(CLIENTS) as pool:
            second = dict(
                zip(
                    [r["key"] for r in retried],
                    pool.map(lambda r: _send(server.url, r), retried),
                    strict=True,
                )
            )
        for report in retried:
            response = second[report["key"]]
            assert response is not None and response.status_code in (200, 201), (
                f"retry of {report['key']}: {response and response.status_code}"
            )
            body = _json(response)
            if report["key"] in first_acks:
                assert response.status_code == 200
                assert body["id"] == first_acks[report["key"]][1]["id"], "a retry made a new case"
            answers[report["key"]] = (response.status_code, body)
    finally:
        server.stop()
    elapsed = time.monotonic() - started
    # The recovery step for uploads: with no server running, nothing is in flight, so every
    # file without a row is one whose transaction died with the killed process.
    purge = subprocess.run(
        [str(Path(sys.executable).with_name("civicloop")), "purge_uploads", "--older-than", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert purge.returncode == 0, purge.stderr[-3000:]

    media = var / "media"
    with psycopg.connect(crash_db) as conn:
        cases = {
            key: (pk, photos)
            for key, pk, photos in conn.execute(
                "SELECT c.idempotency_key, c.id, count(p.id) FROM cases_case c "
                "LEFT JOIN cases_casephoto p ON p.case_id = c.id GROUP BY c.id"
            )
        }
        per_key = dict(
            conn.execute(
                "SELECT idempotency_key, count(*) FROM cases_case GROUP BY idempotency_key"
            ).fetchall()
        )
        without_create = conn.execute(
            "SELECT id FROM cases_case c WHERE NOT EXISTS (SELECT 1 FROM cases_caseevent e "
            "WHERE e.case_id = c.id AND e.action = 'create')"
        ).fetchall()
        photo_files = conn.execute("SELECT file, thumbnail FROM cases_casephoto").fetchall()

    checked = 0
    for report in reports:
        status, body = answers[report["key"]]
        assert status in (200, 201)
        assert per_key.get(report["key"]) == 1, f"{report['key']}: {per_key.get(report['key'])}"
        pk, photos = cases[report["key"]]
        assert pk == body["id"]
        assert photos == report["photos"], f"case {pk}: {photos} photos, {report['photos']} sent"
        checked += 1
    assert len(cases) == BURST, "a case exists that no client asked for"
    assert not without_create, f"cases without their create event: {without_create}"

    from PIL import Image

    referenced = set()
    for names in photo_files:
        for name in names:
            path = media / name
            assert path.is_file(), f"photo row without its file: {name}"
            with Image.open(path) as image:
                image.verify()
            referenced.add(path)
    on_disk = {p for p in (media / "cases").rglob("*") if p.is_file()}
    orphans = sorted(str(p.relative_to(media)) for p in on_disk - referenced)
    assert not orphans, f"photo files without a row (half-written uploads): {orphans}"
    print(  # noqa: T201 - the figures for the closing note
        f"\ncrash: burst {BURST} reports from {CLIENTS} clients, {len(first_acks)} acknowledged "
        f"before SIGKILL, {len(unanswered)} unanswered and retried, {checked} checked exactly "
        f"once with {len(photo_files)} photos, {elapsed:.1f}s; purged {purge.stdout.split()}"
    )


def _json(response) -> dict:
    try:
        return response.json()
    except ValueError:
        return {"raw": response.text[:200]}
