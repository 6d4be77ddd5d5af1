"""Media files of the 有声书馆 and 微党课: type sniffed from the bytes, and served with HTTP
Range support so a phone's player can seek (Django's FileResponse always sends everything)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.http import HttpResponse, StreamingHttpResponse

CHUNK = 64 * 1024


class MediaRejected(ValueError):
    """An upload that is not an acceptable audio or video file; the message is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Sniffed:
    kind: str  # "audio" | "video"
    content_type: str
    extension: str


# ISO base media (MP4 family): the ftyp major brand tells audio-only M4A from video.
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_VIDEO_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"dash",
    b"MSNV",
    b"M4V ",
    b"M4VH",
    b"F4V ",
    b"mmp4",
}


def sniff(head: bytes) -> Sniffed | None:
    """What the first bytes of a file say it is, among mp3/m4a/aac/ogg/wav/mp4/webm; else None."""
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("audio", "audio/wav", ".wav")
    if head[:4] == b"OggS":
        return Sniffed("audio", "audio/ogg", ".ogg")
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _AUDIO_BRANDS:
            return Sniffed("audio", "audio/mp4", ".m4a")
        if brand in _VIDEO_BRANDS:
            return Sniffed("video", "video/mp4", ".mp4")
        return None
    if head[:4] == b"\x1a\x45\xdf\xa3":
        # EBML: WebM declares its DocType early in the header; Matroska (.mkv) is not accepted.
        if b"webm" in head[:64]:
            return Sniffed("video", "video/webm", ".webm")
        return None
    if head[:3] == b"ID3":
        return Sniffed("audio", "audio/mpeg", ".mp3")
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        layer = (head[1] >> 1) & 0x03
        if layer == 0 and head[1] & 0xF0 == 0xF0:
            return Sniffed("audio", "audio/aac", ".aac")  # ADTS
        if layer in (1, 2, 3):
            return Sniffed("audio", "audio/mpeg", ".mp3")  # MPEG audio frame sync
    return None


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def check_upload(head: bytes, size: int, kind: str, *, max_audio: int, max_video: int) -> Sniffed:
    """Refuse anything but the expected kind of media within its size limit."""
    if size == 0:
        raise MediaRejected("empty", "文件是空的")
    found = sniff(head)
    if found is None:
        raise MediaRejected(
            "unsupported_type",
            "无法识别的文件格式。音频请上传 MP3、M4A、AAC、OGG 或 WAV，视频请上传 MP4 或 WebM",
        )
    if found.kind != kind:
        expected = "音频" if kind == "audio" else "视频"
        raise MediaRejected("wrong_kind", f"文件内容不是{expected}，请检查所选类型")
    limit = max_audio if kind == "audio" else max_video
    if size > limit:
        raise MediaRejected(
            "too_large", f"文件过大（{_size_text(size)}），上限为 {_size_text(limit)}"
        )
    return found


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | str | None:
    """The inclusive (start, end) of a single `bytes=` range, None to send the whole file
    (no header, or a form we choose to ignore such as several ranges), or "unsatisfiable"."""
    header = header.strip()
    if not header:
        return None
    match = _RANGE.match(header.replace(" ", ""))
    if match is None:
        return None  # multiple ranges or another unit: RFC 9110 lets us answer with 200
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        suffix = int(last)
        if suffix == 0:
            return "unsatisfiable"
        return (max(size - suffix, 0), size - 1) if size else "unsatisfiable"
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # syntactically invalid: ignore the header
    if start >= size:
        return "unsatisfiable"
    return start, min(end, size - 1)


class _Slice:
    """Iterates over `length` bytes of an open file from `start`; Django calls close() when
    the response is done, also when the client went away half way (a seeking phone does)."""

    def __init__(self, opened, start: int, length: int):
        self.opened, self.start, self.remaining = opened, start, length

    def __iter__(self) -> Iterator[bytes]:
        self.opened.seek(self.start)
        while self.remaining > 0:
            chunk = self.opened.read(min(CHUNK, self.remaining))
            if not chunk:
                break
            self.remaining -= len(chunk)
            yield chunk

    def close(self) -> None:
        self.opened.close()


def ranged_response(request, opened, size: int, content_type: str, etag: str):
    """A 200, 206 or 416 answer for a stored file, honouring Range and If-Range."""
    wanted = parse_range(request.headers.get("Range", ""), size)
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != etag:
        wanted = None  # the client's partial copy is of another version: send it all
    if request.method == "HEAD":
        opened.close()
        response = HttpResponse(content_type=content_type)
        response["Content-Length"] = str(size)
    elif wanted == "unsatisfiable":
        opened.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is None:
        response = StreamingHttpResponse(_Slice(opened, 0, size), content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = wanted
        length = end - start + 1
        response = StreamingHttpResponse(
            _Slice(opened, start, length), status=206, content_type=content_type
        )
        response["Content-Length"] = str(length)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response
