"""The media library: content sniffing and size limits on upload, the public 码上听 page,
and Range requests so phones can seek."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicloop.study.demo import tone_wav
from civicloop.study.media import parse_range, sniff
from civicloop.study.models import MediaItem

MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 200
M4A = b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 200
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 100


def test_sniffing_recognises_each_accepted_format_by_its_bytes():
    assert sniff(tone_wav(440, 0.1)).content_type == "audio/wav"
    assert sniff(b"ID3\x04\x00" + b"\x00" * 20).content_type == "audio/mpeg"
    assert sniff(b"\xff\xfb\x90\x64" + b"\x00" * 20).content_type == "audio/mpeg"
    assert sniff(b"\xff\xf1\x50\x80" + b"\x00" * 20).content_type == "audio/aac"
    assert sniff(b"OggS\x00\x02" + b"\x00" * 20).content_type == "audio/ogg"
    assert sniff(M4A).content_type == "audio/mp4"
    assert sniff(MP4).kind == "video"
    assert sniff(WEBM).content_type == "video/webm"
    assert sniff(b"<html><script>alert(1)</script>") is None
    assert sniff(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01matroska") is None
    assert sniff(b"") is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=990-5000", (990, 999)),
        ("bytes=1000-", "unsatisfiable"),
        ("bytes=-0", "unsatisfiable"),
        ("bytes=5-2", None),
        ("bytes=0-1,5-6", None),
        ("items=0-1", None),
    ],
)
def test_range_headers_are_parsed_as_rfc_9110_says(header, expected):
    assert parse_range(header, 1000) == expected


@pytest.fixture
def wav_item(foundation, user_named):
    from civicloop.study import actions

    upload = SimpleUploadedFile("tone.wav", tone_wav(440), content_type="audio/wav")
    return actions.upload_media(
        user_named("publicity"),
        foundation["orgs"]["中共盘锦市兴隆台区委员会"],
        kind="audio",
        title="试听",
        description="",
        upload=upload,
    )


@pytest.mark.django_db
def test_the_qr_page_plays_without_login_and_counts_each_view(client, wav_item):
    page = client.get(f"/study/listen/{wav_item.token}/")
    assert page.status_code == 200
    assert f'src="/study/listen/{wav_item.token}/file"' in page.content.decode()
    client.get(f"/study/listen/{wav_item.token}/")
    wav_item.refresh_from_db()
    assert wav_item.plays == 2
    # Fetching the bytes (which players do many times while seeking) does not count.
    client.get(f"/study/listen/{wav_item.token}/file", HTTP_RANGE="bytes=0-1")
    wav_item.refresh_from_db()
    assert wav_item.plays == 2
    assert client.get("/study/listen/not-a-token/").status_code == 404


@pytest.mark.django_db
def test_the_file_is_served_whole_or_in_ranges(client, wav_item):
    data = tone_wav(440)
    url = f"/study/listen/{wav_item.token}/file"
    whole = client.get(url)
    assert whole.status_code == 200
    assert whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Type"] == "audio/wav"
    assert whole["X-Content-Type-Options"] == "nosniff"
    assert b"".join(whole.streaming_content) == data
    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert part["Content-Length"] == "100"
    assert b"".join(part.streaming_content) == data[100:200]
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == data[-10:]
    rest = client.get(url, HTTP_RANGE=f"bytes={len(data) - 5}-")
    assert b"".join(rest.streaming_content) == data[-5:]
    beyond = client.get(url, HTTP_RANGE=f"bytes={len(data)}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(data)}"
    stale = client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"another-version"')
    assert stale.status_code == 200
    fresh = client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=whole["ETag"])
    assert fresh.status_code == 206


def _stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]


@pytest.mark.django_db
def test_an_upload_that_is_not_audio_is_rejected_and_nothing_is_stored(
    web_as, foundation, settings
):
    client = web_as("publicity")
    org = foundation["orgs"]["中共盘锦市兴隆台区委员会"].pk
    fake = SimpleUploadedFile("song.mp3", b"<html>not audio</html>", content_type="audio/mpeg")
    response = client.post(
        "/study/media/new/", {"org": org, "kind": "audio", "title": "假", "file": fake}
    )
    assert response.status_code == 200
    assert "无法识别的文件格式" in response.content.decode()
    video_as_audio = SimpleUploadedFile("talk.m4a", MP4, content_type="audio/mp4")
    response = client.post(
        "/study/media/new/", {"org": org, "kind": "audio", "title": "错", "file": video_as_audio}
    )
    assert "文件内容不是音频" in response.content.decode()
    assert not MediaItem.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.django_db
def test_an_upload_over_the_configured_limit_is_rejected(web_as, foundation, settings):
    settings.CIVICLOOP_STUDY_AUDIO_MAX_BYTES = 1024
    client = web_as("publicity")
    org = foundation["orgs"]["中共盘锦市兴隆台区委员会"].pk
    big = SimpleUploadedFile("tone.wav", tone_wav(440), content_type="audio/wav")
    response = client.post(
        "/study/media/new/", {"org": org, "kind": "audio", "title": "大", "file": big}
    )
    assert "文件过大" in response.content.decode()
    assert not MediaItem.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.django_db
def test_an_accepted_upload_gets_a_qr_code_and_a_poster(web_as, foundation):
    client = web_as("publicity")
    org = foundation["orgs"]["中共盘锦市兴隆台区委员会"].pk
    response = client.post(
        "/study/media/new/",
        {
            "org": org,
            "kind": "audio",
            "title": "简史第一章",
            "file": SimpleUploadedFile("x.bin", tone_wav(440), content_type="application/x"),
        },
    )
    item = MediaItem.objects.get()
    assert response.status_code == 302
    assert item.content_type == "audio/wav"  # from the bytes, not the client's claim
    detail = client.get(f"/study/media/{item.pk}/").content.decode()
    assert "<svg" in detail and f"/study/listen/{item.token}/" in detail
    poster = client.get(f"/study/media/{item.pk}/poster/").content.decode()
    assert "<svg" in poster and "扫码即听" in poster


@pytest.mark.django_db
def test_members_cannot_upload_and_media_listing_is_scoped(web_as, api_as, wav_item):
    assert web_as("member").get("/study/media/new/").status_code == 403
    listing = api_as("publicity").get("/api/v1/study/media").json()
    assert listing["items"][0]["listen_url"].endswith(f"/study/listen/{wav_item.token}/")
    # The library flows down: a branch member lists the district's items too.
    assert api_as("member").get("/api/v1/study/media").json()["count"] == 1
    assert api_as("resident").get("/api/v1/study/media").status_code == 403


def test_a_wav_tone_is_a_real_wav_file():
    import wave

    with wave.open(io.BytesIO(tone_wav(440, 2.0)), "rb") as wav:
        assert wav.getnframes() / wav.getframerate() == pytest.approx(2.0)


@pytest.mark.django_db
def test_a_head_request_neither_counts_a_play_nor_sends_the_file(client, wav_item):
    assert client.head(f"/study/listen/{wav_item.token}/").status_code == 200
    head = client.head(f"/study/listen/{wav_item.token}/file")
    assert head.status_code == 200
    assert head["Content-Length"] == str(wav_item.size)
    wav_item.refresh_from_db()
    assert wav_item.plays == 0
