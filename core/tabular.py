"""Tables people upload, and the one rule every export follows when it writes a cell.

The one reader of every import (initiatives, units, targets, members): `TableReader`
turns an .xlsx, a .csv (UTF-8, "," or ";" as Excel saves it) or a .jsonl file into
numbered rows of cells keyed by column name, streaming (a 100,000-row archive is never
held in memory). Each import names its columns and the other headers it accepts for
them (`header_aliases`). Problems are `RowError`s in one `ImportReport`, whatever the
import: (row, column, reason in Vietnamese), with the same counts and the same JSON.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.parsing import has_control_characters

MSG_UNSUPPORTED_FORMAT = gettext_noop(
    "Chỉ nhận tệp Excel (.xlsx), CSV (.csv, UTF-8) hoặc JSONL (.jsonl)."
)
MSG_UNREADABLE = gettext_noop("Không đọc được tệp: {detail}")
MSG_NO_ROWS = gettext_noop("Tệp không có dòng dữ liệu nào.")
MSG_BAD_JSON = gettext_noop("Dòng này không phải một đối tượng JSON hợp lệ.")
MSG_CONTROL_CHARACTERS = gettext_noop(
    "Cột “{column}” có ký tự điều khiển không hợp lệ (ví dụ ký tự NUL); hãy sửa ô này."
)
MSG_TABLE_UNREADABLE = gettext_noop(
    "Không đọc được tệp. Hãy dùng tệp Excel (.xlsx) hoặc CSV (UTF-8)."
)
MSG_TABLE_EMPTY = MSG_NO_ROWS

# Errors kept for the report; past this only the count of bad rows grows.
MAX_REPORTED_ERRORS = 2000
# Ids of written objects kept in the report (for links and tests), not all 100,000.
MAX_REPORTED_IDS = 2000

# (row number as the user sees it, cells by column or None, the reader's error or "")
NumberedRow = tuple[int, dict | None, str]


@dataclass(frozen=True)
class RowError:
    """One problem in an imported table: spreadsheet row number, column, reason."""

    row: int
    field: str
    message: str


class TableError(ValueError):
    """The file as a whole cannot be read (wrong format, not a table)."""


@dataclass
class ImportReport:
    """What an import did, the same for every import (and in `Job.result`)."""

    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Members only: existing accounts whose membership the import confirmed.
    confirmed: int = 0
    errors: list[RowError] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)
    unknown_columns: set[str] = field(default_factory=set)
    all_or_nothing: bool = True
    ids: list[int] = field(default_factory=list)
    # Bad rows before the checkpoint a resumed import started from (their numbers are
    # not kept, only their count and the reported errors).
    earlier_bad_rows: int = 0

    @property
    def bad_row_count(self) -> int:
        return len(self.bad_rows) + self.earlier_bad_rows

    @property
    def error_rows(self) -> list[int]:
        return sorted(self.bad_rows)

    @property
    def written(self) -> int:
        return self.created + self.updated

    def add(self, row: int, column: str, message: str) -> None:
        self.bad_rows.add(row)
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, message))

    def add_id(self, pk: int) -> None:
        if len(self.ids) < MAX_REPORTED_IDS:
            self.ids.append(pk)

    def finish(self) -> ImportReport:
        """At the end: an empty file says so; errors in row order."""
        if not self.total:
            self.add(0, "", _(MSG_NO_ROWS))
        self.errors.sort(key=lambda e: e.row)
        return self

    def as_dict(self) -> dict:
        """For `Job.result` (JSON)."""
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "confirmed": self.confirmed,
            "bad_row_count": self.bad_row_count,
            "all_or_nothing": self.all_or_nothing,
            "unknown_columns": sorted(self.unknown_columns),
            "errors": [[e.row, e.field, e.message] for e in self.errors],
        }

    def checkpoint_dict(self) -> dict:
        """What a resumed import needs to go on counting where this one stopped."""
        return {**self.as_dict(), "ids": self.ids}

    @classmethod
    def from_checkpoint(cls, saved: dict) -> ImportReport:
        return cls(
            total=saved.get("total", 0),
            created=saved.get("created", 0),
            updated=saved.get("updated", 0),
            unchanged=saved.get("unchanged", 0),
            confirmed=saved.get("confirmed", 0),
            errors=[RowError(*error) for error in saved.get("errors", [])],
            unknown_columns=set(saved.get("unknown_columns", [])),
            all_or_nothing=saved.get("all_or_nothing", True),
            ids=list(saved.get("ids", saved.get("initiative_ids", []))),
            earlier_bad_rows=saved.get("bad_row_count", 0),
        )


# --- headers ------------------------------------------------------------------------


def fold_header(header) -> str:
    """ "Mã đơn vị", "ma_don_vi", " MA DON VI " -> "ma don vi": how headers are compared."""
    text = unicodedata.normalize("NFD", str(header or "").strip().lower().replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.split(r"[\s_]+", text)).strip()


def plain_header(header) -> str:
    return str(header or "").strip().lower()


def reader_for(
    aliases: Mapping[str, Iterable[str]], *, max_rows: int | None = None
) -> Callable[..., TableReader]:
    """An import's reader: `reader_for(ALIASES)(fileobj, name)` reads a table whose
    headers are the import's columns or their aliases (`header_aliases`)."""
    column_key = header_aliases(aliases)

    def read(fileobj, name: str = "") -> TableReader:
        return TableReader(fileobj, name, column_key=column_key, max_rows=max_rows)

    return read


