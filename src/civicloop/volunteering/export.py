"""双服务 export: an organisation's members' community service as an Excel workbook."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


def _sheet(workbook, title: str, headers: list[str], rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) * 2 + 4)
    sheet.freeze_panes = "A2"


def _safe(value):
    # A cell starting with = + - @ would be run as a formula by spreadsheet programs.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def org_workbook(org, members: list[dict], records) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(
        workbook,
        "党员服务汇总",
        ["账号", "姓名", "所在支部", "报到社区", "服务次数", "服务时长（小时）", "积分"],
        [
            [
                _safe(m["username"]),
                _safe(m["name"]),
                _safe(m["branch"]),
                _safe(m["community"]),
                m["tasks"],
                round(float(m["hours"]), 2),
                m["points"],
            ]
            for m in members
        ],
    )
    _sheet(
        workbook,
        "服务记录明细",
        [
            "志愿者编号",
            "服务项目",
            "服务日期",
            "服务社区",
            "服务地点",
            "时长（小时）",
            "积分",
            "证明编号",
        ],
        [
            [
                r.volunteer_number,
                _safe(r.activity),
                r.date,
                r.community.name,
                _safe(r.place),
                round(float(r.hours), 2),
                r.points,
                r.certificate_number,
            ]
            for r in records
        ],
    )
    workbook.properties.title = f"{org.name} 双服务 {timezone.localdate():%Y-%m-%d}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
