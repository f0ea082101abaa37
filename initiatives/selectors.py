"""Reads over initiatives. Every function takes the viewer (or is public by name).

Who sees an initiative at all
    `initiative_visible_q(viewer)`: initiatives whose unit is inside the viewer's
    scope (`accounts.tenancy.scope_for`, any role that reaches a subtree; drafts
    only for officer roles), OR that the viewer owns, entered, or co-authors.
    Everything else answers 404.

Who may read a confidential initiative's text  (USE THIS EVERYWHERE)
    A confidential initiative (technology secret, `is_confidential`) shows only
    its title, summary of effect (`summary`) and award to anyone outside its own
    chain. Its chain is:
      - reviewers and officers (grassroots officer, unit officer, system admin)
        whose role is held at the initiative's unit or one of its ancestors,
      - its authors with an account (and its owner),
      - the officer who entered it.
    National leadership, reviewers of other provinces and the public are outside.

    - `can_read_confidential_text(viewer, initiative) -> bool`: for one object.
      True for every non-confidential initiative (visibility is a separate
      question, answered by the selectors above).
    - `confidential_text_readable_q(viewer) -> Q`: the same rule as a filter, for
      lists, exports and API querysets.
    - `PUBLIC_FIELDS_OF_CONFIDENTIAL`: the only fields that may be shown when
      `can_read_confidential_text` is False.
    Attachments (files and extracted text), authors' personal data and the
    body fields must be hidden whenever it is False.

The public library (`public_library`, `public_initiative_get`) shows approved or
recognised initiatives to anyone; confidential ones are never listed there.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.membership import pending_unit_ids
from accounts.models import Role
from accounts.tenancy import OFFICER_ROLES, scope_for
from federation.models import OrgUnit, UnitKind
from initiatives import fields
from initiatives.models import Initiative, InitiativeAuthor, Status

# Roles whose holders in the unit's chain may read a confidential initiative's text.
CONFIDENTIAL_CHAIN_ROLES = frozenset(
    {Role.REVIEWER, Role.GRASSROOTS_OFFICER, Role.UNIT_OFFICER, Role.ADMIN}
)
PUBLIC_FIELDS_OF_CONFIDENTIAL = fields.PUBLIC_OF_CONFIDENTIAL
PUBLIC_STATUSES = (Status.APPROVED.value, Status.RECOGNISED.value)


# --- the confidentiality gate ---------------------------------------------------------


def _authored_q(user) -> Q:
    co_authored = InitiativeAuthor.objects.filter(initiative=OuterRef("pk"), user=user)
    return Q(owner=user) | Q(entered_by=user) | Q(Exists(co_authored))


def _scope_holds_unit(scope, unit_id: int) -> bool:
    # Asked of the database: an in-memory unit's lft/rght may be stale after tree edits.
    return not scope.is_empty and scope.units().filter(pk=unit_id).exists()


def confidential_text_readable_q(viewer) -> Q:
    """Initiatives whose full text `viewer` may read (see the module docstring)."""
    if viewer is None or not viewer.is_authenticated:
        return Q(is_confidential=False)
    chain = scope_for(viewer, CONFIDENTIAL_CHAIN_ROLES).unit_q("unit")
    return Q(is_confidential=False) | chain | _authored_q(viewer)


def can_read_confidential_text(viewer, initiative: Initiative) -> bool:
    """May `viewer` read this initiative's text (body, attachments, authors' details)?

    Always True when the initiative is not confidential. For a confidential one,
    only its chain may: reviewers/officers at its unit or above, its authors,
    its owner and the officer who entered it.
    """
    if not initiative.is_confidential:
        return True
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.pk in (initiative.owner_id, initiative.entered_by_id):
        return True
    if _scope_holds_unit(scope_for(viewer, CONFIDENTIAL_CHAIN_ROLES), initiative.unit_id):
        return True
    return initiative.authors.filter(user=viewer).exists()


# --- authors' birth dates: personal data ------------------------------------------------


def birth_dates_readable_q(viewer) -> Q:
    """Who may read the authors' dates of birth: the authors themselves (and whoever
    entered or owns the initiative) and the officers of its unit or above; not
    reviewers, not leadership, not the public."""
    if viewer is None or not viewer.is_authenticated:
        return Q(pk__in=[])
    return _authored_q(viewer) | scope_for(viewer, OFFICER_ROLES).unit_q("unit")


def can_see_birth_dates(viewer, initiative: Initiative) -> bool:
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.pk in (initiative.owner_id, initiative.entered_by_id):
        return True
    if _scope_holds_unit(scope_for(viewer, OFFICER_ROLES), initiative.unit_id):
        return True
    return initiative.authors.filter(user=viewer).exists()


# --- what the viewer sees ------------------------------------------------------------


def initiative_visible_q(viewer) -> Q:
    if viewer is None or not viewer.is_authenticated:
        return Q(pk__in=[])
    # Drafts are work in progress: officers who enter for members see them, reviewers
    # and leadership only once handed in.
    handed_in = scope_for(viewer).unit_q("unit") & ~Q(status=Status.DRAFT)
    return handed_in | scope_for(viewer, OFFICER_ROLES).unit_q("unit") | _authored_q(viewer)


def initiative_list(*, viewer) -> QuerySet[Initiative]:
    """Initiatives in the viewer's scope, or owned, entered or co-authored by the viewer
    (narrowed further by `initiatives.filters.InitiativeFilter`)."""
    initiatives = Initiative.objects.filter(initiative_visible_q(viewer))
    return initiatives.select_related("unit", "field").order_by("-updated_at", "-id")


def initiative_list_mine(*, viewer) -> QuerySet[Initiative]:
    """What the viewer owns, entered or co-authors ("Sáng kiến của tôi")."""
    if viewer is None or not viewer.is_authenticated:
        return Initiative.objects.none()
    return (
        Initiative.objects.filter(_authored_q(viewer))
        .select_related("unit", "field")
        .order_by("-updated_at", "-id")
    )


def initiative_get_for_viewer(*, viewer, pk: int) -> Initiative:
    """One initiative the viewer may see, or 404 (the same answer as "does not exist")."""
    initiative = (
        Initiative.objects.filter(initiative_visible_q(viewer), pk=pk)
        .select_related("unit", "field", "owner", "entered_by", "top_unit")
        .first()
    )
    if initiative is None:
        raise Http404
    return initiative


def can_edit(viewer, initiative: Initiative) -> bool:
    """May the viewer change this draft or returned initiative (and submit it)?"""
    if not initiative.is_editable or viewer is None or not viewer.is_authenticated:
        return False
    if viewer.pk in (initiative.owner_id, initiative.entered_by_id):
        return True
    if _scope_holds_unit(scope_for(viewer, OFFICER_ROLES), initiative.unit_id):
        return True
    return initiative.authors.filter(user=viewer).exists()


def units_for_entry(*, viewer) -> QuerySet[OrgUnit]:
    """Grassroots units the viewer may enter initiatives for: where they are a member (or
    wait to be confirmed: drafts only), and for officers every active grassroots unit in
    their scope."""
    if viewer is None or not viewer.is_authenticated:
        return OrgUnit.objects.none()
    member_units = Q(role_assignments__user=viewer, role_assignments__role=Role.MEMBER)
    # A worker waiting for confirmation may already write drafts for the union they chose.
    member_units |= Q(pk__in=pending_unit_ids(viewer))
    officer_scope = scope_for(viewer, OFFICER_ROLES)
    allowed = member_units | officer_scope.unit_q() if not officer_scope.is_empty else member_units
    return (
        OrgUnit.objects.filter(allowed, kind=UnitKind.GRASSROOTS, active_to__isnull=True)
        .distinct()
        .order_by("name")
    )


def poster_units(*, viewer) -> QuerySet[OrgUnit]:
    """Grassroots units whose QR poster the viewer (an officer of the unit or above) may print."""
    scope = scope_for(viewer, OFFICER_ROLES)
    return scope.units().filter(kind=UnitKind.GRASSROOTS, active_to__isnull=True).order_by("name")


# --- the public library ----------------------------------------------------------------


def public_library() -> QuerySet[Initiative]:
    """Approved or recognised initiatives that are not confidential: anyone may see them
    (narrowed further by `initiatives.filters.LibraryFilter`)."""
    initiatives = Initiative.objects.filter(status__in=PUBLIC_STATUSES, is_confidential=False)
    return initiatives.select_related("unit", "field", "top_unit").order_by(
        "-decided_at", "-submitted_at", "-id"
    )


def public_initiative_get(*, pk: int) -> Initiative:
    """An approved or recognised initiative's public page. A confidential one can be
    reached by its link (the Decree publishes its name, summary and award) but
    its page shows nothing else; it is never listed."""
    initiative = (
        Initiative.objects.filter(status__in=PUBLIC_STATUSES, pk=pk)
        .select_related("unit", "field", "top_unit")
        .first()
    )
    if initiative is None:
        raise Http404
    return initiative


def library_provinces() -> QuerySet[OrgUnit]:
    """Units directly under the confederation, for the library's province filter."""
    return OrgUnit.objects.filter(level=1, active_to__isnull=True).order_by("name")


def library_units(*, province_code: str) -> QuerySet[OrgUnit]:
    """Units directly under a chosen province, for the library's unit filter."""
    if not province_code:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(
        parent__code=province_code, parent__level=1, active_to__isnull=True
    ).order_by("name")


def recognisable_initiatives(*, viewer) -> QuerySet[Initiative]:
    """Valid or approved initiatives whose recognition `viewer` may record: the officers of
    their unit or above (grassroots, unit officers, system admins)."""
    if viewer is None or not viewer.is_authenticated:
        return Initiative.objects.none()
    return (
        scope_for(viewer, OFFICER_ROLES)
        .filter(Initiative.objects.all(), "unit")
        .filter(status__in=[Status.VALID, Status.APPROVED])
        .select_related("unit")
    )


def personal_initiatives(user) -> list[dict]:
    """The person's own initiatives (written or co-written), for "my data" (accounts)."""
    initiatives = (
        Initiative.objects.filter(Q(authors__user=user) | Q(owner=user))
        .select_related("unit")
        .distinct()
        .order_by("pk")
    )
    return [
        {
            "id": i.pk,
            "title": i.title,
            "status": i.status,
            "unit_code": i.unit.code,
            "submitted_at": i.submitted_at,
        }
        for i in initiatives
    ]
