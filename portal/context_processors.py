from django.utils.functional import SimpleLazyObject

from accounts.tenancy import (
    OFFICER_ROLES,
    REVIEW_ROLES,
    UNIT_ADMIN_ROLES,
    home_unit,
    roles_of,
    scope_for,
)
from core.notices import unread_notice_count


def viewer(request):
    """The header shows who is signed in, their unit and their roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    assignments = roles_of(user)
    unit = home_unit(user)
    return {
        "viewer_unit": unit,
        # Workers reach no subtree: their unit is named, not linked to a page they cannot open.
        "viewer_reaches_units": unit is not None and scope_for(user).contains(unit),
        "viewer_roles": sorted({a.get_role_display() for a in assignments}),
        "viewer_is_reviewer": any(a.role in REVIEW_ROLES for a in assignments),
        "viewer_manages_people": any(a.role in OFFICER_ROLES for a in assignments),
        # Admins of a unit directly under the confederation set its review policy.
        "viewer_sets_review_policy": any(
            a.role in UNIT_ADMIN_ROLES and a.unit.level <= 1 for a in assignments
        ),
        # Lazy, and cached per person until their notices change (core/notices.py).
        "unread_notice_count": SimpleLazyObject(lambda: unread_notice_count(user)),
    }
