"""Ranking pages: the public leaderboard, the leadership dashboard, drill-down, progress,
targets, recognition and weekly reports. Thin: read filters, call one selector or service."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from accounts.tenancy import scope_for
from config.db_router import reads_from_replica
from core.jobs import job_start
from core.models import Job
from core.page_cache import cached_aggregate, cached_public_page
from core.parsing import ParseError, parse_date, parse_int
from federation.models import EmulationGroup, OrgUnit
from federation.selectors import emulation_group_names
from initiatives.models import Field
from rankings import exports, periods, selectors, services, tasks
from rankings.forms import (
    RankingFilterForm,
    RegenerateForm,
    ReminderForm,
    TargetForm,
    TargetImportForm,
)
from rankings.models import RankingMode, ReminderPolicy, WeeklyReport
from rankings.tiles import tile_map

logger = logging.getLogger(__name__)

DRILL_DOWN_PAGE = 100
MSG_NO_RANKING_ACCESS = gettext_noop("Trang này dành cho lãnh đạo và cán bộ công đoàn.")
MSG_REPORT_NOT_QUEUED = gettext_noop(
    "Chưa lập được báo cáo vì hàng đợi tác vụ đang gián đoạn; hãy thử lại sau ít phút."
)


@dataclass
class Filters:
    form: RankingFilterForm
    period: periods.Period
    mode: str
    measure: str
    category: str
    group: EmulationGroup | None
    participant_group: str | None
    field_id: int | None

    def options(self) -> dict:
        return {
            "period": self.period,
            "mode": self.mode,
            "measure": self.measure,
            "participant_group": self.participant_group,
            "field_id": self.field_id,
        }


def read_filters(request, *, default_period: str = "all") -> Filters:
    fields = list(Field.objects.filter(is_active=True).values_list("pk", "name"))
    today = timezone.localdate()
    form = RankingFilterForm(
        request.GET or None,
        field_choices=fields,
        initial={
            "period": default_period,
            "year": today.year,
            "measure": selectors.DEFAULT_MEASURE,
        },
    )
    data = form.cleaned_data if form.is_valid() else {}
    try:
        period = periods.parse(request.GET, default=default_period)
    except periods.PeriodError as exc:
        form.add_error(None, str(exc)) if form.is_bound else None
        period = periods.parse({}, default=default_period)
    group = None
    group_code = request.GET.get("group", "")
    if group_code:
        group = EmulationGroup.objects.filter(code=group_code).first()
    category = request.GET.get("category", "province")
    return Filters(
        form=form,
        period=period,
        mode=data.get("mode") or RankingMode.TODAY,
        measure=data.get("measure") or selectors.DEFAULT_MEASURE,
        category=category if category in selectors.CATEGORIES else "province",
        group=group,
        participant_group=data.get("participant_group") or None,
        field_id=data.get("field") or None,
    )


def _mode(request, *, default: str) -> str:
    mode = request.GET.get("mode", "")
    return mode if mode in RankingMode.values else default


def _export(request, rows, *, name: str, measure: str, with_progress: bool = False):
    fmt = request.GET.get("format")
    if fmt not in exports.EXPORT_FORMATS:
        return None
    headers, table = exports.ranking_table(rows, measure=measure, with_progress=with_progress)
    return exports.table_response(headers, table, filename=name, fmt=fmt)


def _query_without_format(request) -> str:
    query = request.GET.copy()
    query.pop("format", None)
    return query.urlencode()


def _chip_query(request, period: periods.Period) -> str:
    """What a category or cluster chip keeps of the current view: the period, the measure,
    the mode and the other filters (not the category, cluster, page or export format)."""
    query = request.GET.copy()
    for name in ("category", "group", "page", "format"):
        query.pop(name, None)
    if "period" not in query:
        query.update(QueryDict(period.query()))
    return query.urlencode()


def _named_groups(filters: Filters) -> list[EmulationGroup]:
    """The clusters and blocks, each named as in the year whose membership the ranking
    uses ("12 tỉnh" before the 2025 merger, fewer after)."""
    today = timezone.localdate()
    year = (
        today.year
        if filters.mode == RankingMode.TODAY
        else min(filters.period.end.year, today.year)
    )
    groups = selectors.emulation_groups()
    names = emulation_group_names(year, groups=groups)
    for group in groups:
        group.display_name = names[group.pk]
    return groups


def _bar_scale(rows, measure: str) -> None:
    values = [float(r.value(measure) or 0) for r in rows]
    top = max(values) if values else 0
    for row, value in zip(rows, values, strict=True):
        row.bar = round(100 * value / top, 1) if top else 0


@reads_from_replica
@cached_public_page
def leaderboard(request):
    """Public: the national ranking, by category or inside a cluster or block."""
    filters = read_filters(request)
    ranking = selectors.national_ranking(
        category=filters.category, group=filters.group, **filters.options()
    )
    response = _export(
        request, ranking.rows, name=f"xep-hang-{filters.category}", measure=ranking.measure
    )
    if response:
        return response
    _bar_scale(ranking.rows, ranking.measure)
    scope = scope_for(request.user, selectors.RANKING_ROLES)
    for row in ranking.rows:
        row.can_drill = scope.contains(row.unit)
    groups = _named_groups(filters)
    return render(
        request,
        "rankings/leaderboard.html",
        {
            "ranking": ranking,
            "filters": filters,
            "categories": selectors.CATEGORY_LABELS,
            "groups": groups,
            "group_name": next((g.display_name for g in groups if g == ranking.group), ""),
            "measure_label": selectors.MEASURES[ranking.measure],
            "query": _query_without_format(request),
            "chip_query": _chip_query(request, ranking.period),
        },
    )


def _ranking_scope(request):
    scope = scope_for(request.user, selectors.RANKING_ROLES)
    if scope.is_empty:
        raise Http404(_(MSG_NO_RANKING_ACCESS))
    return scope


def _dashboard_figures(scope, focus: OrgUnit, filters: Filters, year: periods.Period):
    """The ranking, the progress against targets and the weekly series of the dashboard."""
    year_totals = None
    if focus.level == 0:
        # The default view ranks this year: count it once for the ranking and the progress.
        plain_year = filters.period == year and filters.mode == RankingMode.TODAY
        if plain_year and not filters.participant_group and not filters.field_id:
            year_totals = selectors.top_level_totals(period=year)
        rows = selectors.national_ranking(
            category=filters.category, group=filters.group, totals=year_totals, **filters.options()
        ).rows
    else:
        rows = selectors.subunit_ranking(scope=scope, unit=focus, **filters.options())
    progress = selectors.progress_rows(
        unit=focus,
        period=year,
        totals=year_totals if filters.mode == RankingMode.TODAY else None,
        mode=filters.mode,
        count=selectors.counted_by(filters.measure),
    )
    if focus.level == 0:
        kinds = selectors.CATEGORIES[filters.category]
        progress = [r for r in progress if r.unit.kind in kinds]
    series = selectors.weekly_series(
        period=year, unit=focus if focus.level >= 1 else None, mode=filters.mode
    )
    return rows, progress, series


@login_required
def dashboard(request):
    """Leadership sees the nation; a unit officer sees their own unit's sub-units."""
    scope = _ranking_scope(request)
    filters = read_filters(request, default_period="year")
    root = OrgUnit.objects.filter(level=0, pk__in=scope.root_unit_ids).first()
    focus = root or OrgUnit.objects.filter(pk__in=scope.root_unit_ids).order_by("level").first()
    year = periods.year(timezone.localdate().year)
    # Leadership opens this page again and again in a rush: the figures are computed
    # once per change of the counters (core.page_cache), for this view of them.
    rows, progress, series = cached_aggregate(
        "dashboard",
        (
            focus.pk,
            tuple(sorted(scope.root_unit_ids)),
            year,
            filters.period,
            filters.mode,
            filters.measure,
            filters.category,
            filters.group.pk if filters.group else None,
            filters.participant_group,
            filters.field_id,
        ),
        lambda: _dashboard_figures(scope, focus, filters, year),
    )
    response = _export(request, rows, name="bang-dieu-khien", measure=filters.measure)
    if response:
        return response
    _bar_scale(rows, filters.measure)
    progress_count = selectors.counted_by(filters.measure)
    chart = {
        "measure": str(selectors.MEASURES[filters.measure]),
        "basis": str(selectors.MEASURE_BASIS[filters.measure]),
        "progress_basis": str(selectors.MEASURE_BASIS[progress_count]),
        "labels": {
            "target": _("Chỉ tiêu"),
            "submitted": _("Đã nộp"),
            "valid": _("Hợp lệ"),
            "counted": _("Đã nộp") if progress_count == "submitted" else _("Hợp lệ"),
            "expected": _("Cần đạt đến nay"),
        },
        "ranking": [
            {"label": r.unit.display_name, "value": float(r.value(filters.measure) or 0)}
            for r in rows[:40]
        ],
        "progress": [
            {
                "label": r.unit.display_name,
                "counted": r.count,
                "submitted": r.submitted,
                "valid": r.valid,
                "target": r.target or 0,
                "expected": r.expected or 0,
            }
            for r in progress
            if r.target
        ][:40],
        "series": [
            {"week": f"{week:%d/%m}", "submitted": submitted, "valid": valid}
            for week, submitted, valid in series
        ],
    }
    groups = _named_groups(filters)
    return render(
        request,
        "rankings/dashboard.html",
        {
            "focus": focus,
            "rows": rows,
            "progress": progress,
            "filters": filters,
            "chart": chart,
            "tiles": tile_map(progress) if focus.level == 0 else [],
            "year": year,
            "series": series,
            "categories": selectors.CATEGORY_LABELS,
            "groups": groups,
            "group_name": next((g.display_name for g in groups if g == filters.group), ""),
            "measure_label": selectors.MEASURES[filters.measure],
            "progress_count": progress_count,
            "query": _query_without_format(request),
            "chip_query": _chip_query(request, filters.period),
            # Targets are set by the unit above: a grassroots officer has no targets page.
            "can_set_targets": scope_for(request.user, selectors.TARGET_ROLES).contains(focus),
        },
    )


