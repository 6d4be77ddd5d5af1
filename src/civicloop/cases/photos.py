"""Checking uploaded photos (before anything is stored) and storing the clean copies."""

from __future__ import annotations

import contextlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils.translation import gettext as _

from civicloop.core import uploads
from civicloop.core.errors import ActionRefused
from civicloop.lib.images import CleanImage, ImageRejected, sanitize_image

from . import conf
from .models import CasePhoto


def clean_uploads(files) -> list[CleanImage]:
    """Decodes and re-encodes each upload; refuses the whole lot on the first bad one.

    413 for a file over the size limit, 422 for anything that is not an acceptable image."""
    files = [f for f in files if f is not None]
    if len(files) > conf.photo_max_count():
        raise ActionRefused(
            _("最多上传 %(n)d 张照片") % {"n": conf.photo_max_count()}, status=422, code="invalid"
        )
    cleaned = []
    for upload in files:
        size = getattr(upload, "size", None)
        if size is not None and size > conf.photo_max_bytes():
            raise ActionRefused(
                _("照片“%(name)s”过大，每张最大 %(mb)d MB")
                % {"name": _short(upload), "mb": conf.photo_max_bytes() // (1024 * 1024)},
                status=413,
                code="too_large",
            )
        try:
            upload.seek(0)
            cleaned.append(sanitize_image(upload, max_bytes=conf.photo_max_bytes()))
        except ImageRejected as exc:
            status = 413 if exc.code == "too_large" else 422
            raise ActionRefused(
                _("照片“%(name)s”：%(why)s") % {"name": _short(upload), "why": exc.message},
                status=status,
                code=f"photo_{exc.code}",
            ) from None
    return cleaned


def _short(upload) -> str:
    name = str(getattr(upload, "name", "") or _("照片"))
    return name[-40:]


def store(case, images: list[CleanImage], event=None, stored: list[str] | None = None) -> list:
    """Saves the images under random names and records them; names go into `stored` so that a
    caller can delete the files again if the surrounding transaction fails."""
    photos = []
    for image in images:
        photo = CasePhoto(
            case=case,
            event=event,
            content_type=image.content_type,
            thumbnail_content_type=image.thumbnail_content_type,
            sha256=image.sha256,
            width=image.width,
            height=image.height,
        )
        photo.file.save(f"p{image.extension}", ContentFile(image.content), save=False)
        if stored is not None:
            stored.append(photo.file.name)
        thumb_ext = ".webp" if image.thumbnail_content_type == "image/webp" else ".jpg"
        photo.thumbnail.save(f"t{thumb_ext}", ContentFile(image.thumbnail), save=False)
        if stored is not None:
            stored.append(photo.thumbnail.name)
        photo.save()
        photos.append(photo)
    if photos:
        case.has_photos = True  # see queries.case_by_id
    return photos


def discard(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def _referenced(names: list[str]) -> set[str]:
    rows = CasePhoto.objects.filter(Q(file__in=names) | Q(thumbnail__in=names))
    return {name for pair in rows.values_list("file", "thumbnail") for name in pair}


def register_upload_folder() -> None:
    """Photos live under cases/; a file there without its CasePhoto row is an orphan."""
    uploads.register_folder("cases", _referenced)
