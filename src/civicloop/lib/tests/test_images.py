"""Tests for checking and re-encoding uploaded photos."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, ImageFile, PngImagePlugin

from civicloop.lib import images
from civicloop.lib.images import CleanImage, ImageRejected, sanitize_image

REJECT_CODES = {"too_large", "not_an_image", "unsupported_type", "too_many_pixels", "corrupt"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


# --- helpers ------------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **params: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def noisy(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Noise compresses badly, so encoded files are big enough to truncate meaningfully."""
    bands = [Image.effect_noise(size, 80) for _ in range(3)]
    return Image.merge("RGB", bands).convert(mode)


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone X"  # Model
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (39.0, 54.0, 27.0)  # GPSLatitude
    gps[3] = "E"  # GPSLongitudeRef
    gps[4] = (116.0, 23.0, 29.0)  # GPSLongitude
    gps[27] = b"ASCII\x00\x00\x00GPS"  # GPSProcessingMethod: puts the bytes "GPS" in the file
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="39,54.45N"/></rdf:RDF></x:xmpmeta>'
)


def png_chunk(tag: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))


def png_bomb(width: int, height: int) -> bytes:
    """A real, valid 1-bit PNG of width x height that compresses to a few tens of KB.

    Rows are fed to zlib one at a time, so the test never holds the decoded image.
    """
    row = bytes(1 + (width + 7) // 8)  # filter byte + packed black pixels
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return PNG_MAGIC + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small baseline JPEG whose frame header claims width x height."""
    data = bytearray(encode(Image.new("RGB", (16, 16), "red"), "JPEG"))
    # Walk the segments to the start-of-frame marker rather than searching blindly.
    pos = 2
    while data[pos + 1] != 0xC0:
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    data[pos + 5 : pos + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def webp_declaring(width: int, height: int) -> bytes:
    """A small extended WebP whose VP8X canvas claims width x height."""
    data = bytearray(encode(Image.new("RGB", (16, 16), "red"), "WEBP", exif=exif_with_gps()))
    assert data[12:16] == b"VP8X"
    data[24:27] = (width - 1).to_bytes(3, "little")
    data[27:30] = (height - 1).to_bytes(3, "little")
    return bytes(data)


def s15_fixed16(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def icc_xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + s15_fixed16(x) + s15_fixed16(y) + s15_fixed16(z)


def swapped_primaries_profile() -> bytes:
    """A minimal ICC v2 RGB profile whose red is sRGB's blue and vice versa.

    A pixel stored as pure red under it is really blue, so the test can see whether the
    profile was applied instead of silently dropped.
    """
    linear = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0100) + b"\0\0"  # gamma 1.0
    d50 = icc_xyz(0.9642, 1.0, 0.8249)
    tags = [
        (b"wtpt", d50),
        (b"rXYZ", icc_xyz(0.1431, 0.0606, 0.7141)),  # sRGB's blue primary (D50)
        (b"gXYZ", icc_xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", icc_xyz(0.4361, 0.2225, 0.0139)),  # sRGB's red primary (D50)
        (b"rTRC", linear),
        (b"gTRC", linear),
        (b"bTRC", linear),
    ]
    first = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        table += signature + struct.pack(">II", first + len(body), len(data))
        body += data + bytes(-len(data) % 4)
    header = (
        struct.pack(">I", first + len(body))
        + bytes(4)
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + bytes(12)  # creation date
        + b"acsp"
        + bytes(28)  # platform, flags, manufacturer, model, attributes
        + d50[8:]  # illuminant
        + bytes(48)  # creator, id, reserved
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


class CountingStream:
    """A file-like upload of `total` zero bytes that never holds them all at once."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.served = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            raise AssertionError("an unbounded read() would load the whole upload")
        count = min(size, self.total - self.served)
        self.served += count
        return bytes(count)


def rejected(data: Any, **limits: int) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        sanitize_image(data, **limits)
    return caught.value


# --- accepted images: format, metadata, orientation ------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "params", "content_type", "extension"),
    [
        (
            "JPEG",
            {"exif": exif_with_gps(), "xmp": XMP, "comment": b"GPS 39.9,116.4"},
            "image/jpeg",
            ".jpg",
        ),
        ("PNG", {"exif": exif_with_gps()}, "image/png", ".png"),
        ("WEBP", {"exif": exif_with_gps(), "xmp": XMP}, "image/webp", ".webp"),
    ],
)
def test_metadata_is_stripped_and_format_kept(
    fmt: str, params: dict[str, Any], content_type: str, extension: str
) -> None:
    original = encode(noisy((64, 48)), fmt, **params)
    assert b"GPS" in original
    assert reopen(original).getexif().get_ifd(GPS_IFD)

    result = sanitize_image(original)

    assert result.content_type == content_type
    assert result.extension == extension
    assert b"GPS" not in result.content
    assert b"Exif" not in result.content
    assert b"xmpmeta" not in result.content
    stored = reopen(result.content)
    assert stored.format == fmt
    assert (stored.width, stored.height) == (result.width, result.height) == (64, 48)
    assert len(stored.getexif()) == 0
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile"} & set(stored.info)


