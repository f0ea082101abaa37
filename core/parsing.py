"""Strict parsing of everything that comes from outside: query parameters, form
fields, API fields and import cells.

One set of rules, so no page answers 500 to odd input:
- digits are ASCII only (`"²".isdigit()` is True, `int("²")` raises);
- integers and decimals are bounded and finite (no NaN, Infinity, sNaN, 1e30);
- dates are in a sane range (no year 1, no year 9999 that overflows on + 1 day);
- text has no NUL or other control characters (PostgreSQL refuses NUL) and a bounded size.

Functions raise `ParseError` (a ValueError) with a Vietnamese message; the
`query_*` helpers for query parameters fall back to a default instead, as a page
with a strange parameter should still show itself.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

MSG_NOT_AN_INTEGER = gettext_noop("“{value}” không phải là số nguyên.")
MSG_INTEGER_OUT_OF_RANGE = gettext_noop("{value} phải nằm trong khoảng {low} đến {high}.")
MSG_NOT_A_NUMBER = gettext_noop("“{value}” không phải là số hợp lệ.")
MSG_NOT_A_DATE = gettext_noop("“{value}” không phải là ngày hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd).")
MSG_DATE_OUT_OF_RANGE = gettext_noop("Ngày {value} phải nằm trong khoảng {low} đến {high}.")
MSG_CONTROL_CHARACTERS = gettext_noop("Nội dung chứa ký tự điều khiển không hợp lệ.")
MSG_TOO_LONG = gettext_noop("Nội dung quá dài (tối đa {limit} ký tự).")

# The programme's dates: nothing before the confederation's archive, nothing far ahead.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
# PostgreSQL `integer`.
INT_MAX = 2**31 - 1
# Money in VND fits NUMERIC(18, 0) with room to spare.
MAX_DECIMAL = Decimal(10) ** 15
MAX_TEXT_CHARS = 100_000

_ASCII_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_ASCII_DECIMAL = re.compile(r"[+-]?[0-9]{1,18}(\.[0-9]{0,6})?")
# Line breaks and tabs are fine in long text; every other control character is not.
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


class ParseError(ValueError):
    pass


def has_control_characters(value: str, *, multiline: bool = True) -> bool:
    allowed = _ALLOWED_CONTROLS if multiline else set()
    return any(ch not in allowed and unicodedata.category(ch) in ("Cc", "Cs") for ch in value)


def parse_text(value, *, max_length: int = MAX_TEXT_CHARS, multiline: bool = True) -> str:
    text = "" if value is None else str(value)
    if has_control_characters(text, multiline=multiline):
        raise ParseError(_(MSG_CONTROL_CHARACTERS))
    if len(text) > max_length:
        raise ParseError(_(MSG_TOO_LONG).format(limit=max_length))
    return text.strip()


def parse_int(value, *, low: int = -INT_MAX, high: int = INT_MAX) -> int:
    """An integer written with ASCII digits (a float cell like 12.0 is accepted)."""
    if isinstance(value, bool):
        raise ParseError(_(MSG_NOT_AN_INTEGER).format(value=value))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            raise ParseError(_(MSG_NOT_AN_INTEGER).format(value=value))
        if abs(value) > 1e18:
            raise ParseError(_(MSG_INTEGER_OUT_OF_RANGE).format(value=value, low=low, high=high))
        number = int(value)
    else:
        text = str(value).strip().replace(" ", "")
        if text.endswith(".0"):
            text = text[:-2]
        if not _ASCII_INTEGER.fullmatch(text):
            raise ParseError(_(MSG_NOT_AN_INTEGER).format(value=_shown(value)))
        number = int(text)
    if not low <= number <= high:
        raise ParseError(_(MSG_INTEGER_OUT_OF_RANGE).format(value=number, low=low, high=high))
    return number


def parse_decimal(value, *, low: Decimal = -MAX_DECIMAL, high: Decimal = MAX_DECIMAL) -> Decimal:
    """A finite decimal written plainly (no exponent, no NaN/Infinity/sNaN)."""
    if isinstance(value, bool):
        raise ParseError(_(MSG_NOT_A_NUMBER).format(value=value))
    if isinstance(value, int | float | Decimal):
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ParseError(_(MSG_NOT_A_NUMBER).format(value=value)) from exc
    else:
        text = str(value).strip().replace(" ", "")
        if not _ASCII_DECIMAL.fullmatch(text):
            raise ParseError(_(MSG_NOT_A_NUMBER).format(value=_shown(value)))
        number = Decimal(text)
    if not number.is_finite():
        raise ParseError(_(MSG_NOT_A_NUMBER).format(value=_shown(value)))
    if not low <= number <= high:
        raise ParseError(_(MSG_INTEGER_OUT_OF_RANGE).format(value=number, low=low, high=high))
    return number


def parse_date(value, *, low: dt.date = MIN_DATE, high: dt.date = MAX_DATE) -> dt.date:
    """A date (dd/mm/yyyy, d/m/yyyy, yyyy-mm-dd, or a spreadsheet date) in [low, high]."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        day = None
        if text.isascii():
            for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
                try:
                    day = dt.datetime.strptime(text, fmt).date()
                    break
                except ValueError:
                    continue
        if day is None:
            raise ParseError(_(MSG_NOT_A_DATE).format(value=_shown(value)))
    if not low <= day <= high:
        raise ParseError(
            _(MSG_DATE_OUT_OF_RANGE).format(
                value=f"{day:%d/%m/%Y}", low=f"{low:%d/%m/%Y}", high=f"{high:%d/%m/%Y}"
            )
        )
    return day


