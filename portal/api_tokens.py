"""API tokens: created once (the key is shown then, only its hash is kept), expiring,
revoked by a password change. `HashedTokenAuthentication` reads `Authorization: Token <key>`."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from portal.models import ApiToken
from portal.models.tokens import digest

MSG_TOKEN_INVALID = gettext_noop("Khoá API không hợp lệ, đã hết hạn hoặc đã bị thu hồi.")


@transaction.atomic
def api_token_create(*, user, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with the raw key, which is never stored."""
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
