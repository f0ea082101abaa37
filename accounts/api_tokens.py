"""API tokens: created once (the key is shown then, only its hash is kept), expiring,
revoked by a password change. `HashedTokenAuthentication` reads `Authorization: Token <key>`."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import ApiToken
from accounts.models.tokens import digest

MSG_TOKEN_INVALID = gettext_noop("Khoá API không hợp lệ, đã hết hạn hoặc đã bị thu hồi.")
MSG_TOO_MANY_TOKENS = gettext_noop(
    "Bạn đã có {count} khoá API. Hãy thu hồi khoá không dùng nữa trước khi tạo khoá mới."
)
# Enough for every program a person runs; a leaked session cannot mint keys without end.
MAX_TOKENS_PER_PERSON = 20


class TooManyTokens(Exception):
    pass


@transaction.atomic
def api_token_create(*, user, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with the raw key, which is never stored."""
    # FOR UPDATE on the person: two tabs creating at once still respect the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_PERSON:
        raise TooManyTokens(_(MSG_TOO_MANY_TOKENS).format(count=MAX_TOKENS_PER_PERSON))
    raw = secrets.token_hex(20)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=raw[:8],
        key_hash=digest(raw),
        password_digest=digest(user.password),
        expires_at=timezone.now() + dt.timedelta(days=days or settings.API_TOKEN_DAYS),
    )
    return token, raw


def api_token_list(*, user) -> list[ApiToken]:
    """The person's own tokens, newest first, each marked when a password change
    has revoked it (it stays listed so its owner can see why a program stopped)."""
    tokens = list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))
    current = digest(user.password)
    for token in tokens:
        token.revoked_by_password_change = token.password_digest != current
    return tokens


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    """Revoking deletes the row: the hash is gone, the key can never match again."""
    token.delete()


class HashedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=digest(key), expires_at__gt=timezone.now())
            .first()
        )
        if (
            token is None
            or not token.user.is_active
            # The password changed since the token was made: the token is revoked.
            or token.password_digest != digest(token.user.password)
        ):
            raise exceptions.AuthenticationFailed(_(MSG_TOKEN_INVALID))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
