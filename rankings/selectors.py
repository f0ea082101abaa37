"""Reads for rankings, progress to target and recognition.

Every figure comes from the counter tables (`WeeklyTally`, `DailyTally`) or the
weekly snapshots, never from counting initiatives: a national ranking reads a few
thousand rows whatever the number of initiatives. National rankings are public (the
programme publishes them); anything below the top level goes through the viewer's scope.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.tenancy import Scope
from federation.models import EmulationGroup, EmulationMembership, OrgUnit, UnitKind, UnitPlacement
from rankings import periods
from rankings.models import (
    VALID_BUCKETS,
    Bucket,
    DailyTally,
    Dimension,
    MonthlyTally,
    RankingMode,
    RankingSnapshot,
    Target,
    WeeklyTally,
)
from rankings.periods import Period

# Rankings count valid initiatives (passed the check or approved) unless asked otherwise;
# the handed-in count is shown beside them.
DEFAULT_MEASURE = "valid"
# Who sees rankings below the top level (their own subtree): officers and leadership.
RANKING_ROLES = frozenset({Role.GRASSROOTS_OFFICER, Role.UNIT_OFFICER, Role.LEADERSHIP, Role.ADMIN})
# Who sets targets and reminder cadences for the units below them.
TARGET_ROLES = frozenset({Role.UNIT_OFFICER, Role.LEADERSHIP, Role.ADMIN})

CATEGORIES = {
    "province": (UnitKind.PROVINCE,),
    "sector": (UnitKind.SECTOR,),
    "corporation": (UnitKind.CORPORATION,),
    "all": (UnitKind.PROVINCE, UnitKind.SECTOR, UnitKind.CORPORATION),
}
CATEGORY_LABELS = {
    "province": _("LĐLĐ tỉnh, thành phố"),
    "sector": _("Công đoàn ngành trung ương"),
    "corporation": _("Công đoàn tổng công ty"),
    "all": _("Tất cả đơn vị trực thuộc"),
}
MEASURES = {
    "valid": _("Sáng kiến hợp lệ"),
    "submitted": _("Sáng kiến đã nộp"),
    "target_pct": _("% chỉ tiêu"),
    "per_1000": _("Trên 1.000 đoàn viên"),
    "benefit": _("Giá trị làm lợi (đồng)"),
}
# What "a number of initiatives" is: the counts behind targets, progress, per-member figures,
# recognition and reminders. Valid unless the handed-in count is asked for.
COUNTS = {
    "valid": _("sáng kiến hợp lệ (đạt kiểm tra hoặc được duyệt)"),
    "submitted": _("sáng kiến đã nộp (kể cả đang xử lý, bị từ chối)"),
}
DEFAULT_COUNT = "valid"
# Named on every table, chart and report: "Tính theo: …".
MEASURE_BASIS = {
    "valid": COUNTS["valid"],
    "submitted": COUNTS["submitted"],
    "target_pct": _("tỷ lệ đạt chỉ tiêu, đếm sáng kiến hợp lệ (đạt kiểm tra hoặc được duyệt)"),
    "per_1000": _("sáng kiến hợp lệ (đạt kiểm tra hoặc được duyệt) trên 1.000 đoàn viên"),
    "benefit": _("giá trị làm lợi (đồng) của sáng kiến hợp lệ"),
}


def counted_by(measure: str) -> str:
    """The count a measure rests on: handed-in for "submitted", valid for every other."""
    return "submitted" if measure == "submitted" else DEFAULT_COUNT


def count_or_default(value: str | None) -> str:
    return value if value in COUNTS else DEFAULT_COUNT


def top_level_units():
    """Units directly under the confederation. Filtered by kind first: `kind` is indexed,
    `level` is not, and the tree holds 100,000 units."""
    kinds = [k.value for k in CATEGORIES["all"]]
    return OrgUnit.objects.filter(kind__in=kinds, level=1)


@dataclass
class Totals:
    submitted: int = 0
    valid: int = 0
    benefit_vnd: Decimal = Decimal(0)
    recognised: int = 0

    def add(self, bucket: str, count: int, benefit) -> None:
        count = int(count or 0)
        self.submitted += count
        if bucket in VALID_BUCKETS:
            self.valid += count
            self.benefit_vnd += Decimal(benefit or 0)
        if bucket == Bucket.RECOGNISED:
            self.recognised += count


@dataclass
class RankRow:
    unit: OrgUnit
    submitted: int = 0
    valid: int = 0
    benefit_vnd: Decimal = Decimal(0)
    members: int = 0
    target: int | None = None
    recognised: int = 0
    rank: int | None = None
    previous_rank: int | None = None
    # progress to target (progress lists only)
    expected: int | None = None
    pace_per_week: int | None = None
    projected: int | None = None
    group_name: str = ""
    # Which count targets, per-member figures and pace rest on (`COUNTS`).
    counted: str = DEFAULT_COUNT

    @property
    def count(self) -> int:
        return self.submitted if self.counted == "submitted" else self.valid

    @property
    def target_pct(self) -> float | None:
        if not self.target:
            return None
        return round(100 * self.count / self.target, 1)

    @property
    def per_1000(self) -> float | None:
        if not self.members:
            return None
        return round(1000 * self.count / self.members, 2)

    def value(self, measure: str):
        return {
            "submitted": self.submitted,
            "valid": self.valid,
            "target_pct": self.target_pct,
            "per_1000": self.per_1000,
            "benefit": self.benefit_vnd,
        }[measure]

    @property
    def change(self) -> int | None:
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def lagging(self) -> bool:
        return self.expected is not None and self.count < self.expected

    @property
    def leading(self) -> bool:
        return self.expected is not None and self.count >= self.expected


@dataclass
class Ranking:
    rows: list[RankRow]
    period: Period
    mode: str
    measure: str
    category: str = "province"
    group: EmulationGroup | None = None
    parent: OrgUnit | None = None
    filters: dict = field(default_factory=dict)


def assign_ranks(rows: list[RankRow], measure: str) -> list[RankRow]:
    """Competition ranking ("1, 2, 2, 4"): equal values share a rank; no value, no rank."""
    rows.sort(key=lambda r: (r.value(measure) is None, -(r.value(measure) or 0), r.unit.name))
    position = 0
    previous = object()
    rank = None
    for row in rows:
        position += 1
        value = row.value(measure)
        if value is None:
            row.rank = None
            continue
        if value != previous:
            rank, previous = position, value
        row.rank = rank
    return rows


# --------------------------------------------------------------------------- counting


def _successors() -> dict[int, int]:
    """Top-level unit id -> the unit it was merged into, followed to today's unit."""
    merged = dict(
        top_level_units().filter(merged_into__isnull=False).values_list("id", "merged_into_id")
    )
    result = {}
    for unit_id in merged:
        target, hops = unit_id, 0
        while target in merged and hops < 16:
            target, hops = merged[target], hops + 1
        result[unit_id] = target
    return result


