"""Bulk import of initiatives from XLSX, CSV or JSONL, with a per-row report.

One reader (`RowSource`) turns any of the three formats into numbered rows of
cells keyed by column name (the JSONL keys: `external_id`, `title`, `content`,
`author_name`, `author_id`, `unit_code`, `submitted_at`, `field`, and any other
initiative field). `import_initiatives` validates every row, collects every
problem as (row, column, reason in Vietnamese), then writes:

- all-or-nothing: a first pass only validates; if any row is bad nothing is
  written. Otherwise a second pass writes everything in one transaction.
- import-valid-rows: chunks of rows are validated and written, each chunk in its
  own transaction (so progress is visible while a long file runs); bad rows are
  reported and skipped.

Writes go through `initiative_save_draft` + `initiative_submit`, so imported
initiatives pass the same checks as a form and are enqueued for the similarity
check. Re-importing the same `external_id` updates that initiative, never
duplicates it. For very large archives (the command line) `bulk=True` inserts new
rows with `bulk_create` after the same validation (see `_write_bulk`), then
recounts the ranking counters once.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dedup.text import fold_accents
from federation.models import OrgUnit
from initiatives import fields as sections
from initiatives import services, validation
from initiatives.models import (
    Field,
    Initiative,
    InitiativeAuthor,
    InitiativeEvent,
    ParticipantGroup,
    Status,
)
from initiatives.search import fold
from initiatives.services import AuthorData
from portal import parsing as strict
from portal.rankings.services import tally_record_many
from portal.tabular import RowError

logger = logging.getLogger(__name__)

MSG_UNSUPPORTED_FORMAT = gettext_noop(
    "Chỉ nhận tệp Excel (.xlsx), CSV (.csv, UTF-8) hoặc JSONL (.jsonl)."
)
MSG_UNREADABLE = gettext_noop("Không đọc được tệp: {detail}")
MSG_NO_ROWS = gettext_noop("Tệp không có dòng dữ liệu nào.")
MSG_BAD_JSON = gettext_noop("Dòng này không phải một đối tượng JSON hợp lệ.")
MSG_CONTROL_CHARACTERS = gettext_noop(
    "Cột “{column}” có ký tự điều khiển không hợp lệ (ví dụ ký tự NUL); hãy sửa ô này."
)
MSG_REQUIRED = gettext_noop("Thiếu “{column}”.")
MSG_TOO_LONG = gettext_noop("Dài quá {limit} ký tự.")
MSG_UNIT_UNKNOWN = gettext_noop("Không có đơn vị mã “{code}”.")
MSG_FIELD_UNKNOWN = gettext_noop("Không có lĩnh vực “{value}” (ghi theo tên hoặc mã lĩnh vực).")
MSG_GROUP_UNKNOWN = gettext_noop(
    "Nhóm đối tượng “{value}” không hợp lệ; dùng một trong: {choices}."
)
MSG_BAD_DATE = gettext_noop("“{value}” không phải ngày hợp lệ (dùng dd/mm/yyyy hoặc yyyy-mm-dd).")
MSG_FUTURE_DATE = gettext_noop("Ngày “{value}” ở tương lai.")
MSG_BAD_NUMBER = gettext_noop("“{value}” không phải số tiền hợp lệ (đồng, không âm).")
MSG_BAD_BOOL = gettext_noop("“{value}” không hợp lệ; ghi “có” hoặc “không”.")
MSG_BAD_PERCENT = gettext_noop("Tỷ lệ đóng góp “{value}” không hợp lệ.")
MSG_AUTHOR_COUNTS = gettext_noop(
    "Số tỷ lệ đóng góp ({percents}) không khớp số tác giả ({authors})."
)
MSG_DUPLICATE_IN_FILE = gettext_noop("Mã ngoài “{external_id}” trùng với dòng {row}.")
# One message for every external id the importer may not use (it names an initiative
# outside their units, or one written meanwhile by someone else): whether the id exists
# in another province is not theirs to learn.
MSG_EXTERNAL_ID_REFUSED = gettext_noop(
    "Không dùng được mã ngoài “{external_id}”; hãy dùng mã khác cho sáng kiến này."
)
MSG_ROW_NOT_WRITTEN = gettext_noop(
    "Không ghi được dòng này vì dữ liệu không hợp lệ với cơ sở dữ liệu; hãy kiểm tra lại các ô."
)
MSG_UNIT_NOT_IMPORTABLE = gettext_noop("Đơn vị phải là một công đoàn cơ sở đang hoạt động.")

# Separates several authors in one cell: "Nguyễn Văn A; Trần Thị B".
AUTHOR_SEPARATOR = ";"
AUTHOR_COLUMNS = (
    "author_name",
    "author_id",
    "author_percent",
    "author_birth_date",
    "author_workplace",
    "author_job_title",
    "author_qualification",
)
# The sections' columns (`initiatives.fields`), and each one's section.
SECTION_OF_COLUMN = {section.column_name: section for section in sections.SECTIONS}
# The column a model field's problem is reported against, where they differ.
_COLUMN_OF = {
    section.name: section.column_name
    for section in sections.SECTIONS
    if section.column_name != section.name
}
# Columns read as plain text into the initiative's field of the same section.
PLAIN_TEXT_COLUMNS = tuple(
    column for column, section in SECTION_OF_COLUMN.items() if section.kind == sections.KIND_TEXT
)
KNOWN_COLUMNS = frozenset(("external_id", "submitted_at", *SECTION_OF_COLUMN, *AUTHOR_COLUMNS))
REQUIRED_COLUMNS = ("title", "content", "author_name", "unit_code")
# The downloadable template's columns, in order: the required ones first, then the
# rest of the declared sections, then what more may be said of the authors.
_LEADING_COLUMNS = (
    "external_id",
    "title",
    "content",
    "author_name",
    "author_id",
    "author_percent",
    "unit_code",
    "submitted_at",
)
TEMPLATE_COLUMNS = (
    *_LEADING_COLUMNS,
    *(
        section.column_name
        for section in sections.exported()
        if section.column_name not in _LEADING_COLUMNS
    ),
    "author_birth_date",
    "author_workplace",
    "author_job_title",
)
# The header people see for each column, in the template and the export. Import accepts
# it in any of the portal's languages, and the older English names (`title`...) too.
COLUMN_HEADERS = {
    "id": gettext_noop("Mã số"),
    "status": gettext_noop("Trạng thái"),
    "external_id": gettext_noop("Mã ngoài"),
    "author_name": gettext_noop("Tác giả"),
    "author_id": gettext_noop("Mã tác giả"),
    "author_percent": gettext_noop("Tỷ lệ đóng góp (%)"),
    "submitted_at": gettext_noop("Ngày nộp"),
    "author_birth_date": gettext_noop("Ngày sinh tác giả"),
    "author_workplace": gettext_noop("Nơi công tác của tác giả"),
    "author_job_title": gettext_noop("Chức danh tác giả"),
    "author_qualification": gettext_noop("Trình độ tác giả"),
    **{column: section.header for column, section in SECTION_OF_COLUMN.items()},
}


def column_header(column: str) -> str:
    """The header of `column` in the reader's language."""
    return _(COLUMN_HEADERS[column]) if column in COLUMN_HEADERS else column


