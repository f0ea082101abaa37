"""Writes to the union tree. Every change of shape is an event with an effective date.

django-mptt rewrites lft/rght across a whole tree on a move, and is not safe when
two moves run at once: every tree write here takes one transaction-scoped lock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.parsing import INT_MAX, ParseError, parse_int
from core.tabular import ImportReport, NumberedRow, reader_for
from federation.models import (
    EmulationGroup,
    EmulationGroupName,
    EmulationMembership,
    OrgUnit,
    ReorgEvent,
    UnitKind,
    UnitPlacement,
)
from federation.signals import subtree_moved, unit_merged

TREE_LOCK_KEY = 0x5A4E_7EEE  # pg_advisory_xact_lock key for tree writes

MSG_MOVE_INTO_OWN_SUBTREE = gettext_noop(
    "Không thể chuyển một đơn vị vào chính nó hoặc đơn vị cấp dưới của nó."
)
MSG_MERGE_INTO_SELF = gettext_noop("Không thể hợp nhất một đơn vị vào chính nó.")
MSG_UNIT_CLOSED = gettext_noop("Đơn vị {name} đã ngừng hoạt động.")


def _lock_tree() -> None:
    """Serialise tree writes. SQLite already serialises writers; PostgreSQL needs a lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])


def _reposition(unit: OrgUnit, parent: OrgUnit | None, effective_date: dt.date | None) -> None:
    """Close the unit's open placement and open one under `parent` from `effective_date`."""
    open_placement = UnitPlacement.objects.filter(unit=unit, valid_to__isnull=True).first()
    if open_placement is not None:
        if (
            open_placement.valid_from is not None
            and effective_date is not None
            and (effective_date <= open_placement.valid_from)
        ):
            # Same-day correction: the earlier placement never really took effect.
            open_placement.delete()
        else:
            open_placement.valid_to = effective_date
            open_placement.save(update_fields=["valid_to"])
    UnitPlacement.objects.create(unit=unit, parent=parent, valid_from=effective_date)
    unit.refresh_from_db()
    if parent is not None:
        parent.refresh_from_db()  # mptt inserts by the parent's lft/rght: a stale one corrupts the tree
    unit.parent = parent
    unit.save()  # mptt moves the node, keeping siblings ordered by code


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None,
    short_name: str = "",
    member_count: int = 0,
    official_code: str = "",
    active_from: dt.date | None = None,
    actor=None,
) -> OrgUnit:
    _lock_tree()
    if parent is not None:
        parent.refresh_from_db()  # mptt inserts by the parent's lft/rght: a stale one corrupts the tree
    unit = OrgUnit(
        code=code,
        name=name,
        short_name=short_name,
        kind=kind,
        parent=parent,
        member_count=member_count,
        official_code=official_code,
        active_from=active_from,
    )
    unit.full_clean()
    unit.save()
    UnitPlacement.objects.create(unit=unit, parent=parent, valid_from=active_from)
    ReorgEvent.objects.create(
        kind=ReorgEvent.Kind.CREATE,
        unit=unit,
        target=parent,
        new_name=name,
        effective_date=active_from or dt.date.today(),
        actor=actor,
    )
    return unit


@transaction.atomic
def unit_move(
    *, unit: OrgUnit, new_parent: OrgUnit, effective_date: dt.date, actor=None, note: str = ""
) -> ReorgEvent:
    _lock_tree()
    unit.refresh_from_db()
    new_parent.refresh_from_db()
    if new_parent.pk == unit.pk or new_parent.is_descendant_of(unit):
        raise ValidationError(_(MSG_MOVE_INTO_OWN_SUBTREE))
    previous_parent = unit.parent
    _reposition(unit, new_parent, effective_date)
    subtree_moved.send(sender=OrgUnit, unit_ids=[unit.pk], effective_date=effective_date)
    return ReorgEvent.objects.create(
        kind=ReorgEvent.Kind.MOVE,
        unit=unit,
        target=new_parent,
        previous_parent=previous_parent,
        effective_date=effective_date,
        note=note,
        actor=actor,
    )