def test_png_text_chunks_are_dropped() -> None:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "GPS 39.9,116.4 住址：幸福路 8 号")
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    original = encode(noisy((32, 32)), "PNG", pnginfo=text)

    result = sanitize_image(original)

    assert b"GPS" not in result.content
    assert reopen(result.content).text == {}


def test_result_fields() -> None:
    result = sanitize_image(encode(noisy((50, 40)), "JPEG"))

    assert isinstance(result, CleanImage)
    assert result.sha256 == hashlib.sha256(result.content).hexdigest()
    assert (result.width, result.height) == (50, 40)
    assert "content=" not in repr(result)  # no megabytes of bytes in a log line
    assert "thumbnail=" not in repr(result)


def test_exif_orientation_is_applied_to_the_pixels() -> None:
    # Stored sideways as a camera does: left half red, right half blue, Orientation 6
    # ("rotate 90° clockwise to display"), so upright the red half is on top.
    sideways = Image.new("RGB", (80, 40), "blue")
    sideways.paste("red", (0, 0, 40, 40))
    exif = exif_with_gps()
    exif[ORIENTATION] = 6

    result = sanitize_image(encode(sideways, "JPEG", exif=exif, quality=95))

    upright = reopen(result.content)
    assert upright.size == (40, 80)
    assert (result.width, result.height) == (40, 80)
    top, bottom = upright.getpixel((20, 10)), upright.getpixel((20, 70))
    assert top[0] > 200  # red
    assert top[2] < 60
    assert bottom[2] > 200  # blue
    assert bottom[0] < 60
    assert ORIENTATION not in upright.getexif()


def test_long_side_is_scaled_down_to_max_side() -> None:
    result = sanitize_image(encode(noisy((1000, 500)), "PNG"), max_side=400)

    assert (result.width, result.height) == (400, 200)
    assert reopen(result.content).size == (400, 200)


def test_small_image_is_not_scaled_up() -> None:
    result = sanitize_image(encode(noisy((30, 20)), "WEBP"))

    assert (result.width, result.height) == (30, 20)


def test_multi_picture_jpeg_from_phone_is_stored_as_plain_jpeg() -> None:
    main, second = Image.new("RGB", (40, 30), "green"), Image.new("RGB", (20, 15), "red")
    original = encode(main, "MPO", save_all=True, append_images=[second])
    assert reopen(original).format == "MPO"

    result = sanitize_image(original)

    stored = reopen(result.content)
    assert result.content_type == "image/jpeg"
    assert stored.format == "JPEG"
    assert stored.size == (40, 30)


def test_animated_png_keeps_first_frame_only() -> None:
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "blue")]
    original = encode(frames[0], "PNG", save_all=True, append_images=frames[1:])

    stored = reopen(sanitize_image(original).content)

    assert getattr(stored, "n_frames", 1) == 1
    assert stored.getpixel((5, 5)) == (255, 0, 0)


# --- thumbnails ---------------------------------------------------------------------------


def test_thumbnail_fits_thumb_side() -> None:
    result = sanitize_image(encode(noisy((1000, 600)), "PNG"))

    thumb = reopen(result.thumbnail)
    assert result.thumbnail_content_type == "image/jpeg"
    assert thumb.format == "JPEG"
    assert thumb.size == (320, 192)


