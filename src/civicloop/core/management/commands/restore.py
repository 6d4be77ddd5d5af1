"""`civicloop restore PATH`: load a backup made by `civicloop backup` into this database and storage."""

from __future__ import annotations

import json
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from .backup import model_counts


class Command(BaseCommand):
    help = "Restore a backup archive (database and uploaded files). The database must be empty, or use --replace."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--replace", action="store_true", help="erase this database's data before restoring"
        )

    def handle(self, *args, path, replace, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"找不到备份文件 {source}")
        call_command("migrate", verbosity=0, interactive=False)
        existing = sum(
            n for label, n in model_counts().items() if not label.startswith("auth.Group")
        )
        if existing and not replace:
            raise CommandError("数据库不为空；如确需覆盖，请加 --replace")
        with tempfile.TemporaryDirectory() as tmp, tarfile.open(source, "r:gz") as archive:
            members = {m.name: m for m in archive.getmembers()}
            if "manifest.json" not in members or "data.xml" not in members:
                raise CommandError("这不是 civicloop 备份文件")
            manifest = json.load(archive.extractfile(members["manifest.json"]))
            data_path = Path(tmp) / "data.xml"
            data_path.write_bytes(archive.extractfile(members["data.xml"]).read())
            with transaction.atomic():
                if replace:
                    call_command("flush", interactive=False, verbosity=0)
                call_command("loaddata", str(data_path), verbosity=0)
                counts = model_counts()
                missing = {
                    label: (n, counts.get(label))
                    for label, n in manifest["counts"].items()
                    if counts.get(label) != n
                }
                if missing:
                    raise CommandError(f"恢复后的记录数与备份不符：{missing}")
            restored = 0
            for name, member in members.items():
                if not name.startswith("media/") or not member.isfile():
                    continue
                relative = PurePosixPath(name).relative_to("media")
                if ".." in relative.parts or relative.is_absolute():
                    raise CommandError(f"备份中有不安全的文件名：{name}")
                content = archive.extractfile(member).read()
                if default_storage.exists(str(relative)):
                    default_storage.delete(str(relative))
                default_storage.save(str(relative), ContentFile(content))
                restored += 1
        self.stdout.write(f"已恢复 {sum(manifest['counts'].values())} 条记录、{restored} 个文件")
