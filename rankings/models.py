"""Tables behind rankings, targets and weekly reports.

Counts are never recounted over the initiatives table on a request. Every status
change goes through `rankings.services.tally_record_transition` (called from
`initiatives.services._transition`, inside the same transaction), which keeps:

- `TalliedInitiative`: what was last counted for each initiative (its unit, day,
  group, field, bucket and benefit), so a later change can take exactly that off;
- `DailyTally`: counts and benefit per grassroots unit, day, participant group,
  field and status bucket (drill-down, edge days of a date range, breakdowns);
- `WeeklyTally`: counts and benefit per top-level unit (as at submission), week,
  bucket and one breakdown dimension (all / group / field): national rankings.

`RankingSnapshot` freezes the weekly totals of every top-level unit (beat, Monday),
for "rank change since last week". See docs/rankings.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from federation.models import OrgUnit

__all__ = [
    "Bucket",
    "DailyTally",
    "Dimension",
    "MonthlyTally",
    "RankingMode",
    "RankingSnapshot",
    "ReminderPolicy",
    "TalliedInitiative",
    "Target",
    "WeeklyReport",
    "WeeklyTally",
]


class Bucket(models.TextChoices):
    PENDING = "pending", _("Đang xử lý")
    VALID = "valid", _("Hợp lệ, đã duyệt")
    # Valid too, and counted in a column of its own: the unit recorded its recognition.
    RECOGNISED = "recognised", _("Được công nhận")
    REJECTED = "rejected", _("Bị từ chối")


VALID_BUCKETS = (Bucket.VALID, Bucket.RECOGNISED)


class Dimension(models.TextChoices):
    ALL = "all", _("Tất cả")
    GROUP = "group", _("Nhóm đối tượng")
    FIELD = "field", _("Lĩnh vực")
    GROUP_FIELD = "both", _("Nhóm đối tượng và lĩnh vực")


TALLY_VALUES = ["bucket", "count", "benefit_vnd"]


class TalliedInitiative(models.Model):
    """The key an initiative is currently counted under (absent while a draft)."""

    initiative = models.OneToOneField(
        "initiatives.Initiative", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    unit_id = models.BigIntegerField()
    top_unit_id = models.BigIntegerField()
    day = models.DateField()
    participant_group = models.CharField(max_length=24)
    field_key = models.BigIntegerField(default=0)
    bucket = models.CharField(max_length=10, choices=Bucket.choices)
    benefit_vnd = models.DecimalField(max_digits=18, decimal_places=0, default=0)

    class Meta:
        verbose_name = _("sáng kiến đã tính")
        verbose_name_plural = _("sáng kiến đã tính")

    def __str__(self) -> str:
        return f"{self.initiative_id}: {self.bucket}"


class DailyTally(models.Model):
    unit_id = models.BigIntegerField()
    top_unit_id = models.BigIntegerField()
    day = models.DateField()
    participant_group = models.CharField(max_length=24)
    field_key = models.BigIntegerField(default=0)
    bucket = models.CharField(max_length=10, choices=Bucket.choices)
    count = models.IntegerField(default=0)
    benefit_vnd = models.DecimalField(max_digits=20, decimal_places=0, default=0)

    class Meta:
        verbose_name = _("số liệu theo ngày")
        verbose_name_plural = _("số liệu theo ngày")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "unit_id",
                    "top_unit_id",
                    "day",
                    "participant_group",
                    "field_key",
                    "bucket",
                ],
                name="dailytally_one_row_per_key",
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="dailytally_count_not_negative"),
        ]
        # Covering indexes (PostgreSQL): each read is an index-only scan, never the heap.
        indexes = [
            models.Index(
                fields=["day"],
                include=[*TALLY_VALUES, "top_unit_id", "participant_group", "field_key"],
                name="dailytally_day",
            ),
            models.Index(
                fields=["top_unit_id", "day"],
                include=[*TALLY_VALUES, "unit_id", "participant_group", "field_key"],
                name="dailytally_top_day",
            ),
            models.Index(
                fields=["unit_id", "day"],
                include=[*TALLY_VALUES, "top_unit_id", "participant_group", "field_key"],
                name="dailytally_unit_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.bucket}: {self.count}"


class TopUnitTally(models.Model):
    """Counts of one top-level unit over one period, by one dimension (group or field)."""

    top_unit_id = models.BigIntegerField()
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    dim_key = models.CharField(max_length=24, default="")
    bucket = models.CharField(max_length=10, choices=Bucket.choices)
    count = models.IntegerField(default=0)
    benefit_vnd = models.DecimalField(max_digits=20, decimal_places=0, default=0)

    class Meta:
        abstract = True


def tally_constraints(table: str, period: str) -> list:
    """One row per top unit, period and key; counts never below zero."""
    return [
        models.UniqueConstraint(
            fields=["top_unit_id", period, "dimension", "dim_key", "bucket"],
            name=f"{table}_one_row_per_key",
        ),
        models.CheckConstraint(condition=Q(count__gte=0), name=f"{table}_count_not_negative"),
    ]


def tally_indexes(table: str, period: str) -> list:
    """Pages read one dimension's periods with the values: an index-only scan."""
    return [
        models.Index(
            fields=["dimension", "dim_key", period],
            include=[*TALLY_VALUES, "top_unit_id"],
            name=f"{table}_dim_{period}",
        ),
    ]


