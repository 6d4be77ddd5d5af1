"""`civicloop serve`: the production server (gunicorn, several workers, whitenoise for static)."""

from __future__ import annotations

import os
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve civicloop with gunicorn (several worker processes); optionally run a task worker too."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "1")))
        parser.add_argument(
            "--with-worker", action="store_true", help="also run a background task worker"
        )

    def handle(self, *args, **options):
        worker = None
        if options["with_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "civicloop.manage", "worker"])
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "civicloop.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            "--timeout",
            "60",
        ]
        self.stdout.write(f"civicloop on http://{options['host']}:{options['port']}/")
        try:
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicloop.settings")
            if worker is None:
                os.execv(sys.executable, cmd)  # noqa: S606 - replace this process: signals reach gunicorn
            subprocess.run(cmd, check=False)  # noqa: S603
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
