"""Reads over the union tree, including how it stood on a past date."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable

from django.db.models import Q, QuerySet

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
    """
    if as_of is None:
        return _top_level_map_today(unit_ids)

    parent_of = parents_on(as_of)
    root_ids = {uid for uid, parent in parent_of.items() if parent is None}
    result = {}
    wanted = set(unit_ids) if unit_ids is not None else set(parent_of)
    for unit_id in wanted:
        node, previous, steps = unit_id, None, 0
        while node is not None and node not in root_ids and steps < 64:
            previous, node = node, parent_of.get(node)
            steps += 1
        if node in root_ids and previous is not None:
            result[unit_id] = previous
    return result


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
