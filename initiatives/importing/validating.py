"""Validating an initiative import: every cell parsed, every row checked against the
same rules as the form and the API (`initiatives.validation`), every problem reported as
(row, column, reason); valid rows become `PlannedRow`s for `writing`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import parsing as strict
from core.tabular import ImportReport
from core.text import fold_accents
from federation.models import OrgUnit
from initiatives import fields as sections
from initiatives import services, validation
from initiatives.importing.reading import (
    _COLUMN_OF,
    AUTHOR_SEPARATOR,
    KNOWN_COLUMNS,
    REQUIRED_COLUMNS,
    column_header,
)
from initiatives.models import Field, Initiative, ParticipantGroup
from initiatives.services import AuthorData

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

# Columns an initiative needs before it is handed in (`initiatives.validation`): an
# import hands every row in, so a row without them is refused with the reason.
_REQUIRED_TO_SUBMIT = frozenset(
    sections.BY_NAME[name].column_name for name in validation.REQUIRED_TO_SUBMIT
)
TRUE_WORDS = {"có", "co", "x", "1", "true", "yes", "đúng", "dung", "mật", "mat"}
FALSE_WORDS = {"", "không", "khong", "0", "false", "no", "sai"}
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
    """A date in the strict range of core.parsing (no year 1, no year 9999), or from
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
        # Not the codes of rows the reader refused: a NUL never reaches the database.
        self.lookups.load_units(
            _text(cells.get("unit_code")) for _n, cells, error in chunk if cells and not error
        )
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
