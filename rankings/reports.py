"""The weekly report of a unit for its standing committee: XLSX (openpyxl) and PDF (WeasyPrint).

The content is computed once (`weekly_report_content`) as of the end of the week, so
regenerating a past week gives that week's figures, then written in both formats.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.tenancy import subtree_q
from core.tabular import safe_workbook
from federation.models import OrgUnit
from initiatives.models import COUNTED_VALID, Initiative
from rankings import periods, selectors
from rankings.exports import _cell
from rankings.models import RankingMode
from rankings.selectors import RankRow, Totals

CATEGORY_OF_KIND = {"province": "province", "sector": "sector", "corporation": "corporation"}


@dataclass
class ModeFigures:
    """Programme-to-date figures and rank counted one way (see `RankingMode`)."""

    mode: str
    label: str
    to_date: Totals
    rank: int | None
    ranked_among: int


@dataclass
class WeeklyReportContent:
    unit: OrgUnit
    week: dt.date
    week_end: dt.date
    this_week: Totals
    to_date: Totals
    rank: int | None = None
    previous_rank: int | None = None
    ranked_among: int = 0
    rank_scope: str = ""
    progress: RankRow | None = None
    lagging: list[RankRow] = field(default_factory=list)
    top_initiatives: list[dict] = field(default_factory=list)
    generated_at: dt.datetime | None = None
    # Both ways of counting across the 2025 merger; the figures above are by today's tree.
    by_mode: list[ModeFigures] = field(default_factory=list)

    @property
    def change(self) -> int | None:
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def _totals(unit: OrgUnit, period, mode: str = RankingMode.TODAY) -> Totals:
    if unit.level == 0:
        total = Totals()
        for item in selectors.top_level_totals(period=period, mode=mode).values():
            total.submitted += item.submitted
            total.valid += item.valid
            total.recognised += item.recognised
            total.benefit_vnd += item.benefit_vnd
        return total
    return selectors.unit_totals(unit=unit, period=period, mode=mode)


def _rank(
    unit: OrgUnit, period, mode: str = RankingMode.TODAY
) -> tuple[int | None, int | None, int, str]:
    if unit.level == 0:
        return None, None, 0, ""
    if unit.level == 1:
        category = CATEGORY_OF_KIND.get(unit.kind, "all")
        ranking = selectors.national_ranking(period=period, mode=mode, category=category)
        rows, label = ranking.rows, str(selectors.CATEGORY_LABELS[category])
    else:
        rows = selectors.subunit_rows(unit=unit.parent, period=period, mode=mode)
        label = _("Trong %(parent)s") % {"parent": unit.parent.display_name}
    mine = next((r for r in rows if r.unit.pk == unit.pk), None)
    if mine is None:
        return None, None, len(rows), label
    return mine.rank, mine.previous_rank, len(rows), label


# Candidates read to fill the top ten when confidential ones are left out.
TOP_CANDIDATES = 200


def _top_initiatives(unit: OrgUnit, *, start: dt.date, end: dt.date) -> list[dict]:
    """The year's ten valid initiatives with the largest benefit.

    One file goes to every reader of the report (`report_readers`): a confidential
    initiative is listed only if every one of them may read its text
    (`initiatives.selectors.can_read_confidential_text`), since its benefit, and even
    its place in a list ordered by benefit, are not for people outside its chain.
    """
    from initiatives.selectors import can_read_confidential_text
    from rankings.services import report_readers

    readers = None
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    found = (
        Initiative.objects.filter(
            subtree_q([unit], "unit"),
            status__in=COUNTED_VALID,
            submitted_at__gte=since,
            submitted_at__lt=until,
        )
        .select_related("unit")
        .order_by("-benefit_vnd", "-submitted_at")[:TOP_CANDIDATES]
    )
    shown = []
    for initiative in found:
        if initiative.is_confidential:
            if readers is None:
                readers = report_readers(unit)
            if not readers or not all(
                can_read_confidential_text(reader, initiative) for reader in readers
            ):
                continue
        shown.append(initiative)
        if len(shown) == 10:
            break
    return [
        {
            "title": i.title,
            "unit": i.unit.display_name,
            "benefit_vnd": i.benefit_vnd,
            "submitted_on": timezone.localdate(i.submitted_at),
        }
        for i in shown
    ]


def weekly_report_content(*, unit: OrgUnit, week: dt.date) -> WeeklyReportContent:
    monday = periods.week_start(week)
    sunday = monday + dt.timedelta(days=6)
    to_date = periods.Period("all", periods.PROGRAMME_START, sunday)
    rank, previous_rank, among, label = _rank(unit, to_date)
    year = periods.year(sunday.year)
    progress = None
    # Progress and lagging count valid initiatives, as targets do (selectors.DEFAULT_COUNT).
    if unit.parent_id:
        siblings = selectors.progress_rows(unit=unit.parent, period=year, as_of=sunday)
        progress = next((r for r in siblings if r.unit.pk == unit.pk), None)
    lagging = [
        r for r in selectors.progress_rows(unit=unit, period=year, as_of=sunday) if r.lagging
    ]
    to_date_today = _totals(unit, to_date)
    by_mode = [ModeFigures(RankingMode.TODAY, "", to_date_today, rank, among)]
    historic_rank, _previous, historic_among, _label = _rank(unit, to_date, RankingMode.HISTORIC)
    by_mode.append(
        ModeFigures(
            RankingMode.HISTORIC,
            "",
            _totals(unit, to_date, RankingMode.HISTORIC),
            historic_rank,
            historic_among,
        )
    )
    for figures in by_mode:
        figures.label = str(RankingMode(figures.mode).label)
    return WeeklyReportContent(
        unit=unit,
        week=monday,
        week_end=sunday,
        this_week=_totals(unit, periods.week(monday)),
        to_date=to_date_today,
        rank=rank,
        previous_rank=previous_rank,
        ranked_among=among,
        rank_scope=label,
        progress=progress,
        lagging=lagging[:50],
        top_initiatives=_top_initiatives(unit, start=year.start, end=sunday),
        generated_at=timezone.now(),
        by_mode=by_mode,
    )


def _money(value) -> str:
    return f"{int(Decimal(value or 0)):,}".replace(",", ".")


def weekly_report_xlsx(content: WeeklyReportContent) -> bytes:
    # openpyxl imports numpy: loaded when a spreadsheet is made or read, not at start.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Tổng hợp")
    bold = Font(bold=True)
    sheet.append([_("Báo cáo tuần Chương trình “Một triệu sáng kiến”")])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Đơn vị"), content.unit.name])
    sheet.append([_("Tuần"), f"{content.week:%d/%m/%Y} – {content.week_end:%d/%m/%Y}"])
    sheet.append([_("Tính theo:"), str(selectors.MEASURE_BASIS[selectors.DEFAULT_MEASURE])])
    sheet.append([])
    sheet.append(["", _("Trong tuần"), _("Từ đầu chương trình")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    sheet.append([_("Sáng kiến hợp lệ"), content.this_week.valid, content.to_date.valid])
    sheet.append([_("Sáng kiến đã nộp"), content.this_week.submitted, content.to_date.submitted])
    sheet.append([_("Được công nhận"), content.this_week.recognised, content.to_date.recognised])
    sheet.append(
        [
            _("Giá trị làm lợi (đồng)"),
            _cell(content.this_week.benefit_vnd),
            _cell(content.to_date.benefit_vnd),
        ]
    )
    sheet.append([])
    sheet.append([_("Xếp hạng"), content.rank, content.rank_scope])
    sheet.append([_("Thay đổi so với tuần trước"), content.change])
    sheet.append([_("Cách tính:"), str(RankingMode.TODAY.label)])
    sheet.append([_("Xếp hạng theo:"), str(selectors.MEASURE_BASIS[selectors.DEFAULT_MEASURE])])
    sheet.append([])
    sheet.append([_("Hai cách tính"), _("Hợp lệ"), _("Đã nộp"), _("Xếp hạng")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for figures in content.by_mode:
        sheet.append(
            [figures.label, figures.to_date.valid, figures.to_date.submitted, figures.rank]
        )
    if content.progress is not None:
        p = content.progress
        sheet.append([])
        sheet.append([_("Tiến độ chỉ tiêu năm, tính theo:"), str(selectors.COUNTS[p.counted])])
        sheet.append([_("Chỉ tiêu năm"), p.target])
        sheet.append([_("Đã đạt (hợp lệ)"), p.count])
        sheet.append([_("Đã nộp"), p.submitted])
        sheet.append([_("% chỉ tiêu"), p.target_pct])
        sheet.append([_("Cần đạt đến nay"), p.expected])
        sheet.append([_("Cần mỗi tuần"), p.pace_per_week])
        sheet.append([_("Dự kiến cuối năm"), p.projected])
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 28
    sheet.column_dimensions["C"].width = 28

    lagging = workbook.create_sheet(_("Đơn vị chậm tiến độ"))
    lagging.append(
        [
            _("Mã"),
            _("Đơn vị"),
            _("Hợp lệ (đạt kiểm tra hoặc được duyệt)"),
            _("Đã nộp"),
            _("Chỉ tiêu"),
            _("Tỷ lệ đạt chỉ tiêu (tính theo: {basis})").format(
                basis=selectors.COUNTS[selectors.DEFAULT_COUNT]
            ),
            _("Cần đạt đến nay"),
        ]
    )
    for row in content.lagging:
        lagging.append(
            [
                row.unit.code,
                row.unit.name,
                row.count,
                row.submitted,
                row.target,
                row.target_pct,
                row.expected,
            ]
        )
    top = workbook.create_sheet(_("Sáng kiến tiêu biểu"))
    top.append([_("Tên sáng kiến"), _("Đơn vị"), _("Ngày nộp"), _("Giá trị làm lợi (đồng)")])
    for item in content.top_initiatives:
        top.append([item["title"], item["unit"], item["submitted_on"], _cell(item["benefit_vnd"])])
    for extra in (lagging, top):
        for cell in extra[1]:
            cell.font = bold
        extra.column_dimensions["B"].width = 40
        extra.column_dimensions["A"].width = 40
    safe_workbook(workbook)  # unit names and titles are typed by people
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def weekly_report_pdf(content: WeeklyReportContent) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "rankings/report_pdf.html",
        {
            "c": content,
            "font_dir": (settings.BASE_DIR / "static" / "fonts").as_uri(),
            "money": _money,
            "this_week_benefit": _money(content.this_week.benefit_vnd),
            "to_date_benefit": _money(content.to_date.benefit_vnd),
            "measure_label": selectors.MEASURE_BASIS[selectors.DEFAULT_MEASURE],
            "count_label": selectors.COUNTS[selectors.DEFAULT_COUNT],
            "top": [
                dict(item, benefit=_money(item["benefit_vnd"])) for item in content.top_initiatives
            ],
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