def header_aliases(aliases: Mapping[str, Iterable[str]]) -> Callable[[object], str]:
    """A reader's `column_key` for an import's columns: each column by its own name or
    any of its aliases, accents, case, spaces and underscores aside. Other headers are
    kept as written (lower-cased), so the import can report them as unknown."""
    keys = {}
    for column, others in aliases.items():
        for header in (column, *others):
            keys[fold_header(header)] = column

    def column_key(header) -> str:
        return keys.get(fold_header(header), plain_header(header))

    return column_key


# --- reading ------------------------------------------------------------------------


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return value


def control_characters_error(cells: dict) -> str:
    """The reader's verdict on a row with NUL or other control characters in a cell."""
    for column, value in cells.items():
        if isinstance(value, str) and has_control_characters(value):
            return _(MSG_CONTROL_CHARACTERS).format(column=column)
    return ""


def numbered(records: Iterable[dict], *, column_key=plain_header) -> Iterator[NumberedRow]:
    """Rows already in memory (a test, an API body) as the reader yields a spreadsheet's:
    numbered from 2 (the header is row 1), cells cleaned and checked the same way."""
    for number, record in enumerate(records, start=2):
        cells = {column_key(k): _cell(v) for k, v in record.items()}
        yield number, cells, control_characters_error(cells)