def _ancestors(unit: OrgUnit) -> list[OrgUnit]:
    # By parent, a query per level (three at most): an MPTT ancestor query ranges over
    # half the tree's lft index at 100,000 units.
    chain = []
    parent = unit.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    return chain[::-1]


@login_required
def unit_ranking(request, code: str):
    scope = _ranking_scope(request)
    unit = scope.get_unit_or_404(code=code)
    filters = read_filters(request)
    rows = selectors.subunit_ranking(scope=scope, unit=unit, **filters.options())
    response = _export(request, rows, name=f"xep-hang-{unit.code}", measure=filters.measure)
    if response:
        return response
    _bar_scale(rows, filters.measure)
    # A merged province lists every grassroots union it had: show a page at a time.
    page = Paginator(rows, DRILL_DOWN_PAGE).get_page(request.GET.get("page"))
    for row in page:
        row.can_drill = not row.unit.is_leaf_node() or row.unit.merged_into_id
    return render(
        request,
        "rankings/unit_ranking.html",
        {
            "unit": unit,
            "ancestors": [a for a in _ancestors(unit) if scope.contains(a)],
            "rows": page.object_list,
            "page": page,
            "filters": filters,
            "measure_label": selectors.MEASURES[filters.measure],
            "query": _query_without_format(request),
            "can_set_targets": scope_for(request.user, selectors.TARGET_ROLES).contains(unit),
        },
    )


