"""Writes for rankings: the counters, weekly snapshots, targets, reminders, weekly reports."""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Role, RoleAssignment
from accounts.tenancy import Scope
from core import parsing
from core.models import Notice
from core.notices import notices_changed
from core.outbox import outbox_enqueue
from core.page_cache import public_pages_changed
from core.tabular import ImportReport, NumberedRow, reader_for
from federation.models import OrgUnit
from rankings import periods
from rankings.models import (
    Bucket,
    DailyTally,
    Dimension,
    MonthlyTally,
    RankingMode,
    RankingSnapshot,
    ReminderPolicy,
    TalliedInitiative,
    Target,
    WeeklyReport,
    WeeklyTally,
)

logger = logging.getLogger(__name__)

MSG_TARGET_NOT_POSITIVE = gettext_noop("Chỉ tiêu phải là số nguyên dương.")
MSG_TARGET_TOO_LARGE = gettext_noop("Chỉ tiêu tối đa {limit} sáng kiến.")
# Far above any unit's target (the whole programme aimed at one million initiatives).
MAX_TARGET = 100_000_000
MSG_TARGET_PERIOD = gettext_noop("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.")
MSG_TARGET_OUT_OF_SCOPE = gettext_noop(
    "Chỉ đơn vị cấp trên trực tiếp hoặc cao hơn mới được giao chỉ tiêu cho “{unit}”."
)
MSG_IMPORT_UNKNOWN_UNIT = gettext_noop("Không tìm thấy đơn vị “{code}” trong phạm vi bạn quản lý.")
MSG_IMPORT_MISSING_COLUMNS = gettext_noop(
    "Thiếu cột: {columns}. Cần các cột: ma_don_vi, tu_ngay, den_ngay, chi_tieu."
)
MSG_CADENCE_RANGE = gettext_noop("Chu kỳ nhắc phải từ 1 đến 90 ngày.")

BUCKET_OF_STATUS = {
    "submitted": Bucket.PENDING,
    "checking": Bucket.PENDING,
    "flagged": Bucket.PENDING,
    "returned": Bucket.PENDING,
    "valid": Bucket.VALID,
    "approved": Bucket.VALID,
    "recognised": Bucket.RECOGNISED,
    "rejected": Bucket.REJECTED,
}


# --------------------------------------------------------------------------- counters


@dataclass(frozen=True)
class TallyKey:
    unit_id: int
    top_unit_id: int
    day: dt.date
    participant_group: str
    field_key: int
    bucket: str
    benefit_vnd: Decimal


def _key_of(initiative) -> TallyKey | None:
    bucket = BUCKET_OF_STATUS.get(initiative.status)
    if bucket is None or initiative.submitted_at is None:
        return None
    top_unit_id = initiative.top_unit_id
    if top_unit_id is None:
        unit = initiative.unit
        top_unit_id = (
            unit.pk
            if unit.level == 1
            else unit.get_ancestors().filter(level=1).values_list("pk", flat=True).first()
        ) or unit.pk
    return TallyKey(
        unit_id=initiative.unit_id,
        top_unit_id=top_unit_id,
        day=timezone.localdate(initiative.submitted_at),
        participant_group=initiative.participant_group or "",
        field_key=initiative.field_id or 0,
        bucket=str(bucket),
        benefit_vnd=Decimal(initiative.benefit_vnd or 0),
    )