def _tally_filters(participant_group: str | None, field_id: int | None) -> tuple[str, str, Q]:
    """(weekly dimension, its key, the matching filter on DailyTally)."""
    daily = Q()
    if participant_group:
        daily &= Q(participant_group=participant_group)
    if field_id:
        daily &= Q(field_key=field_id)
    if participant_group and field_id:
        return Dimension.GROUP_FIELD, f"{participant_group}|{field_id}", daily
    if participant_group:
        return Dimension.GROUP, participant_group, daily
    if field_id:
        return Dimension.FIELD, str(field_id), daily
    return Dimension.ALL, "", daily


def top_level_totals(
    *,
    period: Period,
    mode: str = RankingMode.TODAY,
    participant_group: str | None = None,
    field_id: int | None = None,
) -> dict[int, Totals]:
    """Totals per top-level unit over `period`: full months from the monthly counter, full
    weeks at either end from the weekly one, the remaining days from the daily one."""
    dimension, dim_key, daily_q = _tally_filters(participant_group, field_id)
    if dimension:
        months, weeks, days = periods.decompose(period.start, period.end)
    else:
        months, weeks, days = [], [], [(period.start, period.end)]
    # One query per span, never an OR of ranges: PostgreSQL answers an OR with a bitmap
    # heap scan (thousands of random heap reads) instead of an index-only scan.
    rows = []
    for model, column, spans in ((MonthlyTally, "month", months), (WeeklyTally, "week", weeks)):
        for first, after in spans:
            rows += list(
                model.objects.filter(
                    dimension=dimension,
                    dim_key=dim_key,
                    **{f"{column}__gte": first, f"{column}__lt": after},
                )
                .values_list("top_unit_id", "bucket")
                .annotate(Sum("count"), Sum("benefit_vnd"))
                .order_by()
            )
    for start, end in days:
        rows += list(
            DailyTally.objects.filter(daily_q, day__gte=start, day__lte=end)
            .values_list("top_unit_id", "bucket")
            .annotate(Sum("count"), Sum("benefit_vnd"))
            .order_by()
        )
    successor = _successors() if mode == RankingMode.TODAY else {}
    totals: dict[int, Totals] = defaultdict(Totals)
    for top_unit_id, bucket, count, benefit in rows:
        totals[successor.get(top_unit_id, top_unit_id)].add(bucket, count, benefit)
    return dict(totals)