def test_thumbnail_honours_custom_side_and_portrait() -> None:
    result = sanitize_image(encode(noisy((300, 900)), "JPEG"), thumb_side=90)

    assert reopen(result.thumbnail).size == (30, 90)


def test_thumbnail_of_small_image_is_not_scaled_up() -> None:
    result = sanitize_image(encode(noisy((100, 50)), "JPEG"))

    assert reopen(result.thumbnail).size == (100, 50)


# --- colour modes -------------------------------------------------------------------------


def test_png_keeps_alpha() -> None:
    image = Image.new("RGBA", (40, 40), (255, 0, 0, 255))
    image.paste((0, 0, 255, 77), (0, 0, 20, 40))

    result = sanitize_image(encode(image, "PNG"))

    stored = reopen(result.content)
    assert stored.mode == "RGBA"
    assert stored.getpixel((5, 5)) == (0, 0, 255, 77)
    assert stored.getpixel((30, 5)) == (255, 0, 0, 255)
    thumb = reopen(result.thumbnail)
    assert result.thumbnail_content_type == "image/webp"
    assert thumb.format == "WEBP"
    assert thumb.mode == "RGBA"


def test_webp_keeps_alpha() -> None:
    image = Image.new("RGBA", (40, 40), (0, 128, 0, 0))
    image.paste((0, 128, 0, 255), (0, 0, 20, 40))

    stored = reopen(sanitize_image(encode(image, "WEBP", lossless=True)).content)

    assert stored.mode == "RGBA"
    assert stored.getpixel((5, 5))[3] == 255
    assert stored.getpixel((30, 5))[3] == 0


def test_palette_png_with_transparency_becomes_rgba() -> None:
    image = Image.new("P", (10, 10), 1)
    image.putpalette([0, 0, 0, 255, 0, 0])
    image.putpixel((0, 0), 0)

    stored = reopen(sanitize_image(encode(image, "PNG", transparency=0)).content)

    assert stored.mode == "RGBA"
    assert stored.getpixel((0, 0))[3] == 0
    assert stored.getpixel((5, 5)) == (255, 0, 0, 255)


def test_opaque_png_becomes_rgb() -> None:
    image = Image.new("P", (10, 10), 0)
    image.putpalette([10, 20, 30])

    stored = reopen(sanitize_image(encode(image, "PNG")).content)

    assert stored.mode == "RGB"
    assert stored.getpixel((1, 1)) == (10, 20, 30)


def test_cmyk_jpeg_becomes_rgb() -> None:
    stored = reopen(
        sanitize_image(encode(Image.new("CMYK", (16, 16), (0, 0, 0, 0)), "JPEG")).content
    )

    assert stored.mode == "RGB"
    assert min(stored.getpixel((8, 8))) > 240  # no ink is white


def test_greyscale_jpeg_becomes_rgb() -> None:
    stored = reopen(sanitize_image(encode(Image.new("L", (16, 16), 128), "JPEG")).content)

    assert stored.mode == "RGB"


def test_sixteen_bit_grey_png_is_scaled_not_clipped() -> None:
    image = Image.new("I;16", (8, 8), 60000)
    image.putpixel((0, 0), 1000)

    stored = reopen(sanitize_image(encode(image, "PNG", transparency=1000)).content)

    assert stored.getpixel((4, 4)) == (234, 234, 234, 255)
    assert stored.getpixel((0, 0))[3] == 0


def test_icc_profile_is_applied_then_dropped() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = encode(Image.new("RGB", (16, 16), (200, 100, 50)), "PNG", icc_profile=srgb)

    stored = reopen(sanitize_image(original).content)

    assert "icc_profile" not in stored.info
    assert all(
        abs(a - b) <= 2 for a, b in zip(stored.getpixel((8, 8)), (200, 100, 50), strict=True)
    )


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_pixels_are_converted_from_the_embedded_profile_to_srgb(fmt: str) -> None:
    original = encode(
        Image.new("RGB", (16, 16), (255, 0, 0)), fmt, icc_profile=swapped_primaries_profile()
    )

    stored = reopen(sanitize_image(original).content)

    red, _, blue = stored.getpixel((8, 8))
    assert blue > 230  # the "red" pixel was blue under its own profile
    assert red < 25
    assert "icc_profile" not in stored.info