def _upsert(table: str, rows: list[dict], count: int, benefit: Decimal) -> None:
    """Add `count` and `benefit` to the counter rows keyed by `rows`, in one statement.

    The rows of one call never share a key (they differ by period or dimension), which
    a multi-row upsert requires. One statement per table instead of one per row: a
    submission moves nine counters, a decision eighteen.
    """
    columns = list(rows[0])
    params: list = []
    if count < 0:
        # Taking off what was added: the rows exist. (An INSERT of a negative count would
        # trip the CHECK constraint before ON CONFLICT is considered.)
        row_values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
        for row in rows:
            params.extend(row.values())
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET count = count + %s, benefit_vnd = benefit_vnd + %s "
                f"WHERE ({', '.join(columns)}) IN (VALUES {row_values})",
                [count, benefit, *params],
            )
        return
    placeholders = "(" + ", ".join(["%s"] * (len(columns) + 2)) + ")"
    for row in rows:
        params.extend([*row.values(), count, benefit])
    sql = (
        f"INSERT INTO {table} ({', '.join([*columns, 'count', 'benefit_vnd'])}) "
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({', '.join(columns)}) DO UPDATE SET count = {table}.count + excluded.count, "
        f"benefit_vnd = {table}.benefit_vnd + excluded.benefit_vnd"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _bump(key: TallyKey, sign: int) -> None:
    benefit = key.benefit_vnd * sign
    _upsert(
        DailyTally._meta.db_table,
        [
            {
                "unit_id": key.unit_id,
                "top_unit_id": key.top_unit_id,
                "day": key.day,
                "participant_group": key.participant_group,
                "field_key": key.field_key,
                "bucket": key.bucket,
            }
        ],
        sign,
        benefit,
    )
    dimensions = (
        (Dimension.ALL, ""),
        (Dimension.GROUP, key.participant_group),
        (Dimension.FIELD, str(key.field_key)),
        (Dimension.GROUP_FIELD, f"{key.participant_group}|{key.field_key}"),
    )
    for table, column, start in (
        (WeeklyTally._meta.db_table, "week", periods.week_start(key.day)),
        (MonthlyTally._meta.db_table, "month", key.day.replace(day=1)),
    ):
        rows = [
            {
                "top_unit_id": key.top_unit_id,
                column: start,
                "dimension": str(dimension),
                "dim_key": dim_key,
                "bucket": key.bucket,
            }
            for dimension, dim_key in dimensions
        ]
        _upsert(table, rows, sign, benefit)


def _key_of_mirror(mirror: TalliedInitiative | None) -> TallyKey | None:
    """The key an initiative is counted under now, from its mirror row."""
    if mirror is None:
        return None
    return TallyKey(
        mirror.unit_id,
        mirror.top_unit_id,
        mirror.day,
        mirror.participant_group,
        mirror.field_key,
        mirror.bucket,
        Decimal(mirror.benefit_vnd),
    )


def tally_record_transition(*, initiative) -> bool:
    """Bring the counters in line with `initiative` as it now stands; True if they moved.

    Called by `initiatives.services._transition` inside its transaction, with the
    initiative's row locked, so two changes to one initiative cannot interleave.
    The previous key comes from `TalliedInitiative`, not from the initiative: a
    returned initiative may have been edited (unit, group, field, benefit) since.
    """
    new_key = _key_of(initiative)
    old_key = _key_of_mirror(TalliedInitiative.objects.filter(pk=initiative.pk).first())
    if old_key == new_key:
        return False
    if old_key is not None:
        _bump(old_key, -1)
    if new_key is None:
        TalliedInitiative.objects.filter(pk=initiative.pk).delete()
        return True
    _bump(new_key, +1)
    # One upsert (the row is locked through its initiative's): not update_or_create's
    # SELECT FOR UPDATE, savepoint, INSERT or UPDATE.
    mirror_fields = ["unit_id", "top_unit_id", "day", "participant_group", "field_key"]
    TalliedInitiative.objects.bulk_create(
        [
            TalliedInitiative(
                initiative_id=initiative.pk,
                unit_id=new_key.unit_id,
                top_unit_id=new_key.top_unit_id,
                day=new_key.day,
                participant_group=new_key.participant_group,
                field_key=new_key.field_key,
                bucket=new_key.bucket,
                benefit_vnd=new_key.benefit_vnd,
            )
        ],
        update_conflicts=True,
        unique_fields=["initiative"],
        update_fields=[*mirror_fields, "bucket", "benefit_vnd"],
    )
    return True


def tally_forget(*, initiative_id: int) -> None:
    """Take an initiative off the counters before it is deleted (its mirror row goes with it)."""
    public_pages_changed()
    mirror = TalliedInitiative.objects.filter(pk=initiative_id).first()
    if mirror is None:
        return
    _bump(_key_of_mirror(mirror), -1)
    mirror.delete()


def _day_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE '{settings.TIME_ZONE}')::date"
    offset = timezone.localtime().utcoffset() or dt.timedelta(0)
    return f"date({column}, '{int(offset.total_seconds() // 3600):+d} hours')"