class WeeklyTally(TopUnitTally):
    week = models.DateField(help_text=_("Thứ Hai đầu tuần"))

    class Meta:
        verbose_name = _("số liệu theo tuần")
        verbose_name_plural = _("số liệu theo tuần")
        constraints = tally_constraints("weeklytally", "week")
        indexes = tally_indexes("weeklytally", "week")

    def __str__(self) -> str:
        return f"{self.top_unit_id} {self.week} {self.dimension}={self.dim_key}: {self.count}"


class MonthlyTally(TopUnitTally):
    """The weekly counter's coarser twin: long periods read a few thousand rows."""

    month = models.DateField(help_text=_("Ngày đầu tháng"))

    class Meta:
        verbose_name = _("số liệu theo tháng")
        verbose_name_plural = _("số liệu theo tháng")
        constraints = tally_constraints("monthlytally", "month")
        indexes = tally_indexes("monthlytally", "month")

    def __str__(self) -> str:
        return (
            f"{self.top_unit_id} {self.month:%Y-%m} {self.dimension}={self.dim_key}: {self.count}"
        )


class RankingMode(models.TextChoices):
    TODAY = "today", _("Theo 34 tỉnh, thành hiện nay")
    HISTORIC = "historic", _("Theo đơn vị tại thời điểm nộp")


class RankingSnapshot(models.Model):
    """Programme-to-date totals of one top-level unit at the end of a week."""

    week = models.DateField(_("tuần (thứ Hai)"))
    mode = models.CharField(max_length=10, choices=RankingMode.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    submitted = models.IntegerField(default=0)
    valid = models.IntegerField(default=0)
    benefit_vnd = models.DecimalField(max_digits=20, decimal_places=0, default=0)
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ảnh chụp xếp hạng tuần")
        verbose_name_plural = _("ảnh chụp xếp hạng tuần")
        constraints = [
            models.UniqueConstraint(
                fields=["week", "mode", "unit"], name="rankingsnapshot_one_per_unit_week"
            ),
        ]
        indexes = [models.Index(fields=["mode", "week"], name="rankingsnapshot_mode_week")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.week} ({self.mode}): {self.submitted}"


class Target(models.Model):
    """Chỉ tiêu: how many initiatives a unit should hand in over a period, set by the unit above."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="targets"
    )
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    count = models.PositiveIntegerField(_("chỉ tiêu (số sáng kiến)"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["unit_id", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "starts_on", "ends_on"], name="target_one_per_unit_period"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="target_period_ordered"
            ),
            models.CheckConstraint(condition=Q(count__gt=0), name="target_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.count} ({self.starts_on} – {self.ends_on})"


class ReminderPolicy(models.Model):
    """How often a level reminds its lagging sub-units (set by that level's officers)."""

    unit = models.OneToOneField(
        OrgUnit, on_delete=models.CASCADE, related_name="reminder_policy", verbose_name=_("đơn vị")
    )
    every_days = models.PositiveSmallIntegerField(_("nhắc mỗi (ngày)"), default=7)
    last_sent_on = models.DateField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lịch nhắc nhở")
        verbose_name_plural = _("lịch nhắc nhở")
        constraints = [
            models.CheckConstraint(
                condition=Q(every_days__gte=1) & Q(every_days__lte=90),
                name="reminderpolicy_every_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.every_days}"


def report_path(report: WeeklyReport, filename: str) -> str:
    return f"reports/weekly/{report.week:%Y-%m-%d}/{filename}"


class WeeklyReport(models.Model):
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="weekly_reports")
    week = models.DateField(_("tuần (thứ Hai)"))
    xlsx = models.FileField(upload_to=report_path, blank=True)
    pdf = models.FileField(upload_to=report_path, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("báo cáo tuần")
        verbose_name_plural = _("báo cáo tuần")
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "week"], name="weeklyreport_one_per_unit_week"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.week}"