@login_required
def unit_progress(request, code: str):
    scope = _ranking_scope(request)
    unit = scope.get_unit_or_404(code=code)
    try:
        period = periods.parse(request.GET, default="year")
    except periods.PeriodError as exc:
        messages.error(request, str(exc))
        period = periods.parse({}, default="year")
    mode = _mode(request, default=RankingMode.TODAY)
    count = selectors.count_or_default(request.GET.get("measure"))
    rows = selectors.progress_list(scope=scope, unit=unit, period=period, mode=mode, count=count)
    response = _export(
        request, rows, name=f"tien-do-{unit.code}", measure=count, with_progress=True
    )
    if response:
        return response
    return render(
        request,
        "rankings/progress.html",
        {
            "unit": unit,
            "period": period,
            "mode": mode,
            "measure": count,
            "lagging": [r for r in rows if r.lagging],
            "leading": sorted((r for r in rows if r.leading), key=lambda r: -(r.target_pct or 0)),
            "untargeted": [r for r in rows if r.target is None],
            "query": _query_without_format(request),
        },
    )


@login_required
def unit_targets(request, code: str):
    """Targets of a unit's sub-units, set by that unit (the unit above them)."""
    scope = scope_for(request.user, selectors.TARGET_ROLES)
    unit = scope.get_unit_or_404(code=code)
    children = list(unit.get_children().filter(active_to__isnull=True).order_by("code"))
    target_form = TargetForm(units=children)
    import_form = TargetImportForm()
    policy = ReminderPolicy.objects.filter(unit=unit).first()
    reminder_form = ReminderForm(initial={"every_days": policy.every_days if policy else 7})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "set":
            target_form = TargetForm(request.POST, units=children)
            if target_form.is_valid():
                data = target_form.cleaned_data
                child = next(c for c in children if c.code == data["unit"])
                try:
                    services.target_set(
                        scope=scope,
                        actor=request.user,
                        unit=child,
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                        count=data["count"],
                    )
                except ValidationError as exc:
                    target_form.add_error(None, exc)
                else:
                    messages.success(request, _("Đã lưu chỉ tiêu."))
                    return redirect("rankings:unit-targets", code=unit.code)
        elif action == "import":
            import_form = TargetImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                # The rows are read and saved by a worker (core/jobs.py).
                job = job_start(
                    kind=tasks.TARGET_IMPORT_JOB_KIND,
                    owner=request.user,
                    uploaded=import_form.cleaned_data["file"],
                    options={},
                    unit=unit,
                )
                return redirect("import-job", pk=job.pk)
        elif action == "cadence":
            reminder_form = ReminderForm(request.POST)
            if reminder_form.is_valid():
                services.reminder_policy_set(
                    scope=scope,
                    actor=request.user,
                    unit=unit,
                    every_days=reminder_form.cleaned_data["every_days"],
                )
                messages.success(request, _("Đã lưu lịch nhắc nhở."))
                return redirect("rankings:unit-targets", code=unit.code)
    targets = selectors.target_list(scope=scope, parent=unit)
    if request.GET.get("format") in exports.EXPORT_FORMATS:
        headers = [_("Mã"), _("Đơn vị"), _("Từ ngày"), _("Đến ngày"), _("Chỉ tiêu")]
        table = [
            [t.unit.code, t.unit.name, f"{t.starts_on:%d/%m/%Y}", f"{t.ends_on:%d/%m/%Y}", t.count]
            for t in targets
        ]
        return exports.table_response(
            headers, table, filename=f"chi-tieu-{unit.code}", fmt=request.GET["format"]
        )
    return render(
        request,
        "rankings/targets.html",
        {
            "unit": unit,
            "targets": targets,
            "target_form": target_form,
            "import_form": import_form,
            "recent_import_jobs": Job.objects.filter(
                owner=request.user, kind=tasks.TARGET_IMPORT_JOB_KIND, unit=unit
            )[:5],
            "reminder_form": reminder_form,
            "policy": policy,
        },
    )