class TableReader:
    """Numbered rows of an .xlsx, .csv or .jsonl file; can be read more than once.

    Row numbers are what the user sees: the spreadsheet row (header is row 1) or
    the line of the JSONL file. Blank rows are skipped but keep their numbers.
    Yields (row_number, cells or None, parse error or ""). `column_key` turns a
    header (or a JSONL key) into the import's column name (`header_aliases`).
    A file that is no table at all raises `TableError` while it is read.
    """

    def __init__(
        self,
        fileobj,
        name: str = "",
        *,
        column_key: Callable[[object], str] = plain_header,
        max_rows: int | None = None,
    ):
        self.fileobj = fileobj
        self.name = name or getattr(fileobj, "name", "") or ""
        self.column_key = column_key
        self.max_rows = max_rows
        lowered = str(self.name).lower()
        if lowered.endswith((".jsonl", ".ndjson")):
            self.format = "jsonl"
        elif lowered.endswith(".csv"):
            self.format = "csv"
        elif lowered.endswith(".xlsx") or self._head(2) == b"PK":
            self.format = "xlsx"
        else:
            raise TableError(_(MSG_UNSUPPORTED_FORMAT))
        self.columns: set[str] = set()

    @classmethod
    def from_path(cls, path: str | Path, **options) -> TableReader:
        path = Path(path)
        return cls(path.open("rb"), path.name, **options)

    def _head(self, size: int) -> bytes:
        self.fileobj.seek(0)
        head = self.fileobj.read(size)
        self.fileobj.seek(0)
        return head

    def close(self) -> None:
        self.fileobj.close()

    def __iter__(self) -> Iterator[NumberedRow]:
        self.fileobj.seek(0)
        rows = getattr(self, f"_iter_{self.format}")()
        try:
            for count, row in enumerate(rows, start=1):
                if self.max_rows is not None and count > self.max_rows:
                    break
                yield row
        except (UnicodeDecodeError, csv.Error, KeyError, OSError, ValueError) as exc:
            if isinstance(exc, TableError):
                raise
            raise TableError(_(MSG_UNREADABLE).format(detail=exc)) from exc
        finally:
            rows.close()

    def count(self) -> int:
        return sum(1 for _row in self)

    def _numbered(self, number: int, header: list[str], values) -> NumberedRow:
        cells = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
        return number, cells, control_characters_error(cells)

    def _iter_xlsx(self):
        try:
            # openpyxl imports numpy: loaded when a spreadsheet is made or read, not at start.
            from openpyxl import load_workbook

            workbook = load_workbook(self.fileobj, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a bad file
            raise TableError(_(MSG_UNSUPPORTED_FORMAT)) from exc
        try:
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            header = [self.column_key(c) if c is not None else "" for c in next(rows, ())]
            self.columns = {h for h in header if h}
            for number, values in enumerate(rows, start=2):
                if not values or all(v is None or str(v).strip() == "" for v in values):
                    continue
                yield self._numbered(number, header, values)
        finally:
            workbook.close()

    def _iter_csv(self):
        text = io.TextIOWrapper(self.fileobj, encoding="utf-8-sig", newline="")
        try:
            # Excel saves CSV with ";" where "," is the decimal separator: follow the header.
            first_line = text.readline()
            text.seek(0)
            delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
            reader = csv.reader(text, delimiter=delimiter)
            header = [self.column_key(h) if h.strip() else "" for h in next(reader, [])]
            self.columns = {h for h in header if h}
            for number, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue
                yield self._numbered(number, header, values)
        finally:
            text.detach()

    def _iter_jsonl(self):
        for number, raw in enumerate(self.fileobj, start=1):
            line = raw.decode("utf-8-sig").strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                yield number, None, _(MSG_BAD_JSON)
                continue
            if not isinstance(record, dict):
                yield number, None, _(MSG_BAD_JSON)
                continue
            cells = {self.column_key(k): _cell(v) for k, v in record.items()}
            self.columns.update(cells)
            yield number, cells, control_characters_error(cells)


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
    (the rows are read by the worker): a format the reader knows, a workbook that is
    one, text that is UTF-8. Raises `TableError` with the reason."""
    reader = TableReader(uploaded, getattr(uploaded, "name", "") or "")
    if reader.format == "xlsx":
        # A fake "PK..." is no workbook.
        if not is_xlsx(uploaded):
            raise TableError(_(MSG_UNSUPPORTED_FORMAT))
        return
    uploaded.seek(0)
    head = uploaded.read(65536)
    uploaded.seek(0)
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise TableError(_(MSG_TABLE_UNREADABLE)) from exc
    if not head.strip():
        raise TableError(_(MSG_TABLE_EMPTY))


class TableFileField(forms.FileField):
    """The upload of a table that a background import will read: a file that is no
    table the reader knows is refused on the form at once (`check_table_upload`), not
    later in the worker."""

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded:
            try:
                check_table_upload(uploaded)
            except TableError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return uploaded


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
