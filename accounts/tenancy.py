"""The one gate that decides which part of the union tree a person may see or change.

A role held at a unit reaches that unit's whole subtree (an MPTT lft/rght range),
and nothing else. Views, API views and selectors get their querysets through
`scope_for(...)`; nothing in the project filters by unit any other way. An object
outside the scope answers 404, exactly like one that does not exist.

The member (worker) role reaches no subtree: workers see their own initiatives
and what is public, which the initiative selectors add on top of the scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Membership, Role, RoleAssignment
from federation.models import OrgUnit

# Roles that reach the subtree of the unit where they are held.
SUBTREE_ROLES = frozenset(
    {Role.GRASSROOTS_OFFICER, Role.UNIT_OFFICER, Role.REVIEWER, Role.LEADERSHIP, Role.ADMIN}
)
# Roles that may enter or change initiatives and units on someone else's behalf.
OFFICER_ROLES = frozenset({Role.GRASSROOTS_OFFICER, Role.UNIT_OFFICER, Role.ADMIN})
REVIEW_ROLES = frozenset({Role.REVIEWER, Role.ADMIN})
UNIT_ADMIN_ROLES = frozenset({Role.UNIT_OFFICER, Role.ADMIN})


@dataclass(frozen=True)
class Scope:
    """The subtrees a viewer reaches, as (tree_id, lft, rght) ranges."""

    user_id: int | None
    ranges: tuple[tuple[int, int, int], ...] = ()
    root_unit_ids: tuple[int, ...] = field(default=())

    @classmethod
    def of_units(cls, units: Iterable[OrgUnit]) -> Scope:
        """The subtrees of `units` themselves (a filter, not anybody's permission)."""
        units = list(units)
        return cls(
            user_id=None,
            ranges=_collapse((u.tree_id, u.lft, u.rght) for u in units),
            root_unit_ids=tuple(sorted(u.pk for u in units)),
        )

    @property
    def is_empty(self) -> bool:
        return not self.ranges

    def enclosing_q(self, path: str = "") -> Q:
        """A Q matching the units that hold one of the scope's subtrees: its roots and
        their ancestors (or rows whose FK `path` points at such units)."""
        return self._ranges_q(path, inside=False)

    def unit_q(self, path: str = "") -> Q:
        """A Q matching units (or rows whose FK `path` points at units) inside the scope."""
        return self._ranges_q(path, inside=True)

    def _ranges_q(self, path: str, *, inside: bool) -> Q:
        prefix = f"{path}__" if path else ""
        lower, upper = ("gte", "lte") if inside else ("lte", "gte")
        condition = Q(pk__in=[])
        for tree_id, lft, rght in self.ranges:
            condition |= Q(
                **{
                    f"{prefix}tree_id": tree_id,
                    f"{prefix}lft__{lower}": lft,
                    f"{prefix}rght__{upper}": rght,
                }
            )
        return condition

    def units(self) -> QuerySet[OrgUnit]:
        return OrgUnit.objects.filter(self.unit_q())

    def filter(self, queryset: QuerySet, unit_path: str) -> QuerySet:
        return queryset.filter(self.unit_q(unit_path))

    def contains(self, unit: OrgUnit) -> bool:
        return any(
            unit.tree_id == tree_id and lft <= unit.lft and unit.rght <= rght
            for tree_id, lft, rght in self.ranges
        )

    def get_unit_or_404(self, **lookup) -> OrgUnit:
        unit = self.units().filter(**lookup).first()
        if unit is None:
            raise Http404
        return unit


def subtree_q(units: Iterable[OrgUnit], path: str = "") -> Q:
    """Rows whose unit (the FK at `path`, or the unit itself) lies under any of `units`."""
    return Scope.of_units(units).unit_q(path)


def _collapse(ranges: Iterable[tuple[int, int, int]]) -> tuple[tuple[int, int, int], ...]:
    """Drop ranges nested inside another, so queries carry as few OR terms as possible."""
    kept: list[tuple[int, int, int]] = []
    for tree_id, lft, rght in sorted(ranges, key=lambda r: (r[0], r[1], -r[2])):
        if kept and kept[-1][0] == tree_id and kept[-1][1] <= lft and rght <= kept[-1][2]:
            continue
        kept.append((tree_id, lft, rght))
    return tuple(kept)


def scope_for(user, roles: Iterable[str] = SUBTREE_ROLES) -> Scope:
    """The part of the tree `user` reaches through any of `roles`."""
    if user is None or not user.is_authenticated:
        return Scope(user_id=None)
    wanted = set(roles) & SUBTREE_ROLES
    cache = user.__dict__.setdefault("_scope_cache", {})
    key = frozenset(wanted)
    if key not in cache:
        # From the person's role assignments, read once per request (`roles_of`), not
        # one query per set of roles: a page asks for two or three such sets.
        held = [a for a in roles_of(user) if a.role in wanted]
        cache[key] = Scope(
            user_id=user.pk,
            ranges=_collapse((a.unit.tree_id, a.unit.lft, a.unit.rght) for a in held),
            root_unit_ids=tuple(sorted({a.unit_id for a in held})),
        )
    return cache[key]


def roles_of(user) -> list[RoleAssignment]:
    if user is None or not user.is_authenticated:
        return []
    cache = user.__dict__
    if "_role_assignments" not in cache:
        cache["_role_assignments"] = list(
            RoleAssignment.objects.filter(user=user).select_related("unit").order_by("unit__level")
        )
    return cache["_role_assignments"]


def has_role(user, *roles: str) -> bool:
    return any(assignment.role in roles for assignment in roles_of(user))


def open_membership_unit(user) -> OrgUnit | None:
    """The grassroots union of the person's open membership (pending or confirmed)."""
    if user is None or not user.is_authenticated:
        return None
    cache = user.__dict__
    if "_membership_unit" not in cache:
        membership = (
            Membership.objects.filter(user=user, status__in=("pending", "confirmed"))
            .select_related("unit")
            .first()
        )
        cache["_membership_unit"] = membership.unit if membership else None
    return cache["_membership_unit"]


def home_unit(user) -> OrgUnit | None:
    """The unit a person is shown as belonging to: where they are a member, else the
    union they asked to join (pending), else their first role."""
    assignments = roles_of(user)
    if not assignments:
        return open_membership_unit(user)
    for assignment in assignments:
        if assignment.role == Role.MEMBER:
            return assignment.unit
    return assignments[0].unit if assignments else None
