"""`civicloop backup PATH`: the database (as portable JSON) and every uploaded file, in one .tar.gz.

Works the same on SQLite and PostgreSQL, so a backup can also move a district between them."""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from civicloop.core.uploads import walk_storage

# XML keeps timestamps to the microsecond (Django's JSON encoder rounds to milliseconds).
# Rebuilt by migrations, or transient: not part of a backup.
EXCLUDE = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "django_tasks_database",
]


def model_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label in {"contenttypes", "sessions", "admin", "django_tasks_database"}:
            continue
        if label == "auth.Permission" or not model._meta.managed:
            continue
        counts[label] = model._default_manager.count()
    return counts


class Command(BaseCommand):
    help = "Back up the database and uploaded files into one .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="archive to write, e.g. backups/civicloop-2026-11-29.tar.gz"
        )

    def handle(self, *args, path, **options):
        target = Path(path)
        if target.exists():
            raise CommandError(f"{target} 已存在，不会覆盖")
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            data_path = Path(tmp) / "data.xml"
            call_command(
                "dumpdata",
                exclude=EXCLUDE,
                natural_foreign=True,
                format="xml",
                output=str(data_path),
                verbosity=0,
            )
            files = sorted(walk_storage(default_storage))
            manifest = {
                "format": "civicloop-backup/1",
                "created_at": timezone.now().isoformat(),
                "counts": model_counts(),
                "files": len(files),
            }
            partial = target.with_name(target.name + ".partial")
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(data_path, arcname="data.xml")
                for name in files:
                    with default_storage.open(name, "rb") as handle:
                        content = handle.read()
                    info = tarfile.TarInfo(f"media/{name}")
                    info.size = len(content)
                    archive.addfile(info, io.BytesIO(content))
                blob = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(blob)
                archive.addfile(info, io.BytesIO(blob))
            partial.rename(target)  # never leave a half-written archive under the real name
        total = sum(manifest["counts"].values())
        self.stdout.write(f"已备份 {total} 条记录、{len(files)} 个文件 → {target}")
