"""Every ranking and list exports to XLSX and CSV: one table shape, two writers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _

from core.tabular import safe_cell

EXPORT_FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return "" if value is None else safe_cell(value)


def ranking_table(
    rows, *, measure: str = "valid", with_progress: bool = False
) -> tuple[list[str], list[list]]:
    """A ranking or progress list as a table whose headers name what is counted: the rank's
    measure and the count behind % of target and per 1,000 members (valid unless handed-in
    was asked for), with both counts side by side."""
    from rankings import selectors

    measure = measure if measure in selectors.MEASURES else selectors.DEFAULT_MEASURE
    basis = selectors.COUNTS[selectors.counted_by(measure)]
    headers = [
        _("Hạng (tính theo: %(basis)s)") % {"basis": selectors.MEASURE_BASIS[measure]},
        _("Thay đổi"),
        _("Mã"),
        _("Đơn vị"),
        _("Hợp lệ (đạt kiểm tra hoặc được duyệt)"),
        _("Đã nộp"),
        _("Được công nhận"),
        _("Chỉ tiêu"),
        _("Tỷ lệ đạt chỉ tiêu (tính theo: {basis})").format(basis=basis),
        _("Số đoàn viên"),
        _("Trên 1.000 đoàn viên (tính theo: %(basis)s)") % {"basis": basis},
        _("Giá trị làm lợi (đồng)"),
    ]
    if with_progress:
        headers += [_("Cần đạt đến nay"), _("Cần mỗi tuần"), _("Dự kiến cuối kỳ"), _("Tình trạng")]
    table = []
    for row in rows:
        line = [
            row.rank,
            row.change,
            row.unit.code,
            row.unit.name,
            row.valid,
            row.submitted,
            row.recognised,
            row.target,
            row.target_pct,
            row.members,
            row.per_1000,
            row.benefit_vnd,
        ]
        if with_progress:
            status = _("Chậm tiến độ") if row.lagging else (_("Đạt tiến độ") if row.leading else "")
            line += [row.expected, row.pace_per_week, row.projected, status]
        table.append(line)
    return headers, table


def xlsx_bytes(headers: list[str], rows: list[list], *, title: str = "") -> bytes:
    # openpyxl imports numpy: loaded when a spreadsheet is made or read, not at start.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (title or _("Bảng"))[:31]
    sheet.append([safe_cell(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    for column, header in zip(sheet.columns, headers, strict=False):
        sheet.column_dimensions[column[0].column_letter].width = max(10, min(48, len(header) + 4))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    # BOM: Excel opens UTF-8 Vietnamese correctly only with it.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_response(headers, rows, *, filename: str, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(headers, rows, title=filename), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(csv_bytes(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
