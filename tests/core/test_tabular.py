"""One table reader for every import (initiatives, units, targets, members): XLSX, CSV
with "," or ";", JSONL; each import's header aliases; one report shape for a bad row."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import Workbook

from accounts.membership import member_table, members_import
from accounts.models import User
from accounts.tenancy import OFFICER_ROLES, UNIT_ADMIN_ROLES, scope_for
from core.tabular import (
    MSG_BAD_JSON,
    ImportReport,
    TableReader,
    header_aliases,
    numbered,
)
from federation.models import OrgUnit
from federation.services import unit_table, units_import
from initiatives.importing import RowSource, import_initiatives
from initiatives.models import Initiative
from rankings.models import Target
from rankings.services import target_table, targets_import
from tests.factories import decree_columns

pytestmark = pytest.mark.django_db

FORMATS = ("xlsx", "csv", "csv;", "jsonl")


def table(header: list[str], rows: list[list], kind: str) -> tuple[io.BytesIO, str]:
    """The same table as a workbook, a CSV (comma or semicolon) or JSON lines."""
    if kind == "xlsx":
        workbook = Workbook()
        workbook.active.append(header)
        for values in rows:
            workbook.active.append(values)
        buffer = io.BytesIO()
        workbook.save(buffer)
        buffer.seek(0)
        return buffer, "bang.xlsx"
    if kind == "jsonl":
        lines = [json.dumps(dict(zip(header, values, strict=True))) for values in rows]
        return io.BytesIO("\n".join(lines).encode()), "bang.jsonl"
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";" if kind == "csv;" else ",")
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8-sig")), "bang.csv"


def test_the_reader_folds_header_aliases_and_keeps_unknown_headers():
    key = header_aliases({"unit_code": ("mã đơn vị",)})
    handle, name = table(["Mã Đơn Vị", "Ghi chú"], [["G1", "x"]], "csv;")
    assert list(TableReader(handle, name, column_key=key)) == [
        (2, {"unit_code": "G1", "ghi chú": "x"}, "")
    ]
    assert key("MA_DON_VI") == "unit_code"


def test_a_bad_json_line_is_a_row_error_not_a_crash():
    handle = io.BytesIO(b'{"code": "A"}\n[1, 2]\n')
    assert [(n, e) for n, _c, e in TableReader(handle, "x.jsonl")] == [(1, ""), (2, MSG_BAD_JSON)]


@pytest.mark.parametrize("kind", FORMATS)
def test_units_import_reads_every_format(kind, country, personas):
    header = ["Mã đơn vị", "Tên đơn vị", "Mã cấp trên", "Loại", "Số đoàn viên"]
    rows = [
        ["MOI-1", "Công đoàn Mới 1", country.upper_a.code, "grassroots", "12"],
        ["MOI-2", "Công đoàn Mới 2", country.upper_a.code, "Công đoàn cơ sở", "7"],
    ]
    report = units_import(
        rows=unit_table(*table(header, rows, kind)), scope=scope_for(personas.admin)
    )
    assert (report.total, report.created, report.errors) == (2, 2, [])
    assert OrgUnit.objects.get(code="MOI-2").parent == country.upper_a


@pytest.mark.parametrize("kind", FORMATS)
def test_targets_import_reads_every_format(kind, country, personas):
    header = ["Mã đơn vị", "Từ ngày", "Đến ngày", "Chỉ tiêu"]
    rows = [[country.province_a.code, "01/01/2025", "31/12/2025", "40"]]
    report = targets_import(
        scope=scope_for(personas.leader),
        actor=personas.leader,
        rows=target_table(*table(header, rows, kind)),
    )
    assert (report.total, report.created, report.errors) == (1, 1, [])
    assert Target.objects.get().count == 40


@pytest.mark.parametrize("kind", FORMATS)
def test_members_import_reads_every_format(kind, country, personas):
    header = ["Họ và tên", "Số điện thoại", "Email"]
    rows = [["Nguyễn Thị Mai", "0901234567", ""], ["Trần Văn Bình", "", "binh@example.vn"]]
    report = members_import(
        viewer=personas.officer_a,
        rows=member_table(*table(header, rows, kind)),
        default_unit=country.grassroots_a,
    )
    assert (report.total, report.created, report.errors) == (2, 2, [])
    assert User.objects.get(phone="0901234567").full_name == "Nguyễn Thị Mai"


@pytest.mark.parametrize("kind", FORMATS)
def test_initiatives_import_reads_every_format(kind, country, personas):
    cells = {
        "Tên sáng kiến": "Cải tiến băng tải",
        "Mô tả": "Thay băng tải thủ công bằng băng tải tự động.",
        "Tác giả": "Nguyễn Văn Tâm",
        "Mã đơn vị": country.grassroots_a.code,
        "participant_group": "enterprise",
        **decree_columns(),
    }
    handle, name = table(list(cells), [list(cells.values())], kind)
    report = import_initiatives(
        source=RowSource(handle, name),
        actor=personas.officer_a,
        scope=scope_for(personas.officer_a, OFFICER_ROLES),
    )
    assert (report.total, report.created, report.errors) == (1, 1, [])
    assert Initiative.objects.get().description.startswith("Thay băng tải")


def test_a_bad_row_reads_the_same_in_every_import(country, personas):
    """Row 3 is wrong in each table: every import reports it as (3, column, reason) in
    the same report, with the same JSON for its job page."""
    reports = {
        "units": units_import(
            rows=numbered(
                [
                    {
                        "code": "MOI-1",
                        "name": "Mới",
                        "parent_code": country.upper_a.code,
                        "kind": "grassroots",
                    },
                    {
                        "code": "MOI-2",
                        "name": "",
                        "parent_code": country.upper_a.code,
                        "kind": "grassroots",
                    },
                ]
            ),
            scope=scope_for(personas.admin, UNIT_ADMIN_ROLES),
        ),
        "targets": targets_import(
            scope=scope_for(personas.leader),
            actor=personas.leader,
            rows=numbered(
                {
                    "ma_don_vi": country.province_a.code,
                    "tu_ngay": "01/01/2025",
                    "den_ngay": "31/12/2025",
                    "chi_tieu": count,
                }
                for count in ("40", "0")
            ),
        ),
        "members": members_import(
            viewer=personas.officer_a,
            rows=numbered([{"full_name": "Mai", "phone": "0901234567"}, {"full_name": "Bình"}]),
            default_unit=country.grassroots_a,
        ),
        "initiatives": import_initiatives(
            source=RowSource(
                *table(
                    ["title", "content", "author_name", "unit_code", "participant_group"],
                    [
                        ["Một", "Nội dung", "Tâm", country.grassroots_a.code, "enterprise"],
                        ["", "Nội dung", "Tâm", country.grassroots_a.code, "enterprise"],
                    ],
                    "csv",
                )
            ),
            actor=personas.officer_a,
            scope=scope_for(personas.officer_a, OFFICER_ROLES),
            all_or_nothing=False,
        ),
    }
    shapes = set()
    for name, report in reports.items():
        assert isinstance(report, ImportReport), name
        assert 3 in report.error_rows, (name, report.errors)
        assert all(e.message for e in report.errors)
        result = report.as_dict()
        assert [3, *result["errors"][-1][1:]] == result["errors"][-1], name
        shapes.add(tuple(result))
        assert ImportReport.from_checkpoint(result).as_dict() == result, name
    assert len(shapes) == 1
