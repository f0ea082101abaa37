from portal.tenancy import REVIEW_ROLES, home_unit, roles_of


def viewer(request):
    """The header shows who is signed in, their unit and their roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    assignments = roles_of(user)
    return {
        "viewer_unit": home_unit(user),
        "viewer_roles": sorted({a.get_role_display() for a in assignments}),
        "viewer_is_reviewer": any(a.role in REVIEW_ROLES for a in assignments),
    }