def targets_for(unit_ids, period: Period) -> dict[int, int]:
    """Each unit's target for `period`: the one set for exactly that period, else the
    shortest target period containing it, prorated by days (rounded up)."""
    found: dict[int, tuple[int, int]] = {}
    for unit_id, starts_on, ends_on, count in Target.objects.filter(
        unit_id__in=list(unit_ids), starts_on__lte=period.start, ends_on__gte=period.end
    ).values_list("unit_id", "starts_on", "ends_on", "count"):
        span = (ends_on - starts_on).days + 1
        value = count if span == period.days else math.ceil(count * period.days / span)
        if unit_id not in found or span < found[unit_id][0]:
            found[unit_id] = (span, value)
    return {unit_id: value for unit_id, (_span, value) in found.items()}


def _active_q(period: Period) -> Q:
    return Q(active_from__isnull=True) | Q(active_from__lte=period.end), Q(
        active_to__isnull=True
    ) | Q(active_to__gte=period.start)


def _membership_year(group: EmulationGroup, wanted: int) -> int | None:
    years = sorted(
        EmulationMembership.objects.filter(group=group).values_list("year", flat=True).distinct()
    )
    earlier = [y for y in years if y <= wanted]
    return earlier[-1] if earlier else (years[0] if years else None)


def ranked_units(
    *, category: str, group: EmulationGroup | None, period: Period, mode: str
) -> list[OrgUnit]:
    """The units that compete: by today's tree (units active today, merged ones rolled up)
    or as they were (units active at some point in the period)."""
    today = timezone.localdate()
    units = top_level_units()
    if group is not None:
        wanted = today.year if mode == RankingMode.TODAY else min(period.end.year, today.year)
        year = _membership_year(group, wanted)
        members = EmulationMembership.objects.filter(group=group, year=year).values("unit_id")
        units = units.filter(pk__in=members)
    else:
        units = units.filter(kind__in=[k.value for k in CATEGORIES[category]])
    if mode == RankingMode.TODAY:
        units = units.filter(merged_into__isnull=True, active_to__isnull=True)
    else:
        units = units.filter(*_active_q(period))
    return list(units.order_by("code"))


def _rank_rows(units, totals: dict, *, period, measure: str) -> list[RankRow]:
    """One ranking row per unit: its totals (zero if none), members and target."""
    targets = targets_for([u.pk for u in units], period)
    return [
        RankRow(
            unit=unit,
            submitted=(counts := totals.get(unit.pk, Totals())).submitted,
            valid=counts.valid,
            recognised=counts.recognised,
            benefit_vnd=counts.benefit_vnd,
            members=unit.member_count,
            target=targets.get(unit.pk),
            counted=counted_by(measure),
        )
        for unit in units
    ]


def _previous_ranks(rows: list[RankRow], *, period: Period, mode: str, measure: str) -> None:
    """Rank each row had in last week's snapshot (programme to date only)."""
    if period.kind != "all":
        return
    last_week = periods.week_start(period.end) - dt.timedelta(days=7)
    snapshot = {
        unit_id: (submitted, valid, benefit)
        for unit_id, submitted, valid, benefit in RankingSnapshot.objects.filter(
            week=last_week, mode=mode, unit_id__in=[r.unit.pk for r in rows]
        ).values_list("unit_id", "submitted", "valid", "benefit_vnd")
    }
    if not snapshot:
        return
    earlier = [
        RankRow(
            unit=row.unit,
            submitted=snapshot.get(row.unit.pk, (0, 0, 0))[0],
            valid=snapshot.get(row.unit.pk, (0, 0, 0))[1],
            benefit_vnd=Decimal(snapshot.get(row.unit.pk, (0, 0, 0))[2]),
            members=row.members,
            target=row.target,
            counted=row.counted,
        )
        for row in rows
    ]
    previous = {r.unit.pk: r.rank for r in assign_ranks(earlier, measure)}
    for row in rows:
        row.previous_rank = previous.get(row.unit.pk)


