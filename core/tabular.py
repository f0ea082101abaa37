"""Spreadsheets (XLSX or CSV): reading uploads into rows keyed by header, and the one
rule every export follows when it writes a cell (`safe_cell`)."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.parsing import has_control_characters

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


def is_xlsx(fileobj) -> bool:
    """Whether an upload is really a workbook (a zip holding xl/workbook.xml), judged from
    the zip's directory alone; a fake "PK..." file is not."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        fileobj.seek(0)


def check_table_upload(uploaded) -> None:
    """The quick look a page takes at a table before keeping it for a background import
    (the rows are read by the worker): a workbook that is one, or CSV that is UTF-8."""
    name = (getattr(uploaded, "name", "") or "").lower()
    uploaded.seek(0)
    head = uploaded.read(65536)
    uploaded.seek(0)
    if head[:2] == b"PK" or name.endswith(".xlsx"):
        if not is_xlsx(uploaded):
            raise TableError(_(MSG_TABLE_UNREADABLE))
        return
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise TableError(_(MSG_TABLE_UNREADABLE)) from exc
    if not head.strip():
        raise TableError(_(MSG_TABLE_EMPTY))


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