def recognition(request):
    """Public: the quarterly recognition rule applied to every cluster and block."""
    today = timezone.localdate()
    try:
        period = periods.quarter(
            parse_int(request.GET.get("year") or today.year, low=2000, high=2100),
            parse_int(request.GET.get("quarter") or (today.month - 1) // 3 + 1, low=1, high=4),
        )
    except (ParseError, periods.PeriodError):
        messages.error(request, _(periods.MSG_BAD_PERIOD))
        period = periods.quarter(today.year, (today.month - 1) // 3 + 1)
    quarter = (period.start.month - 1) // 3 + 1
    mode = _mode(request, default=RankingMode.HISTORIC)
    count = selectors.count_or_default(request.GET.get("measure"))
    result = selectors.quarterly_recognition(
        year=period.start.year, quarter=quarter, mode=mode, count=count
    )
    if request.GET.get("format") in exports.EXPORT_FORMATS:
        names = emulation_group_names(period.start.year)
        headers = [
            _("Cụm, khối"),
            _("Đơn vị dẫn đầu"),
            _("Số sáng kiến (tính theo %(basis)s)") % {"basis": selectors.COUNTS[count]},
            _("Hợp lệ"),
            _("Đã nộp"),
            _("Chỉ tiêu quý"),
            _("Được khen thưởng"),
        ]
        table = [
            [
                names.get(item.group.pk, item.group.name),
                row.unit.name,
                row.count,
                row.valid,
                row.submitted,
                row.target,
                _("Có") if row in item.recognised else _("Không"),
            ]
            for item in result
            for row in item.leaders
        ]
        return exports.table_response(
            headers,
            table,
            filename=f"khen-thuong-{period.start.year}-q{quarter}",
            fmt=request.GET["format"],
        )
    return render(
        request,
        "rankings/recognition.html",
        {
            "result": result,
            "period": period,
            "year": period.start.year,
            "quarter": quarter,
            "mode": mode,
            "measure": count,
            "group_names": emulation_group_names(period.start.year),
        },
    )


@login_required
def unit_reports(request, code: str):
    scope = _ranking_scope(request)
    unit = scope.get_unit_or_404(code=code)
    form = RegenerateForm(initial={"week": timezone.localdate() - dt.timedelta(days=7)})
    return render(
        request,
        "rankings/reports.html",
        {
            "unit": unit,
            "reports": selectors.report_list(scope=scope, unit=unit)[:60],
            "form": form,
        },
    )


@login_required
@require_POST
def unit_report_regenerate(request, code: str):
    """Make (again) a week's report in the background, then email it to the unit's
    leadership; the job's page shows its progress."""
    scope = _ranking_scope(request)
    unit = scope.get_unit_or_404(code=code)
    form = RegenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ngày không hợp lệ."))
        return redirect("rankings:unit-reports", code=unit.code)
    week = periods.week_start(form.cleaned_data["week"])
    if week > periods.week_start(timezone.localdate()):
        messages.error(request, _("Chỉ lập được báo cáo cho tuần đã qua hoặc tuần này."))
        return redirect("rankings:unit-reports", code=unit.code)
    job = Job.objects.create(
        kind=tasks.REPORT_JOB_KIND,
        owner=request.user,
        unit=unit,
        options={"week": week.isoformat(), "email": True},
    )
    try:
        tasks.run_weekly_report_job.delay(job.pk)
    except Exception:  # noqa: BLE001 - a broker outage must be said, not a 500
        logger.exception("could not enqueue weekly report job %s", job.pk)
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.FAILED, result={"error": _(MSG_REPORT_NOT_QUEUED)}
        )
        messages.error(request, _(MSG_REPORT_NOT_QUEUED))
        return redirect("rankings:unit-reports", code=unit.code)
    return redirect("rankings:unit-report-job", code=unit.code, pk=job.pk)


@login_required
def unit_report_job(request, code: str, pk: int):
    """A report being made: its progress, then the links to download it."""
    scope = _ranking_scope(request)
    unit = scope.get_unit_or_404(code=code)
    job = Job.objects.filter(
        pk=pk, owner=request.user, unit=unit, kind=tasks.REPORT_JOB_KIND
    ).first()
    if job is None:
        raise Http404
    return render(
        request,
        "rankings/report_job.html",
        {"unit": unit, "job": job, "week": dt.date.fromisoformat(job.options["week"])},
    )


@login_required
def unit_report_download(request, code: str, week: str, fmt: str):
    """The stored report of a week. A week never made is not made here (seconds of
    PDF rendering inside a request): the page says so and offers to make it."""
    scope = _ranking_scope(request)
    unit = scope.get_unit_or_404(code=code)
    try:
        monday = periods.week_start(parse_date(week, low=periods.PROGRAMME_EARLIEST))
    except ParseError as exc:
        raise Http404 from exc
    if monday > periods.week_start(timezone.localdate()):
        raise Http404
    report = WeeklyReport.objects.filter(unit=unit, week=monday).first()
    if report is None or not report.xlsx or not report.pdf:
        form = RegenerateForm(initial={"week": monday})
        return render(
            request,
            "rankings/report_missing.html",
            {"unit": unit, "week": monday, "form": form},
        )
    stored = report.pdf if fmt == "pdf" else report.xlsx
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"bao-cao-tuan-{unit.code}-{monday:%Y-%m-%d}.{fmt}",
    )
