"""`civicloop worker`: runs background tasks from the database queue, plus periodic sweeps."""

from __future__ import annotations

import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections


class Command(BaseCommand):
    help = "Run the background task worker (database queue) and the periodic sweeps."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sweep-interval", type=int, default=60, help="seconds between periodic sweeps"
        )
        parser.add_argument(
            "--once", action="store_true", help="run the sweeps and queued tasks once, then exit"
        )

    def handle(self, *args, **options):
        from civicloop.core.periodic import run_periodic

        if options["once"]:
            run_periodic()
            call_command("db_worker", "--batch", "--no-startup-delay")
            return
        stop = threading.Event()

        def sweeper():
            while not stop.is_set():
                try:
                    run_periodic()
                except Exception:  # a failing sweep must not stop the worker; it is logged
                    self.stderr.write("periodic sweep failed")
                    import logging

                    logging.getLogger(__name__).exception("periodic sweep failed")
                finally:
                    close_old_connections()
                stop.wait(options["sweep_interval"])

        thread = threading.Thread(target=sweeper, daemon=True)
        thread.start()
        try:
            call_command("db_worker")
        finally:
            stop.set()
            time.sleep(0)