def _week_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('week', {column})::date"
    return f"date({column}, 'weekday 0', '-6 days')"


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"date({column}, 'start of month')"


def _tables() -> dict[str, str]:
    from initiatives.models import Initiative

    return {
        "mirror": TalliedInitiative._meta.db_table,
        "daily": DailyTally._meta.db_table,
        "weekly": WeeklyTally._meta.db_table,
        "monthly": MonthlyTally._meta.db_table,
        "initiative": Initiative._meta.db_table,
    }


_DIMENSION_SQL = (
    ("all", "''"),
    ("group", "participant_group"),
    ("field", "CAST(field_key AS VARCHAR(24))"),
    ("both", "participant_group || '|' || CAST(field_key AS VARCHAR(24))"),
)


def _count_mirror_rows(cursor, *, where: str, params: list, add: bool) -> None:
    """Add the mirror rows matching `where` into the daily, weekly and monthly counters.

    `add`: upsert onto existing counts (a bulk load into live counters); otherwise plain
    inserts into emptied counters (a rebuild)."""
    tables = _tables()

    def on_conflict(keys: str) -> str:
        if not add:
            return ""
        return (
            f" ON CONFLICT ({keys}) DO UPDATE SET count = {{table}}.count + excluded.count, "
            "benefit_vnd = {table}.benefit_vnd + excluded.benefit_vnd"
        )

    daily_keys = "unit_id, top_unit_id, day, participant_group, field_key, bucket"
    cursor.execute(
        f"INSERT INTO {tables['daily']} ({daily_keys}, count, benefit_vnd) "
        f"SELECT {daily_keys}, COUNT(*), SUM(benefit_vnd) FROM {tables['mirror']} "
        f"WHERE {where} GROUP BY {daily_keys}"
        + on_conflict(daily_keys).format(table=tables["daily"]),
        params,
    )
    for dimension, key_sql in _DIMENSION_SQL:
        for table, column, grain in (
            ("weekly", "week", _week_sql("day")),
            ("monthly", "month", _month_sql("day")),
        ):
            keys = f"top_unit_id, {column}, dimension, dim_key, bucket"
            cursor.execute(
                f"INSERT INTO {tables[table]} ({keys}, count, benefit_vnd) "
                f"SELECT top_unit_id, {grain}, '{dimension}', {key_sql}, bucket, "
                f"COUNT(*), SUM(benefit_vnd) FROM {tables['mirror']} WHERE {where} "
                f"GROUP BY top_unit_id, {grain}, bucket"
                + (f", {key_sql}" if dimension != "all" else "")
                + on_conflict(keys).format(table=tables[table]),
                params,
            )


def _mirror_insert_sql(where: str) -> str:
    tables = _tables()
    case = " ".join(
        f"WHEN '{status}' THEN '{bucket}'" for status, bucket in BUCKET_OF_STATUS.items()
    )
    # Initiatives without top_unit (none after submission) count for their own unit.
    return (
        f"INSERT INTO {tables['mirror']} (initiative_id, unit_id, top_unit_id, day, "
        "participant_group, field_key, bucket, benefit_vnd) "
        f"SELECT i.id, i.unit_id, COALESCE(i.top_unit_id, i.unit_id), "
        f"{_day_sql('i.submitted_at')}, i.participant_group, COALESCE(i.field_id, 0), "
        f"CASE i.status {case} END, i.benefit_vnd "
        f"FROM {tables['initiative']} i "
        f"WHERE i.status <> 'draft' AND i.submitted_at IS NOT NULL AND {where}"
    )


@transaction.atomic
def tally_rebuild() -> int:
    """Recount every counter from the initiatives table (backfill, or repair).

    Set-based statements; it empties the counters and holds its transaction until
    done, so transitions wait meanwhile: for bulk loads into a live database use
    `tally_record_many`.
    """
    public_pages_changed()  # moves when this transaction commits
    tables = _tables()
    with connection.cursor() as cursor:
        for table in ("monthly", "weekly", "daily", "mirror"):
            cursor.execute(f"DELETE FROM {tables[table]}")
        cursor.execute(_mirror_insert_sql("1 = 1"))
        _count_mirror_rows(cursor, where="1 = 1", params=[], add=False)
        cursor.execute(f"SELECT COUNT(*) FROM {tables['mirror']}")
        return cursor.fetchone()[0]


