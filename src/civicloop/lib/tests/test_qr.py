import io

import pytest
from PIL import Image

from civicloop.lib.qr import qr_png, qr_svg


def test_svg_is_embeddable_markup():
    svg = qr_svg("https://civicloop.example/v/checkin/abc")
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert "path" in svg


def test_png_is_a_real_square_image():
    image = Image.open(io.BytesIO(qr_png("hello")))
    assert image.format == "PNG"
    assert image.width == image.height > 100


def test_more_data_gives_a_denser_code():
    small = Image.open(io.BytesIO(qr_png("a", box_size=1, border=0)))
    large = Image.open(io.BytesIO(qr_png("a" * 200, box_size=1, border=0)))
    assert large.width > small.width


def test_empty_data_is_refused():
    with pytest.raises(ValueError, match="nothing"):
        qr_svg("")
