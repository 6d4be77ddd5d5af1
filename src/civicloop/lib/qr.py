"""QR codes as inline SVG (no image files, nothing to store), for check-in posters and media."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg


def qr_svg(data: str, *, box_size: int = 10, border: int = 2) -> str:
    """An <svg> element encoding `data`, sized by its viewBox so CSS can scale it."""
    if not data:
        raise ValueError("nothing to encode")
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=box_size,
        border=border,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    # Drop the XML declaration so the SVG can be embedded in HTML.
    return svg[svg.index("<svg") :]


def qr_png(data: str, *, box_size: int = 10, border: int = 2) -> bytes:
    """A PNG of the QR code, for downloads and printing."""
    image = qrcode.make(data, box_size=box_size, border=border)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
