"""Sign-in with Zalo, Google or Facebook through django-allauth, beside (not instead
of) the email-or-phone login. Credentials come from the environment
(config/settings/base.py builds SOCIALACCOUNT_PROVIDERS); a provider without
them is neither listed nor reachable.

A first sign-in whose email already belongs to an account: only a provider that
vouches for the address (Google, `EMAIL_AUTHENTICATION`, with `email_verified`)
signs into that account and is connected to it; that proves no more than the
password reset mail would. allauth then makes the old password unusable unless the
address was verified here, so whoever registered the address first cannot keep a
way in. Any other provider (Facebook does not say whether the address is verified)
is refused with a message: sign in as usual, then connect it on /tai-khoan/."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

PROVIDER_ORDER = ("zalo", "google", "facebook")
PROVIDER_NAMES = {"zalo": "Zalo", "google": "Google", "facebook": "Facebook"}

MSG_EMAIL_HAS_ACCOUNT = gettext_noop(
    "Email {email} đã có tài khoản trên cổng. Hãy đăng nhập bằng email và mật khẩu "
    "(hoặc dùng “Quên mật khẩu”), rồi liên kết {provider} ở trang Tài khoản."
)
MSG_CONNECTED_BY_EMAIL = gettext_noop(
    "Đã liên kết {provider} với tài khoản có email {email}. Từ nay bạn đăng nhập bằng {provider}."
)
MSG_PASSWORD_RETIRED = gettext_noop(
    "Mật khẩu cũ của tài khoản này không còn dùng được (email chưa từng được xác minh "
    "trên cổng). Nếu muốn đăng nhập bằng mật khẩu, hãy đặt mật khẩu mới bằng “Quên mật khẩu”."
)


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
            app = super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            app = None
        if app is None or not (app.client_id and app.secret):
            # A provider without credentials does not exist for visitors: 404, not 500.
            raise Http404
        return app

    def is_open_for_signup(self, request, sociallogin):
        return True

    def get_connect_redirect_url(self, request, socialaccount):
        return reverse("account")

    def pre_social_login(self, request, sociallogin):
        """After allauth looked the person up: explain an email match, or refuse it."""
        provider = PROVIDER_NAMES.get(sociallogin.account.provider, sociallogin.account.provider)
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            return  # signed in already; allauth refuses an account that belongs to another
        if sociallogin.is_existing:
            if sociallogin.account.pk is None:
                # Matched by a provider-verified email (allauth's email authentication).
                user = sociallogin.user
                messages.info(
                    request, _(MSG_CONNECTED_BY_EMAIL).format(provider=provider, email=user.email)
                )
                verified_here = EmailAddress.objects.filter(
                    user=user, email__iexact=user.email, verified=True
                ).exists()
                if user.has_usable_password() and not verified_here:
                    messages.warning(request, _(MSG_PASSWORD_RETIRED))
            return
        from accounts.models import User

        emails = [address.email for address in sociallogin.email_addresses if address.email]
        for email in emails:
            if User.objects.filter(email__iexact=email).exists():
                messages.error(
                    request, _(MSG_EMAIL_HAS_ACCOUNT).format(email=email, provider=provider)
                )
                raise ImmediateHttpResponse(redirect("login"))

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        # The provider's own display name first: Vietnamese names put the family name
        # first, which joining Google's given and family names would turn around.
        extra = sociallogin.account.extra_data or {}
        user.full_name = (
            data.get("full_name") or data.get("name") or extra.get("name") or ""
        ).strip()[:150]
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
