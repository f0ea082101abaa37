"""Writes about people that are not about units or initiatives."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from accounts.models import User


@transaction.atomic
def user_set_language(*, user: User, language: str) -> bool:
    """Remember the language a person chose; False if it is not one of the portal's."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        return False
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return True