MSG_DRIFT_SUBJECT = gettext_noop("Bộ đếm xếp hạng bị lệch và đã được sửa")
MSG_DRIFT_BODY = gettext_noop(
    "Đối soát đêm {day}: đếm lại từ sáng kiến thấy {initiatives} sáng kiến tính sai đơn vị và "
    "{rows} dòng bộ đếm lệch ({tables}). Bộ đếm đã được sửa theo số đếm lại."
)

_COUNTER_COLUMNS = {
    "mirror": "initiative_id, unit_id, top_unit_id, day, participant_group, field_key, bucket, "
    "benefit_vnd",
    "daily": "unit_id, top_unit_id, day, participant_group, field_key, bucket, count, benefit_vnd",
    "weekly": "top_unit_id, week, dimension, dim_key, bucket, count, benefit_vnd",
    "monthly": "top_unit_id, month, dimension, dim_key, bucket, count, benefit_vnd",
}


@dataclass
class Reconciliation:
    reattributed: int = 0
    drift: dict[str, int] = field(default_factory=dict)

    @property
    def drifted(self) -> bool:
        return bool(self.reattributed or any(self.drift.values()))


@transaction.atomic
def tally_reconcile(*, notify: bool = True) -> Reconciliation:
    """Nightly: recount every counter from the initiatives, repair, and report any drift.

    First each handed-in initiative's top-level unit is re-derived from its unit and
    submission date (the tree as it stood then); then the counters are copied aside,
    rebuilt by `tally_rebuild`, and compared row by row with the copy. Every row that
    differs was drift: it is logged and, with `notify`, the system administrators get a
    portal notice and an email. Holds its transaction for the length of a rebuild.
    """
    from initiatives.services import initiatives_reattribute_all

    result = Reconciliation(reattributed=initiatives_reattribute_all())
    tables = _tables()
    with connection.cursor() as cursor:
        for name, columns in _COUNTER_COLUMNS.items():
            cursor.execute(f"DROP TABLE IF EXISTS reconcile_{name}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE reconcile_{name} AS SELECT {columns} FROM {tables[name]} "
                "WHERE count <> 0"
                if name != "mirror"
                else f"CREATE TEMPORARY TABLE reconcile_{name} AS SELECT {columns} "
                f"FROM {tables[name]}"
            )
    tally_rebuild()
    with connection.cursor() as cursor:
        for name, columns in _COUNTER_COLUMNS.items():
            live = f"SELECT {columns} FROM {tables[name]}"
            kept = f"SELECT {columns} FROM reconcile_{name}"
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM ({kept} EXCEPT {live}) AS a) "
                f"+ (SELECT COUNT(*) FROM ({live} EXCEPT {kept}) AS b)"
            )
            result.drift[name] = cursor.fetchone()[0]
            cursor.execute(f"DROP TABLE reconcile_{name}")
    if result.drifted:
        logger.warning(
            "ranking counters drifted: %s initiatives re-attributed, rows differing %s",
            result.reattributed,
            result.drift,
        )
        if notify:
            _notify_drift(result)
    return result


def _notify_drift(result: Reconciliation) -> None:
    from accounts.models import User

    admins = list(
        User.objects.filter(is_active=True)
        .filter(
            models.Q(is_superuser=True)
            | models.Q(role_assignments__role=Role.ADMIN, role_assignments__unit__level=0)
        )
        .distinct()
    )
    today = timezone.localdate()
    subject = _(MSG_DRIFT_SUBJECT)
    body = _(MSG_DRIFT_BODY).format(
        day=f"{today:%d/%m/%Y}",
        initiatives=result.reattributed,
        rows=sum(result.drift.values()),
        tables=", ".join(f"{name}: {rows}" for name, rows in result.drift.items() if rows) or "0",
    )
    Notice.objects.bulk_create(
        Notice(recipient=user, subject=subject, body=body, link="/xep-hang/bang-dieu-khien/")
        for user in admins
    )
    notices_changed(user.pk for user in admins)
    emails = sorted({user.email for user in admins if user.email})
    if emails:
        outbox_enqueue(to=emails, subject=subject, body=body)


