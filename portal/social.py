"""Sign-in with Zalo, Google or Facebook through django-allauth, beside (not instead
of) the email-or-phone login. Credentials come from the environment
(config/settings/base.py builds SOCIALACCOUNT_PROVIDERS); a provider without
them is neither listed nor reachable."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import Http404
from django.urls import NoReverseMatch, reverse

PROVIDER_ORDER = ("zalo", "google", "facebook")
PROVIDER_NAMES = {"zalo": "Zalo", "google": "Google", "facebook": "Facebook"}


def _has_credentials(provider_id: str) -> bool:
    config = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).get(provider_id, {})
    apps = config.get("APPS") or ([config["APP"]] if "APP" in config else [])
    return any(app.get("client_id") and app.get("secret") for app in apps)


def configured_providers(request=None) -> list[dict]:
    providers = []
    for provider_id in PROVIDER_ORDER:
        if not _has_credentials(provider_id):
            continue
        try:
            url = reverse(f"{provider_id}_login")
        except NoReverseMatch:
            continue
        providers.append({"id": provider_id, "name": PROVIDER_NAMES[provider_id], "url": url})
    return providers


class AccountAdapter(DefaultAccountAdapter):
    """allauth's own password sign-up is closed: people register at /tai-khoan/dang-ky/."""

    def is_open_for_signup(self, request):
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request, provider, client_id=None):
        from allauth.socialaccount.models import SocialApp

        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            # A provider without credentials does not exist for visitors: 404, not 500.
            raise Http404 from None

    def is_open_for_signup(self, request, sociallogin):
        return True

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.full_name = (data.get("full_name") or data.get("name") or "").strip()[:150]
        if not user.full_name:
            user.full_name = " ".join(
                part for part in (data.get("first_name"), data.get("last_name")) if part
            )
        user.email = user.email or None
        # Date of birth, phone and union are asked right after (ProfileCompletionMiddleware).
        user.must_complete_profile = True
        return user

    def save_user(self, request, sociallogin, form=None):
        user = sociallogin.user
        user.must_complete_profile = True
        user.email = user.email or None
        return super().save_user(request, sociallogin, form)
