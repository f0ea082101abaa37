"""The downloadable template of an initiative import: the columns, an example row and a
sheet explaining each column, all from the declared sections (`initiatives.fields`)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from initiatives.importing.reading import (
    REQUIRED_COLUMNS,
    SECTION_OF_COLUMN,
    TEMPLATE_COLUMNS,
    column_header,
)
from initiatives.importing.validating import _REQUIRED_TO_SUBMIT
from initiatives.models import ParticipantGroup

# --- the downloadable template --------------------------------------------------------

COLUMN_HELP = {
    "external_id": "Mã của sáng kiến trong hệ thống cũ; nhập lại cùng mã sẽ cập nhật, không tạo bản mới.",
    "author_name": "Họ tên tác giả (bắt buộc); nhiều tác giả cách nhau bằng dấu “;”.",
    "author_id": "Mã tác giả trong hệ thống cũ, cùng thứ tự với tên.",
    "author_percent": "Tỷ lệ đóng góp (%), cùng thứ tự với tên, tổng bằng 100; bỏ trống để chia đều.",
    "submitted_at": "Ngày nộp (dd/mm/yyyy); bỏ trống là hôm nay.",
    "author_birth_date": "Ngày sinh tác giả (dd/mm/yyyy), cách nhau bằng “;”.",
    "author_workplace": "Nơi công tác của tác giả, cách nhau bằng “;”.",
    "author_job_title": "Chức danh của tác giả, cách nhau bằng “;”.",
    **{column: section.guide for column, section in SECTION_OF_COLUMN.items()},
}
TEMPLATE_EXAMPLE = {
    "external_id": "SK-2025-0001",
    "author_name": "Nguyễn Văn Tâm; Lê Thị Hoà",
    "author_id": "NV001; NV002",
    "author_percent": "60; 40",
    "submitted_at": "15/03/2025",
    **{column: section.example for column, section in SECTION_OF_COLUMN.items()},
}


def template_workbook(*, unit_code: str = "", field_name: str = "") -> bytes:
    """An .xlsx with the columns, one example row and a sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    example = {**TEMPLATE_EXAMPLE, "unit_code": unit_code, "field": field_name}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Sáng kiến")
    sheet.append([column_header(column) for column in TEMPLATE_COLUMNS])
    sheet.append([example.get(column, "") for column in TEMPLATE_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet(_("Hướng dẫn"))
    guide.append([_("Cột"), _("Bắt buộc"), _("Ý nghĩa")])
    groups = "; ".join(f"{value} ({label})" for value, label in ParticipantGroup.choices)
    for column in TEMPLATE_COLUMNS:
        guide.append(
            [
                column_header(column),
                _("có") if column in REQUIRED_COLUMNS or column in _REQUIRED_TO_SUBMIT else "",
                _(COLUMN_HELP[column]).format(groups=groups),
            ]
        )
    for cell in guide[1]:
        cell.font = Font(bold=True)
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["C"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
