"""Move DRF's plain-text tokens into ApiToken: only their hash is kept, they expire
after API_TOKEN_DAYS, and the plain-text rows are deleted."""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def hash_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("portal", "ApiToken")
    expires = timezone.now() + dt.timedelta(days=getattr(settings, "API_TOKEN_DAYS", 90))
    for token in Token.objects.select_related("user").iterator():
        ApiToken.objects.create(
            user=token.user,
            name="migrated",
            prefix=token.key[:8],
            key_hash=_digest(token.key),
            password_digest=_digest(token.user.password),
            expires_at=expires,
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0008_api_token"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(hash_tokens, migrations.RunPython.noop)]
