"""Uploads everywhere: the type is sniffed from the content (text renamed .jpg, SVG, HTML are
refused), size and pixel limits hold, photos are re-encoded without EXIF GPS, and every file
civicloop serves from user uploads goes out with nosniff, a safe Content-Disposition and
never as HTML or SVG."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.security.test_scope_matrix import WEB, _samples, kinds

pytestmark = pytest.mark.django_db

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
TEXT = b"just some text pretending to be a photo\n" * 20


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (320, 240), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"
    gps = {1: "N", 2: (41.0, 6.0, 12.5), 3: "E", 4: (122.0, 4.0, 1.0)}
    exif[0x8825] = gps
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def _pixel_bomb() -> bytes:
    buf = io.BytesIO()
    Image.new("1", (30000, 30000)).save(buf, "PNG")  # a few KB, 900 million pixels
    return buf.getvalue()


BAD = {
    "text-as-jpg": ("photo.jpg", TEXT, "image/jpeg"),
    "svg": ("photo.svg", SVG, "image/svg+xml"),
    "html-as-png": ("photo.png", HTML, "image/png"),
    "pixel-bomb": ("bomb.png", _pixel_bomb(), "image/png"),
}


def _api(world, username):
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[username]}")


def _report_fields() -> dict:
    return {"description": "路灯不亮，晚上看不清路", "lat": "41.1005", "lng": "122.0205"}


@pytest.mark.parametrize("bad", sorted(BAD))
def test_case_photos_that_are_not_images_are_refused_and_nothing_is_stored(world, bad):
    from civicloop.cases.models import Case

    name, content, content_type = BAD[bad]
    before = Case.objects.count()
    response = _api(world, "resident").post(
        "/api/v1/cases",
        {**_report_fields(), "photos": [SimpleUploadedFile(name, content, content_type)]},
    )
    assert response.status_code in (413, 422), response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert Case.objects.count() == before


def test_a_case_photo_over_the_size_limit_is_413(world, settings):
    settings.CIVICLOOP_PHOTO_MAX_BYTES = 20_000
    big = SimpleUploadedFile("big.jpg", _jpeg_with_gps() + b"\0" * 30_000, "image/jpeg")
    response = _api(world, "resident").post("/api/v1/cases", {**_report_fields(), "photos": [big]})
    assert response.status_code == 413


def test_the_web_report_form_refuses_a_disguised_file(world):
    from civicloop.cases.models import Case

    before = Case.objects.count()
    client = Client()
    client.force_login(get_user_model().objects.get(username="resident"))
    response = client.post(
        reverse("cases:report"),
        {
            **_report_fields(),
            "form_token": "upload-test",
            "photos": SimpleUploadedFile("x.jpg", HTML, "image/jpeg"),
        },
    )
    assert response.status_code == 422
    assert Case.objects.count() == before


def test_case_photos_are_re_encoded_without_exif_and_served_safely(world):
    from civicloop.cases.models import Case

    response = _api(world, "resident").post(
        "/api/v1/cases",
        {
            **_report_fields(),
            "photos": [SimpleUploadedFile("我家门口.jpg", _jpeg_with_gps(), "image/jpeg")],
        },
    )
    assert response.status_code == 201, response.content[:300]
    case = Case.objects.get(pk=response.json()["id"])
    photo = case.photos.get()
    assert "我家门口" not in photo.file.name
    with photo.file.open("rb") as stored, Image.open(stored) as image:
        exif = image.getexif()
        assert 0x8825 not in exif and 0x010F not in exif
        assert b"SecretPhoneMaker" not in photo.file.open("rb").read()
    client = Client()
    client.force_login(get_user_model().objects.get(username="resident"))
    served = client.get(reverse("cases:photo", args=[case.pk, photo.pk]))
    _assert_safe_file_response(served)


def _claimed_wish_and_claimer():
    from civicloop.wishes.models import State, Wish

    wish = Wish.objects.filter(state=State.CONTACTED).select_related("claimed_by").first()
    return wish, (wish.claimed_by if wish else None)


@pytest.mark.parametrize("bad", ["text-as-jpg", "svg", "html-as-png"])
def test_wish_proof_photos_must_be_real_images(world, bad):
    from civicloop.core.models import ApiToken
    from civicloop.wishes.models import State

    wish, claimer = _claimed_wish_and_claimer()
    assert wish is not None, "the demo wall has a wish in the 已联系 state"
    _token, raw = ApiToken.issue(claimer)
    name, content, content_type = BAD[bad]
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
        f"/api/v1/wishes/{wish.pk}/actions/fulfil",
        {"note": "已送到", "photo": SimpleUploadedFile(name, content, content_type)},
    )
    assert response.status_code in (413, 422), response.content[:300]
    wish.refresh_from_db()
    assert wish.state == State.CONTACTED


@pytest.mark.parametrize(
    "content",
    [HTML, SVG, TEXT, b"\x89PNG\r\n\x1a\n" + b"\0" * 100],
    ids=["html", "svg", "text", "png"],
)
def test_study_media_uploads_are_sniffed_and_refused_when_not_audio(world, content):
    from civicloop.study.models import MediaItem

    client = Client()
    client.force_login(get_user_model().objects.get(username="publicity"))
    before = MediaItem.objects.count()
    page = client.get(reverse("study:media_new"))
    assert page.status_code == 200
    org = re.search(rb'name="org"[^>]*>\s*(?:<option[^>]*value="(\d+)")', page.content)
    org_value = re.search(rb'<option value="(\d+)"', page.content)
    response = client.post(
        reverse("study:media_new"),
        {
            "org": (org or org_value).group(1).decode() if (org or org_value) else "",
            "kind": "audio",
            "title": "微党课",
            "description": "",
            "file": SimpleUploadedFile("lesson.mp3", content, "audio/mpeg"),
        },
    )
    assert response.status_code in (200, 400, 413, 422)
    assert MediaItem.objects.count() == before


def test_an_imported_html_article_keeps_no_markup_or_script(world):
    html = (
        "<html><head><title>学习贯彻</title><script>alert(1)</script></head><body>"
        '<h1>学习贯彻党的二十大精神</h1><p onclick="x()">第一段内容<img src=x onerror=alert(2)></p>'
        "</body></html>"
    ).encode()
    response = _api(world, "publicity").post(
        "/api/v1/articles/import",
        {"file": SimpleUploadedFile("a.html", html, "text/html"), "to_simplified": "true"},
    )
    assert response.status_code == 201, response.content[:400]
    article = response.json()
    text = str(article)
    assert "<script" not in text and "onerror" not in text and "alert(" not in text
    client = Client()
    client.force_login(get_user_model().objects.get(username="publicity"))
    page = client.get(reverse("study:article", args=[article["id"]]))
    assert page.status_code == 200
    assert b"<script>alert" not in page.content and b"onerror=" not in page.content


FILE_PAGES = [
    "cases:photo",
    "wishes:photo",
    "wishes:thumb",
    "study:photo",
    "study:photo_thumb",
    "study:media_file",
    "open311:media",
]
SAFE_TYPES = ("image/jpeg", "image/png", "image/webp", "audio/", "video/")


def _assert_safe_file_response(response) -> None:
    assert response.status_code in (200, 206), response.status_code
    content_type = response["Content-Type"]
    assert content_type.startswith(SAFE_TYPES), content_type
    assert "html" not in content_type and "svg" not in content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response.get("Content-Disposition", "")
    assert disposition.startswith(("inline", "attachment")), disposition
    assert not re.search(r'[\r\n"<>/\\]', disposition.split(";", 1)[-1].replace('"', "")), (
        disposition
    )


@pytest.mark.parametrize("name", FILE_PAGES)
def test_every_served_upload_has_safe_headers(world, name):
    # A report with a photo in 胜利社区第1网格 (the demo reports carry none).
    report = _api(world, "resident").post(
        "/api/v1/cases",
        {
            "description": "楼道灯坏了，晚上很黑",
            "lat": "41.105",
            "lng": "122.023",
            "photos": [SimpleUploadedFile("a.jpg", _jpeg_with_gps(), "image/jpeg")],
        },
    )
    assert report.status_code == 201, report.content[:300]
    served = 0
    all_kinds = kinds()
    entry = WEB[name]
    roles = (None, "resident", "grid", "community", "member", "secretary", "publicity", "leader")
    for username in roles:
        user = get_user_model().objects.get(username=username) if username else None
        client = Client()
        if user is not None:
            client.force_login(user)
        inside, _outside = _samples(all_kinds[entry.access], user)
        for kwargs in inside:
            response = client.get(reverse(name, kwargs={**kwargs, **entry.extra}))
            if response.status_code == 404:
                continue  # e.g. a wish without a photo
            _assert_safe_file_response(response)
            served += 1
    assert served, f"no demo object served a file through {name}"
