"""Checking and re-encoding of uploaded photos so only clean JPEG/PNG/WebP pixels are stored."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol

from PIL import Image, ImageCms, ImageMath, ImageOps

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_MAX_SIDE",
    "DEFAULT_THUMB_SIDE",
    "CleanImage",
    "ImageRejected",
    "RejectCode",
    "SupportsRead",
    "sanitize_image",
]

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS: Final = 40_000_000
DEFAULT_MAX_SIDE: Final = 4096
DEFAULT_THUMB_SIDE: Final = 320

JPEG_QUALITY: Final = 85
WEBP_QUALITY: Final = 85
THUMB_QUALITY: Final = 80

RejectCode = Literal["too_large", "not_an_image", "unsupported_type", "too_many_pixels", "corrupt"]

_READ_CHUNK: Final = 64 * 1024
_SUPPORTED_HINT: Final = "请上传 JPEG、PNG 或 WebP 格式的图片"
_MSG_NOT_AN_IMAGE: Final = "文件不是有效的图片"
_MSG_CORRUPT: Final = "图片文件已损坏或不完整，请重新上传"


class ImageRejected(ValueError):
    """An upload that is not an acceptable image; `message` is meant for the uploader."""

    def __init__(self, code: RejectCode, message: str) -> None:
        super().__init__(message)
        self.code: RejectCode = code
        self.message = message

    def __repr__(self) -> str:
        return f"ImageRejected(code={self.code!r}, message={self.message!r})"


@dataclass(frozen=True, slots=True)
class CleanImage:
    """A re-encoded photo with no metadata, ready to store, plus its thumbnail."""

    # repr=False: a log line must not dump megabytes of image data.
    content: bytes = field(repr=False)
    content_type: str  # "image/jpeg" | "image/png" | "image/webp"
    extension: str  # ".jpg" | ".png" | ".webp", with the dot as mimetypes gives it
    width: int
    height: int
    thumbnail: bytes = field(repr=False)
    thumbnail_content_type: str  # "image/jpeg", or "image/webp" when the photo has transparency
    sha256: str  # hex digest of `content`


class SupportsRead(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class _Kind:
    pillow_open: tuple[str, ...]  # plugins Pillow may use to open it
    pillow_formats: frozenset[str]  # what Pillow may report after opening
    save_format: str
    content_type: str
    extension: str
    keeps_alpha: bool


# Phone cameras often write multi-picture JPEGs, which Pillow reports as MPO.
_JPEG = _Kind(("JPEG",), frozenset({"JPEG", "MPO"}), "JPEG", "image/jpeg", ".jpg", False)
_PNG = _Kind(("PNG",), frozenset({"PNG"}), "PNG", "image/png", ".png", True)
_WEBP = _Kind(("WEBP",), frozenset({"WEBP"}), "WEBP", "image/webp", ".webp", True)

_PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
_HEIF_BRANDS: Final = frozenset(b"heic heix hevc hevx heim heis hevm hevs mif1 msf1".split())
_AVIF_BRANDS: Final = frozenset({b"avif", b"avis"})
_BMP_HEADER_SIZES: Final = frozenset({12, 40, 52, 56, 64, 108, 124})


def sanitize_image(
    data: bytes | bytearray | memoryview | SupportsRead,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_side: int = DEFAULT_MAX_SIDE,
    thumb_side: int = DEFAULT_THUMB_SIDE,
) -> CleanImage:
    """Check an upload and re-encode it as a metadata-free image of the same format.

    `data` is the raw bytes or a binary file-like object, read from its current position.
    The type is sniffed from the content only; a filename or client content type is never
    trusted. Raises ImageRejected for anything that is not an acceptable JPEG, PNG or WebP.

    What is stored: EXIF orientation is applied to the pixels, then all metadata (EXIF incl.
    GPS, XMP, comments, text chunks) is dropped. An embedded ICC profile is used to convert
    the pixels to sRGB and is then dropped too, so wide-gamut phone photos keep their colours
    while no foreign blob is stored. Only the first frame of animated PNG/WebP is kept.
    """
    for name, value in (
        ("max_bytes", max_bytes),
        ("max_pixels", max_pixels),
        ("max_side", max_side),
        ("thumb_side", thumb_side),
    ):
        if value < 1:
            raise ValueError(f"{name} must be positive, got {value}")

    raw = _read_limited(data, max_bytes)
    kind = _sniff(raw)
    pixel_limit = _pixel_limit(max_pixels)
    with _open(raw, kind, pixel_limit) as opened:
        picture = _fit(_normalise(opened, kind), max_side)
        # A fresh image carries pixels only: no info dict (EXIF, XMP, ICC, comments) that a
        # Pillow save plugin could copy into the output.
        clean = Image.new(picture.mode, picture.size)
        clean.paste(picture)

    content = _encode(clean, kind)
    thumbnail, thumbnail_type = _encode_thumbnail(clean, thumb_side)
    return CleanImage(
        content=content,
        content_type=kind.content_type,
        extension=kind.extension,
        width=clean.width,
        height=clean.height,
        thumbnail=thumbnail,
        thumbnail_content_type=thumbnail_type,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _read_limited(data: bytes | bytearray | memoryview | SupportsRead, max_bytes: int) -> bytes:
    too_large = ImageRejected("too_large", f"图片过大，最大 {_format_size(max_bytes)}")
    if isinstance(data, bytes | bytearray | memoryview):
        # Measure before copying, so an oversized buffer is never duplicated.
        if memoryview(data).nbytes > max_bytes:
            raise too_large
        return bytes(data)

    # Read in chunks and stop one byte past the limit: a huge upload is refused without
    # ever being held in memory.
    chunks: list[bytes] = []
    remaining = max_bytes + 1
    while remaining > 0:
        chunk = data.read(min(_READ_CHUNK, remaining))
        if not chunk:
            break
        if not isinstance(chunk, bytes | bytearray):
            raise TypeError("sanitize_image needs a binary file object")
        chunks.append(bytes(chunk))
        remaining -= len(chunk)
    if remaining <= 0:
        raise too_large
    return b"".join(chunks)


def _format_size(size: int) -> str:
    """10485760 → "10 MB", 1572864 → "1.5 MB", 512000 → "500 KB"."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} 字节"