def tally_record_many(*, initiative_ids, batch_size: int = 5000) -> int:
    """Count initiatives written in bulk (imports), without recounting everything.

    Initiatives not counted yet are added set-based, a batch at a time; any already
    counted (a re-import that changed them) go through `tally_record_transition`.
    """
    from initiatives.models import Initiative

    ids = sorted(set(initiative_ids))
    counted = 0
    for offset in range(0, len(ids), batch_size):
        batch = ids[offset : offset + batch_size]
        with transaction.atomic():
            public_pages_changed()  # moves when this batch commits
            known = set(TalliedInitiative.objects.filter(pk__in=batch).values_list("pk", flat=True))
            for initiative in Initiative.objects.select_for_update().filter(pk__in=known):
                tally_record_transition(initiative=initiative)
            fresh = [pk for pk in batch if pk not in known]
            if not fresh:
                continue
            marks = ", ".join(["%s"] * len(fresh))
            with connection.cursor() as cursor:
                cursor.execute(_mirror_insert_sql(f"i.id IN ({marks})"), fresh)
                counted += max(cursor.rowcount, 0)
                _count_mirror_rows(
                    cursor, where=f"initiative_id IN ({marks})", params=fresh, add=True
                )
    return counted


# --------------------------------------------------------------------------- snapshots


@transaction.atomic
def ranking_snapshot_take(*, week: dt.date) -> int:
    """Freeze programme-to-date totals at the end of `week` for every top-level unit, both modes."""
    from rankings import selectors

    monday = periods.week_start(week)
    period = periods.Period("all", periods.PROGRAMME_START, monday + dt.timedelta(days=6))
    rows = []
    unit_ids = list(selectors.top_level_units().values_list("pk", flat=True))
    for mode in RankingMode.values:
        totals = selectors.top_level_totals(period=period, mode=mode)
        for unit_id in unit_ids:
            total = totals.get(unit_id, selectors.Totals())
            rows.append(
                RankingSnapshot(
                    week=monday,
                    mode=mode,
                    unit_id=unit_id,
                    submitted=total.submitted,
                    valid=total.valid,
                    benefit_vnd=total.benefit_vnd,
                )
            )
    RankingSnapshot.objects.filter(week=monday).delete()
    RankingSnapshot.objects.bulk_create(rows, batch_size=500)
    return len(rows)


# --------------------------------------------------------------------------- targets


def _check_target_writer(*, scope: Scope, unit: OrgUnit) -> None:
    # The unit above sets a unit's target: the writer must reach the unit's parent.
    if unit.parent_id is None or not scope.contains(unit.parent):
        raise ValidationError(_(MSG_TARGET_OUT_OF_SCOPE).format(unit=unit.display_name))


@transaction.atomic
def target_set(
    *, scope: Scope, actor, unit: OrgUnit, starts_on: dt.date, ends_on: dt.date, count: int
) -> Target:
    _check_target_writer(scope=scope, unit=unit)
    if count is None or int(count) <= 0:
        raise ValidationError({"count": _(MSG_TARGET_NOT_POSITIVE)})
    if int(count) > MAX_TARGET:
        raise ValidationError({"count": _(MSG_TARGET_TOO_LARGE).format(limit=MAX_TARGET)})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _(MSG_TARGET_PERIOD)})
    target, _created = Target.objects.select_for_update().get_or_create(
        unit=unit,
        starts_on=starts_on,
        ends_on=ends_on,
        defaults={"count": int(count), "set_by": actor},
    )
    if not _created:
        target.count = int(count)
        target.set_by = actor
        target.full_clean()
        target.save(update_fields=["count", "set_by", "updated_at"])
    public_pages_changed()  # progress against targets is on the dashboard
    return target


