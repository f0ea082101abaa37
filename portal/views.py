from django.shortcuts import render

from accounts.tenancy import home_unit, roles_of, scope_for
from core.page_cache import cached_public_page


@cached_public_page  # for visitors: the same page for everyone (signed-in people never)
def home(request):
    context = {}
    if request.user.is_authenticated:
        scope = scope_for(request.user)
        context.update(
            unit=home_unit(request.user),
            role_assignments=roles_of(request.user),
            reachable_unit_count=scope.units().count() if not scope.is_empty else 0,
        )
    return render(request, "portal/home.html", context)
