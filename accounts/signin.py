"""Sign-in protection: who a login attempt is about, where it comes from, and how
often a password reset may be asked for.

django-axes counts failures per (account, address). Both are normalised here:
- the account as the portal understands it (`lockout_username`): an email is
  lower-cased, a phone number takes one form (0…, never +84…, no spaces or dashes),
  and an account's email and phone are one key, so `CongNhan@Demo.VN`,
  `+84 901-234-567` and `0901234567` count against one lockout;
- the client address (`client_ip`) is REMOTE_ADDR unless the deployment declares
  TRUSTED_PROXY_COUNT proxies in front of it; then it is the address the outermost
  trusted proxy saw, taken from the right of X-Forwarded-For (the left part is
  whatever the client wrote, so it is never trusted).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils.translation import gettext_noop

from accounts.models import normalize_phone

MSG_RESET_RATE_LIMITED = gettext_noop(
    "Bạn đã yêu cầu đặt lại mật khẩu quá nhiều lần; hãy thử lại sau một giờ."
)


def normalise_login(raw: str | None) -> str:
    login = (raw or "").strip()
    if "@" in login:
        return login.lower()
    phone = normalize_phone(login)
    return phone or login.lower()


def lockout_username(request, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the account an attempt is about, in one form.

    An account signs in with its email or its phone: both count as the account's
    email (or phone, if it has no email), so switching between them gains nothing.
    """
    raw = None
    if credentials:
        raw = credentials.get(settings.AXES_USERNAME_FORM_FIELD) or credentials.get("username")
    if raw is None and request is not None:
        raw = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    login = normalise_login(raw)
    if not login:
        return login
    users = get_user_model().objects.only("email", "phone")
    user = (
        users.filter(email__iexact=login) if "@" in login else users.filter(phone=login)
    ).first()
    if user is None:
        return login
    return (user.email or user.phone or login).lower()


def client_ip(request) -> str:
    """AXES_CLIENT_IP_CALLABLE, and anything else that needs the client's address."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def allow_attempt(bucket: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """A fixed-window counter in the cache; True while under `limit`.

    With the cache down the attempt is allowed: a locked-out password reset is worse
    than a few more emails (and the login lockout lives in the database anyway).
    """
    cache_key = f"rate:{bucket}:{key}"
    try:
        cache.add(cache_key, 0, timeout=window_seconds)
        count = cache.incr(cache_key)
    except Exception:  # noqa: BLE001 - Redis down: degrade, do not fail the page
        return True
    return count <= limit