TARGET_IMPORT_COLUMNS = ("ma_don_vi", "tu_ngay", "den_ngay", "chi_tieu")
# Other headers a table of targets may use for each column (accents and case aside).
TARGET_IMPORT_ALIASES = {
    "ma_don_vi": ("mã đơn vị", "unit_code"),
    "tu_ngay": ("từ ngày", "starts_on"),
    "den_ngay": ("đến ngày", "ends_on"),
    "chi_tieu": ("chỉ tiêu", "count"),
}
# The portal's table reader (XLSX, CSV, JSONL) set to a table of targets.
target_table = reader_for(TARGET_IMPORT_ALIASES)


def _parse_day(value) -> dt.date:
    return parsing.parse_date(value, low=periods.PROGRAMME_EARLIEST)


def targets_import(
    *, scope: Scope, actor, rows: Iterable[NumberedRow], on_progress=None
) -> ImportReport:
    """Import targets from a table's numbered rows (`target_table`, `tabular.numbered`):
    all rows are saved, or none (errors listed). `on_progress(phase, rows done)` is
    called at every row."""
    progress = on_progress or (lambda phase, done: None)
    rows = list(rows)
    report = ImportReport(total=len(rows))
    present = set().union(*(cells for _n, cells, _e in rows if cells))
    missing = set(TARGET_IMPORT_COLUMNS) - present
    if rows and missing:
        report.add(1, "", _(MSG_IMPORT_MISSING_COLUMNS).format(columns=", ".join(sorted(missing))))
        return report.finish()
    codes = {
        str(cells.get("ma_don_vi", "")).strip() for _n, cells, error in rows if cells and not error
    }
    units = {u.code: u for u in scope.units().filter(code__in=codes).select_related("parent")}
    parsed = []
    for done, (number, row, parse_error) in enumerate(rows):
        progress("validate", done)
        if parse_error:
            report.add(number, "", parse_error)
            continue
        code = str(row.get("ma_don_vi", "")).strip()
        unit = units.get(code)
        if unit is None or unit.parent is None or not scope.contains(unit.parent):
            report.add(number, "ma_don_vi", _(MSG_IMPORT_UNKNOWN_UNIT).format(code=code))
            continue
        try:
            starts_on = _parse_day(row.get("tu_ngay", ""))
            ends_on = _parse_day(row.get("den_ngay", ""))
            raw_count = row.get("chi_tieu", "")
            if isinstance(raw_count, str):
                raw_count = raw_count.replace(".", "").replace(",", "")
            count = parsing.parse_int(raw_count, high=MAX_TARGET)  # ParseError is a ValueError
            if count <= 0:
                raise ValueError(_(MSG_TARGET_NOT_POSITIVE))
            if ends_on < starts_on:
                raise ValueError(_(MSG_TARGET_PERIOD))
        except ValueError as exc:
            report.add(number, "", str(exc))
            continue
        parsed.append((unit, starts_on, ends_on, count))
    if report.errors:
        return report.finish()
    with transaction.atomic():
        # A row for a unit and period that already has a target replaces it: "updated".
        existing = set(
            Target.objects.filter(unit__in={unit for unit, *_ in parsed}).values_list(
                "unit_id", "starts_on", "ends_on"
            )
        )
        for written, (unit, starts_on, ends_on, count) in enumerate(parsed):
            progress("write", written)
            target_set(
                scope=scope,
                actor=actor,
                unit=unit,
                starts_on=starts_on,
                ends_on=ends_on,
                count=count,
            )
            key = (unit.pk, starts_on, ends_on)
            if key in existing:
                report.updated += 1
            else:
                report.created += 1
                existing.add(key)
    return report.finish()


# --------------------------------------------------------------------------- reminders


@transaction.atomic
def reminder_policy_set(*, scope: Scope, actor, unit: OrgUnit, every_days: int) -> ReminderPolicy:
    if not scope.contains(unit):
        raise ValidationError(_(MSG_TARGET_OUT_OF_SCOPE).format(unit=unit.display_name))
    if not 1 <= int(every_days) <= 90:
        raise ValidationError({"every_days": _(MSG_CADENCE_RANGE)})
    policy, _created = ReminderPolicy.objects.update_or_create(
        unit=unit, defaults={"every_days": int(every_days), "updated_by": actor}
    )
    return policy


REMINDER_ROLES = (Role.UNIT_OFFICER, Role.GRASSROOTS_OFFICER)


