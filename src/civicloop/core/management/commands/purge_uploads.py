"""`civicloop purge_uploads`: delete uploaded files that no database row refers to."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from civicloop.core import uploads


class Command(BaseCommand):
    help = (
        "Delete uploaded files without their database row (left when a server process died "
        "between writing an upload and committing it). The worker does this every hour."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="seconds since a file was written before it may go (default: "
            "CIVICLOOP_ORPHAN_GRACE_SECONDS, 3600); 0 only while no server is running",
        )

    def handle(self, *args, **options):
        deleted = uploads.purge_orphans(options["older_than"])
        for prefix, count in deleted.items():
            self.stdout.write(f"{prefix}/: {count}")
