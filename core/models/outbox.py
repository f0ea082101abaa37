from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxEmail(models.Model):
    """An email waiting to be sent (or sent). Written in the same transaction as what it
    reports, so a decision saved while Redis or the mail server is down still gets its
    email: a Celery task sends it, with retries, and a periodic task re-sends what is left.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("chờ gửi")
        SENT = "sent", _("đã gửi")
        FAILED = "failed", _("gửi không được")

    to = models.JSONField(_("người nhận"), default=list)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    # [{"name": ..., "path": <default storage name>, "mimetype": ...}]
    attachments = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thư chờ gửi")
        verbose_name_plural = _("thư chờ gửi")
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return self.subject