def national_ranking(
    *,
    period: Period,
    mode: str = RankingMode.TODAY,
    measure: str = DEFAULT_MEASURE,
    category: str = "province",
    group: EmulationGroup | None = None,
    participant_group: str | None = None,
    field_id: int | None = None,
    totals: dict[int, Totals] | None = None,
) -> Ranking:
    """Units directly under the confederation, in a category or in one cluster/block.

    Public: the programme publishes these figures; no unit below the top level appears.
    `totals` lets a caller ranking several groups over one period count only once.
    """
    if measure not in MEASURES:
        measure = DEFAULT_MEASURE
    if category not in CATEGORIES:
        category = "province"
    units = ranked_units(category=category, group=group, period=period, mode=mode)
    if totals is None:
        totals = top_level_totals(
            period=period, mode=mode, participant_group=participant_group, field_id=field_id
        )
    rows = _rank_rows(units, totals, period=period, measure=measure)
    assign_ranks(rows, measure)
    if not participant_group and not field_id:
        _previous_ranks(rows, period=period, mode=mode, measure=measure)
    return Ranking(
        rows=rows,
        period=period,
        mode=mode,
        measure=measure,
        category=category,
        group=group,
        filters={"participant_group": participant_group, "field_id": field_id},
    )


def _subtree_totals(
    *,
    unit: OrgUnit,
    period: Period,
    mode: str,
    participant_group=None,
    field_id=None,
    include_self: bool = False,
) -> list[tuple[int, int, str, int, Decimal]]:
    """(unit id, lft, bucket, count, benefit) per unit of `unit`'s subtree, from the daily counter.

    On PostgreSQL the counter is probed once per unit of the subtree (LATERAL, an
    index-only scan on (unit_id, day)): a province's few thousand units cost a few
    thousand index probes, not a scan of the whole counter table.
    """
    daily = DailyTally._meta.db_table
    units = OrgUnit._meta.db_table
    low, high = (">=", "<=") if include_self else (">", "<")
    conditions = ["d.day >= %s", "d.day <= %s"]
    params: list = [period.start, period.end]
    if mode == RankingMode.HISTORIC and unit.level == 1:
        conditions.append("d.top_unit_id = %s")
        params.append(unit.pk)
    if participant_group:
        conditions.append("d.participant_group = %s")
        params.append(participant_group)
    if field_id:
        conditions.append("d.field_key = %s")
        params.append(field_id)
    where_units = f"u.tree_id = %s AND u.lft {low} %s AND u.rght {high} %s"
    unit_params = [unit.tree_id, unit.lft, unit.rght]
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT u.id, u.lft, t.bucket, t.count, t.benefit FROM {units} u "
            "CROSS JOIN LATERAL (SELECT d.bucket, SUM(d.count) AS count, "
            f"SUM(d.benefit_vnd) AS benefit FROM {daily} d "
            f"WHERE d.unit_id = u.id AND {' AND '.join(conditions)} GROUP BY d.bucket) t "
            f"WHERE {where_units}"
        )
        params = [*params, *unit_params]
    else:
        sql = (
            f"SELECT u.id, u.lft, d.bucket, SUM(d.count), SUM(d.benefit_vnd) FROM {daily} d "
            f"JOIN {units} u ON u.id = d.unit_id WHERE {where_units} "
            f"AND {' AND '.join(conditions)} GROUP BY u.id, u.lft, d.bucket"
        )
        params = [*unit_params, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _merged_unit_totals(*, unit: OrgUnit, period: Period, participant_group, field_id):
    """A province merged away has no sub-units today: its initiatives by grassroots unit."""
    rows = (
        DailyTally.objects.filter(
            _tally_filters(participant_group, field_id)[2],
            top_unit_id=unit.pk,
            day__gte=period.start,
            day__lte=period.end,
        )
        .values_list("unit_id", "bucket")
        .annotate(Sum("count"), Sum("benefit_vnd"))
        .order_by()
    )
    totals: dict[int, Totals] = defaultdict(Totals)
    for unit_id, bucket, count, benefit in rows:
        totals[unit_id].add(bucket, count, benefit)
    return totals


def unit_totals(*, unit: OrgUnit, period: Period, mode: str = RankingMode.TODAY) -> Totals:
    """One unit's own totals: a top-level unit from the weekly counter, any other from its subtree."""
    if unit.level == 1:
        return top_level_totals(period=period, mode=mode).get(unit.pk, Totals())
    totals = Totals()
    for _uid, _lft, bucket, count, benefit in _subtree_totals(
        unit=unit, period=period, mode=mode, include_self=True
    ):
        totals.add(bucket, count, benefit)
    return totals


def subunit_rows(
    *,
    unit: OrgUnit,
    period: Period,
    mode: str = RankingMode.TODAY,
    measure: str = DEFAULT_MEASURE,
    participant_group: str | None = None,
    field_id: int | None = None,
) -> list[RankRow]:
    """The sub-units of `unit`, ranked. No scope check: callers are `subunit_ranking` and
    system jobs (reports, reminders) that act for the unit itself."""
    if unit.level == 0:
        return national_ranking(
            period=period,
            mode=mode,
            measure=measure,
            category="all",
            participant_group=participant_group,
            field_id=field_id,
        ).rows
    children = list(unit.get_children().order_by("lft"))
    if children:
        starts = [c.lft for c in children]
        totals: dict[int, Totals] = defaultdict(Totals)
        for _uid, lft, bucket, count, benefit in _subtree_totals(
            unit=unit,
            period=period,
            mode=mode,
            participant_group=participant_group,
            field_id=field_id,
        ):
            position = bisect_right(starts, lft) - 1
            if position >= 0 and lft <= children[position].rght:
                totals[children[position].pk].add(bucket, count, benefit)
    elif unit.merged_into_id and mode == RankingMode.HISTORIC:
        by_grassroots = _merged_unit_totals(
            unit=unit, period=period, participant_group=participant_group, field_id=field_id
        )
        # The sub-units it had (its placements before the merger moved them), each
        # summing the grassroots unions now under it; without that history, the
        # grassroots unions themselves.
        children = list(
            OrgUnit.objects.filter(
                pk__in=UnitPlacement.objects.filter(parent=unit).values("unit_id")
            ).order_by("tree_id", "lft")
        )
        if children:
            lft_of = dict(
                OrgUnit.objects.filter(pk__in=list(by_grassroots)).values_list("pk", "lft")
            )
            starts = [c.lft for c in children]
            totals = defaultdict(Totals)
            for grassroots_id, total in by_grassroots.items():
                lft = lft_of.get(grassroots_id, -1)
                position = bisect_right(starts, lft) - 1
                if position >= 0 and lft <= children[position].rght:
                    child_total = totals[children[position].pk]
                    child_total.submitted += total.submitted
                    child_total.valid += total.valid
                    child_total.recognised += total.recognised
                    child_total.benefit_vnd += total.benefit_vnd
        else:
            totals = by_grassroots
            children = list(OrgUnit.objects.filter(pk__in=list(totals)).order_by("code"))
    else:
        return []
    if measure not in MEASURES:
        measure = DEFAULT_MEASURE
    rows = _rank_rows(children, totals, period=period, measure=measure)
    return assign_ranks(rows, measure)


def subunit_ranking(*, scope: Scope, unit: OrgUnit, **options) -> list[RankRow]:
    if not scope.contains(unit):
        raise Http404
    return subunit_rows(unit=unit, **options)


def progress_rows(
    *,
    unit: OrgUnit,
    period: Period,
    as_of: dt.date | None = None,
    totals: dict[int, Totals] | None = None,
    mode: str = RankingMode.TODAY,
    count: str = DEFAULT_COUNT,
) -> list[RankRow]:
    """The sub-units of `unit` against their targets for `period`, as of a day:
    expected by now, pace needed per week, projected end figure; lagging first.
    `mode`: by today's tree, or as the tree stood when each initiative was handed in.
    `count`: what counts toward the target (`COUNTS`): valid initiatives unless asked
    for the handed-in ones; both figures stay on every row."""
    from rankings.services import pace

    count = count_or_default(count)
    as_of = as_of or timezone.localdate()
    counted = Period(period.kind, period.start, min(period.end, as_of))
    if counted.end < counted.start:
        counted = Period(period.kind, period.start, period.start)
    if unit.level == 0:
        rows = national_ranking(
            period=counted, category="all", totals=totals, mode=mode, measure=count
        ).rows
    else:
        rows = subunit_rows(unit=unit, period=counted, mode=mode, measure=count)
    targets = targets_for([r.unit.pk for r in rows], period)
    for row in rows:
        row.counted = count
        row.target = targets.get(row.unit.pk)
        row.expected, row.pace_per_week, row.projected = pace(
            submitted=row.count, target=row.target, period=period, as_of=as_of
        )
    rows.sort(key=lambda r: (r.target_pct is None, r.target_pct or 0, r.unit.name))
    return rows


def progress_list(
    *,
    scope: Scope,
    unit: OrgUnit,
    period: Period,
    as_of=None,
    mode: str = RankingMode.TODAY,
    count: str = DEFAULT_COUNT,
) -> list[RankRow]:
    if not scope.contains(unit):
        raise Http404
    return progress_rows(unit=unit, period=period, as_of=as_of, mode=mode, count=count)


def weekly_series(
    *, period: Period, unit: OrgUnit | None = None, mode: str = RankingMode.TODAY
) -> list[tuple[dt.date, int, int]]:
    """(Monday, submitted, valid) per week, nationally or for one unit."""
    if unit is not None and unit.level >= 2:
        return _subtree_series(unit=unit, period=period)
    weekly = WeeklyTally.objects.filter(
        dimension=Dimension.ALL,
        week__gte=periods.week_start(period.start),
        week__lte=period.end,
    )
    if unit is not None and unit.level >= 1:
        ids = [unit.pk]
        if mode == RankingMode.TODAY:
            ids += [k for k, v in _successors().items() if v == unit.pk]
        weekly = weekly.filter(top_unit_id__in=ids)
    by_week: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for week, bucket, count in (
        weekly.values_list("week", "bucket").annotate(Sum("count")).order_by()
    ):
        by_week[week][0] += count
        if bucket in VALID_BUCKETS:
            by_week[week][1] += count
    return [(week, *by_week[week]) for week in sorted(by_week)]


def _subtree_series(*, unit: OrgUnit, period: Period) -> list[tuple[dt.date, int, int]]:
    daily = DailyTally._meta.db_table
    units = OrgUnit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.day, d.bucket, SUM(d.count) FROM {daily} d "
            f"JOIN {units} u ON u.id = d.unit_id "
            "WHERE u.tree_id = %s AND u.lft >= %s AND u.rght <= %s AND d.day >= %s AND d.day <= %s "
            "GROUP BY d.day, d.bucket",
            [unit.tree_id, unit.lft, unit.rght, period.start, period.end],
        )
        rows = cursor.fetchall()
    by_week: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for day, bucket, count in rows:
        if isinstance(day, str):  # SQLite hands dates back as text from raw SQL
            day = dt.date.fromisoformat(day)
        week = by_week[periods.week_start(day)]
        week[0] += count
        if bucket in VALID_BUCKETS:
            week[1] += count
    return [(week, *by_week[week]) for week in sorted(by_week)]