def test_bogus_icc_profile_does_not_reject_the_photo() -> None:
    original = encode(Image.new("RGB", (16, 16), "red"), "JPEG", icc_profile=b"not a profile")

    result = sanitize_image(original)

    assert "icc_profile" not in reopen(result.content).info


# --- rejected uploads -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("这不是图片，只是改了扩展名 .jpg\n".encode() * 20, id="text-renamed-jpg"),
        pytest.param(b"<!DOCTYPE html><html><body><script>alert(1)</script>", id="html"),
        pytest.param(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", id="pdf"),
        pytest.param(b"PK\x03\x04" + bytes(100), id="zip"),
        pytest.param(b"BMW car photo.txt", id="text-starting-with-BM"),
        pytest.param(b"", id="empty"),
    ],
)
def test_non_images_are_rejected(data: bytes) -> None:
    error = rejected(data)

    assert error.code == "not_an_image"
    assert error.message in {"文件不是有效的图片", "文件为空"}


def test_rejection_is_a_value_error_with_the_message() -> None:
    error = rejected(b"hello")

    assert isinstance(error, ValueError)
    assert str(error) == error.message == "文件不是有效的图片"


@pytest.mark.parametrize(
    "svg",
    [
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'\xef\xbb\xbf  \n<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
    ],
)
def test_svg_is_rejected(svg: bytes) -> None:
    error = rejected(svg)

    assert error.code == "unsupported_type"
    assert "SVG" in error.message


def test_gif_is_unsupported() -> None:
    error = rejected(encode(Image.new("RGB", (10, 10), "red"), "GIF"))

    assert error.code == "unsupported_type"
    assert "GIF" in error.message
    assert "JPEG、PNG 或 WebP" in error.message


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (encode(Image.new("RGB", (4, 4)), "BMP"), "BMP"),
        (encode(Image.new("RGB", (4, 4)), "TIFF"), "TIFF"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIC"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "AVIF"),
    ],
)
def test_other_image_formats_are_unsupported(data: bytes, name: str) -> None:
    error = rejected(data)

    assert error.code == "unsupported_type"
    assert name in error.message


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_images_are_corrupt(fmt: str) -> None:
    whole = encode(noisy((200, 200)), fmt)

    error = rejected(whole[: len(whole) // 2])

    assert error.code == "corrupt"
    assert error.message == "图片文件已损坏或不完整，请重新上传"


@pytest.mark.parametrize("magic", [b"\xff\xd8\xff", PNG_MAGIC, b"RIFF\x00\x00\x00\x00WEBP"])
def test_bare_magic_bytes_are_corrupt(magic: bytes) -> None:
    assert rejected(magic + b"<script>alert(1)</script>").code == "corrupt"


# --- size limits --------------------------------------------------------------------------


def test_fifty_megabyte_stream_is_refused_without_reading_it_all() -> None:
    upload = CountingStream(50 * 1024 * 1024)

    error = rejected(upload)

    assert error.code == "too_large"
    assert error.message == "图片过大，最大 10 MB"
    assert upload.served <= 10 * 1024 * 1024 + 1


def test_oversized_bytes_are_refused() -> None:
    error = rejected(bytes(1025), max_bytes=1024)

    assert error.code == "too_large"
    assert error.message == "图片过大，最大 1 KB"


def test_size_limit_is_shown_in_the_message() -> None:
    error = rejected(CountingStream(2 * 1024 * 1024), max_bytes=1536 * 1024)

    assert error.message == "图片过大，最大 1.5 MB"


def test_image_exactly_at_the_size_limit_is_accepted() -> None:
    data = encode(noisy((20, 20)), "PNG")

    assert sanitize_image(data, max_bytes=len(data)).content_type == "image/png"
    assert sanitize_image(io.BytesIO(data), max_bytes=len(data)).content_type == "image/png"
    assert rejected(io.BytesIO(data), max_bytes=len(data) - 1).code == "too_large"


def test_file_like_is_read_from_its_current_position() -> None:
    upload = io.BytesIO(b"junk" + encode(noisy((20, 20)), "JPEG"))
    upload.seek(4)

    assert sanitize_image(upload).content_type == "image/jpeg"


# --- decompression bombs ----------------------------------------------------------------------


def test_png_bomb_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = png_bomb(20_000, 20_000)
    assert len(bomb) < 100_000  # 400 million pixels in a few tens of KB
    decoded: list[bool] = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(True))

    error = rejected(bomb)

    assert error.code == "too_many_pixels"
    assert error.message == "图片分辨率过高，最多 4000 万像素"
    assert decoded == []


def test_pixel_limit_boundary() -> None:
    data = encode(Image.new("RGB", (200, 200), "red"), "PNG")

    assert sanitize_image(data, max_pixels=40_000).width == 200
    error = rejected(data, max_pixels=39_999)
    assert error.code == "too_many_pixels"
    assert "39999" in error.message


def test_jpeg_declaring_too_many_pixels_is_refused() -> None:
    # 7000 x 7000 = 49 MP: above our 40 MP limit, below Pillow's own bomb threshold.
    data = jpeg_declaring(7000, 7000)
    with Image.open(io.BytesIO(data)) as lazy:
        assert lazy.size == (7000, 7000)

    assert rejected(data).code == "too_many_pixels"


def test_pillow_decompression_bomb_error_maps_to_too_many_pixels() -> None:
    # 400 MP is above twice Pillow's limit, so Image.open itself raises.
    assert rejected(jpeg_declaring(20_000, 20_000), max_pixels=10**12).code == "too_many_pixels"


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_pillow_decompression_bomb_warning_maps_to_too_many_pixels() -> None:
    # 100 MP is between Pillow's limit and twice it: Image.open only warns.
    assert rejected(jpeg_declaring(10_000, 10_000), max_pixels=10**12).code == "too_many_pixels"


def test_lowered_pillow_limit_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)

    error = rejected(encode(Image.new("RGB", (150, 150)), "PNG"), max_pixels=10**12)

    assert error.code == "too_many_pixels"
    assert error.message == "图片分辨率过高，最多 1 万像素"


