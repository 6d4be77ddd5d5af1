"""Uploads: only real images are stored; bad files are refused with a clear error, and then
nothing is stored — no case, no file."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicloop.cases.models import Case, CasePhoto

from .conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


def png_bomb(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = bytes(1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()]


def report_with(client, point, upload):
    lat, lng = point("胜利社区第1网格")
    return client.post(
        "/api/v1/cases",
        {"description": "井盖破损很危险", "lat": str(lat), "lng": str(lng), "photos": [upload]},
    )


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("note.jpg", "这不是图片，只是改了扩展名".encode() * 20, 422, "photo_not_an_image"),
        ("bomb.png", png_bomb(20_000, 20_000), 422, "photo_too_many_pixels"),
        (
            "page.jpg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>",
            422,
            "photo_unsupported_type",
        ),
    ],
)
def test_bad_photos_are_refused_and_nothing_is_stored(
    api_as, categories, point, settings, name, content, status, code
):
    response = report_with(
        api_as("resident"), point, SimpleUploadedFile(name, content, "image/jpeg")
    )
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert Case.objects.count() == 0 and CasePhoto.objects.count() == 0
    assert stored_files(settings) == []


def test_a_50_mb_photo_is_refused_with_413_and_nothing_is_stored(
    api_as, categories, point, settings
):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff\xe0" + bytes(50 * 1024 * 1024), "image/jpeg")
    response = report_with(api_as("resident"), point, big)
    assert response.status_code == 413
    assert "10 MB" in response.json()["error"]["message"]
    assert Case.objects.count() == 0 and stored_files(settings) == []


def test_a_request_over_the_body_limit_is_413(api_as, settings):
    settings.CIVICLOOP_MAX_REQUEST_BYTES = 1000
    response = api_as("resident").post(
        "/api/v1/cases",
        {"description": "x" * 2000, "address": "y"},
    )
    assert response.status_code == 413


def test_more_than_nine_photos_are_refused(api_as, categories, point):
    lat, lng = point("胜利社区第1网格")
    files = [SimpleUploadedFile(f"{i}.jpg", jpeg_bytes(), "image/jpeg") for i in range(10)]
    response = api_as("resident").post(
        "/api/v1/cases",
        {"description": "垃圾很多", "lat": str(lat), "lng": str(lng), "photos": files},
    )
    assert response.status_code == 422 and Case.objects.count() == 0


def test_a_good_photo_is_re_encoded_without_gps_and_served_only_to_viewers(
    api_as, categories, point, settings
):
    exif = Image.Exif()
    exif[0x8825] = {2: (41.0, 6.0, 30.0)}  # GPSInfo: latitude
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 120, 30)).save(buffer, "JPEG", exif=exif.tobytes())
    assert b"Exif" in buffer.getvalue()
    response = report_with(
        api_as("resident"),
        point,
        SimpleUploadedFile("张三家门口.jpg", buffer.getvalue(), "image/jpeg"),
    )
    assert response.status_code == 201
    case_id = response.json()["id"]
    photo = CasePhoto.objects.get(case_id=case_id)
    data = photo.file.read()
    assert data.startswith(b"\xff\xd8") and b"Exif" not in data
    assert "张三家门口" not in photo.file.name  # the sender's file name is not kept
    detail = api_as("grid").get(f"/api/v1/cases/{case_id}").json()
    url = detail["photos"][0]["url"]
    served = api_as("grid").get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert api_as("grid").get(detail["photos"][0]["thumbnail_url"]).status_code == 200
    assert api_as("grid2").get(url).status_code == 404
    assert api_as(None).get(url).status_code == 404


def test_files_without_a_row_are_purged_once_old_and_photos_in_use_never(
    api_as, categories, point, settings
):
    """What a server killed between writing a photo and committing its row leaves behind."""
    import os
    import time

    from django.core.management import call_command

    from civicloop.core import uploads

    response = report_with(
        api_as("resident"), point, SimpleUploadedFile("p.jpg", jpeg_bytes(), "image/jpeg")
    )
    assert response.status_code == 201
    photo = CasePhoto.objects.get(case_id=response.json()["id"])
    kept = {photo.file.name, photo.thumbnail.name}
    root = Path(settings.MEDIA_ROOT)
    old = time.time() - 2 * 3600
    for name in kept:  # a photo in use stays however old it is
        os.utime(root / name, (old, old))
    orphans = {"cases/ab/dead-upload.jpg", "study/photos/dead-lecture.jpg"}
    fresh = "cases/cd/in-flight.jpg"  # its transaction may still be open
    for name in [*orphans, fresh]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(jpeg_bytes())
    for name in orphans:
        os.utime(root / name, (old, old))

    assert uploads.purge_orphans() == {"cases": 1, "study": 1}
    on_disk = {str(p.relative_to(root)) for p in stored_files(settings)}
    assert on_disk == kept | {fresh}

    call_command("purge_uploads", "--older-than", "0")
    on_disk = {str(p.relative_to(root)) for p in stored_files(settings)}
    assert on_disk == kept
    assert api_as("grid").get(f"/api/v1/cases/{photo.case_id}").status_code == 200