def _shown(value) -> str:
    """The offending value as it may be shown back (no control characters, short)."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return text[:40]


# --- query parameters: a strange value means "not given" -----------------------------------


def query_text(params, name: str, *, max_length: int = 200) -> str:
    """A text parameter, control characters removed, cut to `max_length`."""
    raw = params.get(name, "") or ""
    cleaned = "".join(ch for ch in str(raw) if unicodedata.category(ch) not in ("Cc", "Cs"))
    return cleaned.strip()[:max_length]


def query_int(params, name: str, *, default=None, low: int = -INT_MAX, high: int = INT_MAX):
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        return parse_int(raw, low=low, high=high)
    except ParseError:
        return default


def query_ids(params, name: str, *, limit: int = 1000) -> list[int]:
    """Positive ids from a repeated parameter (`?ids=1&ids=2`); anything else is dropped."""
    ids = []
    for raw in params.getlist(name)[:limit]:
        try:
            ids.append(parse_int(raw, low=1))
        except ParseError:
            continue
    return ids


# --- forms ----------------------------------------------------------------------------------


def validate_no_control_characters(value) -> None:
    """Form/serializer validator: no NUL or control characters (line breaks allowed)."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(_(MSG_CONTROL_CHARACTERS), code="control_characters")


def validate_date_in_range(value) -> None:
    if isinstance(value, dt.date):
        try:
            parse_date(value)
        except ParseError as exc:
            raise ValidationError(str(exc), code="date_range") from exc


def validate_finite_decimal(value) -> None:
    if isinstance(value, Decimal):
        try:
            parse_decimal(value)
        except ParseError as exc:
            raise ValidationError(str(exc), code="decimal") from exc


class StrictFormMixin:
    """Applies the strict rules to every field of a form: text without control
    characters, dates in range, finite bounded decimals, integers that fit.

    `dates_judged_elsewhere` names date fields whose range a shared validation checks
    with its own message (an author's birth date: `initiatives.validation`)."""

    dates_judged_elsewhere: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                field.validators.append(validate_no_control_characters)
            elif isinstance(field, forms.DateField) and name not in self.dates_judged_elsewhere:
                field.validators.append(validate_date_in_range)
            elif isinstance(field, forms.DecimalField):
                field.validators.append(validate_finite_decimal)
            elif isinstance(field, forms.IntegerField):
                if field.max_value is None or field.max_value > INT_MAX:
                    field.max_value = INT_MAX
                    field.validators.append(MaxValueValidator(INT_MAX))
                if field.min_value is None or field.min_value < -INT_MAX:
                    field.min_value = -INT_MAX
                    field.validators.append(MinValueValidator(-INT_MAX))