def reminders_send(*, today: dt.date | None = None) -> int:
    """Remind the officers of every lagging sub-unit of each level whose cadence is due.

    Lagging as the targets count: valid initiatives (`selectors.DEFAULT_COUNT`); the
    reminder names that and gives the handed-in count beside it."""
    from rankings import selectors

    today = today or timezone.localdate()
    sent = 0
    for policy in ReminderPolicy.objects.select_related("unit"):
        if policy.last_sent_on and (today - policy.last_sent_on).days < policy.every_days:
            continue
        progress = selectors.progress_rows(
            unit=policy.unit,
            period=periods.year(today.year),
            as_of=today,
            count=selectors.DEFAULT_COUNT,
        )
        lagging = [row for row in progress if row.lagging]
        with transaction.atomic():
            for row in lagging:
                sent += _remind(row, today=today)
            policy.last_sent_on = today
            policy.save(update_fields=["last_sent_on"])
    return sent


def _reminder_text(row, *, today: dt.date) -> tuple[str, str]:
    """The reminder's subject and body in the active language, numbers in its format
    ("41,8%" and "9.000" in Vietnamese, "41.8%" and "9,000" in English)."""

    def number(value, decimals=0):
        return formats.number_format(value, decimal_pos=decimals, force_grouping=True)

    subject = _("Nhắc tiến độ chỉ tiêu sáng kiến: %(unit)s") % {"unit": row.unit.display_name}
    body = _(
        "Đến %(day)s, %(unit)s có %(count)s sáng kiến hợp lệ (đạt kiểm tra hoặc được duyệt; "
        "đã nộp %(submitted)s), đạt %(pct)s%% chỉ tiêu năm (%(target)s); theo tiến độ cần có "
        "%(expected)s. Cần thêm khoảng %(pace)s sáng kiến hợp lệ mỗi tuần."
    ) % {
        "day": formats.date_format(today, "SHORT_DATE_FORMAT"),
        "unit": row.unit.display_name,
        "count": number(row.count),
        "submitted": number(row.submitted),
        "pct": number(row.target_pct, 1),
        "target": number(row.target),
        "expected": number(row.expected),
        "pace": number(row.pace_per_week),
    }
    return subject, body


def _remind(row, *, today: dt.date) -> int:
    link = f"/xep-hang/don-vi/{row.unit.code}/"
    recipients = list(
        RoleAssignment.objects.filter(unit=row.unit, role__in=REMINDER_ROLES)
        .select_related("user")
        .values_list("user_id", "user__email", "user__language")
        .distinct()
    )
    # Each person reads it in their own language: one text, and one email, per language.
    by_language: dict[str, list[tuple[int, str | None]]] = {}
    for user_id, email, language in recipients:
        by_language.setdefault(language or settings.LANGUAGE_CODE, []).append((user_id, email))
    for language, people in sorted(by_language.items()):
        with translation.override(language):
            subject, body = _reminder_text(row, today=today)
        Notice.objects.bulk_create(
            Notice(recipient_id=user_id, subject=subject, body=body, link=link)
            for user_id, _email in people
        )
        notices_changed(user_id for user_id, _email in people)
        emails = sorted({email for _id, email in people if email})
        outbox_enqueue(to=emails, subject=subject, body=body)
    return len(recipients)


# --------------------------------------------------------------------------- weekly reports

REPORT_ROLES = (Role.LEADERSHIP, Role.UNIT_OFFICER)


REPORT_STEPS = 4  # content, XLSX, PDF, stored (and emailed)


