from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from portal import services, signin
from portal.forms import LoginForm, PortalPasswordResetForm
from portal.page_cache import cached_public_page
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

    def form_valid(self, form):
        response = super().form_valid(form)
        # The language this person chose before, on another device, follows them here.
        chosen = form.get_user().language
        if chosen:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


@require_POST
def set_language(request):
    """Django's language switch, and for a signed-in person their remembered choice:
    notices and emails to them are written in it."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response


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