@functools.cache
def _columns_by_header() -> dict[str, str]:
    headers = list(COLUMN_HEADERS.items())
    headers += [
        (section.column_name, alias) for section in sections.SECTIONS for alias in section.aliases
    ]
    keys = {}
    for column, header in headers:
        keys[fold(column)] = column
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                keys[fold(_(header))] = column
    return keys


def column_key(header) -> str:
    """A file's header -> our column name: "Tên sáng kiến", "ten sang kien", "title"."""
    raw = str(header or "").strip().lower()
    return _columns_by_header().get(fold(raw), raw)


# Columns an initiative needs before it is handed in (`initiatives.validation`): an
# import hands every row in, so a row without them is refused with the reason.
_REQUIRED_TO_SUBMIT = frozenset(
    sections.BY_NAME[name].column_name for name in validation.REQUIRED_TO_SUBMIT
)
TRUE_WORDS = {"có", "co", "x", "1", "true", "yes", "đúng", "dung", "mật", "mat"}
FALSE_WORDS = {"", "không", "khong", "0", "false", "no", "sai"}
# Errors kept for the report; past this only the count of bad rows grows.
MAX_REPORTED_ERRORS = 2000
# Ids of written initiatives kept in the report (for links and tests), not all 100,000.
MAX_REPORTED_IDS = 2000
DEFAULT_CHUNK_SIZE = 500


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong format, not a table)."""


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)
    unknown_columns: set[str] = field(default_factory=set)
    all_or_nothing: bool = True
    initiative_ids: list[int] = field(default_factory=list)
    # Bad rows before the checkpoint a resumed import started from (their numbers are
    # not kept, only their count and the reported errors).
    earlier_bad_rows: int = 0

    @property
    def bad_row_count(self) -> int:
        return len(self.bad_rows) + self.earlier_bad_rows

    @property
    def written(self) -> int:
        return self.created + self.updated

    def add(self, row: int, column: str, message: str) -> None:
        self.bad_rows.add(row)
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, column, message))

    def as_dict(self) -> dict:
        """For `Job.result` (JSON)."""
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "bad_row_count": self.bad_row_count,
            "all_or_nothing": self.all_or_nothing,
            "unknown_columns": sorted(self.unknown_columns),
            "errors": [[e.row, e.field, e.message] for e in self.errors],
        }

    def checkpoint_dict(self) -> dict:
        """What a resumed import needs to go on counting where this one stopped."""
        return {**self.as_dict(), "initiative_ids": self.initiative_ids}

    @classmethod
    def from_checkpoint(cls, saved: dict) -> ImportReport:
        return cls(
            total=saved.get("total", 0),
            created=saved.get("created", 0),
            updated=saved.get("updated", 0),
            unchanged=saved.get("unchanged", 0),
            errors=[RowError(*error) for error in saved.get("errors", [])],
            unknown_columns=set(saved.get("unknown_columns", [])),
            all_or_nothing=saved.get("all_or_nothing", True),
            initiative_ids=list(saved.get("initiative_ids", [])),
            earlier_bad_rows=saved.get("bad_row_count", 0),
        )


# --- reading ------------------------------------------------------------------------


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return value


def _control_characters_error(cells: dict) -> str:
    """The reader's verdict on a row with NUL or other control characters in a cell."""
    for column, value in cells.items():
        if isinstance(value, str) and strict.has_control_characters(value):
            return _(MSG_CONTROL_CHARACTERS).format(column=column)
    return ""


