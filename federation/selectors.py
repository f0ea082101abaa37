"""Reads over the union tree, including how it stood on a past date."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable

from django.db.models import F, Q, QuerySet

from federation.models import (
    EmulationGroup,
    EmulationGroupName,
    OrgUnit,
    UnitKind,
    UnitPlacement,
)


def unit_list(
    *, scope, kind: str | None = None, search: str = "", active_on: dt.date | None = None
) -> QuerySet[OrgUnit]:
    units = scope.units()
    if kind:
        units = units.filter(kind=kind)
    if active_on is not None:
        units = units.filter(
            Q(active_from__isnull=True) | Q(active_from__lte=active_on),
            Q(active_to__isnull=True) | Q(active_to__gte=active_on),
        )
    if search:
        units = units.filter(
            Q(name__icontains=search) | Q(code__iexact=search) | Q(short_name__icontains=search)
        )
    return units.order_by("tree_id", "lft")


def parents_on(day: dt.date) -> dict[int, int | None]:
    """unit id -> parent id, as the tree stood on `day` (units that did not exist are absent)."""
    placements = UnitPlacement.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_to__isnull=True) | Q(valid_to__gt=day),
    ).values_list("unit_id", "parent_id")
    return dict(placements)


def top_level_map(
    *, as_of: dt.date | None = None, unit_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """unit id -> id of the unit directly under the confederation that it rolls up to.

    With `as_of`, by the tree as it stood on that date: a unit merged away later
    still counts for its old province. Without it, by today's tree: a merged unit
    counts for the unit it was merged into.

    Where the history is silent (a unit recorded only under a parent that did not
    exist yet on `as_of`, e.g. grassroots units entered under the new Cần Thơ after
    the 2025 merger), see `_History`: the unit's earliest known parent, and a
    top-level unit that did not exist yet stands for the predecessor it was named after.
    """
    if as_of is None:
        return _top_level_map_today(unit_ids)

    parent_of = parents_on(as_of)
    wanted = list(unit_ids) if unit_ids is not None else list(parent_of)
    history = _History(as_of, parent_of)
    result = {}
    for unit_id in wanted:
        top = history.top_of(unit_id)
        if top is not None:
            result[unit_id] = top
    return result


def top_level_unit_on(unit: OrgUnit, day: dt.date) -> int | None:
    """Id of the unit directly under the confederation that `unit` belonged to on `day`.

    The same rule as `top_level_map(as_of=day)`, for one unit: a few small queries
    (one a level), cheap enough for every submission.
    """
    return _History(day, None).top_of(unit.pk)


class _History:
    """Walks a unit up the tree as it stood on `day` (see `top_level_map`)."""

    def __init__(self, day: dt.date, parent_of: dict[int, int | None] | None):
        self.day = day
        self.parent_of = parent_of  # all placements on `day`, or None: query per unit
        self.fallback: dict[int, int | None] = {}
        self.stands_for: dict[int, int] = {}
        self.root_ids = set(OrgUnit.objects.filter(level=0).values_list("id", flat=True))

    def _parent(self, unit_id: int) -> tuple[bool, int | None]:
        """(known, parent id) of `unit_id` on the day."""
        if self.parent_of is not None:
            if unit_id in self.parent_of:
                return True, self.parent_of[unit_id]
        else:
            parents = list(
                UnitPlacement.objects.filter(
                    Q(valid_from__isnull=True) | Q(valid_from__lte=self.day),
                    Q(valid_to__isnull=True) | Q(valid_to__gt=self.day),
                    unit_id=unit_id,
                ).values_list("parent_id", flat=True)[:1]
            )
            if parents:
                return True, parents[0]
        return False, None

    def _earliest_parent(self, unit_id: int) -> int | None:
        # The history is silent on the day: the first parent on record, else today's.
        if unit_id not in self.fallback:
            first = (
                UnitPlacement.objects.filter(unit_id=unit_id)
                .order_by(F("valid_from").asc(nulls_first=True))
                .values_list("parent_id", flat=True)
                .first()
            )
            if first is None:
                first = (
                    OrgUnit.objects.filter(pk=unit_id).values_list("parent_id", flat=True).first()
                )
            self.fallback[unit_id] = first
        return self.fallback[unit_id]

    def top_of(self, unit_id: int) -> int | None:
        node, previous, known_all_way = unit_id, None, True
        for _step in range(64):
            if node is None or node in self.root_ids:
                break
            known, parent = self._parent(node)
            if not known:
                known_all_way = False
                parent = self._earliest_parent(node)
            previous, node = node, parent
        if node not in self.root_ids or previous is None:
            return None
        if known_all_way:
            return previous
        if previous not in self.stands_for:
            self.stands_for[previous] = predecessor_on(previous, self.day)
        return self.stands_for[previous]


def predecessor_on(top_unit_id: int, day: dt.date) -> int:
    """The top-level unit that stood for `top_unit_id` on `day`.

    Itself if it existed then; otherwise (a province formed by the 2025 merger) the unit
    merged into it that bore its name (Cần Thơ for the new Cần Thơ), else the first of
    them by code; without predecessors, itself.
    """
    unit = OrgUnit.objects.only("pk", "name", "short_name", "active_from", "active_to").get(
        pk=top_unit_id
    )
    if unit.is_active_on(day):
        return unit.pk
    predecessors = list(
        OrgUnit.objects.filter(merged_into_id=unit.pk)
        .only("pk", "name", "short_name", "code")
        .order_by("code")
    )
    for predecessor in predecessors:
        if (predecessor.short_name or predecessor.name) == (unit.short_name or unit.name):
            return predecessor.pk
    return predecessors[0].pk if predecessors else unit.pk


def _top_level_map_today(unit_ids: Iterable[int] | None) -> dict[int, int]:
    # Top-level subtrees are disjoint lft ranges within a tree: find each unit's by bisection.
    tops: dict[int, list[tuple[int, int, int]]] = {}
    for top_id, tree_id, lft, rght in OrgUnit.objects.filter(level=1).values_list(
        "id", "tree_id", "lft", "rght"
    ):
        tops.setdefault(tree_id, []).append((lft, rght, top_id))
    for ranges in tops.values():
        ranges.sort()
    starts = {tree_id: [lft for lft, _r, _id in ranges] for tree_id, ranges in tops.items()}
    merged_into = dict(
        OrgUnit.objects.filter(level=1, merged_into__isnull=False).values_list(
            "id", "merged_into_id"
        )
    )
    units = OrgUnit.objects.filter(level__gte=1)
    if unit_ids is not None:
        units = units.filter(id__in=list(unit_ids))
    result: dict[int, int] = {}
    for unit_id, tree_id, lft in units.values_list("id", "tree_id", "lft"):
        ranges = tops.get(tree_id)
        if not ranges:
            continue
        position = bisect_right(starts[tree_id], lft) - 1
        if position < 0 or lft > ranges[position][1]:
            continue
        top_id = ranges[position][2]
        # A top-level unit merged away (a pre-2025 province) counts for its successor today.
        hops = 0
        while top_id in merged_into and hops < 16:
            top_id, hops = merged_into[top_id], hops + 1
        result[unit_id] = top_id
    return result


def top_level_units(*, active_on: dt.date | None = None) -> QuerySet[OrgUnit]:
    units = OrgUnit.objects.filter(
        kind__in=[k.value for k in (UnitKind.PROVINCE, UnitKind.SECTOR, UnitKind.CORPORATION)]
    )
    if active_on is not None:
        units = units.filter(
            Q(active_from__isnull=True) | Q(active_from__lte=active_on),
            Q(active_to__isnull=True) | Q(active_to__gte=active_on),
        )
    return units.order_by("kind", "code")


def emulation_group_names(
    year: int, *, groups: Iterable[EmulationGroup] | None = None
) -> dict[int, str]:
    """group id -> its name in `year`: the name stored for that year, else its own.
    Pass `groups` already loaded to save their query."""
    if groups is None:
        groups = EmulationGroup.objects.only("pk", "name")
    names = {group.pk: group.name for group in groups}
    names.update(EmulationGroupName.objects.filter(year=year).values_list("group_id", "name"))
    return names
