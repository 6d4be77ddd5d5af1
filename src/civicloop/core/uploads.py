"""Removing uploaded files whose database row never committed.

An upload is written to storage before the transaction that records it commits. When that
transaction fails in the process, the caller deletes the file at once; when the process dies
(SIGKILL, power loss) between the two, nothing can, and the file stays without a row. Each app
that stores files registers its folder here with a function that tells which names are still
referenced; `purge_orphans` deletes the rest once they are older than any transaction could be
open. The worker runs it periodically; `civicloop purge_uploads` runs it by hand."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

log = logging.getLogger(__name__)

#: names → the subset of them some row still refers to
Referenced = Callable[[list[str]], set[str]]


@dataclass(frozen=True)
class UploadFolder:
    prefix: str  # a folder in the default storage, e.g. "cases"
    referenced: Referenced


_FOLDERS: dict[str, UploadFolder] = {}
_CHUNK = 500


def register_folder(prefix: str, referenced: Referenced) -> None:
    _FOLDERS[prefix.strip("/")] = UploadFolder(prefix.strip("/"), referenced)


def grace_seconds() -> int:
    """How old a file without a row must be before it is deleted: longer than any upload's
    transaction can stay open (default one hour)."""
    value = getattr(settings, "CIVICLOOP_ORPHAN_GRACE_SECONDS", None)
    if value is None:
        value = os.environ.get("CIVICLOOP_ORPHAN_GRACE_SECONDS", 3600)
    return int(value)


def walk_storage(storage, top: str = "") -> Iterator[str]:
    """Every file name under `top` in a storage backend (local disk or S3 alike)."""
    try:
        dirs, files = storage.listdir(top)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{top}/{name}" if top else name
    for name in dirs:
        yield from walk_storage(storage, f"{top}/{name}" if top else name)


def _chunks(names: Iterator[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    for name in names:
        chunk.append(name)
        if len(chunk) == _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def purge_orphans(older_than: int | None = None, storage=None) -> dict[str, int]:
    """Deletes files in the registered folders that no row refers to and that were last
    modified more than `older_than` seconds ago. Returns the number deleted per folder."""
    storage = storage or default_storage
    older_than = grace_seconds() if older_than is None else older_than
    cutoff = timezone.now() - timedelta(seconds=older_than)
    deleted: dict[str, int] = {}
    for prefix, folder in sorted(_FOLDERS.items()):
        count = 0
        for chunk in _chunks(walk_storage(storage, prefix)):
            kept = folder.referenced(chunk)
            for name in chunk:
                if name in kept:
                    continue
                try:
                    if storage.get_modified_time(name) > cutoff:
                        continue  # may belong to a transaction still open
                    storage.delete(name)
                except (OSError, NotImplementedError):
                    continue
                count += 1
        if count:
            log.warning("deleted %d upload(s) without a row under %s/", count, prefix)
        deleted[prefix] = count
    return deleted


_last_run = 0.0


def purge_orphans_hourly() -> dict[str, int] | None:
    """The periodic form: at most once per grace period in each worker process."""
    global _last_run
    now = time.monotonic()
    if _last_run and now - _last_run < max(grace_seconds(), 60):
        return None
    _last_run = now
    return purge_orphans()