@transaction.atomic
def unit_merge(
    *,
    sources: Iterable[OrgUnit],
    target: OrgUnit,
    effective_date: dt.date,
    actor=None,
    note: str = "",
) -> list[ReorgEvent]:
    """Merge `sources` into `target` from `effective_date`.

    The sources' sub-units move under the target; each source is closed the day
    before and points at the target. Nothing submitted under a source is touched:
    it stays attributed to the unit it was submitted under, and today's tree rolls
    it up under the target through `merged_into`.
    """
    _lock_tree()
    target.refresh_from_db()
    events = []
    moved: list[int] = []
    for source in sources:
        source.refresh_from_db()
        if source.pk == target.pk:
            raise ValidationError(_(MSG_MERGE_INTO_SELF))
        if target.is_descendant_of(source):
            raise ValidationError(_(MSG_MOVE_INTO_OWN_SUBTREE))
        for child in list(source.get_children()):
            _reposition(child, target, effective_date)
            moved.append(child.pk)
            ReorgEvent.objects.create(
                kind=ReorgEvent.Kind.MOVE,
                unit=child,
                target=target,
                previous_parent=source,
                effective_date=effective_date,
                note=note,
                actor=actor,
            )
        source.refresh_from_db()
        source.active_to = effective_date - dt.timedelta(days=1)
        source.merged_into = target
        source.save(update_fields=["active_to", "merged_into"])
        UnitPlacement.objects.filter(unit=source, valid_to__isnull=True).update(
            valid_to=effective_date
        )
        event = ReorgEvent.objects.create(
            kind=ReorgEvent.Kind.MERGE,
            unit=source,
            target=target,
            previous_parent=source.parent,
            effective_date=effective_date,
            note=note,
            actor=actor,
        )
        events.append(event)
        # People's roles and memberships at the source follow it (portal receives this).
        unit_merged.send(
            sender=OrgUnit,
            source=source,
            target=target,
            effective_date=effective_date,
            actor=actor,
            event=event,
        )
    if moved:
        subtree_moved.send(sender=OrgUnit, unit_ids=moved, effective_date=effective_date)
    return events


@transaction.atomic
def unit_rename(
    *,
    unit: OrgUnit,
    name: str,
    short_name: str | None = None,
    effective_date: dt.date,
    actor=None,
) -> ReorgEvent:
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    previous_name = unit.name
    unit.name = name
    if short_name is not None:
        unit.short_name = short_name
    unit.full_clean()
    unit.save(update_fields=["name", "short_name"])
    return ReorgEvent.objects.create(
        kind=ReorgEvent.Kind.RENAME,
        unit=unit,
        previous_name=previous_name,
        new_name=name,
        effective_date=effective_date,
        actor=actor,
    )


@transaction.atomic
def unit_close(*, unit: OrgUnit, effective_date: dt.date, actor=None, note: str = "") -> ReorgEvent:
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if unit.active_to is not None:
        raise ValidationError(_(MSG_UNIT_CLOSED).format(name=unit.name))
    unit.active_to = effective_date - dt.timedelta(days=1)
    unit.save(update_fields=["active_to"])
    UnitPlacement.objects.filter(unit=unit, valid_to__isnull=True).update(valid_to=effective_date)
    return ReorgEvent.objects.create(
        kind=ReorgEvent.Kind.CLOSE, unit=unit, effective_date=effective_date, note=note, actor=actor
    )


# --- Import of units from a table (XLSX/CSV) -------------------------------------------

MSG_IMPORT_MISSING = gettext_noop("Thiếu {column}.")
MSG_IMPORT_BAD_KIND = gettext_noop(
    "Loại đơn vị “{value}” không hợp lệ (dùng một trong: {choices})."
)
MSG_IMPORT_BAD_MEMBERS = gettext_noop("Số đoàn viên “{value}” phải là số nguyên không âm.")
MSG_IMPORT_DUP_CODE = gettext_noop("Mã {code} bị lặp trong tệp (đã có ở dòng {row}).")
# Unit codes are unique across the country: one message whether the unit holding the
# code is the importer's or another province's, which it must not learn of.
MSG_IMPORT_CODE_EXISTS = gettext_noop("Không dùng được mã {code}; hãy chọn mã khác.")
MSG_IMPORT_NO_PARENT = gettext_noop("Không tìm thấy đơn vị cấp trên có mã {code}.")

UNIT_IMPORT_COLUMNS = ("code", "name", "parent_code", "kind", "members")
# Other headers a table of units may use for each column (accents and case aside).
UNIT_IMPORT_ALIASES = {
    "code": ("mã", "mã đơn vị"),
    "name": ("tên", "tên đơn vị"),
    "parent_code": ("mã cấp trên", "mã đơn vị cấp trên"),
    "kind": ("loại", "loại đơn vị"),
    "members": ("số đoàn viên", "đoàn viên"),
}
# The portal's table reader (XLSX, CSV, JSONL) set to a table of units.
unit_table = reader_for(UNIT_IMPORT_ALIASES)


def _kind_from_cell(value: str) -> str | None:
    from core.text import fold_accents

    wanted = fold_accents(value.strip().lower())
    for choice, label in UnitKind.choices:
        if wanted in (choice, fold_accents(str(label).lower())):
            return choice
    return None