@dataclass
class Recognition:
    group: EmulationGroup
    leaders: list[RankRow]

    @property
    def recognised(self) -> list[RankRow]:
        return [r for r in self.leaders if r.target and r.count > r.target]


def quarterly_recognition(
    *, year: int, quarter: int, mode: str = RankingMode.HISTORIC, count: str = DEFAULT_COUNT
) -> list[Recognition]:
    """In each cluster and block, the unit(s) with most initiatives in the quarter; recognised
    only if that count is above the unit's own target for the quarter. Public, like rankings.

    By default counted as the units were in the quarter (`Initiative.top_unit`), with that
    year's groups; `mode=today` counts by today's tree and groups. Like targets, it counts
    valid initiatives unless `count="submitted"` asks for the handed-in ones.
    """
    count = count_or_default(count)
    period = periods.quarter(year, quarter)
    totals = top_level_totals(period=period, mode=mode)
    result = []
    for group in EmulationGroup.objects.order_by("kind", "code"):
        ranking = national_ranking(
            period=period, mode=mode, group=group, totals=totals, measure=count
        )
        leaders = [r for r in ranking.rows if r.rank == 1 and r.count > 0]
        result.append(Recognition(group=group, leaders=leaders))
    return result


def target_list(*, scope: Scope, parent: OrgUnit) -> list[Target]:
    """Targets of `parent`'s sub-units (what `parent` has set), newest period first."""
    if not scope.contains(parent):
        raise Http404
    return list(
        Target.objects.filter(unit__parent=parent)
        .select_related("unit")
        .order_by("-starts_on", "unit__code")[:500]
    )


def report_list(*, scope: Scope, unit: OrgUnit):
    from rankings.models import WeeklyReport

    if not scope.contains(unit):
        raise Http404
    return WeeklyReport.objects.filter(unit=unit).order_by("-week")


def emulation_groups():
    return list(EmulationGroup.objects.order_by("kind", "code"))


def group_of_units(unit_ids, year: int) -> dict[int, str]:
    return dict(
        EmulationMembership.objects.filter(unit_id__in=list(unit_ids), year=year).values_list(
            "unit_id", "group__name"
        )
    )
