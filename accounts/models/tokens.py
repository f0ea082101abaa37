import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class ApiToken(models.Model):
    """An API key for a program acting as one person. Only its SHA-256 is stored (the key
    is shown once, when created); it expires, and it stops working when the person's
    password changes (`password_digest` no longer matches)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên"), max_length=100, blank=True)
    prefix = models.CharField(_("đầu khoá"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    password_digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn"))
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khoá API")
        verbose_name_plural = _("khoá API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
