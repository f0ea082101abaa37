from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from portal.forms import LoginForm
from portal.tenancy import home_unit, roles_of, scope_for


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from portal.registration import registration_url, social_providers, unit_code_from_next

        context = super().get_context_data(**kwargs)
        next_url = context.get("next", "")
        # The poster's unit travels on: login -> "register" keeps it.
        context["register_url"] = registration_url(
            unit_code=unit_code_from_next(next_url), next_url=next_url
        )
        context["social_providers"] = social_providers(self.request)
        return context


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


@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
