"""Reporting periods: programme to date, year, quarter, week or any date range."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import parsing

# Guideline 46/HD-TLĐ of 30/12/2021 launched the programme for 2022 onwards.
PROGRAMME_START = dt.date(2022, 1, 1)
# The earliest day a period, a target or a report may name: older archives are imported,
# but nothing counts before 2000 (and year 1 overflows on the way to a datetime).
PROGRAMME_EARLIEST = dt.date(2000, 1, 1)

MSG_BAD_PERIOD = gettext_noop("Khoảng thời gian không hợp lệ.")
MSG_RANGE_REVERSED = gettext_noop("Ngày bắt đầu phải trước ngày kết thúc.")

PERIOD_KINDS = ("all", "year", "quarter", "week", "range")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.kind == "all":
            return _("Từ đầu chương trình đến %(end)s") % {"end": f"{self.end:%d/%m/%Y}"}
        if self.kind == "year":
            return _("Năm %(year)s") % {"year": self.start.year}
        if self.kind == "quarter":
            return _("Quý %(q)s/%(year)s") % {
                "q": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        if self.kind == "week":
            return _("Tuần %(start)s – %(end)s") % {
                "start": f"{self.start:%d/%m}",
                "end": f"{self.end:%d/%m/%Y}",
            }
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"

    def query(self) -> str:
        """The query-string that selects this period again."""
        if self.kind == "all":
            return "period=all"
        if self.kind == "year":
            return f"period=year&year={self.start.year}"
        if self.kind == "quarter":
            return (
                f"period=quarter&year={self.start.year}&quarter={(self.start.month - 1) // 3 + 1}"
            )
        if self.kind == "week":
            return f"period=week&week={self.start:%Y-%m-%d}"
        return f"period=range&start={self.start:%Y-%m-%d}&end={self.end:%Y-%m-%d}"


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def programme(today: dt.date | None = None) -> Period:
    return Period("all", PROGRAMME_START, today or timezone.localdate())


def year(y: int) -> Period:
    return Period("year", dt.date(y, 1, 1), dt.date(y, 12, 31))


def quarter(y: int, q: int) -> Period:
    if q not in (1, 2, 3, 4):
        raise PeriodError(_(MSG_BAD_PERIOD))
    start = dt.date(y, 3 * q - 2, 1)
    end = dt.date(y + 1, 1, 1) if q == 4 else dt.date(y, 3 * q + 1, 1)
    return Period("quarter", start, end - dt.timedelta(days=1))


def week(day: dt.date) -> Period:
    monday = week_start(day)
    return Period("week", monday, monday + dt.timedelta(days=6))


def date_range(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise PeriodError(_(MSG_RANGE_REVERSED))
    return Period("range", start, end)


def _int(value, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return parsing.parse_int(value)
    except parsing.ParseError:
        return default


def _date(value) -> dt.date:
    try:
        return parsing.parse_date(value, low=PROGRAMME_EARLIEST)
    except parsing.ParseError as exc:
        raise PeriodError(_(MSG_BAD_PERIOD)) from exc


def parse(params, *, today: dt.date | None = None, default: str = "all") -> Period:
    """A period from query parameters; raises PeriodError with a Vietnamese message."""
    today = today or timezone.localdate()
    kind = params.get("period") or default
    if kind == "all":
        return programme(today)
    if kind == "year":
        y = _int(params.get("year"), today.year)
        if not 2000 <= y <= 2100:
            raise PeriodError(_(MSG_BAD_PERIOD))
        return year(y)
    if kind == "quarter":
        y = _int(params.get("year"), today.year)
        q = _int(params.get("quarter"), (today.month - 1) // 3 + 1)
        if not 2000 <= y <= 2100:
            raise PeriodError(_(MSG_BAD_PERIOD))
        return quarter(y, q)
    if kind == "week":
        return week(_date(params.get("week")) if params.get("week") else today)
    if kind == "range":
        return date_range(_date(params.get("start")), _date(params.get("end")))
    raise PeriodError(_(MSG_BAD_PERIOD))


def split_weeks(start: dt.date, end: dt.date):
    """(first full Monday, Monday after the last full week, edge day ranges)."""
    first = start if start.weekday() == 0 else week_start(start) + dt.timedelta(days=7)
    after = week_start(end + dt.timedelta(days=1))  # Monday following the last full week
    if first >= after:
        return None, None, [(start, end)]
    edges = []
    if start < first:
        edges.append((start, first - dt.timedelta(days=1)))
    if after <= end:
        edges.append((after, end))
    return first, after, edges


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def decompose(start: dt.date, end: dt.date):
    """Split [start, end] into full months, full ISO weeks and single days, fewest rows first.

    Returns (months, weeks, days): months and weeks as [first, after) pairs, days as
    inclusive (start, end) pairs. Together they cover every day exactly once.
    """
    first = start if start.day == 1 else _next_month(start)
    after = _month_start(end + dt.timedelta(days=1))
    if first >= after:
        segments, months = [(start, end)], []
    else:
        months = [(first, after)]
        segments = []
        if start < first:
            segments.append((start, first - dt.timedelta(days=1)))
        if after <= end:
            segments.append((after, end))
    weeks, days = [], []
    for seg_start, seg_end in segments:
        week_first, week_after, edges = split_weeks(seg_start, seg_end)
        if week_first is not None:
            weeks.append((week_first, week_after))
        days.extend(edges)
    return months, weeks, days