def _sniff(head: bytes) -> _Kind:
    if not head:
        raise ImageRejected("not_an_image", "文件为空")
    if head.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if head.startswith(_PNG_MAGIC):
        return _PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _WEBP
    other = _known_unsupported(head)
    if other:
        raise ImageRejected("unsupported_type", f"不支持 {other} 格式，{_SUPPORTED_HINT}")
    raise ImageRejected("not_an_image", _MSG_NOT_AN_IMAGE)


def _known_unsupported(head: bytes) -> str | None:
    """Names image formats we refuse, so the uploader is told why rather than "not an image"."""
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    # "BM" alone is too weak (plain text can start with it); the DIB header size confirms.
    if head[:2] == b"BM" and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES:
        return "BMP"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "HEIC"
        if brand in _AVIF_BRANDS:
            return "AVIF"
    if head.startswith((b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")):
        return "JPEG 2000"
    if head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")):
        return "JPEG XL"
    if head[:4] == b"8BPS":
        return "PSD"
    text = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<") and b"<svg" in text:
        return "SVG"
    return None


def _pixel_limit(max_pixels: int) -> int:
    # Pillow's own bomb threshold counts too: above it Pillow warns (or raises), and that
    # must end up as too_many_pixels rather than a warning in the log and a decoded bomb.
    pillow_limit = Image.MAX_IMAGE_PIXELS
    return max_pixels if pillow_limit is None else min(max_pixels, int(pillow_limit))


def _too_many_pixels(limit: int) -> ImageRejected:
    shown = f"{limit // 10_000} 万" if limit % 10_000 == 0 else f"{limit} "
    return ImageRejected("too_many_pixels", f"图片分辨率过高，最多 {shown}像素")


def _check_pixels(size: tuple[int, int], limit: int) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise ImageRejected("corrupt", _MSG_CORRUPT)
    if width * height > limit:
        raise _too_many_pixels(limit)


def _declared_webp_size(data: bytes) -> tuple[int, int] | None:
    """Canvas size from a WebP header; libwebp allocates the canvas before Pillow can check."""
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return (
            int.from_bytes(data[24:27], "little") + 1,
            int.from_bytes(data[27:30], "little") + 1,
        )
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return (
            int.from_bytes(data[26:28], "little") & 0x3FFF,
            int.from_bytes(data[28:30], "little") & 0x3FFF,
        )
    return None


def _open(data: bytes, kind: _Kind, pixel_limit: int) -> Image.Image:
    """Open and fully decode, checking the declared size before any pixel is decoded."""
    if kind is _WEBP and (declared := _declared_webp_size(data)) is not None:
        _check_pixels(declared, pixel_limit)
    try:
        # Image.open only parses the header; restricting the plugins keeps content that
        # merely starts with our magic bytes away from every other Pillow parser.
        image = Image.open(io.BytesIO(data), formats=kind.pillow_open)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # The warning arrives as an exception when warnings are turned into errors.
        raise _too_many_pixels(pixel_limit) from None
    except Exception:
        # Pillow signals malformed input with many exception types (OSError, SyntaxError,
        # struct.error, ...); the magic bytes matched, so the file is a broken image.
        raise ImageRejected("corrupt", _MSG_CORRUPT) from None
    try:
        if image.format not in kind.pillow_formats:
            raise ImageRejected("unsupported_type", f"不支持该图片格式，{_SUPPORTED_HINT}")
        _check_pixels(image.size, pixel_limit)
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(pixel_limit) from None
        except Exception:
            # Same reason as above: truncated or damaged data fails in many ways.
            raise ImageRejected("corrupt", _MSG_CORRUPT) from None
    except BaseException:
        image.close()
        raise
    return image


def _normalise(image: Image.Image, kind: _Kind) -> Image.Image:
    """Upright, sRGB, and in RGB or (for PNG/WebP with transparency) RGBA."""
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:
        # A damaged EXIF block should not cost the resident their photo; only the
        # orientation hint is lost.
        upright = image

    if upright.mode.startswith("I"):
        upright = _sixteen_bit_grey_to_8_bit(upright)

    target = "RGBA" if kind.keeps_alpha and upright.has_transparency_data else "RGB"
    icc = image.info.get("icc_profile")
    if icc and upright.mode in ("RGB", "RGBA", "CMYK"):
        converted = _to_srgb(upright, icc, target)
        if converted is not None:
            return converted
    return upright if upright.mode == target else upright.convert(target)


def _sixteen_bit_grey_to_8_bit(image: Image.Image) -> Image.Image:
    """16-bit greyscale PNG to L, or LA when it names a transparent grey level."""
    wide = image.convert("I")
    # A plain convert("L") would clip every level above 255 to white.
    grey = wide.point(lambda value: value / 256).convert("L")
    transparent = image.info.get("transparency")
    if not isinstance(transparent, int):
        return grey
    # The transparent level is a 16-bit value, so the mask must come from the 16-bit data.
    alpha = ImageMath.lambda_eval(lambda args: (args["x"] != transparent) * 255, x=wide)
    grey.info.pop("transparency", None)
    grey.putalpha(alpha.convert("L"))
    return grey


def _to_srgb(image: Image.Image, icc: bytes, target: str) -> Image.Image | None:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=target
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A bogus or mismatched profile is ignored: the pixels are still a good photo.
        return None
    return converted


def _fit(image: Image.Image, side: int) -> Image.Image:
    """Scale down (never up) so that the longest side is at most `side`."""
    width, height = image.size
    longest = max(width, height)
    if longest <= side:
        return image
    scale = side / longest
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(image: Image.Image, kind: _Kind) -> bytes:
    out = io.BytesIO()
    if kind is _JPEG:
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif kind is _PNG:
        image.save(out, "PNG")
    else:
        image.save(out, "WEBP", quality=WEBP_QUALITY)
    return out.getvalue()


def _encode_thumbnail(image: Image.Image, side: int) -> tuple[bytes, str]:
    thumb = _fit(image, side)
    out = io.BytesIO()
    if thumb.mode == "RGBA":
        # JPEG cannot hold transparency; WebP can and stays small.
        thumb.save(out, "WEBP", quality=THUMB_QUALITY)
        return out.getvalue(), "image/webp"
    # JPEG for everything else: older in-app browsers on phones still lack WebP.
    thumb.save(out, "JPEG", quality=THUMB_QUALITY, optimize=True)
    return out.getvalue(), "image/jpeg"