@transaction.atomic
def units_import(
    *,
    rows: Iterable[NumberedRow],
    scope,
    actor=None,
    all_or_nothing: bool = True,
    on_progress=None,
) -> ImportReport:
    """Create units from a table's numbered rows (`unit_table`, or `tabular.numbered`).

    Parents may be existing units inside the importer's scope or units earlier in
    the same file. With `all_or_nothing`, one bad row means nothing is created. One
    transaction: a worker killed midway leaves nothing. `on_progress(phase, rows done)`
    is called at every row.
    """
    progress = on_progress or (lambda phase, done: None)
    rows = list(rows)
    report = ImportReport(total=len(rows), all_or_nothing=all_or_nothing)
    seen_codes: dict[str, int] = {}
    planned: list[tuple[int, dict]] = []
    existing = set(
        OrgUnit.objects.filter(
            code__in=[
                str(cells.get("code") or "").strip()
                for _n, cells, error in rows
                if cells and not error
            ]
        ).values_list("code", flat=True)
    )
    for done, (index, row, parse_error) in enumerate(rows):
        progress("validate", done)
        if parse_error:
            report.add(index, "", parse_error)
            continue
        code = str(row.get("code") or "").strip()
        name = str(row.get("name") or "").strip()
        parent_code = str(row.get("parent_code") or "").strip()
        kind_cell = str(row.get("kind") or "").strip()
        members_cell = str(row.get("members") or "0").strip() or "0"
        for column, value in (("code", code), ("name", name), ("parent_code", parent_code)):
            if not value:
                report.add(index, column, _(MSG_IMPORT_MISSING).format(column=column))
        kind = _kind_from_cell(kind_cell) if kind_cell else None
        if kind is None or kind == UnitKind.NATIONAL:
            report.add(
                index,
                "kind",
                _(MSG_IMPORT_BAD_KIND).format(
                    value=kind_cell, choices=", ".join(c for c, _l in UnitKind.choices[1:])
                ),
            )
        try:
            members = parse_int(members_cell, low=0, high=INT_MAX)
        except ParseError:
            members = 0
            report.add(index, "members", _(MSG_IMPORT_BAD_MEMBERS).format(value=members_cell))
        if code:
            if code in seen_codes:
                report.add(
                    index, "code", _(MSG_IMPORT_DUP_CODE).format(code=code, row=seen_codes[code])
                )
            elif code in existing:
                report.add(index, "code", _(MSG_IMPORT_CODE_EXISTS).format(code=code))
            seen_codes.setdefault(code, index)
        if parent_code and parent_code not in seen_codes:
            parent = OrgUnit.objects.filter(code=parent_code).first()
            if parent is None:
                report.add(index, "parent_code", _(MSG_IMPORT_NO_PARENT).format(code=parent_code))
            elif not scope.contains(parent):
                # As if it did not exist: an import must not reveal other provinces' codes.
                report.add(index, "parent_code", _(MSG_IMPORT_NO_PARENT).format(code=parent_code))
        if index not in report.bad_rows:
            planned.append(
                (
                    index,
                    {
                        "code": code,
                        "name": name,
                        "parent_code": parent_code,
                        "kind": kind,
                        "members": members,
                    },
                )
            )
    if report.errors and all_or_nothing:
        return report.finish()
    for written, (index, row) in enumerate(planned):
        progress("write", written)
        parent = OrgUnit.objects.filter(code=row["parent_code"]).first()
        if parent is None:
            # Its parent was a row of this file that failed: this row cannot be placed either.
            report.add(
                index, "parent_code", _(MSG_IMPORT_NO_PARENT).format(code=row["parent_code"])
            )
            continue
        unit_create(
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            parent=parent,
            member_count=row["members"],
            actor=actor,
        )
        report.created += 1
    return report.finish()


# --- emulation groups -------------------------------------------------------------------

_MEMBER_COUNT = re.compile(r"\b\d+(?= tỉnh)")


def counted_name(name: str, members: int) -> str | None:
    """A group name that counts its members ("12 tỉnh, thành phố ..."), recounted; None
    when the name counts nothing or already says `members`."""
    match = _MEMBER_COUNT.search(name)
    if match is None or int(match.group()) == members:
        return None
    return name[: match.start()] + str(members) + name[match.end() :]


@transaction.atomic
def emulation_group_names_refresh() -> int:
    """Store, for each year whose member count differs from the count in a group's name,
    the name with that year's count. Returns the number of names written."""
    counts: dict[tuple[int, int], int] = {}
    for group_id, year in EmulationMembership.objects.values_list("group_id", "year"):
        counts[group_id, year] = counts.get((group_id, year), 0) + 1
    groups = {g.pk: g for g in EmulationGroup.objects.all()}
    written = 0
    for (group_id, year), members in sorted(counts.items()):
        name = counted_name(groups[group_id].name, members)
        if name is None:
            EmulationGroupName.objects.filter(group_id=group_id, year=year).delete()
            continue
        EmulationGroupName.objects.update_or_create(
            group_id=group_id, year=year, defaults={"name": name}
        )
        written += 1
    return written
