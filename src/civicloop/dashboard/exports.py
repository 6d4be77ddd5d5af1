"""Excel exports: any dashboard table as a sheet with Chinese headers, and the monthly 通报
(one workbook per scope and month, one sheet per table)."""

from __future__ import annotations

import io
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .board import Board, Table
from .metrics import RATE_KEYS

HEADER_FILL = PatternFill("solid", fgColor="B71C1C")
HEADER_FONT = Font(bold=True, color="FFFFFF")
SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def _is_rate(key: str, row: dict) -> bool:
    return (
        key in RATE_KEYS
        or key.endswith("_rate")
        or row.get("key", "") in RATE_KEYS
        or (key in ("value", "share") and str(row.get("key", "")).endswith("rate"))
        or key == "share"
    )


def _cell(value):
    if value is None:
        return None
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


def write_table(wb: Workbook, table: Table, title: str | None = None, heading: str = "") -> None:
    ws = wb.create_sheet(SHEET_NAME.sub(" ", str(title or table.title))[:31])
    row_no = 1
    if heading:
        ws.cell(row=1, column=1, value=heading).font = Font(bold=True, size=13)
        row_no = 3
    for col, (_key, label) in enumerate(table.columns, start=1):
        cell = ws.cell(row=row_no, column=col, value=str(label))
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = max(12, len(str(label)) * 2 + 4)
    for row in table.rows:
        row_no += 1
        for col, (key, _label) in enumerate(table.columns, start=1):
            cell = ws.cell(row=row_no, column=col, value=_cell(row.get(key)))
            if _is_rate(key, row) and isinstance(row.get(key), float):
                cell.number_format = "0.0%"
    ws.freeze_panes = ws.cell(row=(3 if heading else 1) + 1, column=1)


def _save(wb: Workbook) -> bytes:
    if len(wb.sheetnames) > 1 and wb.sheetnames[0] == "Sheet":
        del wb["Sheet"]
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def heading(board: Board) -> str:
    return _("%(scope)s · %(start)s 至 %(end)s · 生成于 %(at)s") % {
        "scope": board.scope.name,
        "start": board.period.start.isoformat(),
        "end": board.period.end.isoformat(),
        "at": timezone.localtime(board.generated_at).strftime("%Y-%m-%d %H:%M"),
    }


def table_xlsx(board: Board, table: Table) -> bytes:
    wb = Workbook()
    write_table(wb, table, heading=heading(board))
    return _save(wb)


def monthly_report_xlsx(board: Board) -> bytes:
    """月度通报: 概况 first, then every table of the board, each on its own sheet."""
    wb = Workbook()
    for table in board.tables:
        title = _("概况") if table.id == "figures" else table.title
        write_table(wb, table, title, heading=f"{table.title} · {heading(board)}")
    return _save(wb)