def test_webp_canvas_is_checked_before_libwebp_allocates_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bomb = webp_declaring(16_000, 16_000)

    def refuse_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("Image.open must not see a WebP bomb")

    monkeypatch.setattr(images.Image, "open", refuse_open)

    assert rejected(bomb).code == "too_many_pixels"


def test_bad_limits_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="max_side") as caught:
        sanitize_image(b"", max_side=0)
    assert not isinstance(caught.value, ImageRejected)


# --- fuzzing ----------------------------------------------------------------------------------


def sanitize_or_reject(data: bytes) -> None:
    """Whatever the bytes, the only outcomes are a clean image or ImageRejected."""
    rejection: ImageRejected | None = None
    try:
        result = sanitize_image(data, max_side=64, thumb_side=16)
    except ImageRejected as error:
        rejection = error
    if rejection is not None:
        assert rejection.code in REJECT_CODES
        assert rejection.message
        return
    assert result.content_type in {"image/jpeg", "image/png", "image/webp"}
    assert reopen(result.content).size == (result.width, result.height)
    assert max(reopen(result.thumbnail).size) <= 16


SAMPLES = [
    encode(noisy((24, 16)), "JPEG", exif=exif_with_gps()),
    encode(noisy((24, 16), "RGBA"), "PNG"),
    encode(noisy((24, 16)), "WEBP", exif=exif_with_gps()),
    encode(noisy((24, 16), "RGBA"), "WEBP", lossless=True),
]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_only_raise_image_rejected(data: bytes) -> None:
    sanitize_or_reject(data)


@FUZZ
@given(
    st.sampled_from([b"\xff\xd8\xff", PNG_MAGIC, b"RIFF\x00\x10\x00\x00WEBPVP8X", b"GIF89a"]),
    st.binary(max_size=2048),
)
def test_random_bytes_behind_magic_only_raise_image_rejected(magic: bytes, tail: bytes) -> None:
    sanitize_or_reject(magic + tail)


@FUZZ
@given(
    st.sampled_from(SAMPLES),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    st.one_of(st.none(), st.integers(min_value=0)),
)
def test_damaged_images_only_raise_image_rejected(
    sample: bytes, edits: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(sample)
    for position, value in edits:
        data[position % len(data)] = value
    if cut is not None:
        del data[cut % len(data) :]
    sanitize_or_reject(bytes(data))
