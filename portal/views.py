from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal import signin
from portal.forms import LoginForm, PortalPasswordResetForm
from portal.tenancy import home_unit, roles_of, scope_for


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Password reset, limited per client address and per account (portal.signin)."""

    form_class = PortalPasswordResetForm

    def form_valid(self, form):
        account = signin.normalise_login(form.cleaned_data["email"])
        address = signin.client_ip(self.request)
        allowed = signin.allow_attempt(
            "reset-address",
            address,
            limit=settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR,
            window_seconds=3600,
        ) and signin.allow_attempt(
            "reset-account",
            account,
            limit=settings.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR,
            window_seconds=3600,
        )
        if not allowed:
            form.add_error(None, _(signin.MSG_RESET_RATE_LIMITED))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


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
