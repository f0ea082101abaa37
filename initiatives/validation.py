"""One validation of an initiative, for every way one comes in.

The form (through `initiative_save_draft` and `initiative_submit`), every import (XLSX,
CSV, JSONL, row by row and in bulk: `initiatives.importing._Validator`) and the API
(create, update, `POST /api/v1/initiatives/{id}/submit/`) all ask these two functions,
so an initiative refused by one is refused by the others with the same messages:

- `draft_problems`: what even a draft may not hold (a first-applied date in the future,
  an author born in an impossible year, more than `MAX_AUTHORS` authors, an award
  written by someone who is not a union officer of the unit);
- `submission_problems`: what an initiative needs before it is handed in (the fields
  Decree 13/2012/NĐ-CP asks for, authors whose shares add up to 100%, a submission date
  not in the future), plus the draft rules.

Each problem carries the field it is about, a code (stable, for programs and tests) and
a Vietnamese message (a module constant).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from initiatives import fields

MAX_AUTHORS = 20
# An author is at least 15 and at most 100 years old on the day of checking.
YOUNGEST_AUTHOR_AGE = 15
OLDEST_AUTHOR_AGE = 100

MSG_REQUIRED = gettext_noop("Cần có “{label}” trước khi nộp.")
MSG_NO_AUTHOR = gettext_noop("Cần ít nhất một tác giả.")
MSG_CONTRIBUTIONS_NOT_100 = gettext_noop(
    "Tổng tỷ lệ đóng góp của các tác giả phải bằng 100% (hiện là {total}%)."
)
MSG_TOO_MANY_AUTHORS = gettext_noop("Một sáng kiến có tối đa {limit} tác giả (đang có {count}).")
MSG_BIRTH_DATE = gettext_noop("Ngày sinh của tác giả “{name}” phải từ {earliest} đến {latest}.")
MSG_FIRST_APPLIED_IN_FUTURE = gettext_noop("Ngày áp dụng lần đầu không thể ở tương lai.")
MSG_SUBMITTED_IN_FUTURE = gettext_noop("Ngày nộp không thể ở tương lai.")
MSG_AWARD_OFFICERS_ONLY = gettext_noop("Chỉ cán bộ công đoàn của đơn vị mới được ghi giải thưởng.")

# What Decree 13/2012/NĐ-CP needs before an initiative can be handed in (beyond the
# title, unit and participant group every draft has): declared in `initiatives.fields`.
REQUIRED_TO_SUBMIT = fields.REQUIRED_TO_SUBMIT


class Code:
    REQUIRED = "required"
    NO_AUTHOR = "no_author"
    SHARES = "shares_not_100"
    TOO_MANY_AUTHORS = "too_many_authors"
    BIRTH_DATE = "birth_date_out_of_range"
    FUTURE_DATE = "future_date"
    AWARD = "award_officers_only"


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str


def _label(name: str) -> str:
    from initiatives.models import Initiative

    return str(Initiative._meta.get_field(name).verbose_name)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _format_percent(total: Decimal) -> str:
    return f"{total:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def draft_problems(
    *,
    values: Mapping,
    authors: Sequence | None,
    may_set_award: bool = True,
    previous_award: str = "",
    today: dt.date | None = None,
) -> list[Problem]:
    """What even a draft may not hold. `authors`: objects with `full_name` and
    `date_of_birth` (AuthorData or InitiativeAuthor), or None when unchanged."""
    today = today or timezone.localdate()
    problems = []
    first_applied = _as_date(values.get("first_applied_on"))
    if first_applied is not None and first_applied > today:
        problems.append(
            Problem("first_applied_on", Code.FUTURE_DATE, _(MSG_FIRST_APPLIED_IN_FUTURE))
        )
    if authors is not None:
        if len(authors) > MAX_AUTHORS:
            problems.append(
                Problem(
                    "authors",
                    Code.TOO_MANY_AUTHORS,
                    _(MSG_TOO_MANY_AUTHORS).format(limit=MAX_AUTHORS, count=len(authors)),
                )
            )
        earliest = _years_before(today, OLDEST_AUTHOR_AGE)
        latest = _years_before(today, YOUNGEST_AUTHOR_AGE)
        for author in authors:
            born = _as_date(getattr(author, "date_of_birth", None))
            if born is not None and not earliest <= born <= latest:
                problems.append(
                    Problem(
                        "authors",
                        Code.BIRTH_DATE,
                        _(MSG_BIRTH_DATE).format(
                            name=author.full_name.strip(),
                            earliest=f"{earliest:%d/%m/%Y}",
                            latest=f"{latest:%d/%m/%Y}",
                        ),
                    )
                )
    award = (values.get("award") or "").strip()
    if not may_set_award and award != (previous_award or "").strip():
        problems.append(Problem("award", Code.AWARD, _(MSG_AWARD_OFFICERS_ONLY)))
    return problems


def submission_problems(
    *,
    values: Mapping,
    authors: Sequence,
    submitted_at=None,
    today: dt.date | None = None,
) -> list[Problem]:
    """Everything an initiative needs before it is handed in (the draft rules included)."""
    today = today or timezone.localdate()
    problems = [
        Problem(name, Code.REQUIRED, _(MSG_REQUIRED).format(label=_label(name)))
        for name in REQUIRED_TO_SUBMIT
        if _blank(values.get(name))
    ]
    problems += draft_problems(values=values, authors=authors, today=today)
    if not authors:
        problems.append(Problem("authors", Code.NO_AUTHOR, _(MSG_NO_AUTHOR)))
    else:
        total = sum((Decimal(a.contribution_percent or 0) for a in authors), Decimal(0))
        if total != Decimal(100):
            problems.append(
                Problem(
                    "authors",
                    Code.SHARES,
                    _(MSG_CONTRIBUTIONS_NOT_100).format(total=_format_percent(total)),
                )
            )
    submitted = _as_date(submitted_at)
    if submitted is not None and submitted > today:
        problems.append(Problem("submitted_at", Code.FUTURE_DATE, _(MSG_SUBMITTED_IN_FUTURE)))
    return problems


def values_of(initiative) -> dict:
    """The fields the rules read, from a (possibly unsaved) initiative."""
    return {
        name: getattr(initiative, name)
        for name in (*REQUIRED_TO_SUBMIT, "first_applied_on", "award", "title")
    }


def as_validation_error(problems: Iterable[Problem]) -> ValidationError:
    errors: dict[str, list[ValidationError]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(
            ValidationError(problem.message, code=problem.code)
        )
    return ValidationError(errors)


def raise_problems(problems: Sequence[Problem]) -> None:
    if problems:
        raise as_validation_error(problems)
