"""Spreadsheets (XLSX or CSV): reading uploads into rows keyed by header, and the one
rule every export follows when it writes a cell (`safe_cell`)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.parsing import has_control_characters

MSG_TABLE_UNREADABLE = gettext_noop(
    "Không đọc được tệp. Hãy dùng tệp Excel (.xlsx) hoặc CSV (UTF-8)."
)
MSG_TABLE_EMPTY = gettext_noop("Tệp không có dòng dữ liệu nào.")
MSG_TABLE_CONTROL_CHARACTERS = gettext_noop(
    "Dòng {row}, cột “{column}”: có ký tự điều khiển không hợp lệ (ví dụ ký tự NUL); "
    "hãy sửa ô này rồi nhập lại."
)


@dataclass(frozen=True)
class RowError:
    """One problem in an imported table: spreadsheet row number, column, reason."""

    row: int
    field: str
    message: str


class TableError(ValueError):
    pass


def _clean_header(value) -> str:
    return str(value or "").strip().lower()


def read_table(uploaded, *, max_rows: int = 200_000) -> list[dict]:
    """Rows of an uploaded .xlsx or .csv as dicts, header names lower-cased."""
    name = (getattr(uploaded, "name", "") or "").lower()
    raw = uploaded.read()
    try:
        if raw[:2] == b"PK" or name.endswith(".xlsx"):
            # openpyxl imports numpy: loaded when a spreadsheet is made or read, not at start.
            from openpyxl import load_workbook

            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = sheet.iter_rows(values_only=True)
            header = [_clean_header(c) for c in next(rows, [])]
            records = []
            for values in rows:
                if values is None or all(v is None or str(v).strip() == "" for v in values):
                    continue
                records.append(
                    {h: ("" if v is None else v) for h, v in zip(header, values, strict=False) if h}
                )
                if len(records) > max_rows:
                    break
            workbook.close()
        else:
            text = raw.decode("utf-8-sig")
            reader = csv.DictReader(io.StringIO(text))
            reader.fieldnames = [_clean_header(h) for h in reader.fieldnames or []]
            records = [r for r in reader if any((v or "").strip() for v in r.values())]
    except (UnicodeDecodeError, csv.Error, KeyError, OSError, ValueError) as exc:
        raise TableError(_(MSG_TABLE_UNREADABLE)) from exc
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a fake "PK" file
        raise TableError(_(MSG_TABLE_UNREADABLE)) from exc
    if not records:
        raise TableError(_(MSG_TABLE_EMPTY))
    for number, record in enumerate(records, start=2):
        for column, value in record.items():
            if isinstance(value, str) and has_control_characters(value):
                raise TableError(_(MSG_TABLE_CONTROL_CHARACTERS).format(row=number, column=column))
    return records


# A cell starting with one of these is run as a formula by Excel or LibreOffice
# (`=HYPERLINK(...)`, `+cmd|...`, `@SUM(...)`; tab and CR shift a CSV's columns first).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """What an export writes in a cell: text that could run as a formula gets a leading
    apostrophe, so a title or a unit name like `=HYPERLINK(...)` stays text everywhere."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_workbook(workbook) -> None:
    """Apply `safe_cell` to every cell of an (in-memory) openpyxl workbook before saving."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = safe_cell(cell.value)
