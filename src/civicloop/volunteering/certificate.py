"""志愿服务记录证明: a one-page PDF, set in WenQuanYi Micro Hei from the
paperang-p2-fonts-cjk package (embedded, so it prints the same everywhere)."""

from __future__ import annotations

import io
from importlib import resources

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from . import conf

FONT = "CivicloopCJK"


def _register_font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        path = resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
        with resources.as_file(path) as real_path:
            pdfmetrics.registerFont(TTFont(FONT, str(real_path), subfontIndex=0))
    return FONT


def render(record, *, issued_on=None) -> bytes:
    """The certificate of one service record as PDF bytes."""
    font = _register_font()
    issued_on = issued_on or timezone.localdate()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    pdf.setTitle(f"志愿服务记录证明 {record.certificate_number}")
    pdf.setAuthor(conf.certificate_issuer())
    width, height = A4
    pdf.setStrokeColorRGB(0.72, 0.11, 0.11)
    pdf.setLineWidth(2)
    pdf.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    pdf.setFillColorRGB(0.72, 0.11, 0.11)
    pdf.setFont(font, 26)
    pdf.drawCentredString(width / 2, height - 45 * mm, "志愿服务记录证明")
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont(font, 11)
    pdf.drawRightString(width - 25 * mm, height - 57 * mm, f"证明编号：{record.certificate_number}")

    profile = getattr(record.member, "profile", None)
    name = (getattr(profile, "real_name", "") or record.member.get_username()).strip()
    local = timezone.localtime
    rows = [
        ("志愿者姓名", name),
        ("志愿者编号", record.volunteer_number),
        ("所在党组织", record.party_org.name if record.party_org else "—"),
        ("服务项目", record.activity),
        ("服务类型", record.get_service_type_display()),
        ("服务日期", record.date.strftime("%Y年%m月%d日")),
        ("服务地点", record.place),
        (
            "服务时间",
            f"{local(record.started_at):%H:%M} — {local(record.ended_at):%H:%M}",
        ),
        ("服务时长", f"{record.hours} 小时（不含往返时间）"),
        ("服务社区", record.community.name),
        ("确认人", _confirmer(record)),
    ]
    y = height - 75 * mm
    pdf.setFont(font, 13)
    for label, value in rows:
        pdf.setFillColorRGB(0.35, 0.38, 0.42)
        pdf.drawString(30 * mm, y, label)
        pdf.setFillColorRGB(0, 0, 0)
        pdf.drawString(65 * mm, y, str(value)[:48])
        pdf.setStrokeColorRGB(0.85, 0.85, 0.85)
        pdf.setLineWidth(0.5)
        pdf.line(30 * mm, y - 3 * mm, width - 30 * mm, y - 3 * mm)
        y -= 12 * mm

    pdf.setFont(font, 12)
    text = pdf.beginText(30 * mm, y - 6 * mm)
    text.setLeading(20)
    text.textLine(f"兹证明 {name} 同志参加上述志愿服务，服务时长 {record.hours} 小时，")
    text.textLine("情况属实，特此证明。")
    pdf.drawText(text)

    pdf.setFont(font, 13)
    pdf.drawRightString(width - 30 * mm, 55 * mm, f"出具单位：{conf.certificate_issuer()}")
    pdf.drawRightString(width - 30 * mm, 45 * mm, f"出具日期：{issued_on:%Y年%m月%d日}")
    pdf.setFont(font, 9)
    pdf.setFillColorRGB(0.35, 0.38, 0.42)
    pdf.drawString(25 * mm, 22 * mm, "本证明依据志愿服务记录出具，可凭证明编号向出具单位核验。")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _confirmer(record) -> str:
    profile = getattr(record.confirmed_by, "profile", None)
    return getattr(profile, "real_name", "") or record.confirmed_by.get_username()