class RowSource:
    """Numbered rows of an .xlsx, .csv or .jsonl file; can be read more than once.

    Row numbers are what the user sees: the spreadsheet row (header is row 1) or
    the line of the JSONL file. Blank rows are skipped but keep their numbers.
    Yields (row_number, cells or None, parse error or "").
    """

    def __init__(self, fileobj, name: str):
        self.fileobj = fileobj
        self.name = name or ""
        lowered = self.name.lower()
        if lowered.endswith((".jsonl", ".ndjson")):
            self.format = "jsonl"
        elif lowered.endswith(".csv"):
            self.format = "csv"
        elif lowered.endswith(".xlsx") or self._head(2) == b"PK":
            self.format = "xlsx"
        else:
            raise ImportFileError(_(MSG_UNSUPPORTED_FORMAT))
        self.columns: set[str] = set()

    @classmethod
    def from_path(cls, path: str | Path) -> RowSource:
        path = Path(path)
        return cls(path.open("rb"), path.name)

    def _head(self, size: int) -> bytes:
        self.fileobj.seek(0)
        head = self.fileobj.read(size)
        self.fileobj.seek(0)
        return head

    def close(self) -> None:
        self.fileobj.close()

    def __iter__(self) -> Iterator[tuple[int, dict | None, str]]:
        self.fileobj.seek(0)
        try:
            yield from getattr(self, f"_iter_{self.format}")()
        except (UnicodeDecodeError, csv.Error, KeyError, OSError, ValueError) as exc:
            if isinstance(exc, ImportFileError):
                raise
            raise ImportFileError(_(MSG_UNREADABLE).format(detail=exc)) from exc

    def count(self) -> int:
        return sum(1 for _row in self)

    def _iter_xlsx(self):
        try:
            # openpyxl imports numpy: loaded when a spreadsheet is made or read, not at start.
            from openpyxl import load_workbook

            workbook = load_workbook(self.fileobj, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a bad file
            raise ImportFileError(_(MSG_UNSUPPORTED_FORMAT)) from exc
        try:
            rows = workbook.worksheets[0].iter_rows(values_only=True)
            header = [column_key(c) for c in next(rows, ())]
            self.columns = {h for h in header if h}
            for number, values in enumerate(rows, start=2):
                if not values or all(v is None or str(v).strip() == "" for v in values):
                    continue
                cells = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
                yield number, cells, _control_characters_error(cells)
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
            header = [column_key(h) for h in next(reader, [])]
            self.columns = {h for h in header if h}
            for number, values in enumerate(reader, start=2):
                if not any(v.strip() for v in values):
                    continue
                cells = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
                yield number, cells, _control_characters_error(cells)
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
            cells = {column_key(k): _cell(v) for k, v in record.items()}
            self.columns.update(cells)
            yield number, cells, _control_characters_error(cells)


# --- parsing cells ------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
# As the export writes them (local time), so an export can be imported again.
DATETIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")


def parse_date(value, *, low: dt.date = strict.MIN_DATE) -> dt.date | None:
    """A date in the strict range of portal.parsing (no year 1, no year 9999), or from
    `low` where the shared validation judges the range itself (birth dates)."""
    if value in ("", None):
        return None
    return strict.parse_date(_parse_any_date(value), low=low)


def _parse_any_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text.isascii():
        raise ValueError(text)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(text) from None


def parse_datetime(value) -> dt.datetime | None:
    if value in ("", None):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(0, 0))
    else:
        text = _text(value)
        moment = None
        for fmt in DATETIME_FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if moment is None:
            try:
                moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                moment = dt.datetime.combine(parse_date(text), dt.time(0, 0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse_money(value) -> Decimal | None:
    if value in ("", None):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float | Decimal):
        amount = strict.parse_decimal(value, low=Decimal(0))
    else:
        text = re.sub(r"(?i)\s|đồng|đ|vnd", "", _text(value))
        if re.fullmatch(r"[0-9]{1,3}([.,][0-9]{3})+", text):
            text = re.sub(r"[.,]", "", text)
        amount = strict.parse_decimal(text.replace(",", "."), low=Decimal(0))
    return amount.quantize(Decimal(1))


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(value)


def _fold(text: str) -> str:
    return " ".join(fold_accents(text.lower()).split())


GROUP_LOOKUP: dict[str, str] = {}


def _group_lookup() -> dict[str, str]:
    if not GROUP_LOOKUP:
        for value, label in ParticipantGroup.choices:
            GROUP_LOOKUP[value] = value
            GROUP_LOOKUP[_fold(str(label))] = value
    return GROUP_LOOKUP


# --- validation ---------------------------------------------------------------------


@dataclass
class PlannedRow:
    """One valid row, ready to write."""

    row: int
    external_id: str
    data: dict
    authors: list[AuthorData]
    submitted_at: dt.datetime | None
    existing: Initiative | None = None


class _Lookups:
    """What rows refer to, loaded once per chunk instead of once per row."""

    def __init__(self) -> None:
        self.units: dict[str, OrgUnit | None] = {}
        fields = list(Field.objects.all())
        self.fields = {f.code.lower(): f for f in fields} | {_fold(f.name): f for f in fields}

    def load_units(self, codes: Iterable[str]) -> None:
        wanted = {c for c in codes if c and c not in self.units}
        if not wanted:
            return
        found = {u.code: u for u in OrgUnit.objects.filter(code__in=wanted)}
        for code in wanted:
            self.units[code] = found.get(code)

    @staticmethod
    def existing(external_ids: Iterable[str]) -> dict[str, Initiative]:
        ids = [e for e in external_ids if e]
        if not ids:
            return {}
        return {
            i.external_id: i
            for i in Initiative.objects.filter(external_id__in=ids).select_related("unit")
        }


# Model fields checked by `full_clean` on the unsaved initiative; the rest is checked here.
_CLEAN_EXCLUDE = [
    "unit",
    "top_unit",
    "owner",
    "entered_by",
    "field",
    "external_id",
    "client_token",
    "claimed_by",
    "status",
]
# The column a problem found by `initiatives.validation` is reported against.
_PROBLEM_COLUMN = {
    ("authors", validation.Code.SHARES): "author_percent",
    ("authors", validation.Code.BIRTH_DATE): "author_birth_date",
    ("authors", validation.Code.TOO_MANY_AUTHORS): "author_name",
    ("authors", validation.Code.NO_AUTHOR): "author_name",
}


class _Validator:
    def __init__(self, *, scope, report: ImportReport, default_unit, default_group) -> None:
        self.scope = scope
        self.report = report
        self.default_unit = default_unit
        self.default_group = default_group
        self.lookups = _Lookups()
        self.seen: dict[str, int] = {}
        self.now = timezone.now()

    def validate_chunk(
        self, chunk: list[tuple[int, dict | None, str]], on_row: Callable[[], None] | None = None
    ) -> list[PlannedRow]:
        self.lookups.load_units(_text(cells.get("unit_code")) for _n, cells, _e in chunk if cells)
        existing = self.lookups.existing(
            _text(cells.get("external_id")) for _n, cells, error in chunk if cells and not error
        )
        planned = []
        for number, cells, parse_error in chunk:
            if parse_error:
                self.report.add(number, "", parse_error)
            else:
                row = self.validate_row(number, cells, existing)
                if row is not None:
                    planned.append(row)
            if on_row is not None:
                on_row()
        return planned

    def remember(self, number: int, cells: dict | None) -> None:
        """A row written before the checkpoint a resumed import starts from: only its
        external id is kept, so a later row repeating it is still reported."""
        external_id = _text((cells or {}).get("external_id"))
        if external_id and len(external_id) <= 64:
            self.seen.setdefault(external_id, number)

    def validate_row(self, number: int, cells: dict, existing: dict) -> PlannedRow | None:
        errors: list[tuple[str, str]] = []
        self.report.unknown_columns.update(set(cells) - KNOWN_COLUMNS)
        data: dict = {}
        self._sections(cells, data, errors)
        present = {
            "title": data.get("title"),
            "content": data.get("description"),
            "author_name": _text(cells.get("author_name")),
            "unit_code": _text(cells.get("unit_code")) or self.default_unit,
        }
        for column in REQUIRED_COLUMNS:
            if not present[column]:
                errors.append((column, _(MSG_REQUIRED).format(column=column_header(column))))

        unit = self._unit(cells, errors)
        if unit is not None:
            data["unit"] = unit
        data["participant_group"] = self._group(cells, errors)
        self._field(cells, data, errors)
        submitted_at = None
        if _text(cells.get("submitted_at")):
            try:
                submitted_at = parse_datetime(cells["submitted_at"])
            except ValueError:
                errors.append(
                    ("submitted_at", _(MSG_BAD_DATE).format(value=_text(cells["submitted_at"])))
                )
        authors = self._authors(cells, errors)
        self._model_errors(data, errors)
        self._completeness(data, authors, submitted_at, errors)

        external_id = _text(cells.get("external_id"))
        current = None
        if external_id:
            if len(external_id) > 64:
                errors.append(("external_id", _(MSG_TOO_LONG).format(limit=64)))
            elif external_id in self.seen:
                errors.append(
                    (
                        "external_id",
                        _(MSG_DUPLICATE_IN_FILE).format(
                            external_id=external_id, row=self.seen[external_id]
                        ),
                    )
                )
            else:
                self.seen[external_id] = number
                current = existing.get(external_id)
                if current is not None and not self.scope.contains(current.unit):
                    errors.append(
                        ("external_id", _(MSG_EXTERNAL_ID_REFUSED).format(external_id=external_id))
                    )
        if errors:
            for column, message in errors:
                self.report.add(number, column, message)
            return None
        return PlannedRow(number, external_id, data, authors, submitted_at, current)

    @staticmethod
    def _sections(cells: dict, data: dict, errors: list) -> None:
        """The declared sections (`initiatives.fields`) read by their kind; the unit, the
        field and the participant group are looked up by `_unit`, `_field`, `_group`."""
        for section in sections.SECTIONS:
            column, name, kind = section.column_name, section.name, section.kind
            value = cells.get(column)
            if kind == sections.KIND_TEXT:
                if column in cells:
                    data[name] = _text(value)
            elif kind == sections.KIND_MONEY and _text(value):
                try:
                    data[name] = parse_money(value)
                except ValueError:
                    errors.append((column, _(MSG_BAD_NUMBER).format(value=_text(value))))
            elif kind == sections.KIND_FLAG and (_text(value) or isinstance(value, bool)):
                try:
                    data[name] = parse_bool(value)
                except ValueError:
                    errors.append((column, _(MSG_BAD_BOOL).format(value=_text(value))))
            elif kind == sections.KIND_DATE:
                day = _Validator._date(cells, column, errors)
                if day is not None:
                    data[name] = day

    def _unit(self, cells: dict, errors: list) -> OrgUnit | None:
        code = _text(cells.get("unit_code")) or self.default_unit
        if not code:
            return None
        if code not in self.lookups.units:
            self.lookups.load_units([code])
        unit = self.lookups.units.get(code)
        if unit is None:
            errors.append(("unit_code", _(MSG_UNIT_UNKNOWN).format(code=code)))
            return None
        if not self.scope.contains(unit):
            # The same words as "no such unit": an import must not tell which codes
            # exist in other provinces.
            errors.append(("unit_code", _(MSG_UNIT_UNKNOWN).format(code=code)))
            return None
        try:
            services._validate_unit(unit)
        except ValidationError:
            errors.append(("unit_code", _(MSG_UNIT_NOT_IMPORTABLE)))
            return None
        return unit

    def _group(self, cells: dict, errors: list) -> str:
        raw = _text(cells.get("participant_group"))
        if not raw:
            if self.default_group:
                return self.default_group
            errors.append(
                (
                    "participant_group",
                    _(MSG_REQUIRED).format(column=column_header("participant_group")),
                )
            )
            return ""
        value = _group_lookup().get(raw) or _group_lookup().get(_fold(raw))
        if value is None:
            choices = ", ".join(ParticipantGroup.values)
            errors.append(
                ("participant_group", _(MSG_GROUP_UNKNOWN).format(value=raw, choices=choices))
            )
            return ""
        return value

    def _field(self, cells: dict, data: dict, errors: list) -> None:
        raw = _text(cells.get("field"))
        if not raw:
            return
        found = self.lookups.fields.get(raw.lower()) or self.lookups.fields.get(_fold(raw))
        if found is None:
            errors.append(("field", _(MSG_FIELD_UNKNOWN).format(value=raw)))
        else:
            data["field"] = found

    @staticmethod
    def _date(cells: dict, column: str, errors: list) -> dt.date | None:
        if not _text(cells.get(column)) and not isinstance(cells.get(column), dt.date):
            return None
        try:
            return parse_date(cells[column])
        except ValueError:
            errors.append((column, _(MSG_BAD_DATE).format(value=_text(cells[column]))))
            return None

    def _authors(self, cells: dict, errors: list) -> list[AuthorData]:
        def split(column: str) -> list[str]:
            raw = _text(cells.get(column))
            return [p.strip() for p in raw.split(AUTHOR_SEPARATOR)] if raw else []

        names = [n for n in split("author_name") if n]
        if not names:
            return []
        percents_raw = split("author_percent")
        if percents_raw and len(percents_raw) != len(names):
            errors.append(
                (
                    "author_percent",
                    _(MSG_AUTHOR_COUNTS).format(percents=len(percents_raw), authors=len(names)),
                )
            )
            return []
        if percents_raw:
            try:
                percents = [
                    strict.parse_decimal(
                        p.replace("%", "").replace(",", "."), low=Decimal(0), high=Decimal(100)
                    )
                    for p in percents_raw
                ]
            except strict.ParseError:
                errors.append(
                    (
                        "author_percent",
                        _(MSG_BAD_PERCENT).format(value=_text(cells["author_percent"])),
                    )
                )
                return []
        else:
            share = (Decimal(100) / len(names)).quantize(Decimal("0.01"))
            percents = [share] * (len(names) - 1) + [Decimal(100) - share * (len(names) - 1)]
        ids, workplaces = split("author_id"), split("author_workplace")
        titles, qualifications = split("author_job_title"), split("author_qualification")
        births = split("author_birth_date")
        if isinstance(cells.get("author_birth_date"), dt.date):
            births = [cells["author_birth_date"]]
        authors = []
        for index, name in enumerate(names):
            birth = None
            if index < len(births) and births[index]:
                try:
                    # Any real date: how old an author may be is for `validation` to say,
                    # in the same words as the form and the API.
                    birth = parse_date(births[index], low=dt.date.min)
                except ValueError:
                    errors.append(
                        ("author_birth_date", _(MSG_BAD_DATE).format(value=_text(births[index])))
                    )
            authors.append(
                AuthorData(
                    full_name=name[:150],
                    contribution_percent=percents[index],
                    external_person_id=(ids[index] if index < len(ids) else "")[:64],
                    date_of_birth=birth,
                    workplace=(workplaces[index] if index < len(workplaces) else "")[:255],
                    job_title=(titles[index] if index < len(titles) else "")[:150],
                    qualification=(qualifications[index] if index < len(qualifications) else "")[
                        :150
                    ],
                )
            )
        return authors

    @staticmethod
    def _completeness(data: dict, authors: list, submitted_at, errors: list) -> None:
        """The rules the form and the API apply (`initiatives.validation`), on every row:
        an import hands initiatives in, so it needs what a submission needs. (The award
        rule is met: whoever imports is an officer of every unit the rows may name.)"""
        if not authors and any(c.startswith("author_") for c, _m in errors):
            authors = None  # already explained (no name, or shares that could not be read)
        columns_with_errors = {c for c, _m in errors}
        problems = validation.submission_problems(
            values=data, authors=authors or [], submitted_at=submitted_at
        )
        for problem in problems:
            if problem.code == validation.Code.NO_AUTHOR and authors is None:
                continue
            column = _PROBLEM_COLUMN.get((problem.field, problem.code)) or _COLUMN_OF.get(
                problem.field, problem.field
            )
            if column in columns_with_errors:
                continue  # already explained, e.g. a date that could not be read
            errors.append((column, problem.message))

    @staticmethod
    def _model_errors(data: dict, errors: list) -> None:
        """The model's own rules (lengths, choices, required), as a form would apply them."""
        columns_with_errors = {c for c, _m in errors}
        probe = Initiative(**{k: v for k, v in data.items() if k not in ("unit", "field")})
        try:
            probe.full_clean(
                exclude=_CLEAN_EXCLUDE, validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = _COLUMN_OF.get(name, name)
                if column in columns_with_errors:
                    continue  # already explained, e.g. a missing title
                for message in messages:
                    errors.append((column, message))


# --- writing ------------------------------------------------------------------------


def _write_with_services(row: PlannedRow, *, actor, check: bool) -> tuple[Initiative, bool]:
    """One row through the same services as the form. Returns (initiative, created)."""
    existing = row.existing
    if existing is not None and not existing.is_editable:
        return _update_submitted(row, actor=actor, check=check), False
    initiative = services.initiative_save_draft(
        entered_by=actor, data=row.data, authors=row.authors, initiative=existing
    )
    if row.external_id and initiative.external_id != row.external_id:
        Initiative.objects.filter(pk=initiative.pk).update(external_id=row.external_id)
    initiative = services.initiative_submit(
        initiative=initiative, actor=actor, submitted_at=row.submitted_at
    )
    return initiative, existing is None


def _update_submitted(row: PlannedRow, *, actor, check: bool) -> Initiative:
    """Re-import of an initiative already handed in: the archive is the source of truth
    for its content. Its workflow state and decisions stay as they are; a changed text
    is checked again (a decided initiative keeps its decision, see initiative_record_check).
    """
    locked = Initiative.objects.select_for_update().get(pk=row.existing.pk)
    before = [getattr(locked, name) for name in services.TEXT_FIELDS]
    for name in services.EDITABLE_FIELDS:
        if name in row.data:
            setattr(locked, name, row.data[name])
    if row.submitted_at is not None:
        locked.submitted_at = row.submitted_at
    locked.search_text = services.search_text_for(
        locked, author_names=[a.full_name for a in row.authors]
    )
    locked.full_clean()
    locked.save()
    services._replace_authors(locked, row.authors)
    # A new unit, date, group, field or benefit moves its count (this path once left the
    # counters behind: 1,000 counted where 5,000 had been handed in).
    services.counted_write(locked)
    changed = before != [getattr(locked, name) for name in services.TEXT_FIELDS]
    if check and changed:
        pk = locked.pk
        transaction.on_commit(lambda: services.enqueue_similarity_check(pk))
    return locked


def _write_bulk(rows: list[PlannedRow], *, actor, check: bool) -> list[Initiative]:
    """Insert many NEW initiatives at once, in the state `initiative_submit` leaves them.

    Same validation as the services (done before), same result: status `checking`,
    `submitted_at`, `top_unit`, `search_text`, authors, the two workflow events
    (submit by the importer, start_check), one history row, and the check enqueued
    after commit (or left for the sweep when `check` is False). Call inside atomic().
    """
    now = timezone.now()
    # The top-level unit on the day of submission (the tree as it stood then).
    top_units: dict[tuple[int, dt.date], int | None] = {}
    initiatives = []
    for row in rows:
        unit = row.data["unit"]
        submitted_at = row.submitted_at or now
        key = (unit.pk, timezone.localdate(submitted_at))
        if key not in top_units:
            top_units[key] = services.top_unit_id_on(unit, submitted_at)
        initiative = Initiative(entered_by=actor, external_id=row.external_id or None)
        for name in services.EDITABLE_FIELDS:
            if name in row.data:
                setattr(initiative, name, row.data[name])
        initiative.status = Status.CHECKING
        initiative.submitted_at = submitted_at
        initiative.top_unit_id = top_units[key]
        initiative.search_text = services.search_text_for(
            initiative, author_names=[a.full_name for a in row.authors]
        )
        initiatives.append(initiative)
    Initiative.objects.bulk_create(initiatives)
    authors, events = [], []
    for initiative, row in zip(initiatives, rows, strict=True):
        authors.extend(_author_rows(initiative, row.authors))
        events.append(
            InitiativeEvent(
                initiative=initiative,
                transition="submit",
                from_status=Status.DRAFT,
                to_status=Status.SUBMITTED,
                actor=actor,
            )
        )
        events.append(
            InitiativeEvent(
                initiative=initiative,
                transition="start_check",
                from_status=Status.SUBMITTED,
                to_status=Status.CHECKING,
            )
        )
    InitiativeAuthor.objects.bulk_create(authors)
    InitiativeEvent.objects.bulk_create(events)
    Initiative.history.bulk_history_create(initiatives, default_user=actor)
    if check:
        ids = [i.pk for i in initiatives]
        transaction.on_commit(lambda: [services.enqueue_similarity_check(pk) for pk in ids])
    return initiatives


def _update_bulk(
    rows: list[PlannedRow], *, actor, check: bool
) -> tuple[list[Initiative], list[Initiative], list[PlannedRow]]:
    """Re-import of many initiatives already handed in, as `_update_submitted` does one:
    content replaced, workflow state kept, changed text checked again. Rows identical to
    what is stored are left alone (no write, no history row): re-importing the same
    archive is cheap. Returns (updated, unchanged, rows left for the services: an
    initiative returned for revision meanwhile is resubmitted instead). Call inside atomic().
    """
    # FOR UPDATE: a reviewer may be deciding on one of these right now.
    locked = {
        i.pk: i
        for i in Initiative.objects.select_for_update()
        .filter(pk__in=[r.existing.pk for r in rows])
        .prefetch_related("authors")
    }
    now = timezone.now()
    updated, unchanged, left, to_check, authors = [], [], [], [], []
    fields = {"search_text", "updated_at"}
    for row in rows:
        initiative = locked.get(row.existing.pk)
        if initiative is None or initiative.is_editable:
            left.append(row)
            continue
        names = [n for n in services.EDITABLE_FIELDS if n in row.data]
        if row.submitted_at is not None:
            names.append("submitted_at")
        values = {**row.data, "submitted_at": row.submitted_at}
        before_text = [getattr(initiative, name) for name in services.TEXT_FIELDS]
        before = [_stored(initiative, name) for name in names]
        for name in names:
            setattr(initiative, name, values[name])
        new_authors = _author_rows(initiative, row.authors)
        if before == [_stored(initiative, name) for name in names] and _same_authors(
            list(initiative.authors.all()), new_authors
        ):
            unchanged.append(initiative)
            continue
        fields.update(names)
        initiative.search_text = services.search_text_for(
            initiative, author_names=[a.full_name for a in row.authors]
        )
        initiative.updated_at = now
        if before_text != [getattr(initiative, name) for name in services.TEXT_FIELDS]:
            to_check.append(initiative.pk)
        authors.extend(new_authors)
        updated.append(initiative)
    if updated:
        # One plain UPDATE a row: bulk_update's CASE-per-column statements measured ~7 ms a
        # row on PostgreSQL, several times slower than this.
        columns = sorted(fields)
        for initiative in updated:
            Initiative.objects.filter(pk=initiative.pk).update(
                **{name: getattr(initiative, name) for name in columns}
            )
        InitiativeAuthor.objects.filter(initiative__in=updated).delete()
        InitiativeAuthor.objects.bulk_create(authors)
        Initiative.history.bulk_history_create(updated, update=True, default_user=actor)
        for initiative in updated:
            services.counted_write(initiative)  # rows locked above
    if check and to_check:
        transaction.on_commit(lambda: [services.enqueue_similarity_check(pk) for pk in to_check])
    return updated, unchanged, left


def _stored(initiative: Initiative, name: str):
    """A field's value as stored: the id for a foreign key."""
    return getattr(initiative, Initiative._meta.get_field(name).attname)


AUTHOR_COMPARED = (
    "full_name",
    "external_person_id",
    "date_of_birth",
    "workplace",
    "job_title",
    "qualification",
    "contribution_percent",
)


def _same_authors(old: list[InitiativeAuthor], new: list[InitiativeAuthor]) -> bool:
    def key(author: InitiativeAuthor) -> tuple:
        return tuple(getattr(author, name) for name in AUTHOR_COMPARED)

    return [key(a) for a in old] == [key(a) for a in new]


def _author_rows(initiative: Initiative, authors: list[AuthorData]) -> list[InitiativeAuthor]:
    return [
        InitiativeAuthor(
            initiative=initiative,
            full_name=author.full_name.strip(),
            external_person_id=author.external_person_id,
            date_of_birth=author.date_of_birth,
            workplace=author.workplace,
            job_title=author.job_title,
            qualification=author.qualification,
            contribution_percent=Decimal(author.contribution_percent),
            position=position,
        )
        for position, author in enumerate(authors)
    ]


def _error_messages(exc: ValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            (_COLUMN_OF.get(name, "" if name == "__all__" else name), message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [("", message) for message in exc.messages]


class _RowFailed(Exception):
    def __init__(self, row: int, errors: list[tuple[str, str]]):
        super().__init__(row)
        self.row = row
        self.errors = errors


def _write_chunk(
    planned: list[PlannedRow],
    *,
    actor,
    report: ImportReport,
    check: bool,
    bulk: bool,
    strict: bool,
    on_row: Callable[[], None] | None = None,
) -> None:
    """Write valid rows. Call inside atomic(). With `strict` one failure raises _RowFailed.

    Whatever fails in a row (the services' rules, a unique id taken meanwhile, a value
    the database refuses) is that row's error: it never ends the import half-written.
    """
    new_rows = [r for r in planned if r.existing is None]
    if bulk and new_rows:
        try:
            with transaction.atomic():
                created = _write_bulk(new_rows, actor=actor, check=check)
                # Counted in the same transaction as the rows: a crash between the two
                # cannot leave them uncounted.
                tally_record_many(initiative_ids=[i.pk for i in created])
        except IntegrityError:
            # Someone else inserted one of these external ids meanwhile: go row by row.
            logger.warning("bulk insert of %d rows failed; retrying one by one", len(new_rows))
        else:
            report.created += len(created)
            report.initiative_ids.extend(
                i.pk for i in created[: max(0, MAX_REPORTED_IDS - len(report.initiative_ids))]
            )
            planned = [r for r in planned if r.existing is not None]
    handed_in = [r for r in planned if r.existing is not None and not r.existing.is_editable]
    if bulk and handed_in:
        with transaction.atomic():
            updated, unchanged, left = _update_bulk(handed_in, actor=actor, check=check)
        report.updated += len(updated)
        report.unchanged += len(unchanged)
        done = {r.row for r in handed_in} - {r.row for r in left}
        planned = [r for r in planned if r.row not in done]
    for row in planned:
        try:
            with transaction.atomic():
                initiative, created = _write_with_services(row, actor=actor, check=check)
        except ValidationError as exc:
            errors = _error_messages(exc)
        except IntegrityError:
            errors = [
                ("external_id", _(MSG_EXTERNAL_ID_REFUSED).format(external_id=row.external_id))
            ]
        except DatabaseError:
            logger.warning("import row %d refused by the database", row.row, exc_info=True)
            errors = [("", _(MSG_ROW_NOT_WRITTEN))]
        else:
            if created:
                report.created += 1
            else:
                report.updated += 1
            if len(report.initiative_ids) < MAX_REPORTED_IDS:
                report.initiative_ids.append(initiative.pk)
            if on_row is not None:
                on_row()
            continue
        if on_row is not None:
            on_row()
        if strict:
            raise _RowFailed(row.row, errors)
        for column, message in errors:
            report.add(row.row, column, message)


def _chunks(source: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in source:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


ProgressCallback = Callable[[str, int], None]
CheckpointCallback = Callable[[dict], None]


class _Ticker:
    """Counts rows as they are done and reports each to the progress callback, which
    decides how often to write it (a job: every second or so)."""

    def __init__(self, progress: ProgressCallback, phase: str, done: int = 0) -> None:
        self.progress, self.phase, self.done = progress, phase, done

    def __call__(self) -> None:
        self.done += 1
        self.progress(self.phase, self.done)

    def reach(self, done: int) -> None:
        """After a chunk: count the rows no tick stood for (blank, bad, bulk-written)."""
        self.done = done
        self.progress(self.phase, done)


def import_initiatives(
    *,
    source: RowSource,
    actor,
    scope,
    all_or_nothing: bool = True,
    default_unit_code: str = "",
    default_participant_group: str = "",
    check: bool = True,
    bulk: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_progress: ProgressCallback | None = None,
    on_checkpoint: CheckpointCallback | None = None,
    resume: dict | None = None,
) -> ImportReport:
    """Validate and write the rows of `source` as initiatives entered by `actor`.

    `scope` (a `portal.tenancy.Scope`) bounds the units rows may name. `on_progress`
    is called as (phase, rows done) after every row, with phase "validate" or "write".

    `on_checkpoint(state)` is called inside the transaction that writes a chunk, last:
    `state` committed means exactly those rows are written. Given back as `resume`,
    the import goes on after them (valid-rows mode), or returns the finished report
    (all-or-nothing, whose only checkpoint is the whole file written).
    """
    progress = on_progress or (lambda phase, done: None)
    resume = resume or {}
    if resume.get("complete"):
        return _finish(ImportReport.from_checkpoint(resume["report"]))

    def validator(report: ImportReport) -> _Validator:
        return _Validator(
            scope=scope,
            report=report,
            default_unit=default_unit_code,
            default_group=default_participant_group,
        )

    if all_or_nothing:
        return _import_all_or_nothing(
            source,
            validator,
            actor=actor,
            check=check,
            bulk=bulk,
            chunk_size=chunk_size,
            progress=progress,
            on_checkpoint=on_checkpoint,
        )

    if resume.get("report"):
        report = ImportReport.from_checkpoint(resume["report"])
        report.all_or_nothing = False
    else:
        report = ImportReport(all_or_nothing=False)
    writer = validator(report)
    skip_through = resume.get("row", 0)
    ticker = _Ticker(progress, "write", done=resume.get("done", 0))
    done = ticker.done
    remaining = []
    for number, cells, parse_error in source:
        if number <= skip_through:
            writer.remember(number, cells)  # written (or reported) before the checkpoint
        else:
            remaining.append((number, cells, parse_error))
            if len(remaining) < chunk_size:
                continue
        if remaining:
            done = _write_valid_rows(
                remaining,
                writer,
                report,
                ticker,
                done,
                actor=actor,
                check=check,
                bulk=bulk,
                on_checkpoint=on_checkpoint,
            )
            remaining = []
    if remaining:
        done = _write_valid_rows(
            remaining,
            writer,
            report,
            ticker,
            done,
            actor=actor,
            check=check,
            bulk=bulk,
            on_checkpoint=on_checkpoint,
        )
    report.total = done
    return _finish(report)


def _write_valid_rows(
    chunk, writer, report, ticker, done, *, actor, check, bulk, on_checkpoint
) -> int:
    """One chunk of an import of the valid rows: its own transaction and checkpoint."""
    planned = writer.validate_chunk(chunk)
    with transaction.atomic():
        _write_chunk(
            planned,
            actor=actor,
            report=report,
            check=check,
            bulk=bulk,
            strict=False,
            on_row=ticker,
        )
        done += len(chunk)
        if on_checkpoint is not None:
            on_checkpoint({"row": chunk[-1][0], "done": done, "report": report.checkpoint_dict()})
    ticker.reach(done)
    return done


def _import_all_or_nothing(
    source, validator, *, actor, check, bulk, chunk_size, progress, on_checkpoint
) -> ImportReport:
    # First pass: validate only; one bad row and nothing is written.
    report = ImportReport(all_or_nothing=True)
    first = validator(report)
    ticker = _Ticker(progress, "validate")
    done = 0
    for chunk in _chunks(source, chunk_size):
        first.validate_chunk(chunk, on_row=ticker)
        done += len(chunk)
        ticker.reach(done)
    report.total = done
    if report.bad_rows or not done:
        return _finish(report)
    # Second pass: nothing was wrong, write it all or nothing. Any failure of any row
    # (the services, the database, a worker killed) rolls every row back.
    report = ImportReport(total=done, all_or_nothing=True)
    second = validator(report)
    ticker = _Ticker(progress, "write")
    written = 0
    try:
        with transaction.atomic():
            for chunk in _chunks(source, chunk_size):
                planned = second.validate_chunk(chunk)
                if report.bad_rows:
                    raise _RowFailed(0, [])
                _write_chunk(
                    planned,
                    actor=actor,
                    report=report,
                    check=check,
                    bulk=bulk,
                    strict=True,
                    on_row=ticker,
                )
                written += len(chunk)
                ticker.reach(written)
            if on_checkpoint is not None:
                on_checkpoint(
                    {"complete": True, "done": written, "report": report.checkpoint_dict()}
                )
    except _RowFailed as failed:
        for column, message in failed.errors:
            report.add(failed.row, column, message)
        report.created = report.updated = report.unchanged = 0
        report.initiative_ids = []
    return _finish(report)


def _finish(report: ImportReport) -> ImportReport:
    if not report.total:
        report.add(0, "", _(MSG_NO_ROWS))
    report.errors.sort(key=lambda e: e.row)
    return report


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