def weekly_report_generate(
    *, unit: OrgUnit, week: dt.date, email: bool = False, on_progress=None
) -> WeeklyReport:
    """Build (or rebuild) one unit's weekly report as XLSX and PDF; optionally email it.

    Seconds of work (WeasyPrint): called from Celery tasks only, never inside a request.
    `on_progress(step)` is called after each of the `REPORT_STEPS` steps.
    """
    from rankings import reports

    progress = on_progress or (lambda step: None)
    monday = periods.week_start(week)
    content = reports.weekly_report_content(unit=unit, week=monday)
    progress(1)
    xlsx = reports.weekly_report_xlsx(content)
    progress(2)
    pdf = reports.weekly_report_pdf(content)
    progress(3)
    with transaction.atomic():
        report, _created = WeeklyReport.objects.select_for_update().get_or_create(
            unit=unit, week=monday
        )
        old = [f.name for f in (report.xlsx, report.pdf) if f]
        stem = f"{unit.code}-{monday:%Y-%m-%d}"
        report.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        report.generated_at = timezone.now()
        report.save(update_fields=["xlsx", "pdf", "generated_at"])
        storage = report.xlsx.storage
        keep = {report.xlsx.name, report.pdf.name}
        transaction.on_commit(lambda: [storage.delete(n) for n in old if n not in keep])
    if email:
        weekly_report_email(report=report, xlsx=xlsx, pdf=pdf)
    progress(4)
    return report


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_readers(unit: OrgUnit):
    """Everyone who receives the unit's weekly report or may download it: the report
    roles at the unit, and every ranking role at the unit or above."""
    from accounts.models import User
    from rankings.selectors import RANKING_ROLES

    chain = [unit.pk, *unit.get_ancestors().values_list("pk", flat=True)]
    return list(
        User.objects.filter(
            models.Q(role_assignments__unit_id=unit.pk, role_assignments__role__in=REPORT_ROLES)
            | models.Q(
                role_assignments__unit_id__in=chain, role_assignments__role__in=RANKING_ROLES
            )
        ).distinct()
    )


def weekly_report_email(*, report: WeeklyReport, xlsx: bytes, pdf: bytes) -> int:
    """Queue the report for the unit's leadership and officers (core.outbox); the
    files are attached from storage when the email is sent."""
    emails = sorted(
        set(
            RoleAssignment.objects.filter(unit_id=report.unit_id, role__in=REPORT_ROLES)
            .exclude(user__email__isnull=True)
            .values_list("user__email", flat=True)
        )
    )
    if not emails:
        return 0
    subject = _("Báo cáo tuần %(week)s: %(unit)s") % {
        "week": f"{report.week:%d/%m/%Y}",
        "unit": report.unit.display_name,
    }
    stem = f"bao-cao-tuan-{report.unit.code}-{report.week:%Y-%m-%d}"
    outbox_enqueue(
        to=emails,
        subject=subject,
        body=_(
            "Kính gửi Thường trực,\n\nBáo cáo tuần về Chương trình “Một triệu sáng kiến” gửi kèm."
        ),
        attachments=[
            {"name": f"{stem}.xlsx", "path": report.xlsx.name, "mimetype": XLSX_MIMETYPE},
            {"name": f"{stem}.pdf", "path": report.pdf.name, "mimetype": "application/pdf"},
        ],
    )
    WeeklyReport.objects.filter(pk=report.pk).update(emailed_at=timezone.now())
    return len(emails)


def report_units() -> Iterable[OrgUnit]:
    """Units that get a weekly report from beat: the confederation itself (for national
    leadership) and today's units directly under it."""
    from rankings.selectors import top_level_units

    top = top_level_units().filter(active_to__isnull=True)
    return (top | OrgUnit.objects.filter(level=0)).order_by("level", "code")


def pace(*, submitted: int, target: int | None, period, as_of: dt.date):
    """(expected by now, per week still needed, projected end figure) for a target period."""
    if not target:
        return None, None, None
    elapsed = max(0, min((as_of - period.start).days + 1, period.days))
    expected = math.ceil(target * elapsed / period.days)
    remaining_days = period.days - elapsed
    missing = max(0, target - submitted)
    per_week = math.ceil(missing / max(1.0, remaining_days / 7)) if missing else 0
    projected = round(submitted * period.days / elapsed) if elapsed else 0
    return expected, per_week, projected


# Receivers of initiatives' signals (connected in RankingsConfig.ready): initiatives
# sends them inside the transaction of every counted write, without importing rankings.
def on_initiative_written(sender, *, initiative, **kwargs) -> bool:
    return tally_record_transition(initiative=initiative)


def on_initiatives_created(sender, *, initiative_ids, **kwargs) -> None:
    tally_record_many(initiative_ids=initiative_ids)


def on_initiative_deleting(sender, *, initiative_id, **kwargs) -> None:
    tally_forget(initiative_id=initiative_id)
